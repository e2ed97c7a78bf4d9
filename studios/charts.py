"""Charts for the studio's Business page, drawn on the server as SVG: no chart library, no CDN, no JavaScript.

Each app contributes charts through the `register_business_charts` hook (a function of the studio returning
`Chart`s); studios/business.py shows them and exports each as CSV. Values are numbers (Decimal for money, in
major units); labels are escaped wherever they come from."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

HOOK_NAME = "register_business_charts"

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 40


@dataclass
class Series:
    name: str
    values: list  # one number per label
    tone: str = "primary"  # primary | secondary | critical: the CSS class of its bars
    tones: list[str] | None = None  # one tone per bar where the bars mean different things (owed vs overdue)

    def tone_of(self, i: int) -> str:
        return self.tones[i] if self.tones else self.tone


@dataclass
class Chart:
    name: str  # unique slug: the anchor and the CSV's file name
    title: str
    labels: list[str]
    series: list[Series]
    unit: str = ""  # "GBP", "bookings"…: the axis and the CSV header say what the numbers are
    order: int = 100
    note: str = ""
    places: int | None = None  # money: the currency's decimals (values are Decimal major units)

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(v for s in self.series for v in s.values)

    def format(self, value) -> str:
        if self.places is not None:
            return f"{Decimal(value):,.{self.places}f}"
        return f"{value:,}"

    def rows(self) -> list[list]:
        return [[label, *(s.values[i] for s in self.series)] for i, label in enumerate(self.labels)]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        unit = f" ({self.unit})" if self.unit else ""
        writer.writerow(["", *(f"{s.name}{unit}" for s in self.series)])
        for row in self.rows():
            # A label a client typed never reaches a spreadsheet as a formula.
            label = str(row[0])
            writer.writerow(["'" + label if label[:1] in "=+-@\t\r" else label, *row[1:]])
        return out.getvalue()

    def svg(self) -> str:
        return mark_safe(bar_chart_svg(self))  # noqa: S308 - every text in it is escaped by bar_chart_svg


def _nice_ceiling(value) -> Decimal:
    """The axis maximum: 1, 2 or 5 times a power of ten at or above `value`."""
    value = Decimal(value)
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart_svg(chart: Chart) -> str:
    """Grouped bars: one group per label, one bar per series, a y-axis with three ticks, titles for hover."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_ceiling(max((v for s in chart.series for v in s.values), default=0))
    groups = max(len(chart.labels), 1)
    group_w = plot_w / groups
    bar_w = group_w * 0.8 / max(len(chart.series), 1)
    title_id = f"chart-{escape(chart.name)}-title"
    parts = [
        f'<svg class="business-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}"'
        f' xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{escape(chart.title)}</title>'
    ]
    for tick in (Decimal(0), top / 2, top):
        y = TOP + plot_h - float(tick / top) * plot_h
        text = escape(chart.format(tick if chart.places is not None else int(tick)))
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
    for i, label in enumerate(chart.labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, series in enumerate(chart.series):
            value = series.values[i]
            h = float(Decimal(value) / top) * plot_h if value else 0
            x, y = x0 + j * bar_w, TOP + plot_h - h
            parts.append(
                f'<rect class="bar bar-{escape(series.tone_of(i))}" x="{x:.1f}" y="{y:.1f}"'
                f' width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}">'
                f"<title>{escape(label)} — {escape(series.name)}: {escape(chart.format(value))}"
                f"{' ' + escape(chart.unit) if chart.unit else ''}</title></rect>"
            )
        parts.append(_axis_label(label, LEFT + i * group_w + group_w / 2, HEIGHT - BOTTOM + 16, group_w))
    parts.append("</svg>")
    return "".join(parts)


LABEL_CHAR_W = 6.5  # px per character of an axis label at the admin's font size, roughly


def _axis_label(label: str, x: float, y: float, room: float) -> str:
    """The label under its bars: on one line if it fits, else broken at its last space onto two ("Jan" over
    "2026"), else cut short; twelve months side by side never run into each other."""
    chars = max(int(room // LABEL_CHAR_W), 3)
    head, _, tail = label.rpartition(" ")
    if len(label) <= chars or not head:
        lines = [label if len(label) <= max(chars, 12) else label[: max(chars, 12) - 1] + "…"]
    else:
        lines = [head if len(head) <= chars else head[: chars - 1] + "…", tail]
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>' for n, line in enumerate(lines)
    )
    return f'<text class="label" x="{x:.1f}" y="{y}" text-anchor="middle">{spans}</text>'


def last_twelve_months(today: date) -> list[date]:
    """The first day of each of the twelve months ending with today's, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_label(month: date) -> str:
    return month.strftime("%b %Y")
