"""The console's detail page shows how the answer reached the resident (channel, attempts, why
it waits) and their rating (回访), on both stores; the page escapes the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import workflow as wf
from services import resident
from services import suggestions as uc
from tests.e2e.test_console import people, post, sign_in  # noqa: F401 - the fixture
from tests.integration.console_helpers import new_suggestion, stores
from texts import console as texts

REV = wf.Actor("rev", wf.REVIEWER)


def test_detail_shows_channel_waiting_and_rating(client, people):  # type: ignore[no-untyped-def]  # noqa: F811
    wfs = stores(people)[0]
    people.users.touch_many({"openid-near": datetime.now(UTC) - timedelta(hours=1)})
    near = new_suggestion(people, "openid-near", "建议增设社区食堂。", 11)
    far = new_suggestion(people, "openid-far", "建议延长图书馆开放时间。", 12)
    assert sign_in(client, "rev").status_code == 302
    for ticket in (near, far):
        assert post(client, f"/console/s/{ticket}/accept").status_code == 303
        published = post(
            client, f"/console/s/{ticket}/publish", reply="<b>已采纳</b>", outcome=wf.ADOPTED
        )
        assert published.status_code == 303
    page = client.get(f"/console/s/{near}").get_data(as_text=True)
    assert texts.DELIVERY_VIA["cs"] in page and texts.DELIVERY_ATTEMPTS.format(count=1) in page
    assert "<b>已采纳</b>" not in page and "&lt;b&gt;" in page
    assert texts.RATING_NONE in page
    page = client.get(f"/console/s/{far}").get_data(as_text=True)
    assert texts.DELIVERY["waiting"] in page and texts.DELIVERY_WAITING_CLOSED in page

    rated = resident.rate(people.services.resident, "openid-near", "2", datetime.now(UTC))
    assert rated is not None and rated.after == wf.CLOSED
    page = client.get(f"/console/s/{near}").get_data(as_text=True)
    assert f"{texts.RATING_TITLE}：<strong>{wf.FAIRLY_SATISFIED}</strong>" in page
    assert "回访评价" in page and "resident" in page  # the history names the actor
    assert wfs.find(near).status == wf.CLOSED
    uc.view(wfs, REV, far)  # untouched
