"""What the outbound WeChat API last said, and one clear log line when it keeps refusing.

Some errcodes are about the whole account or the whole installation, not about one recipient:
a wrong WECHAT_APPID (40013) or WECHAT_SECRET (40125), a server IP missing from the account's
whitelist (40164), a wrong WECHAT_API_BASE_URL (40066, or no answer at all), an interface the
account may not use (48001). Every send fails the same way until someone changes a setting, so
logging a warning per send buries the cause under thousands of identical lines. Instead a run
of such failures (consecutive, same errcode) logs ONE error line naming the setting to fix; the
run is logged again only after an hour, and its end (a success) once at info level. Errors
about one recipient (43004 not following, 45015 window closed …) stay one line per send.

The last result (time, ok or errcode) is kept in the process and, when Redis is shared, under
`{prefix}outbound:last` so /healthz on any web worker shows what the scheduler process saw. It
is written when the result changes and otherwise at most every few seconds: a fan-out of
10,000 sends costs a handful of writes, not 10,000.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("bot.wechat_client")

TRANSPORT = -2  # bot.wechat_client.TRANSPORT_ERROR: timeouts, refused connections, HTTP errors
REMIND_EVERY = 3600.0
WRITE_EVERY = 5.0


@dataclass(frozen=True)
class Cause:
    """An account-wide errcode: what it means, the setting to check, advice for operators."""

    meaning: str
    setting: str
    advice: str  # Chinese, for `python -m bot doctor`
    threshold: int = 1  # failures in a row before the error line (transient ones need more)


_WHITELIST = "the IP whitelist (mp.weixin.qq.com)"
CAUSES: dict[int, Cause] = {
    40013: Cause(
        "invalid appid", "WECHAT_APPID", "AppID 无效：请核对 WECHAT_APPID（公众平台“基本配置”）"
    ),
    41002: Cause("appid missing", "WECHAT_APPID", "缺少 AppID：请设置 WECHAT_APPID"),
    40125: Cause(
        "invalid appsecret",
        "WECHAT_SECRET",
        "AppSecret 不对：请核对 WECHAT_SECRET；在公众平台重置过密钥的，要同步更新",
    ),
    41004: Cause("appsecret missing", "WECHAT_SECRET", "缺少 AppSecret：请设置 WECHAT_SECRET"),
    40164: Cause(
        "this server's IP is not in the account's IP whitelist",
        _WHITELIST,
        "本服务器的出口 IP 不在公众号的 IP 白名单里：请在公众平台“基本配置—IP白名单”中加上它",
    ),
    89503: Cause(
        "calls from this IP need an administrator's confirmation",
        _WHITELIST,
        "此 IP 的调用需公众号管理员确认：请管理员在微信中确认，或把该 IP 加入白名单",
    ),
    40066: Cause(
        "invalid url: the API base URL is wrong",
        "WECHAT_API_BASE_URL",
        "接口地址不对：请检查 WECHAT_API_BASE_URL（官方地址 https://api.weixin.qq.com，"
        "或代理的根地址）",
    ),
    48001: Cause(
        "api unauthorized: the account may not use this interface",
        "the account type (a verified service account) or WECHAT_TEMPLATE_ID",
        "公众号没有这个接口的权限：模板消息与客服消息需认证服务号",
    ),
    40037: Cause(
        "invalid template_id",
        "WECHAT_TEMPLATE_ID",
        "模板 ID 无效：请核对 WECHAT_TEMPLATE_ID（公众平台“模板消息—我的模板”）",
    ),
    45009: Cause(
        "the daily API quota is used up",
        "the account's API quota (mp.weixin.qq.com)",
        "今日接口调用次数已用完：明天自动恢复，或在公众平台清零",
    ),
    TRANSPORT: Cause(
        "the WeChat API cannot be reached",
        "WECHAT_API_BASE_URL or the network/proxy",
        "连不上微信接口：请检查网络、代理（HTTPS_PROXY）或 WECHAT_API_BASE_URL",
        threshold=3,
    ),
    -1: Cause(
        "WeChat reports a system error",
        "nothing (WeChat's side); wait",
        "微信系统繁忙：稍后会自动重试",
        threshold=3,
    ),
}


def cause_of(errcode: int) -> Cause | None:
    """The account-wide cause behind `errcode`, or None for an error about one recipient."""
    return CAUSES.get(errcode)


class OutboundMonitor:
    """Per process: the last result and the current run of account-wide failures."""

    def __init__(
        self,
        kv: Any = None,
        key_prefix: str = "",
        base_url: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._kv, self.key, self.base_url, self._clock = (
            kv,
            f"{key_prefix}outbound:last",
            base_url,
            clock,
        )
        self._lock = threading.Lock()
        self._last: dict[str, Any] | None = None
        self._written_at = 0.0
        self._run_code: int | None = None
        self._run_count = 0
        self._run_logged_at: float | None = None

    def ok(self, endpoint: str) -> None:
        """A call succeeded: ends any run of failures."""
        with self._lock:
            ended = (self._run_code, self._run_count) if self._run_code is not None else None
            self._run_code, self._run_count, self._run_logged_at = None, 0, None
            record = self._remember(endpoint, None, "")
        if ended:
            logger.info("WeChat API calls succeed again (after %s failures with errcode %s)",
                        ended[1], ended[0])  # fmt: skip
        self._publish(record)

    def failed(self, endpoint: str, errcode: int, errmsg: str, who: str) -> None:
        """A call failed: one warning per send for a recipient's error; for an account-wide
        error, one error line per run naming the setting to fix."""
        cause = cause_of(errcode)
        line: str | None = None
        with self._lock:
            record = self._remember(endpoint, errcode, errmsg)
            if cause is not None:
                if self._run_code != errcode:
                    self._run_code, self._run_count, self._run_logged_at = errcode, 0, None
                self._run_count += 1
                now = self._clock()
                due = self._run_logged_at is None or now - self._run_logged_at >= REMIND_EVERY
                if self._run_count >= cause.threshold and due:
                    self._run_logged_at = now
                    line = self._explain(errcode, cause, errmsg)
        if cause is None:
            logger.warning("%s to %s failed: errcode=%s errmsg=%s", endpoint, who, errcode, errmsg)
        elif line is not None:
            logger.error(line)
        else:
            logger.debug("%s to %s failed: errcode=%s (reported)", endpoint, who, errcode)
        self._publish(record)

    def last(self) -> dict[str, Any] | None:
        """The last result seen by any process sharing Redis (else by this one)."""
        if self._kv is not None:
            try:
                raw = self._kv.get(self.key)
                if raw:
                    return dict(json.loads(raw))
            except Exception:  # noqa: BLE001 - health must answer even when Redis does not
                logger.debug("reading %s failed", self.key, exc_info=True)
        with self._lock:
            return dict(self._last) if self._last else None

    def _explain(self, errcode: int, cause: Cause, errmsg: str) -> str:
        times = f"{self._run_count} call{'s' if self._run_count > 1 else ''} in a row"
        where = f" (API base {self.base_url})" if "URL" in cause.setting else ""
        return (
            f"outbound WeChat API: {times} failed with errcode {errcode} - {cause.meaning}"
            f"{where}; check {cause.setting}. Further failures like it are not logged one by "
            f"one (WeChat said: {errmsg[:120]})"
        )

    def _remember(self, endpoint: str, errcode: int | None, errmsg: str) -> dict[str, Any] | None:
        """Keep the result; returns it when it should be written to Redis now."""
        now = self._clock()
        previous = self._last
        self._last = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "ok": errcode is None,
            "errcode": errcode,
            "endpoint": endpoint,
        }
        if errcode is not None:
            self._last["errmsg"] = errmsg[:120]
        changed = previous is None or previous.get("errcode") != errcode
        if self._kv is None or not (changed or now - self._written_at >= WRITE_EVERY):
            return None
        self._written_at = now
        return dict(self._last)

    def _publish(self, record: dict[str, Any] | None) -> None:
        if record is None or self._kv is None:
            return
        try:
            self._kv.set(self.key, json.dumps(record), ex=7 * 24 * 3600)
        except Exception:  # noqa: BLE001 - a health record must never fail a send
            logger.debug("writing %s failed", self.key, exc_info=True)
