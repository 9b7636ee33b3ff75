"""`python -m bot doctor`: the whole configuration checked, one line per item, for operators.

Each line is `<mark> <item>：<what we found / what to fix>` in Chinese. Marks: ✓ fine; ! works,
but know this (embedded Redis, no template, a rehearsal date …); ✗ must be fixed; – not
checked because something before it failed. Exit 0 when nothing is ✗, else 2.

Unlike the other commands, a bad variable does not stop the check: each one gets its ✗ line
and the rest is checked as if it were unset. The token fetch is a real `stable_token` call
through the configured base URL (normal mode: it never rotates the token the running service
uses), so a wrong AppID, secret, IP whitelist or proxy URL shows here before any notice fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.doctor_checks import (
    BAD,
    SKIP,
    Line,
    check_callback,
    check_database,
    check_outbound,
    check_plans,
    check_redis,
    check_rest,
)
from config.settings import Settings, SettingsError

_SETTING_ADVICE = {
    "DATABASE_URL": "只支持 sqlite 和 postgresql，例如 postgresql://用户:密码@主机:5432/库名；"
    "不设置则用 instance/ 下的 SQLite 文件",
    "REDIS_URL": "应为 redis://主机:6379/0；不设置则用内置存储（仅限单进程）",
    "WECHAT_AES_KEY": "应为公众平台“基本配置”中的 43 位 EncodingAESKey",
    "WECOM_AES_KEY": "应为企业微信应用的 43 位 EncodingAESKey",
    "WECHAT_API_BASE_URL": "应为 https://api.weixin.qq.com 或代理的根地址",
    "BOT_TIMEZONE": "应为时区名，如 Asia/Shanghai",
    "BOT_TODAY": "应为日期 YYYY-MM-DD",
    "BOT_REMINDER_TIME": "应为 HH:MM，如 09:00",
    "BOT_REMINDER_DAYS": "应为逗号分隔的天数，如 3,1,0",
    "BOT_ANSWER_DAYS": "应为 1 到 365 之间的天数，如 15",
}  # fmt: skip


def read_settings(env: dict[str, str]) -> tuple[Settings, list[Line], set[str]]:
    """Settings from `env`, each bad variable reported and then left out; returns the
    settings, the lines and the names of the bad variables (their checks are skipped)."""
    lines: list[Line] = []
    bad: set[str] = set()
    for _ in range(len(env) + 1):
        try:
            return Settings.from_env(env, dotenv=False), lines, bad
        except SettingsError as exc:
            name = exc.variable
            advice = _SETTING_ADVICE.get(name, "取值不对")
            lines.append((BAD, f"配置 {name}", f"{advice}（{exc}）"))
            bad.add(name)
            if name not in env:
                break
            env.pop(name)
    return Settings(), lines, bad


def diagnose(env: dict[str, str], fetch: Callable[[Settings], None] | None = None) -> list[Line]:
    """Every line, in order. `fetch` replaces the real token fetch (tests)."""
    settings, lines, bad = read_settings(env)

    def skipped(item: str, variable: str) -> Line:
        return SKIP, item, f"未检查（先改正 {variable}）"

    db_ok = False
    if "DATABASE_URL" in bad:
        lines.append(skipped("数据库", "DATABASE_URL"))
    else:
        db_line, db_ok = check_database(settings)
        lines.append(db_line)
    if db_ok:
        try:
            lines.append(check_plans(settings))
        except Exception as exc:  # noqa: BLE001 - a report line, never a traceback
            lines.append((BAD, "活动计划", f"读取失败（{type(exc).__name__}）"))
    else:
        lines.append((SKIP, "活动计划", "未检查（数据库不可用）"))
    lines.append(skipped("Redis", "REDIS_URL") if "REDIS_URL" in bad else check_redis(settings))
    lines += [line for line in check_callback(settings) if line[1] not in bad]
    if "WECHAT_API_BASE_URL" in bad:
        lines += check_outbound(settings, fetch=lambda _: None)[:1]
        lines.append(skipped("微信接口", "WECHAT_API_BASE_URL"))
    else:
        lines += check_outbound(settings, fetch)
    lines += [line for line in check_rest(settings) if _REST_VARIABLES[line[1]] not in bad]
    return lines


_REST_VARIABLES = {
    "时区": "BOT_TIMEZONE",
    "模板消息": "WECHAT_TEMPLATE_ID",
    "演练日期": "BOT_TODAY",
}


def run_doctor(out: TextIO, env: dict[str, str] | None = None) -> int:
    """Print the report; 0 when nothing must be fixed, else 2."""
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    lines = diagnose(env)
    for mark, item, text in lines:
        out.write(f"{mark} {item}：{text}\n")
    bad = sum(1 for mark, _, _ in lines if mark == BAD)
    out.write("全部正常。\n" if not bad else f"有 {bad} 项需要处理（标 ✗ 的行）。\n")
    return 2 if bad else 0
