"""Every user-facing sentence of the schedule answers, in one place.

Change the wording here without touching logic. Placeholders in braces are filled by
handlers/schedule.py and handlers/schedule_answers.py; keep their names when rewording.
"""

from __future__ import annotations

# --- Dates and lines -------------------------------------------------------------------------
DATE = "{month}月{day}日"
DATE_WITH_YEAR = "{year}年{month}月{day}日"
DATE_WITH_WORDING = "{date}（{wording}）"
SPAN = "{start}—{end}"
TASK_LINE = "{index}. {title}"
TASK_META = "   {date}{mark}{owner}"
TASK_META_UNDATED = "   未定时间{owner}"
OWNER = "｜{owner}"
MARK_PASSED = "·已截止"
MARK_TODAY = "·今天截止"
GROUP_HEADER = "【{group}】"
GROUP_OTHER = "其他"
GROUP_MONTH = "{month}月"
GROUP_UNDATED = "未定时间"
CONTINUED = "（续）{header}"
# The "更多" footer itself is the router's (texts/chat.py MORE_FOOTER): one wording for all.
UNIT_SEPARATOR = "、"
TRUNCATED = "…"

# --- Due-date questions ----------------------------------------------------------------------
RANGE_LABELS = {
    "today": "今天",
    "tomorrow": "明天",
    "this_week": "本周",
    "next_week": "下周",
    "last_week": "上周",
    "this_month": "本月",
    "next_month": "下月",
    "upcoming": "近两周",
    "day_after": "后天",
    "last_month": "上月",
    "week_after_next": "下下周",
    "week_before_last": "上上周",
    "quarter": "本季度",
    "next_quarter": "下季度",
    "year_rest": "年底前",
    "this_year": "今年",
    "remaining": "今后",
}
RANGE_FORMATS = {
    "next_days": "未来{count}天",
    "past_days": "过去{count}天",
    "next_weeks": "未来{count}周",
    "past_weeks": "前{count}周",
    "weekday": "{week}{weekday}",
    "until_weekday": "{week}{weekday}前",
    "month_part": "{month}月{part}",
    "until_day": "{date}前",
    "half_year": "{half}半年",
    "day": "{date}",
}
QUARTER_LABEL = "第{count}季度"
WEEK_PREFIX = {0: "本周", 1: "下周", -1: "上周"}
WEEKDAY_NAMES = "一二三四五六日"
PART_NAMES = {"early": "上旬", "mid": "中旬", "late": "下旬", "begin": "初", "end": "底"}
PART_NAMES |= {"first_half": "上半月", "second_half": "下半月"}
WHEN = "{label}（{range}）"
FROM_DAY = "{date}起"
MONTH_LABEL = "{month}月"
DUE_HEADER = "{when}{units}到期的任务共{count}项："
DUE_NONE = "{when}{units}没有到期的任务。"
DUE_PARTIAL = "我理解为{label}到期的任务（“{note}”这部分没能看懂）："
DUE_UNIT_UNKNOWN = "没有找到“{unit}”{closest}，我理解为{when}到期的全部任务。"
UNIT_CLOSEST = "（相近的有：{units}）"
DUE_NEXT_HINT = "接下来最近的是：{title}，{date}截止。"
DUE_UNITS = "{units}"

# --- Phases ----------------------------------------------------------------------------------
PHASE_CURRENT = "现在是「{name}」，{span}，{left}。"
PHASE_DAYS_LEFT = "还有{days}天结束"
PHASE_LAST_DAY = "今天是本阶段的最后一天"
PHASE_SUMMARY = "主要任务：{summary}"
PHASE_OPEN_TASKS = "本阶段还有{count}项任务待截止，回复“本周有什么到期”可查看近期安排。"
PHASE_THEN = "下一阶段「{name}」{date}开始。"
PHASE_BEFORE = "活动还没有开始：第一阶段「{name}」将于{date}开始，还有{days}天。"
PHASE_AFTER = "活动各阶段都已结束（最后的「{name}」于{date}结束），感谢您的参与！"
PHASE_BETWEEN = "「{prev}」已于{prev_end}结束，下一阶段「{name}」将于{date}开始，还有{days}天。"
PHASE_NONE = "这个活动的方案没有划分阶段，回复“时间表”可查看全部任务。"
NEXT_PHASE = "下一阶段是「{name}」，{span}，还有{days}天开始。"
NEXT_PHASE_LAST = "现在已是最后一个阶段「{name}」，将于{date}结束。"

# --- Countdown -------------------------------------------------------------------------------
COUNTDOWN_FUTURE = "{title}：{date}截止，还有{days}天。"
COUNTDOWN_TODAY = "{title}：今天（{date}）截止，请抓紧！"
COUNTDOWN_PAST = "{title}：已于{date}截止（已过期{days}天）。"
COUNTDOWN_UNDATED = "{title}：方案中没有写明截止日期。"
COUNTDOWN_NEXT_HEADER = "最近的截止日期是{date}，还有{days}天："
COUNTDOWN_NEXT_TODAY = "今天（{date}）就是截止日期，请抓紧："
COUNTDOWN_NONE_LEFT = "所有任务的截止日期都已过去，辛苦了！"
COUNTDOWN_NO_MATCH = "没有找到与“{subject}”相关的任务。回复“时间表”可查看全部任务。"
COUNTDOWN_DATE_FUTURE = "离{date}还有{days}天。"
COUNTDOWN_DATE_TODAY = "今天就是{date}。"
COUNTDOWN_DATE_PAST = "{date}已经过去{days}天了。"
PHASE_ENDS = "「{name}」{date}结束，还有{days}天。"
PHASE_ENDS_TODAY = "「{name}」今天（{date}）结束。"
PHASE_STARTS = "「{name}」将于{date}开始，还有{days}天。"
PHASE_ENDED = "「{name}」已于{date}结束。"
STARTS_TODAY = "「{name}」今天（{date}）开始。"
STARTED = "「{name}」已于{date}开始（{days}天前）。"
ENDED_AGO = "「{name}」已于{date}结束（{days}天前）。"
LENGTH = "「{name}」{span}，共{days}天。"
SINCE = "「{name}」{date}开始，已经过去{days}天。"
SINCE_ENDED = "「{name}」{date}开始，已于{end}结束；从开始算起已过去{days}天。"
THEN_ENDS = "{date}结束。"
PHASE_ORDINAL = "第{n}阶段"
PHASE_NOT_FOUND = "没有找到“{said}”。本活动共{count}个阶段："
PHASE_INFO = "「{name}」：{span}。"
PHASE_TASKS = "本阶段内截止的任务共{count}项："
PHASE_IS_CURRENT = "是的，现在正是「{name}」，{span}。"
PHASE_NOT_CURRENT = "现在不是「{name}」。"
NOW_IN = "目前处于「{name}」。"
NOW_NONE = "目前不在任何阶段内。"
CAMPAIGN_NO_DATES = "「{name}」的方案中没有写明起止时间，回复“时间表”可查看全部安排。"

# --- Overdue ---------------------------------------------------------------------------------
OVERDUE_HEADER = "截止日期已过的任务共{count}项（本助手不记录完成情况，请对照实际进展）："
OVERDUE_NONE = "目前没有截止日期已过的任务。"

# --- Units -----------------------------------------------------------------------------------
UNIT_HEADER = "{units}负责的任务共{count}项："
UNIT_EMPTY = "{units}在方案中暂无分配的任务。"
UNIT_NOT_FOUND = "没有找到“{unit}”。本活动的责任单位有：{units}。"
UNIT_NOT_FOUND_CLOSE = (
    "没有找到“{unit}”。您要找的是不是：{units}？\n回复“{example}的任务”即可查看。"
)
UNIT_NO_OWNERS = "这个活动的方案没有写明责任单位，回复“时间表”可查看全部任务。"
UNIT_NOT_BOUND = "还不知道您的单位呢。请回复“我是XX的”告诉我，例如“我是{example}的”。"

# --- Timetable -------------------------------------------------------------------------------
TIMETABLE_HEADER = "「{name}」时间安排："
TIMETABLE_PHASES = "【活动阶段】"
TIMETABLE_PHASE_LINE = "{index}. {name}：{span}"
TIMETABLE_TASKS = "【任务（共{count}项）】"
TIMETABLE_EMPTY = "「{name}」的方案中还没有阶段和任务。"

# --- Choosing a campaign and a unit ----------------------------------------------------------
NO_CAMPAIGN = "目前还没有进行中的活动，请稍后再来问我。"
CHOOSE_HEADER = "目前有以下活动："
CHOOSE_FOOTER = "请回复“切换到XXX”选择您参加的活动，例如“切换到{example}”。"
CAMPAIGN_LINE = "· {name}"
SWITCHED = "好的，已为您切换到「{name}」。可以问我“本周有什么到期”“现在是什么阶段”。"
SWITCH_NOT_FOUND = "没有找到与“{text}”相符的活动。目前有以下活动："
SWITCH_AMBIGUOUS = "有几个活动与“{text}”相符："
BIND_AMBIGUOUS = "“{text}”在几个活动中都有，请先选择活动："
BOUND_CAMPAIGN = "好的，已为您关联「{name}」。可以问我“本周有什么到期”“现在是什么阶段”。"
BOUND_UNIT = "好的，已记下您是{unit}的同志（{name}）。以后问“我的任务”就能看到本单位的安排。"
BIND_NOT_FOUND = "没有找到“{unit}”。"
BIND_UNITS_HINT = "本活动的责任单位有：{units}。请回复“我是XX的”，例如“我是{example}的”。"

# --- Not understood: the closest question forms (handlers/schedule_help.py) ---------------
CLOSEST_HEADER = "抱歉，这句话我没能看懂。您是不是想问："
CLOSEST_LINE = "· {form}"
CLOSEST_FOOTER = "回复“帮助”可查看全部功能。您的问法已记下，我们会据此改进。"

# --- Help ------------------------------------------------------------------------------------
EXAMPLES = (
    "您可以这样问我：\n"
    "· 本周有什么到期\n"
    "· 下周要交什么\n"
    "· 6月有哪些任务\n"
    "· 现在是什么阶段\n"
    "· 下一阶段什么时候开始\n"
    "· 局党组负责什么\n"
    "· 离产学研精准对接截止还有几天\n"
    "· 有哪些任务已过期\n"
    "· 时间表\n"
    "选择活动请回复“切换到XXX”，告诉我您的单位请回复“我是XX的”。"
)


# The question forms offered when a question is not understood (the closest 2-3 are shown),
# most asked first.
QUESTION_FORMS = (
    "本周有什么到期",
    "现在是什么阶段",
    "时间表",
    "下周要交什么",
    "6月有哪些任务",
    "未来十天有什么到期",
    "本周三之前要交什么",
    "下一阶段什么时候开始",
    "第三阶段什么时候开始",
    "还有几天到实践转化阶段",
    "活动什么时候结束",
    "活动还剩几天",
    "局党组负责什么",
    "我的任务",
    "离产学研精准对接截止还有几天",
    "有哪些任务已过期",
    "还剩几个任务",
    "我是XX的（告诉我您的单位）",
    "切换到XXX（选择活动）",
)
