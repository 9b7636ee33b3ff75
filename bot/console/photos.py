"""A suggestion's photo, for someone signed in who may see the suggestion (a unit account: its
unit's only). Served from the media folder (BOT_MEDIA_DIR) with the content type recorded
when it was fetched; a path that would leave the folder is refused, whatever the row says."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import abort, send_file
from flask_login import login_required
from werkzeug.wrappers import Response

from bot.console import auth
from bot.console.blueprint import bp, console
from domain import workflow as wf
from services import inbox as related
from services import suggestions as uc

log = logging.getLogger(__name__)
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/gif", "image/webp", "image/bmp"}
)


def inside(folder: Path, relative: str) -> Path | None:
    """`folder/relative` if it is a file inside `folder` (links resolved), else None."""
    if not relative or Path(relative).is_absolute() or "\x00" in relative:
        return None
    base = folder.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or target == base or not target.is_file():
        return None
    return target


@bp.get("/s/<ticket>/photos/<int:position>")
@login_required
def photo(ticket: str, position: int) -> Response:
    actor = auth.current_actor()
    c = console()
    try:
        case = uc.view(c.workflow, actor, ticket.upper())
    except wf.WorkflowError:
        abort(404)
    item = related.photo(c.workflow.inbox, case, position)
    if item is None:
        abort(404)
    content_type = item.content_type.split(";")[0].strip().lower()
    target = inside(c.state.settings.effective_media_dir, item.path)
    if target is None or content_type not in IMAGE_TYPES:
        log.warning("photo %s-%s refused: not an image file in the media folder", ticket, position)
        abort(404)
    return send_file(target, mimetype=content_type, conditional=True, max_age=0)
