"""Sentences the use cases produce for people: the resident's answer message, audit labels."""

from __future__ import annotations

# Sent to the resident when an answer is published (inside the 48-hour window, else with
# their next message), with the rating invitation (回访) after it.
ANSWER_MESSAGE = "您的建议有了答复：\n编号：{ticket}\n办理结果：{outcome}\n答复：{reply}"
RATING_INVITATION = "\n\n欢迎您对这次答复作个评价：回复 1 满意、2 基本满意、3 不满意。"

# The template message (outside the 48-hour window): each value at most 20 characters, one
# line; the keys are those of the notices' template (texts/notices.py TEMPLATE_KEYS).
TEMPLATE_KIND = "建议答复通知"
TEMPLATE_TICKET = "建议编号{ticket}"
TEMPLATE_DATE = "{year}年{month}月{day}日"
TEMPLATE_STATUS = "状态：{status}"

# How audit rows read (`python -m bot audit` and the console's history).
UNIT_LABEL = "承办单位：{unit}"
OUTCOME_LABEL = "办理结果：{outcome}"
REASON_LABEL = "理由：{reason}"
DRAFT_LABEL = "答复草稿已更新"

# Units and answer templates (services/units.py, services/templates.py).
UNIT_SEEDED = "自动加入单位名单（活动计划或账号中的单位）"
UNIT_RETIRED = "已停用"
TEMPLATE_LABEL = "模板：{name}"
NO_DRAFT = "还没有答复草稿，请先起草答复。"
BULK_TOO_MANY = "一次最多处理{limit}条，请分批操作。"
SATISFACTION_LABEL = "满意度：{satisfaction}"

# The suggestions download (services/exports.py): the xlsx summary's scope line, the audit row.
EXPORT_ALL = "范围：全部建议"
EXPORT_UNIT = "范围：交办给{unit}的建议"
EXPORT_AUDIT = "{count}条 · {scope}"

# Why the console or the command line refused an account, unit or template change
# (services/accounts.py, units.py, templates.py; shown as the page's message).
UNIT_NAME_REQUIRED = "请填写单位名称。"
UNIT_NAME_TOO_LONG = "单位名称过长。"
UNIT_NOT_LISTED = "承办单位“{value}”不在单位名单中，请先在“单位管理”中添加。"
UNIT_EXISTS = "单位“{value}”已在名单中。"
UNIT_NOT_FOUND = "没有找到单位“{value}”。"
UNIT_SAME_NAME = "新名称与原名称相同。"
UNIT_NAME_TAKEN = "名称“{value}”已被使用（可能是已停用的单位）。"
UNIT_RENAME_FAILED = "单位“{value}”更名失败，请刷新后重试。"
TEMPLATE_NAME_LENGTH = "模板名称须为1至100个字。"
TEMPLATE_TEXT_REQUIRED = "请填写模板内容。"
TEMPLATE_TEXT_TOO_LONG = "模板内容过长，请精简后再提交。"
TEMPLATE_CAMPAIGN_TOO_LONG = "活动代码过长。"
TEMPLATE_NOT_FOUND = "没有找到这个模板。"
ACCOUNT_LOGIN_RULE = "账号须为2至64位字母、数字或 . _ -。"
ACCOUNT_ROLE_REQUIRED = "请选择角色。"
ACCOUNT_UNIT_REQUIRED = "承办单位账号需要填写单位名称。"
ACCOUNT_UNIT_ONLY = "只有承办单位账号填写单位名称。"
ACCOUNT_PASSWORD_LENGTH = "密码须为{least}至{most}位。"
ACCOUNT_EXISTS = "账号 {login} 已存在。"
ACCOUNT_NOT_SELF = "不能停用自己正在使用的账号。"
ACCOUNT_MISSING = "没有账号 {login}。"
