"""Photos sent in the guided 献一策 flow end up on disk, fetched after the answer, over the
webhook, on both stores: against the fake WeChat API, and with no credentials at all."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.photo_fetcher import NO_CREDENTIALS
from bot.wiring import build_state
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat
from tests.fakes.images import JPEG_8X8, png
from tests.wechat_sim import WeChatSim, image_xml, text_xml

USER = "oPHOTO_raw_openid_0001"


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with FakeWeChat() as server:
        yield server


def _state(backend, tmp_path: Path, fake: FakeWeChat | None):  # type: ignore[no-untyped-def]
    creds = (
        {
            "wechat_appid": fake.appid,
            "wechat_secret": fake.secret,
            "wechat_api_base_url": fake.base_url,
        }
        if fake is not None
        else {}
    )
    settings = make_settings(backend, media_dir=str(tmp_path / "media"), **creds)
    return build_state(settings, migrate=True)


def _submit_with_photos(client, media_ids: list[int]) -> str:  # type: ignore[no-untyped-def]
    """The guided flow over the webhook: text, one image message per id, 完成, 确认 → ticket."""
    sim = WeChatSim()
    assert "写下" in sim.post(client, text_xml(USER, "我要提建议")).text
    sim.post(client, text_xml(USER, "建议在老街口增设路灯，晚上太黑，老人出行不便"))
    for n, msg_id in enumerate(media_ids, start=1):
        assert f"共{n}张" in sim.post(client, image_xml(USER, msg_id=msg_id)).text
    assert f"附图片{len(media_ids)}张" in sim.post(client, text_xml(USER, "完成")).text
    answer = sim.post(client, text_xml(USER, "确认")).text
    assert answer and "提交成功" in answer
    found = re.search(r"编号：(\w+)", answer)
    assert found is not None
    return found.group(1)


def _wait_for(check, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def test_three_photos_are_fetched_after_the_answer(backend, tmp_path, fake):
    bodies = {msg_id: png(msg_id) for msg_id in (710001, 710002)}
    bodies[710003] = JPEG_8X8
    for msg_id, body in bodies.items():
        fake.add_media(f"img{msg_id}", body, "image/png" if body != JPEG_8X8 else "image/jpeg")
    state = _state(backend, tmp_path, fake)
    try:
        state.photos.delay = 1.0  # wide enough that "nothing before the answer" is checked
        client = create_app(state=state).test_client()
        ticket = _submit_with_photos(client, list(bodies))
        assert fake.media_calls == []  # nothing was downloaded on the request path

        def all_fetched():  # type: ignore[no-untyped-def]
            rows = state.photos.store.of_ticket(ticket)
            return rows if rows and all(r.status == "fetched" for r in rows) else None

        rows = _wait_for(all_fetched)
        assert rows is not None and len(rows) == 3
        media = tmp_path / "media"
        for row, (msg_id, body) in zip(rows, bodies.items(), strict=True):
            assert row.media_id == f"img{msg_id}"
            assert (media / row.path).read_bytes() == body
            assert row.sha256 == hashlib.sha256(body).hexdigest() and row.size == len(body)
            assert row.attempts == 1 and row.fetched_at is not None
        assert [r.path for r in rows] == [f"{ticket}-1.png", f"{ticket}-2.png", f"{ticket}-3.jpg"]
        assert rows[2].content_type == "image/jpeg"
        names = [p.name for p in media.iterdir()]
        assert sorted(names) == sorted(r.path for r in rows)  # no temporary file left behind
        assert not any(USER in name for name in names)
        assert len(fake.media_calls) == 3  # each photo downloaded once
    finally:
        state.close()


def test_without_credentials_photos_wait_with_a_reason(backend, tmp_path):
    state = _state(backend, tmp_path, None)
    try:
        client = create_app(state=state).test_client()
        ticket = _submit_with_photos(client, [720001, 720002])

        def waiting():  # type: ignore[no-untyped-def]
            rows = state.photos.store.of_ticket(ticket)
            return rows if len(rows) == 2 and all(r.last_error for r in rows) else None

        rows = _wait_for(waiting)
        assert rows is not None
        assert {(r.status, r.last_error, r.attempts) for r in rows} == {
            ("pending", NO_CREDENTIALS, 0)
        }
        assert not (tmp_path / "media").exists()
    finally:
        state.close()
