"""The units list, answer templates and bulk actions as use cases over the SQL adapters, on
both stores: seeding, rename propagation, audit, template filling, mixed batches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store.units_repo import SqlTemplateStore, SqlUnitStore
from domain import workflow as wf
from domain.plan import Plan, Task
from services import accounts, units
from services import suggestions as uc
from services import templates as tpl
from tests.integration.console_helpers import NOW, new_suggestion, stores

BOSS = wf.Actor("boss", wf.ORGANISER)
REV = wf.Actor("rev", wf.REVIEWER)
OFFICE = wf.Actor("office", wf.UNIT, "办公室")
PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    tasks=(Task("召开学习会", owner="局党组"), Task("梳理建议", owner="办公室"), Task("无主任务")),
)


def test_units_are_seeded_renamed_retired_and_audited(state):  # type: ignore[no-untyped-def]
    wfs, accts, audit, _ = stores(state)
    store = SqlUnitStore(state.db)
    accounts.add_account(accts, "cli", "tech", wf.UNIT, "科技科", "pw-tech-1234", NOW)
    owners = units.plan_owners([PLAN, None])
    assert owners == ["局党组", "办公室"]
    # Lazily on first use: the plans' owners and the unit accounts' units, audited.
    assert units.active_names(store, owners, NOW) == sorted(["局党组", "办公室", "科技科"])
    seeded = [e for e in audit.since(None) if e.action == "unit_add"]
    assert {e.target for e in seeded} == {"unit:局党组", "unit:办公室", "unit:科技科"}
    assert all(e.actor == units.SEED_ACTOR for e in seeded)
    assert units.seed(store, owners, NOW) == []  # nothing new the second time

    assert units.add(store, "boss", "  财务  科 ", NOW) == "added"  # spaces tidied
    with pytest.raises(units.UnitError) as dup:
        units.add(store, "boss", "财务 科", NOW)
    assert "已在名单中" in dup.value.zh
    with pytest.raises(units.UnitError):
        units.add(store, "boss", "x" * (wf.MAX_UNIT + 1), NOW)

    # Rename: suggestions assigned to the unit and its accounts follow; each ticket audited.
    accounts.add_account(accts, "cli", "office", wf.UNIT, "办公室", "pw-office-12", NOW)
    mine = [new_suggestion(state, f"u{n}", f"建议{n}：延长服务时间", n) for n in range(3)]
    for ticket in mine[:2]:
        uc.accept(wfs, REV, ticket, NOW)
        uc.assign(wfs, REV, ticket, "办公室", NOW)
    result = units.rename(store, "boss", "办公室", "综合办公室", NOW)
    assert result.tickets == tuple(mine[:2]) and result.accounts == 1
    assert [wfs.find(t).unit for t in mine] == ["综合办公室", "综合办公室", None]  # type: ignore[union-attr]
    assert accts.get("office").unit == "综合办公室"  # type: ignore[union-attr]
    history = wfs.history(mine[0])
    assert (history[-1].actor, history[-1].action) == ("boss", "unit_rename")
    assert "办公室" in history[-1].before and "综合办公室" in history[-1].after
    renamed = [e for e in audit.since(None) if e.target == "unit:办公室"]
    assert renamed[-1].action == "unit_rename" and renamed[-1].after == "综合办公室"
    # The office account now sees its ideas under the new name.
    office = accounts.actor_of(accts.get("office"))  # type: ignore[arg-type]
    assert uc.view(wfs, office, mine[0]).unit == "综合办公室"

    # The old name stays away, even when a reloaded plan names it again.
    assert "办公室" not in units.active_names(store, owners, NOW)
    old = next(u for u in store.all() if u.name == "办公室")
    assert old.retired and old.renamed_to == "综合办公室"
    with pytest.raises(units.UnitError):
        units.rename(store, "boss", "局党组", "办公室", NOW)  # a used name
    with pytest.raises(units.UnitError):
        units.rename(store, "boss", "没有这个单位", "新单位", NOW)

    units.retire(store, "boss", "局党组", NOW)
    assert "局党组" not in units.active_names(store, owners, NOW)
    with pytest.raises(units.UnitError) as refused:
        units.require_active(store, "局党组", owners, NOW)
    assert "不在单位名单中" in refused.value.zh
    with pytest.raises(units.UnitError):
        units.retire(store, "boss", "局党组", NOW)
    assert units.add(store, "boss", "局党组", NOW) == "restored"
    assert units.require_active(store, " 局党组 ", owners, NOW) == "局党组"
    actions = [e.action for e in audit.since(NOW - timedelta(days=1)) if e.actor == "boss"]
    for action in ("unit_add", "unit_rename", "unit_retire", "unit_restore"):
        assert action in actions


def test_templates_are_saved_audited_offered_and_filled(state):  # type: ignore[no-untyped-def]
    wfs, _, audit, _ = stores(state)
    store = SqlTemplateStore(state.db)
    general = tpl.save(
        store, "rev", None, "已转办", "您的建议（{编号}）已转{单位}办理。{其他}", "", NOW
    )
    local = tpl.save(store, "rev", None, "本活动", "感谢参与 kjj。", "kjj-2018", NOW)
    tpl.save(store, "rev", None, "别的活动", "别的活动的答复。", "other", NOW)
    with pytest.raises(tpl.TemplateError):
        tpl.save(store, "rev", None, "", "内容", "", NOW)
    with pytest.raises(tpl.TemplateError):
        tpl.save(store, "rev", None, "太长", "字" * (wf.MAX_REPLY + 1), "", NOW)

    ticket = new_suggestion(state, "u1", "建议增设公交线路", 1)
    uc.accept(wfs, REV, ticket, NOW)
    uc.assign(wfs, REV, ticket, "交通科", NOW)
    case = wfs.find(ticket)
    assert case is not None
    assert [t.name for t in tpl.for_case(store, case)] == ["已转办", "本活动"]
    assert tpl.fill(general, case) == f"您的建议（{ticket}）已转交通科办理。{{其他}}"
    assert tpl.filled_for(store, case, local.id) == ("本活动", "感谢参与 kjj。")
    other = next(t for t in store.all() if t.campaign == "other")
    assert tpl.filled_for(store, case, other.id) is None  # not this idea's campaign
    assert tpl.filled_for(store, case, 99999) is None

    edited = tpl.save(store, "boss", general.id, "已转办（新）", "已转{单位}。", "", NOW)
    assert edited.id == general.id and store.get(general.id).text == "已转{单位}。"  # type: ignore[union-attr]
    tpl.delete(store, "boss", local.id, NOW)
    assert store.get(local.id) is None
    with pytest.raises(tpl.TemplateError):
        tpl.delete(store, "boss", local.id, NOW)
    with pytest.raises(tpl.TemplateError):
        tpl.save(store, "boss", local.id, "已删", "内容", "", NOW)
    rows = [(e.actor, e.action, e.target) for e in audit.since(None) if "template" in e.action]
    assert ("rev", "template_add", "template:已转办") in rows
    assert ("boss", "template_edit", "template:已转办（新）") in rows
    assert ("boss", "template_delete", "template:本活动") in rows


def test_bulk_actions_take_each_ticket_through_the_rules(state):  # type: ignore[no-untyped-def]
    wfs, _, audit, _ = stores(state)
    a, b, c = (new_suggestion(state, f"u{n}", f"建议{n}：增设便民服务点", n) for n in range(3))
    uc.accept(wfs, REV, b, NOW)

    results = uc.bulk_act(wfs, REV, [a, b.lower(), "NOPE", a, " "], wf.ACCEPT, NOW)
    assert [(r.ticket, r.ok) for r in results] == [(a, True), (b, False), ("NOPE", False)]
    assert "已受理" in results[1].message and "没有找到" in results[2].message
    assert wfs.find(a).status == wf.ACCEPTED  # type: ignore[union-attr]

    results = uc.bulk_act(wfs, REV, [a, b, c], wf.ASSIGN, NOW, unit="办公室")
    assert [r.ok for r in results] == [True, True, False]  # c is still pending
    assert wfs.find(b).unit == "办公室"  # type: ignore[union-attr]

    uc.draft_answer(wfs, OFFICE, a, "拟采纳，年内落实。", NOW)
    results = uc.bulk_act(wfs, REV, [a, b], wf.PUBLISH, NOW, outcome=wf.ADOPTED)
    assert [r.ok for r in results] == [True, False]
    assert "还没有答复草稿" in results[1].message
    published = wfs.find(a)
    assert published is not None and published.reply == "拟采纳，年内落实。"
    assert (published.status, published.outcome) == (wf.ANSWERED, wf.ADOPTED)
    assert wfs.delivery(a) == "queued" and wfs.delivery(b) is None

    with pytest.raises(wf.WorkflowError) as forbidden:
        uc.bulk_act(wfs, OFFICE, [a], wf.ACCEPT, NOW)
    assert forbidden.value.code == wf.FORBIDDEN and not uc.can_bulk(OFFICE)
    for action, extra, code in (
        (wf.PUBLISH, {"outcome": "随便"}, wf.BAD_OUTCOME),
        (wf.ASSIGN, {"unit": " "}, wf.UNIT_REQUIRED),
        (wf.DECLINE, {}, wf.UNKNOWN_ACTION),
    ):
        with pytest.raises(wf.WorkflowError) as refused:
            uc.bulk_act(wfs, BOSS, [b], action, NOW, **extra)
        assert refused.value.code == code
    many = uc.bulk_act(wfs, BOSS, [f"T{n}" for n in range(uc.MAX_BULK + 2)], wf.ACCEPT, NOW)
    assert len(many) == uc.MAX_BULK + 2 and "一次最多处理" in many[-1].message
    done = [(e.action, e.target) for e in audit.since(None) if e.actor == "rev"]
    assert done.count(("accept", a)) == 1 and ("publish", a) in done and ("publish", b) not in done
