"""The checks behind `python -m bot doctor` (bot/doctor.py): each returns its report lines,
`(mark, item, text)`, the text in Chinese for operators, and never raises for a bad setting."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.outbound_status import TRANSPORT, cause_of
from config.settings import Settings, hide_password

OK, NOTE, BAD, SKIP = "✓", "!", "✗", "–"
Line = tuple[str, str, str]  # mark, item, text


def _db_problem(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    low = text.lower()
    if "password authentication failed" in low or ("role" in low and "does not exist" in low):
        return f"用户名或密码不对（{text}）：请改正 DATABASE_URL"
    if "database" in low and "does not exist" in low:
        return f"数据库不存在（{text}）：请先建库（createdb），或改正 DATABASE_URL 中的库名"
    if "could not translate host name" in low:
        return f"主机名无法解析（{text}）：请改正 DATABASE_URL 中的主机"
    return f"连不上（{text}）：请启动数据库，或改正 DATABASE_URL 中的主机和端口"


def check_database(settings: Settings) -> tuple[Line, bool]:
    """Reachable and migrated to head. Never creates the SQLite file as a side effect."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import Database

    url = settings.effective_database_url
    where = hide_password(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.split("sqlite:///", 1)[1])
        if not path.exists():
            return (
                BAD,
                "数据库",
                f"SQLite 文件 {path} 还不存在：运行 python -m bot db upgrade 创建",
            ), False
    database = Database(url)
    try:
        current, head = database.migration_status()
    except SQLAlchemyError as exc:
        return (BAD, "数据库", f"{where} {_db_problem(exc)}"), False
    except Exception as exc:  # noqa: BLE001 - a report line, never a traceback
        return (BAD, "数据库", f"{where} 检查失败（{type(exc).__name__}: {exc}）"), False
    finally:
        database.dispose()
    if current != head:
        found = current or "空库"
        return (
            BAD,
            "数据库",
            f"{where} 结构不是最新（现为 {found}，应为 {head}）：运行 python -m bot db upgrade",
        ), False
    return (OK, "数据库", f"{where} 可连接，结构已是最新（{head}）"), True


def check_plans(settings: Settings) -> Line:
    from sqlalchemy import select

    from bot.store.db import Database
    from bot.store.models import CampaignRow

    database = Database(settings.effective_database_url)
    try:
        with database.session() as s:
            codes = list(s.scalars(select(CampaignRow.code).order_by(CampaignRow.code)))
    finally:
        database.dispose()
    if not codes:
        return NOTE, "活动计划", "还没有加载：python -m bot plan load 计划文件.yaml"
    return (
        OK,
        "活动计划",
        f"已加载 {len(codes)} 个：{'、'.join(codes[:5])}{' 等' if len(codes) > 5 else ''}",
    )


def check_redis(settings: Settings) -> Line:
    if not settings.redis_url:
        return (
            NOTE,
            "Redis",
            "未设置 REDIS_URL，使用内置存储：只能单进程运行"
            "（不能用多个 gunicorn 进程或单独的调度进程）",
        )
    from bot.store.kv import make_redis

    where = hide_password(settings.redis_url)
    client = make_redis(settings.redis_url)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure is reported the same way
        return (
            BAD,
            "Redis",
            f"连不上 {where}（{exc}）：请启动 Redis、改正 REDIS_URL，"
            "或删除它改用内置存储（仅限单进程）",
        )
    finally:
        client.close()
    return OK, "Redis", f"{where} 可连接"


def check_callback(settings: Settings) -> list[Line]:
    lines: list[Line] = []
    if settings.wechat_token_is_default:
        lines.append(
            (
                BAD,
                "WECHAT_TOKEN",
                f"未设置，正在用开发令牌 {settings.wechat_token}："
                "请设为公众平台“服务器配置”中填写的令牌(Token)",
            )
        )
    else:
        lines.append((OK, "WECHAT_TOKEN", "已设置"))
    if settings.wechat_aes_key:
        lines.append((OK, "WECHAT_AES_KEY", "43 位，格式正确（兼容/安全模式可用）"))
    else:
        lines.append(
            (NOTE, "WECHAT_AES_KEY", "未设置：只能用明文模式；建议在公众平台改用安全模式并设置它")
        )
    return lines


def check_outbound(
    settings: Settings, fetch: Callable[[Settings], None] | None = None
) -> list[Line]:
    """Credentials present, then a real token fetch through the configured base URL."""
    base = settings.wechat_api_base_url
    if not settings.outbound_enabled:
        missing = " 和 ".join(
            n
            for n, v in (
                ("WECHAT_APPID", settings.wechat_appid),
                ("WECHAT_SECRET", settings.wechat_secret),
            )
            if not v
        )
        return [
            (
                BAD,
                "公众号凭据",
                f"未设置 {missing}：通知只记录、不发送；请在公众平台“基本配置”中查看后设置",
            ),
            (SKIP, "微信接口", "未检查（缺少凭据）"),
        ]
    lines: list[Line] = [(OK, "公众号凭据", f"已设置（AppID {settings.wechat_appid}）")]
    from bot.wechat_api import WeChatAPIError

    try:
        (fetch or _fetch_token)(settings)
    except WeChatAPIError as exc:
        cause = cause_of(exc.errcode)
        if exc.errcode == TRANSPORT:
            reason = re.findall(r"\[Errno -?\d+\] [^\"')]+", exc.errmsg)
            why = reason[-1] if reason else exc.errmsg[:80]
            lines.append(
                (
                    BAD,
                    "微信接口",
                    f"连不上 {base}（{why}）："
                    "请检查网络、代理（HTTPS_PROXY）或 WECHAT_API_BASE_URL",
                )
            )
        else:
            advice = cause.advice if cause else "请对照微信全局返回码说明处理"
            lines.append(
                (
                    BAD,
                    "微信接口",
                    f"{base} 返回 errcode {exc.errcode}（{exc.errmsg[:60]}）：{advice}",
                )
            )
        return lines
    lines.append((OK, "微信接口", f"{base} 获取 access_token 成功"))
    return lines


def _fetch_token(settings: Settings) -> None:
    import fakeredis

    from bot.wechat_client import WeChatSender

    # A throwaway store: the check never replaces the token the running service shares.
    with WeChatSender(
        settings.wechat_appid, settings.wechat_secret, fakeredis.FakeRedis(),
        settings.wechat_api_base_url, timeout=5.0,
    ) as sender:  # fmt: skip
        sender._fetch_token()


def check_rest(settings: Settings) -> list[Line]:
    now = datetime.now(settings.tz).strftime("%Y-%m-%d %H:%M")
    lines: list[Line] = [(OK, "时区", f"{settings.timezone}（当地时间 {now}）")]
    if settings.wechat_template_id:
        lines.append(
            (OK, "模板消息", f"WECHAT_TEMPLATE_ID 已设置（{settings.wechat_template_id}）")
        )
    else:
        lines.append(
            (
                NOTE,
                "模板消息",
                "未设置 WECHAT_TEMPLATE_ID：通知改发客服消息，"
                "只能送达 48 小时内给公众号发过消息的用户",
            )
        )
    if settings.today:
        lines.append(
            (
                NOTE,
                "演练日期",
                f"BOT_TODAY={settings.today.isoformat()}：按这一天回答和提醒；正式运行前请删除",
            )
        )
    else:
        lines.append((OK, "演练日期", "未设置（按真实日期运行）"))
    return lines
