"""The report's three charts as SVG drawn on the server: bars per period and a dashed line at
the whole period's average. No JavaScript and nothing from a CDN; each bar carries a
<title> so that a pointer (or a screen reader) reads its value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 22, 28  # the average's words sit above the plot


def bars(
    title: str,
    points: Sequence[tuple[str, float | None]],
    average: float | None,
    shown: Callable[[float | None], str],
    average_label: str,
) -> Markup:
    """`points`: (period label, value or None); `shown` writes a value as the page does."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [value or 0.0 for _, value in points]
    top = max([*values, average or 0.0, 0.0]) or 1.0
    step = plot_w / max(len(points), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end" font-size="11">'
        f"{escape(shown(top))}</text>",
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for index, (label, value) in enumerate(points):
        height = (value or 0.0) / top * plot_h
        x = LEFT + index * step + step * 0.1
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - height:.1f}" '
            f'width="{max(step * 0.8, 0.5):.1f}" height="{height:.1f}" fill="#4a7bd0">'
            f"<title>{escape(label)}: {escape(shown(value))}</title></rect>"
        )
    for index in sorted({0, len(points) // 2, len(points) - 1}):
        if 0 <= index < len(points):
            x = LEFT + index * step + step / 2
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11">'
                f"{escape(points[index][0])}</text>"
            )
    if average is not None:
        y = TOP + plot_h - average / top * plot_h
        words = f"{average_label}: {shown(average)}"
        parts.append(
            f'<line class="average" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#d0503a" stroke-dasharray="6 4"><title>{escape(words)}</title></line>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{TOP - 8}" text-anchor="end" font-size="11" '
            f'fill="#d0503a">- - {escape(words)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
