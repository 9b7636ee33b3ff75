"""Every user-facing sentence of the scheduled notices, in one place.

Cadres may change the wording here without touching logic; keep the `{placeholders}`.
Customer-service messages carry the full text; template messages carry the short fields
(WeChat: at most 20 characters each, one line). TEMPLATE_KEYS names the fields of the template
configured as WECHAT_TEMPLATE_ID; change them to match the template chosen in the WeChat admin.
"""

from __future__ import annotations

# --- Dates ------------------------------------------------------------------------------------
DATE = "{month}月{day}日"
DATE_FULL = "{year}年{month}月{day}日"
DATE_WITH_WEEKDAY = "{month}月{day}日{weekday}"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SPAN = "{start}—{end}"

# --- Phase start: to every subscriber of the campaign ----------------------------------------
PHASE_START = (
    "【{campaign}】今天起进入“{phase}”（{span}）。\n{summary}"
    "感谢您的参与，发送“现在是什么阶段”可查看详情。"
)
PHASE_SUMMARY = "本阶段重点：{summary}\n"
PHASE_TITLE = "阶段开始：{phase}"

# --- Deadline reminders: to subscribers bound to the task's owner unit -----------------------
DEADLINE_IN_DAYS = "还有{days}天到期"
DEADLINE_TOMORROW = "明天到期"
DEADLINE_TODAY = "今天到期"
DEADLINE = (
    "【{campaign}】温馨提醒：{owner}牵头的“{title}”{when}（{deadline}）。\n"
    "辛苦了！发送“本周有什么到期”可查看近期安排。"
)
DEADLINE_OWNER = "{owner}"
DEADLINE_TITLE = "到期提醒（{when}）：{title}"

# --- Monday digest: this week's deadlines of one unit -----------------------------------------
DIGEST = "【{campaign}】早上好！本周（{span}）{unit}有{count}项任务到期：\n{lines}\n祝工作顺利！"
DIGEST_LINE = "{index}. {title}（{deadline}）"
DIGEST_MORE = "……另有{more}项，发送“本周有什么到期”查看全部。"
DIGEST_MAX_LINES = 10
DIGEST_TITLE = "本周到期汇总：{unit}（{count}项）"
DIGEST_SUBJECT = "本周{count}项任务到期"

# --- Template message fields (each value at most 20 characters, no line breaks) ---------------
TEMPLATE_KEYS = {"kind": "thing1", "subject": "thing2", "date": "time3", "note": "thing4"}
KIND_LABELS = {"phase_start": "阶段开始提醒", "deadline": "任务到期提醒", "digest": "本周到期汇总"}
NOTE_PHASE = "今天开始"
ELLIPSIS = "…"
