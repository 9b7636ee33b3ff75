"""Charts as inline SVG, built as strings on the server: no script, no CDN, no library.

Every piece of text that reaches the markup goes through `esc` (labels are topics, units and
plan titles: user data). Colours and sizes are presentation attributes, never `style=`, so
the console's Content-Security-Policy (style-src 'self') holds. The functions return Markup
so Jinja inserts the already-escaped SVG as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

FONT = 'font-family="sans-serif"'
INK = "#333"
MUTED = "#888"
GRID = "#e3e3e3"
PALETTE = ("#2f6fb0", "#d9822b", "#3a9a5b", "#b83b3b", "#7d5ba6", "#5f8f9a", "#a0763c")


def esc(text: object) -> str:
    """Text safe inside an SVG element or a double-quoted attribute."""
    return str(escape(str(text)))


def text_width(text: str, size: int) -> float:
    """Rough width in px: a Chinese character is about `size` wide, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def fit(text: str, width: float, size: int) -> str:
    """`text`, cut with an ellipsis so that it fits in `width` px."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def svg_open(width: float, height: float, label: str, css: str = "chart") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{esc(label)}">'
    )


def label(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    bold = ' font-weight="bold"' if weight != "normal" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}"{bold}>{esc(text)}</text>'
    )


def nice_top(value: int, steps: int = 4) -> int:
    """A round axis top at or above `value`, split in `steps` whole, round steps."""
    raw = max(value, 1) / steps
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for mult in (1, 2, 2.5, 5, 10):
        step = mult * magnitude
        if step >= raw and step == int(step):
            return int(step) * steps
    return magnitude * 10 * steps


def bar_chart(
    rows: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = 620,
    label_width: int = 200,
    color: str = PALETTE[0],
) -> Markup:
    """Horizontal bars, one per (label, count), the count written after each bar."""
    row_h, top = 26, 8
    height = top * 2 + row_h * max(1, len(rows))
    plot = width - label_width - 60
    most = max((n for _, n in rows), default=0) or 1
    parts = [svg_open(width, height, title), f"<title>{esc(title)}</title>"]
    if not rows:
        parts.append(label(width / 2, height / 2 + 4, "暂无数据", anchor="middle", fill=MUTED))
    for i, (name, n) in enumerate(rows):
        y = top + i * row_h
        bar = plot * n / most
        parts.append(f"<g><title>{esc(name)}：{n}</title>")
        parts.append(label(label_width - 8, y + 17, fit(name, label_width - 12, 12), anchor="end"))
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" '
            f'fill="{color}" rx="2"/>'
        )
        parts.append(label(label_width + bar + 6, y + 17, str(n), fill=MUTED))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def day_chart(
    rows: Sequence[tuple[date, int]], title: str, *, width: int = 1180, height: int = 240
) -> Markup:
    """Columns per day, a y axis with gridlines, dates underneath (as many as fit)."""
    left, right, top, bottom = 44, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [svg_open(width, height, title), f"<title>{esc(title)}</title>"]
    if not rows:
        parts.append(label(width / 2, height / 2, "暂无数据", anchor="middle", fill=MUTED))
        return Markup("".join(parts) + "</svg>")
    top_value = nice_top(max(n for _, n in rows))
    for k in range(5):
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        parts.append(label(left - 6, y + 4, shown, size=11, anchor="end", fill=MUTED))
    slot = plot_w / len(rows)
    every = max(1, int(56 // slot) + (1 if 56 % slot else 0))
    for i, (day, n) in enumerate(rows):
        x = left + i * slot
        h = plot_h * n / top_value
        parts.append(f"<g><title>{day.isoformat()}：{n}</title>")
        parts.append(
            f'<rect x="{x + slot * 0.12:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(1.0, slot * 0.76):.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>'
        )
        if slot >= 22 and n:
            parts.append(
                label(
                    x + slot / 2, top + plot_h - h - 3, str(n), size=10, anchor="middle", fill=MUTED
                )
            )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                label(
                    x + slot / 2,
                    height - bottom + 16,
                    day.strftime("%m-%d"),
                    size=11,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
