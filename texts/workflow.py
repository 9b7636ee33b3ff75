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
