"""One download from WeChat's temporary-media API (``GET /cgi-bin/media/get``).

A leaf module (no import of bot.wechat_client, which calls it from ``WeChatSender.get_media``
with its own session, timeout and token): success is a binary body whose Content-Type is
``image/*``; a failure is a JSON body with an ``errcode`` (40007 invalid media_id: the 3 days
are over or the id was never ours; 40001/42001 token; -1 busy), sent with whatever
Content-Type the platform likes (text/plain is common), so anything that is not an image is
read as JSON first.

The body is streamed and cut at ``max_bytes``: a photo larger than that is refused rather than
held in memory.
"""

from __future__ import annotations

import json
from typing import Any

import requests

MAX_MEDIA_BYTES = 10 * 1024 * 1024  # WeChat's own limit for an image is 10 MB
TRANSPORT_ERROR = -2  # the same code as bot.wechat_client's: ours, never the platform's
_JSON_PEEK = 64 * 1024  # an error answer is a few hundred bytes


class MediaFailure(Exception):
    """A media download that gave no image: the platform's errcode, or ours (-2) with a kind
    (``retry_later`` for timeouts and 5xx, ``give_up`` for what retrying cannot change)."""

    def __init__(self, errcode: int, errmsg: str, kind: str | None = None) -> None:
        super().__init__(f"media/get {errcode}: {errmsg}")
        self.errcode, self.errmsg, self.kind = errcode, errmsg, kind


def download(
    session: requests.Session,
    url: str,
    params: dict[str, str],
    timeout: float,
    max_bytes: int = MAX_MEDIA_BYTES,
) -> tuple[bytes, str]:
    """``(body, content type)`` of one image, or MediaFailure. Never logs ``params`` (the token)."""
    try:
        with session.get(url, params=params, timeout=timeout, stream=True) as response:
            return _read(response, max_bytes)
    except requests.Timeout:
        raise MediaFailure(TRANSPORT_ERROR, f"timeout after {timeout}s", "retry_later") from None
    except requests.RequestException as exc:
        raise MediaFailure(TRANSPORT_ERROR, type(exc).__name__, "retry_later") from None


def _read(response: requests.Response, max_bytes: int) -> tuple[bytes, str]:
    status = response.status_code
    if status != 200:
        kind = "retry_later" if status >= 500 or status == 429 else "give_up"
        raise MediaFailure(TRANSPORT_ERROR, f"HTTP {status}", kind)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    is_image = content_type.startswith("image/")
    limit = max_bytes if is_image else _JSON_PEEK
    declared = response.headers.get("Content-Length", "")
    if is_image and declared.isdigit() and int(declared) > limit:
        raise MediaFailure(TRANSPORT_ERROR, f"larger than {limit} bytes ({declared})", "give_up")
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            what = f"larger than {limit} bytes" if is_image else f"{content_type} answer too long"
            raise MediaFailure(TRANSPORT_ERROR, what, "give_up")
        chunks.append(chunk)
    body = b"".join(chunks)
    if is_image:
        if not body:
            raise MediaFailure(TRANSPORT_ERROR, "empty image", "retry_later")
        return body, content_type
    raise _error_of(body, content_type)


def _error_of(body: bytes, content_type: str) -> MediaFailure:
    """The JSON error answer as a MediaFailure; anything else is an unexpected answer."""
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    if isinstance(payload, dict) and "errcode" in payload:
        try:
            errcode = int(payload["errcode"])
        except (TypeError, ValueError):
            errcode = TRANSPORT_ERROR
        return MediaFailure(errcode, str(payload.get("errmsg", ""))[:200])
    # A video or voice id (or a proxy's error page): retrying gives the same answer.
    return MediaFailure(
        TRANSPORT_ERROR, f"not an image: {content_type or 'no Content-Type'}", "give_up"
    )
