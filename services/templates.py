"""Use cases on answer templates (答复模板): add, edit, delete (audited), pick, fill.

A template has a name, a text and optionally a campaign (empty: every campaign). Filling it
for one suggestion replaces {编号} with the ticket and {单位} with the responsible unit; nothing
else in the text is interpreted (braces stay as written).
"""

from __future__ import annotations

from datetime import datetime

from domain import workflow as wf
from services.ports import AuditEntry, Case
from services.unit_ports import AnswerTemplate, TemplateStore
from texts import workflow as texts

MAX_NAME = 100
MAX_CAMPAIGN = 64
PLACEHOLDERS = ("{编号}", "{单位}")


class TemplateError(ValueError):
    """A template change that cannot be done: English for logs, `zh` for pages."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def _clean(name: str, text: str, campaign: str) -> tuple[str, str, str]:
    name = " ".join((name or "").split())
    text = (text or "").strip()
    campaign = (campaign or "").strip()
    if not name or len(name) > MAX_NAME:
        raise TemplateError("template name: 1-100 characters", texts.TEMPLATE_NAME_LENGTH)
    if not text:
        raise TemplateError("template text is required", texts.TEMPLATE_TEXT_REQUIRED)
    if len(text) > wf.MAX_REPLY:
        raise TemplateError("template text too long", texts.TEMPLATE_TEXT_TOO_LONG)
    if len(campaign) > MAX_CAMPAIGN:
        raise TemplateError("campaign code too long", texts.TEMPLATE_CAMPAIGN_TOO_LONG)
    return name, text, campaign


def save(
    store: TemplateStore, by: str, template_id: int | None, name: str, text: str, campaign: str,
    now: datetime,
) -> AnswerTemplate:  # fmt: skip
    """Add a template (template_id None) or change one."""
    name, text, campaign = _clean(name, text, campaign)
    before = ""
    if template_id is not None:
        old = store.get(template_id)
        if old is None:
            raise TemplateError("no such template", texts.TEMPLATE_NOT_FOUND)
        before = texts.TEMPLATE_LABEL.format(name=old.name)
    action = "template_add" if template_id is None else "template_edit"
    label = texts.TEMPLATE_LABEL.format(name=name)
    entry = AuditEntry(now, by, action, f"template:{name}", before, label)
    saved = store.save(template_id, name, text, campaign, now, entry)
    if saved is None:
        raise TemplateError("no such template", texts.TEMPLATE_NOT_FOUND)
    return saved


def delete(store: TemplateStore, by: str, template_id: int, now: datetime) -> None:
    old = store.get(template_id)
    if old is None:
        raise TemplateError("no such template", texts.TEMPLATE_NOT_FOUND)
    label = texts.TEMPLATE_LABEL.format(name=old.name)
    entry = AuditEntry(now, by, "template_delete", f"template:{old.name}", label, "")
    if not store.delete(template_id, entry):
        raise TemplateError("no such template", texts.TEMPLATE_NOT_FOUND)


def for_case(store: TemplateStore, case: Case) -> list[AnswerTemplate]:
    """The templates offered on a suggestion's page: its campaign's and the general ones."""
    return [t for t in store.all() if t.campaign in ("", case.campaign)]


def fill(template: AnswerTemplate, case: Case) -> str:
    """The template's text for this suggestion, placeholders filled in."""
    text = template.text.replace("{编号}", case.ticket).replace("{单位}", case.unit or "")
    return text[: wf.MAX_REPLY]


def filled_for(store: TemplateStore, case: Case, template_id: int) -> tuple[str, str] | None:
    """(template name, filled text) when the template exists and applies to this suggestion."""
    template = store.get(template_id)
    if template is None or template.campaign not in ("", case.campaign):
        return None
    return template.name, fill(template, case)
