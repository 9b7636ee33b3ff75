"""The campaign timeline as inline SVG: phases as bars over the dates, tasks as deadline
markers with their owner, notices as dots coloured by how their sending went, and a line for
today (the rehearsal date when BOT_TODAY is set). Same rules as bot/console/svg.py: every
text escaped, presentation attributes only. Drawn at up to 1180 px wide so that it fits a
1366 px screen; a long campaign gets at least MIN_DAY_PX per day and scrolls inside its box.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.console.svg import GRID, INK, MUTED, PALETTE, esc, fit, label, svg_open, text_width
from domain.plan import Phase, Task
from services.ports import NoticeTally
from services.stats import Timeline

WIDTH = 1180
LABEL_W = 250
ROW = 24
AXIS = 40
MIN_DAY_PX = 3.0
MARGIN = timedelta(days=4)
TODAY_REACH = timedelta(days=60)  # farther from the plan than this: shown as an arrow
TODAY_COLOR = "#c62828"
SENT_COLOR, FAILED_COLOR, WAITING_COLOR = "#3a9a5b", "#c62828", "#9e9e9e"


def notice_color(n: NoticeTally) -> str:
    if n.failed:
        return FAILED_COLOR
    if n.sent and not n.waiting:
        return SENT_COLOR
    return WAITING_COLOR


def _dates(t: Timeline, tz: ZoneInfo) -> list[date]:
    days = [d for p in t.phases for d in (p.span.start, p.span.end)]
    days += [d for task in t.tasks if task.due for d in (task.due.start, task.due.end)]
    days += [n.due_at.astimezone(tz).date() for n in t.notices]
    return days


class _Axis:
    def __init__(self, first: date, last: date) -> None:
        self.first = first - MARGIN
        days = (last + MARGIN - self.first).days + 1
        self.day_px = max(MIN_DAY_PX, (WIDTH - LABEL_W - 16) / days)
        self.width = LABEL_W + 16 + days * self.day_px
        self.last = self.first + timedelta(days=days - 1)

    def x(self, day: date) -> float:
        return LABEL_W + (day - self.first).days * self.day_px

    def months(self) -> list[date]:
        out, day = [], date(self.first.year, self.first.month, 1)
        while day <= self.last:
            if day >= self.first:
                out.append(day)
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return out


def timeline_chart(t: Timeline, tz: ZoneInfo, today_text: str) -> Markup:
    days = _dates(t, tz)
    if not days:
        return Markup("")
    first, last = min(days), max(days)
    today_in = first - TODAY_REACH <= t.today <= last + TODAY_REACH
    if today_in:
        first, last = min(first, t.today), max(last, t.today)
    axis = _Axis(first, last)
    rows = 1 + len(t.phases) + 1 + max(1, len(t.tasks)) + (2 if t.notices_shown else 0)
    height = AXIS + rows * ROW + 10
    back: list[str] = []  # under today's line: section bands
    body: list[str] = []  # over it: bars, markers and words
    y = AXIS

    def section(title: str) -> None:
        nonlocal y
        back.append(f'<rect x="0" y="{y}" width="{axis.width:.0f}" height="{ROW}" fill="#f4f6f8"/>')
        body.append(label(8, y + 16, title, size=12, weight="bold"))
        y += ROW

    section("活动阶段")
    for i, phase in enumerate(t.phases):
        body.extend(_phase(axis, y, phase, PALETTE[i % len(PALETTE)]))
        y += ROW
    section("工作任务（◆ 完成期限）")
    for task in t.tasks:
        body.extend(_task(axis, y, task))
        y += ROW
    if not t.tasks:
        body.append(label(LABEL_W, y + 16, "暂无任务", fill=MUTED))
        y += ROW
    if t.notices_shown:
        section("定时通知（● 绿：已发出 红：有失败 灰：待发送）")
        body.extend(_notices(axis, y, t.notices, tz))
        y += ROW
    if today_in:
        marker = _today(axis, t.today, today_text, height)
    else:
        marker = _today_off(axis, t, today_text)
    chart = [svg_open(axis.width, height, f"{t.name} 时间轴", css="chart timeline")]
    chart += [f"<title>{esc(t.name)} 时间轴</title>", *back, *_grid(axis, height), *marker]
    return Markup("".join([*chart, *body, "</svg>"]))


def _grid(axis: _Axis, height: float) -> list[str]:
    out = []
    for i, month in enumerate(axis.months()):
        x = axis.x(month)
        out.append(
            f'<line x1="{x:.1f}" y1="{AXIS - 18}" x2="{x:.1f}" y2="{height}" stroke="{GRID}"/>'
        )
        text = (
            f"{month.year}年{month.month}月" if month.month == 1 or i == 0 else f"{month.month}月"
        )
        if x + 3 + text_width(text, 11) <= axis.width:
            out.append(label(x + 3, AXIS - 22, text, size=11, fill=MUTED))
    return out


def _phase(axis: _Axis, y: float, phase: Phase, color: str) -> list[str]:
    span = phase.span
    x1, x2 = axis.x(span.start), axis.x(span.end + timedelta(days=1))
    tip = f"{phase.name}：{span.start.isoformat()} 至 {span.end.isoformat()}（{span.text}）"
    return [
        f"<g><title>{esc(tip)}</title>",
        label(LABEL_W - 10, y + 16, fit(phase.name, LABEL_W - 20, 12), anchor="end"),
        f'<rect x="{x1:.1f}" y="{y + 4}" width="{max(2.0, x2 - x1):.1f}" height="{ROW - 8}" '
        f'fill="{color}" rx="3"/>',
        "</g>",
    ]


def _caption(x: float, y: float, text: str, anchor: str = "start") -> str:
    """A marker's words, with a white halo so that today's line never hides them."""
    return label(x, y, text, size=11, anchor=anchor, fill=INK).replace(
        "<text ", '<text stroke="#fff" stroke-width="3" paint-order="stroke" ', 1
    )


def _task(axis: _Axis, y: float, task: Task) -> list[str]:
    owner, due = task.owner, task.due
    tip = f"{task.title}｜{owner or '未定责任单位'}｜{due.text if due else '未定期限'}"
    out = [f"<g><title>{esc(tip)}</title>"]
    out.append(label(LABEL_W - 10, y + 16, fit(task.title, LABEL_W - 20, 12), anchor="end"))
    if due is None:
        out.append(_caption(LABEL_W + 6, y + 16, f"未定期限 · {owner}" if owner else "未定期限"))
        return [*out, "</g>"]
    x = axis.x(due.end) + axis.day_px / 2
    if due.start < due.end:
        out.append(
            f'<line x1="{axis.x(due.start):.1f}" y1="{y + 12}" x2="{x:.1f}" y2="{y + 12}" '
            f'stroke="{PALETTE[0]}" stroke-width="3" stroke-opacity="0.45"/>'
        )
    out.append(
        f'<path d="M{x:.1f} {y + 5} L{x + 6:.1f} {y + 12} L{x:.1f} {y + 19} '
        f'L{x - 6:.1f} {y + 12} Z" fill="{PALETTE[1]}"/>'
    )
    when = f"{due.end.month}月{due.end.day}日"
    caption = f"{when} · {owner}" if owner else when
    room = axis.width - x - 12
    if room >= 80:
        out.append(_caption(x + 9, y + 16, fit(caption, room, 11)))
    else:
        out.append(_caption(x - 9, y + 16, fit(caption, 220, 11), anchor="end"))
    return [*out, "</g>"]


def _notices(axis: _Axis, y: float, notices: list[NoticeTally], tz: ZoneInfo) -> list[str]:
    out = [label(LABEL_W - 10, y + 16, f"共 {len(notices)} 条", anchor="end", fill=MUTED)]
    for n in notices:
        local: datetime = n.due_at.astimezone(tz)
        x = axis.x(local.date()) + axis.day_px * (local.hour + local.minute / 60) / 24
        tip = f"{local:%m-%d %H:%M} {n.title}：已发 {n.sent}，失败 {n.failed}，待发 {n.waiting}"
        out.append(
            f'<circle cx="{x:.1f}" cy="{y + 12}" r="5" fill="{notice_color(n)}" '
            f'stroke="#fff" stroke-width="1"><title>{esc(tip)}</title></circle>'
        )
    return out


def _today(axis: _Axis, today: date, text: str, height: float) -> list[str]:
    x = axis.x(today) + axis.day_px / 2
    anchor = "end" if x > axis.width - 120 else "start"
    dx = -4 if anchor == "end" else 4
    return [
        f'<line x1="{x:.1f}" y1="{AXIS - 14}" x2="{x:.1f}" y2="{height}" stroke="{TODAY_COLOR}" '
        'stroke-width="2" stroke-dasharray="5 3"/>',
        label(
            x + dx,
            AXIS - 6,
            f"{text} {today.month}月{today.day}日",
            size=11,
            anchor=anchor,
            fill=TODAY_COLOR,
            weight="bold",
        ),
    ]


def _today_off(axis: _Axis, t: Timeline, text: str) -> list[str]:
    after = t.today > axis.last
    words = f"{text} {t.today.isoformat()}（{'在活动结束之后 →' if after else '← 在活动开始之前'}）"
    x, anchor = (axis.width - 8, "end") if after else (LABEL_W + 4, "start")
    return [label(x, AXIS - 6, words, size=11, anchor=anchor, fill=TODAY_COLOR, weight="bold")]
