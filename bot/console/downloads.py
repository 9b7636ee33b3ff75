"""GET /console/export.xlsx: the staff workbook (bot/export_xlsx.py) of what the account may see
(services/exports.py: organisers and reviewers everything, a unit its own unit's rows).

The workbook is written to an anonymous temporary file first (rows streamed from the database
in batches, openpyxl's write-only sheets), then sent from it in chunks: memory stays small
however many rows, and a failure is an error page, never half a file."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response, abort, request
from flask_login import login_required
from werkzeug.wsgi import wrap_file

from bot import export
from bot.console import auth
from bot.console.blueprint import bp, console
from domain import workflow as wf
from services import exports
from texts import console as texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export.xlsx")
@login_required
def export_xlsx() -> Response:
    actor = auth.current_actor()
    c = console()
    settings = c.state.settings
    now = datetime.now(UTC)
    out = tempfile.TemporaryFile()
    try:
        exporter = export.SqlExport(c.state.db, settings.tz)
        exports.export(exporter, c.audit, actor, "xlsx", out, now)
    except wf.WorkflowError:
        out.close()
        abort(403)
    except BaseException:
        out.close()
        raise
    size = out.tell()
    out.seek(0)
    day = now.astimezone(settings.tz).strftime("%Y%m%d")
    name = texts.EXPORT_FILE.format(day=day)
    disposition = f"attachment; filename=\"suggestions-{day}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(
        wrap_file(request.environ, out),  # closes (and so deletes) the file when sent
        mimetype=XLSX,
        direct_passthrough=True,
        headers={"Content-Disposition": disposition, "Content-Length": str(size)},
    )
