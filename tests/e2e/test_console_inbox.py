"""The console's inbox and detail page over HTTP, on both stores: every filter, Chinese search,
sort and pages; photos (signed in, the unit's own, no way out of the media folder, a
placeholder when not fetched); the author's other ideas; similar ideas; escaping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.store.models import SuggestionPhotoRow
from bot.store.photos import PhotoStore
from tests.conftest import make_settings
from tests.e2e.test_console import people, post, sign_in  # noqa: F401 - people: a fixture
from tests.fakes.images import png
from tests.integration.console_helpers import new_suggestion
from tests.integration.inbox_helpers import seed


@pytest.fixture
def settings(backend, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(backend, media_dir=str(tmp_path / "media"))


@pytest.fixture
def seeded(people):  # type: ignore[no-untyped-def] # noqa: F811
    return seed(people)


def rows(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/console/" + query)
    assert page.status_code == 200
    return re.findall(r'<tr data-ticket="([^"]+)"', page.get_data(as_text=True))


def names(t: dict[str, str], *keys: str) -> list[str]:
    return [t[k] for k in keys]


def test_filters_sort_and_pages(client, seeded):  # type: ignore[no-untyped-def]
    t = seeded
    assert sign_in(client, "rev").status_code == 302
    page = client.get("/console/").get_data(as_text=True)
    assert 'id="filters"' in page
    for field in ("campaign", "topic", "status", "outcome", "unit", "from", "to", "photos",
                  "q", "sort"):  # fmt: skip
        assert f'name="{field}"' in page
    assert rows(client) == names(t, "more", "copy", "bus", "canteen", "xss", "forms")
    assert rows(client, "?campaign=other") == names(t, "bus")
    assert rows(client, "?topic=优化创新生态") == names(t, "forms")
    assert rows(client, "?status=已交办") == names(t, "bus", "xss")
    assert rows(client, "?outcome=已采纳") == names(t, "copy")
    assert rows(client, "?unit=办公室") == names(t, "copy", "xss")
    assert rows(client, "?photos=yes") == names(t, "more", "xss")
    assert rows(client, "?photos=no") == names(t, "copy", "bus", "canteen", "forms")
    assert rows(client, "?from=2026-12-02&to=2026-12-02") == names(t, "more")  # Shanghai day
    assert rows(client, "?from=2026-11-25") == names(t, "more", "copy", "bus")
    assert rows(client, "?to=2026-11-15") == names(t, "xss", "forms")
    assert rows(client, "?q=食堂") == names(t, "more", "copy", "canteen", "xss")
    assert rows(client, "?q=老年食堂") == names(t, "more", "copy", "canteen")
    assert rows(client, "?q=公交&status=已交办&unit=科技科") == names(t, "bus")
    assert rows(client, "?sort=oldest")[:2] == names(t, "forms", "xss")
    assert rows(client, "?sort=status")[0] == t["canteen"]
    assert rows(client, "?status=<b>&sort=x&page=abc&from=nope") == rows(client)

    state = client.application.extensions["console"].state
    for n in range(25):
        new_suggestion(state, f"openid-bulk-{n}", f"第{n}条：建议增设食堂座位", 100 + n)
    first = client.get("/console/?q=食堂&sort=oldest").get_data(as_text=True)
    assert "共 29 条" in first and "第 1 / 2 页" in first
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link is not None
    nxt = link.group(1).replace("&amp;", "&")
    assert "q=%E9%A3%9F%E5%A0%82" in nxt and "sort=oldest" in nxt and "page=2" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert "第 2 / 2 页" in second and len(re.findall(r"<tr data-ticket=", second)) == 9


def test_a_unit_account_filters_within_its_unit(client, seeded):  # type: ignore[no-untyped-def]
    t = seeded
    assert sign_in(client, "office").status_code == 302
    assert rows(client) == names(t, "copy", "xss")
    assert rows(client, "?unit=科技科") == []  # its own unit only, whatever it asks
    assert rows(client, "?q=公交") == []
    assert 'name="unit"' not in client.get("/console/").get_data(as_text=True)


def test_user_text_is_shown_as_text(client, seeded):  # type: ignore[no-untyped-def]
    t = seeded
    assert sign_in(client, "rev").status_code == 302
    for path in ("/console/", f"/console/s/{t['xss']}", f"/console/s/{t['canteen']}",
                 "/console/?q=<script>"):  # fmt: skip
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "<b>来吃" not in page
    inbox = client.get("/console/?q=<script>").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in inbox
    assert 'value="&lt;script&gt;"' in inbox  # the search box too


def test_detail_shows_other_ideas_and_similar_ones(client, seeded):  # type: ignore[no-untyped-def]
    t = seeded
    assert sign_in(client, "rev").status_code == 302
    page = client.get(f"/console/s/{t['canteen']}").get_data(as_text=True)
    others = page.split('id="author-ideas"')[1].split("</section>")[0]
    assert re.findall(r'<li data-related="([^"]+)"', others) == names(t, "more", "forms")
    assert f'href="/console/s/{t["more"]}"' in others and "（2）" in others
    similar = page.split('id="similar-ideas"')[1].split("</section>")[0]
    found = re.findall(r'<li data-related="([^"]+)"', similar)
    assert found[0] == t["copy"] and t["more"] in found and t["bus"] not in found
    assert "内容相同" in similar and "内容相近" in similar
    assert "openid-" not in page
    author = re.search(r'href="(/console/\?author=[^"]+)"', client.get("/console/").get_data(True))
    assert author is not None  # each row links its author's ideas

    post(client, "/console/logout")
    assert sign_in(client, "office").status_code == 302  # a unit: its own unit's only
    page = client.get(f"/console/s/{t['copy']}").get_data(as_text=True)
    similar = page.split('id="similar-ideas"')[1].split("</section>")[0]
    assert t["canteen"] not in similar and t["more"] not in similar and "没有内容相同" in similar
    assert client.get(f"/console/s/{t['canteen']}").status_code == 404


def _photos(state, media: Path, t: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """`more` has photo 1 fetched (a PNG) and photo 2 failed; `xss` has one fetched."""
    store = PhotoStore(state.db)
    store.add_missing(datetime.now(UTC))
    media.mkdir(parents=True, exist_ok=True)
    (media / f"{t['more']}-1.png").write_bytes(png(1))
    (media / f"{t['xss']}-1.png").write_bytes(png(2))
    (media.parent / "secret.png").write_bytes(png(3))
    fetched = {"status": "fetched", "content_type": "image/png"}
    states = {
        (t["more"], 1): {**fetched, "path": f"{t['more']}-1.png"},
        (t["more"], 2): {"status": "failed", "last_error": "40007 invalid media_id"},
        (t["xss"], 1): {**fetched, "path": f"{t['xss']}-1.png"},
    }
    with state.db.session() as s:
        for (ticket, position), values in states.items():
            row = next(r for r in store.of_ticket(ticket) if r.position == position)
            s.execute(
                update(SuggestionPhotoRow).where(SuggestionPhotoRow.id == row.id).values(values)
            )


def test_photos_signed_in_unit_checked_and_inside_the_media_folder(client, seeded, settings):  # type: ignore[no-untyped-def]
    t = seeded
    state = client.application.extensions["console"].state
    media = settings.effective_media_dir
    _photos(state, media, t)
    url = f"/console/s/{t['more']}/photos/1"
    assert client.get(url).status_code == 302  # not signed in: to the sign-in page

    assert sign_in(client, "rev").status_code == 302
    with client.get(url) as got:
        assert got.status_code == 200 and got.mimetype == "image/png"
        assert got.data == png(1) and got.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/console/s/{t['more']}").get_data(as_text=True)
    photos = page.split('id="photos"')[1].split("</section>")[0]
    assert f'<img src="{url}"' in photos
    assert 'data-status="failed"' in photos and "图片未能取回" in photos
    assert client.get(f"/console/s/{t['more']}/photos/2").status_code == 404  # failed
    assert client.get(f"/console/s/{t['more']}/photos/9").status_code == 404
    base = f"/console/s/{t['more']}/photos/"
    for path in (
        base + "..%2F..%2Fsecret.png",
        base + "../../secret.png",
        "/console/../secret.png",
    ):
        with client.get(path) as refused:
            assert refused.status_code in (302, 404) and refused.data != png(3)

    # A row pointing outside the folder (or not at an image) is refused.
    with state.db.session() as s:
        s.execute(update(SuggestionPhotoRow).where(SuggestionPhotoRow.path == f"{t['more']}-1.png")
                  .values(path="../secret.png"))  # fmt: skip
    assert client.get(url).status_code == 404
    with state.db.session() as s:
        s.execute(update(SuggestionPhotoRow).where(SuggestionPhotoRow.path == "../secret.png")
                  .values(path=str(media.parent / "secret.png")))  # fmt: skip
    assert client.get(url).status_code == 404
    with state.db.session() as s:
        s.execute(update(SuggestionPhotoRow).where(SuggestionPhotoRow.content_type == "image/png")
                  .values(content_type="text/html"))  # fmt: skip
    assert client.get(f"/console/s/{t['xss']}/photos/1").status_code == 404

    # A unit sees only its unit's photos.
    post(client, "/console/logout")
    assert sign_in(client, "tech").status_code == 302
    assert client.get(f"/console/s/{t['xss']}/photos/1").status_code == 404


def test_placeholders_before_any_fetch(client, seeded):  # type: ignore[no-untyped-def]
    t = seeded
    assert sign_in(client, "rev").status_code == 302
    page = client.get(f"/console/s/{t['more']}").get_data(as_text=True)
    photos = page.split('id="photos"')[1].split("</section>")[0]
    assert photos.count('data-status="pending"') == 2 and "图片尚未取回" in photos
    assert "<img" not in photos
    assert 'id="photos"' not in client.get(f"/console/s/{t['bus']}").get_data(as_text=True)
