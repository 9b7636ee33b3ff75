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
