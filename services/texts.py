"""Sentences the use cases produce for people: the resident's answer message, audit labels."""

from __future__ import annotations

# Sent to the resident when an answer is published (inside the 48-hour window, else with
# their next message).
ANSWER_MESSAGE = "您的建议有了答复：\n编号：{ticket}\n办理结果：{outcome}\n答复：{reply}"

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
