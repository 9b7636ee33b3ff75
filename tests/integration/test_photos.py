"""The photo fetcher against the fake WeChat API, on both stores: expired ids, token expiry,
busy answers and backoff, limits, several fetchers at once, and a restart found by the tick."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.jobs_wiring import jobs_deps
from bot.photo_fetcher import PhotoFetcher
from bot.store.photos import NOT_MEDIA_ID, PhotoStore
from bot.wiring import build_state
from handlers.ports import NewSuggestion
from jobs.runner import start_scheduler
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat
from tests.fakes.images import JPEG_8X8, png

USER = "oPHOTO_raw_openid_0002"


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with FakeWeChat() as server:
        yield server


@pytest.fixture
def photo_state(backend, tmp_path, fake):  # type: ignore[no-untyped-def]
    """A process with credentials for the fake; its fetcher runs only when a test says so."""
    settings = make_settings(
        backend,
        media_dir=str(tmp_path / "media"),
        wechat_appid=fake.appid,
        wechat_secret=fake.secret,
        wechat_api_base_url=fake.base_url,
    )
    state = build_state(settings, migrate=True)
    state.suggestions.on_photos = None  # no background thread: run_once is called by hand
    yield state
    state.close()


def store(state, media: tuple[str, ...], text: str = "建议社区食堂延长晚间营业时间") -> str:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    record, created = state.suggestions.create(
        NewSuggestion(USER, "wechat", "", "其他", text, f"k:{text}", now, media)
    )
    assert created
    return str(record.ticket)


def test_an_expired_media_id_is_recorded_failed(photo_state, fake, tmp_path):
    fake.add_media("m-ok", JPEG_8X8)
    ticket = store(photo_state, ("m-ok", "m-gone", "http://mmbiz.example/only-a-url.jpg"))
    report = photo_state.photos.run_once()
    assert (report.added, report.fetched, report.failed, report.retried) == (3, 1, 1, 0)
    ok, gone, url_only = photo_state.photos.store.of_ticket(ticket)
    assert ok.status == "fetched" and (tmp_path / "media" / ok.path).read_bytes() == JPEG_8X8
    assert gone.status == "failed" and gone.last_error.startswith("40007 invalid media_id")
    assert gone.attempts == 1 and gone.path == ""
    assert url_only.status == "failed" and url_only.last_error == NOT_MEDIA_ID
    assert photo_state.photos.run_once().added == 0  # nothing is tried twice
    assert len(fake.media_calls) == 2


def test_token_expiry_midway_is_refreshed_and_every_photo_fetched(photo_state, fake, monkeypatch):
    for n in range(3):
        fake.add_media(f"t{n}", png(n), "image/png")
    ticket = store(photo_state, ("t0", "t1", "t2"))
    original = photo_state.sender.get_media

    def expire_after_the_first(media_id, max_bytes):  # type: ignore[no-untyped-def]
        if media_id == "t1":
            fake.expire_tokens()  # WeChat expires the token between two downloads
        return original(media_id, max_bytes)

    monkeypatch.setattr(photo_state.sender, "get_media", expire_after_the_first)
    report = photo_state.photos.run_once()
    assert report.fetched == 3 and report.failed == report.retried == 0
    assert [c["errcode"] for c in fake.media_calls] == [0, 42001, 0, 0]
    assert fake.fetches("/cgi-bin/stable_token") == 2
    assert {r.status for r in photo_state.photos.store.of_ticket(ticket)} == {"fetched"}


def test_busy_is_retried_later_then_fetched(photo_state, fake):
    fake.add_media("busy1", png(7), "image/png")
    ticket = store(photo_state, ("busy1",))
    fake.fail_next(-1, path_contains="media/get")
    first = photo_state.photos.run_once()
    assert first.retried == 1 and first.fetched == 0
    (row,) = photo_state.photos.store.of_ticket(ticket)
    assert row.status == "pending" and row.attempts == 1 and row.last_error.startswith("-1 ")
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - datetime.now(UTC)).total_seconds()
    assert 20 < wait <= 30  # the first backoff step
    assert photo_state.photos.run_once().fetched == 0  # not yet due
    later = photo_state.photos.run_once(now=row.next_attempt_at + timedelta(seconds=1))
    assert later.fetched == 1
    (row,) = photo_state.photos.store.of_ticket(ticket)
    assert row.status == "fetched" and row.attempts == 2 and row.last_error == ""


def test_busy_every_time_fails_after_the_last_attempt(photo_state, fake):
    fake.add_media("busy2", png(8), "image/png")
    ticket = store(photo_state, ("busy2",))
    fake.fail_next(-1, times=10, path_contains="media/get")
    at = datetime.now(UTC)
    for _ in range(photo_state.photos.max_attempts):
        photo_state.photos.run_once(now=at)
        at += timedelta(hours=1)
    (row,) = photo_state.photos.store.of_ticket(ticket)
    assert row.status == "failed" and row.attempts == photo_state.photos.max_attempts
    assert row.last_error.endswith(f"(after {photo_state.photos.max_attempts} attempts)")
    assert photo_state.photos.run_once(now=at).fetched == 0


def test_too_large_not_an_image_and_an_unwritable_folder(photo_state, fake, tmp_path):
    fake.add_media("big", b"\xff\xd8" + b"x" * 5000, "image/jpeg")
    fake.add_media("voice", b"#!AMR\n" + b"v" * 100, "audio/amr")
    fake.add_media("fine", JPEG_8X8)
    ticket = store(photo_state, ("big", "voice", "fine"))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    fetcher = PhotoFetcher(PhotoStore(photo_state.db), photo_state.sender, blocked, max_bytes=1000)
    report = fetcher.run_once()
    assert (report.failed, report.retried) == (2, 1)
    big, voice, fine = fetcher.store.of_ticket(ticket)
    assert big.status == "failed" and "larger than 1000 bytes" in big.last_error
    assert voice.status == "failed" and "not an image: audio/amr" in voice.last_error
    assert fine.status == "pending" and "could not write" in fine.last_error


def test_two_fetchers_at_once_download_each_photo_once(photo_state, fake, tmp_path):
    ids = tuple(f"c{n}" for n in range(12))
    for n, media_id in enumerate(ids):
        fake.add_media(media_id, png(n), "image/png")
    ticket = store(photo_state, ids)
    fetchers = [
        PhotoFetcher(PhotoStore(photo_state.db), photo_state.sender, tmp_path / "media")
        for _ in range(2)
    ]
    assert fetchers[0].store.add_missing(datetime.now(UTC)) == (12, False)
    threads = [threading.Thread(target=f.run_once) for f in fetchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    rows = photo_state.photos.store.of_ticket(ticket)
    assert [r.status for r in rows] == ["fetched"] * 12
    assert sorted(c["media_id"] for c in fake.media_calls) == sorted(ids)
    assert all(r.attempts == 1 for r in rows)


def test_pending_photos_are_found_again_after_a_restart(backend, tmp_path, fake):
    fake.add_media("r1", png(21), "image/png")
    settings = make_settings(
        backend,
        media_dir=str(tmp_path / "media"),
        wechat_appid=fake.appid,
        wechat_secret=fake.secret,
        wechat_api_base_url=fake.base_url,
        scheduler_lease_seconds=3.0,
    )
    before = build_state(settings, migrate=True)
    before.suggestions.on_photos = None  # the process dies before its fetcher ran
    ticket = store(before, ("r1",))
    before.close()
    after = build_state(settings, migrate=True)
    runner = start_scheduler(jobs_deps(after))  # its first tick wakes the fetcher
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            rows = after.photos.store.of_ticket(ticket)
            if rows and rows[0].status == "fetched":
                break
            time.sleep(0.1)
        assert [r.status for r in rows] == ["fetched"]
        assert (Path(tmp_path / "media") / rows[0].path).read_bytes() == png(21)
    finally:
        runner.shutdown()
        after.close()
