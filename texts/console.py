"""What the console's pages say (Simplified Chinese, for 活动办 staff)."""

from __future__ import annotations

TITLE = "大讨论建议办理平台"
SIGNIN_FAILED = "账号或密码不正确，或账号已停用。"
SIGNIN_THROTTLED = "登录失败次数过多，请15分钟后再试。"
SIGNED_OUT = "您已退出登录。"
DONE = {
    "accept": "已受理。",
    "decline": "已标记为不予受理。",
    "assign": "已交办。",
    "draft": "答复草稿已保存。",
    "publish": "答复已发布。",
    "close": "已办结。",
}
DELIVERY = {
    None: "",
    "queued": "待发送",
    "sending": "发送中",
    "sent": "已通过微信告知提交人",
    "failed": "发送失败，请联系技术人员",
    "waiting": "提交人超过48小时未互动，将在其下次留言时告知",
    # WECHAT_APPID/SECRET unset: the sender only records what it would have sent.
    "recorded": "未配置微信发送（WECHAT_APPID），答复仅作记录，未发给提交人",
}
# How a published answer reached the resident (console/_delivery.html).
DELIVERY_VIA = {
    "cs": "通过微信客服消息发送",
    "template": "通过模板消息发送（附答复页面链接）",
    "reply": "在提交人下次留言时随回复告知",
}
DELIVERY_ATTEMPTS = "发送尝试{count}次"
DELIVERY_ERROR = "最近一次未送达原因：{why}"
DELIVERY_ERRORS = {
    45015: "超过48小时未互动，客服消息无法发送",
    45047: "客服消息条数已用完（每次留言后最多5条）",
    43004: "提交人已取消关注公众号",
    45009: "当日接口调用次数已用完",
    45011: "接口调用过于频繁",
    40001: "微信接口凭证失效",
    42001: "微信接口凭证过期",
    -1: "微信系统繁忙",
    -2: "网络故障，未能连接微信接口",
}
DELIVERY_WAITING_CLOSED = "超过48小时未互动，且未配置模板消息"
RATING_TITLE = "回访评价"
RATING_NONE = "提交人尚未评价"
ROLE_NAMES = {"organiser": "活动办管理员", "reviewer": "审核员", "unit": "承办单位"}
ERRORS = {
    400: "请求无效或页面已过期，请返回后刷新重试。",
    403: "您的账号没有这项操作的权限。",
    404: "没有找到这个页面或这条建议。",
    405: "不支持这种请求方式。",
    429: SIGNIN_THROTTLED,
    500: "系统出了点问题，请稍后再试。",
}
ACCOUNT_ADDED = "账号已添加。"
ACCOUNT_DISABLED = "账号已停用。"
ACCOUNT_ENABLED = "账号已启用。"
AUDIT_ACTIONS = {
    "signin": "登录",
    "signin_failed": "登录失败",
    "signout": "退出",
    "account_add": "添加账号",
    "account_disable": "停用账号",
    "account_enable": "启用账号",
}
# --- The inbox and the detail page (bot/console/views.py, inbox.html, detail.html) ---
SORTS = {"newest": "最新提交在前", "oldest": "最早提交在前", "status": "按办理状态"}
PHOTO_FILTER = {"": "有无图片不限", "yes": "有图片", "no": "无图片"}
PHOTO_PENDING = "图片尚未取回"
PHOTO_FAILED = "图片未能取回"
NO_OTHERS = "该提交人没有其他建议。"
NO_SIMILAR = "没有内容相同或相近的建议。"
SAME_TEXT = "内容相同"
NEAR_TEXT = "内容相近"

# --- Statistics and the campaign timeline (bot/console/stats_views.py) ----------------------
NAV_STATS = "统计分析"
NAV_TIMELINE = "活动时间轴"
STATS_TITLE = "建议统计"
TIMELINE_TITLE = "活动时间轴"
ALL_CAMPAIGNS = "全部活动"
NO_TOPIC = "未选议题"
NO_OUTCOME = "尚无办理结果"
NO_UNIT = "未交办"
COUNT = "建议数"
SHARE = "占比"
DAY = "日期"
STATS_TABLES = {
    "day": ("按日期", "日期"),
    "topic": ("按议题", "议题"),
    "status": ("按状态", "状态"),
    "outcome": ("按办理结果", "办理结果"),
    "unit": ("按承办单位", "承办单位"),
    "satisfaction": ("回访满意度", "评价"),
    "times": ("办理时效", "指标"),
}
TIMES_ROWS = {
    "total": "建议总数",
    "answered": "已答复",
    "median": "答复用时中位数（天）",
    "limit": "答复时限（天）",
    "late_answered": "超时答复",
    "overdue_open": "超时未答复",
    "overdue": "超时合计",
    "rated": "已回访评价",
    "satisfied": "满意率（满意+基本满意）",
}
STATS_UNIT_NOTE = "以下为交办给本单位（{unit}）的建议的统计。"
STATS_BAD_DATE = "日期格式应为 年-月-日，已忽略。"
DOWNLOAD_CSV = "下载表格（CSV）"
TODAY_REAL = "今天"
TODAY_REHEARSAL = "演练日期"
NOTICE_STATUS = {
    "scheduled": "待发送",
    "sending": "发送中",
    "done": "已发出",
    "missed": "已错过",
    "superseded": "已被后续提醒取代",
    "cancelled": "已取消",
}
NOTICES_HIDDEN = "定时通知的发送情况仅活动办和审核员可见。"
NO_CAMPAIGN = "还没有导入活动方案，请先用 python -m bot plan load 方案文件 载入。"
# Units, answer templates and bulk actions (bot/console/workflow_pages.py, bot/console/bulk.py).
UNIT_ADDED = "单位已添加。"
UNIT_RESTORED = "单位已恢复使用。"
UNIT_RENAMED = "单位已更名：{tickets} 条建议、{accounts} 个账号随之更新。"
UNIT_RETIRED = "单位已停用：不再出现在交办和账号的单位列表中，已交办的建议保持不变。"
TEMPLATE_SAVED = "模板已保存。"
TEMPLATE_DELETED = "模板已删除。"
TEMPLATE_MISSING = "没有找到这个模板，或它不适用于这条建议的活动。"
BULK_NONE = "请先勾选要处理的建议。"
BULK_DONE = "已处理 {done} 条。"
BULK_PARTLY = "已处理 {done} 条，{failed} 条未处理：{reasons}"
BULK_MORE = "等"
BULK_ACTION_NAMES = {"accept": "受理", "assign": "交办给所选单位", "publish": "发布答复草稿"}
AUDIT_ACTIONS.update(
    {
        "unit_add": "添加单位",
        "unit_rename": "单位更名",
        "unit_retire": "停用单位",
        "unit_restore": "恢复单位",
        "template_add": "添加答复模板",
        "template_edit": "修改答复模板",
        "template_delete": "删除答复模板",
    }
)

# The suggestions download (bot/console/downloads.py, console/_nav_export.html).
EXPORT_LINK = "导出Excel"
EXPORT_TITLE = "下载建议汇总表（Excel，含汇总页和各活动分表）"
EXPORT_FILE = "群众建议-{day}.xlsx"
AUDIT_ACTIONS["export"] = "导出建议"
