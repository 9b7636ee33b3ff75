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
