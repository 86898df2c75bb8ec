"""The plan page's timeline (Gantt), laid out on the server as percentages so that it
needs no script: one bar per dated activity, month gridlines, peak periods shaded and a
line for today.

Positions are formatted here, as strings with a dot, because the Vietnamese locale
would print a float in a template with a decimal comma, which CSS does not read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

register = template.Library()

# Above this many months a label on every gridline would overlap; label quarters.
_MONTHS_LABELLED_EACH = 18
# The thinnest bar still visible and clickable, in percent of the width.
_MIN_WIDTH = 0.6


@dataclass
class Bar:
    activity: object
    left: str
    width: str
    deadline_left: str | None
    start: dt.date
    end: dt.date


@dataclass
class Mark:
    left: str
    width: str = ""
    label: str = ""


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _pct(value: float) -> str:
    return f"{max(0.0, min(100.0, value)):.3f}"


def timeline_layout(activities, peaks, today: dt.date, window: tuple = (None, None)) -> dict:
    """Bars for `activities` (objects with start, end, deadline), shaded `peaks`
    (objects with start, end) and gridlines over whole months from the earliest to the
    latest date among them and the plan's `window` (start, end). Activities with no
    date at all are returned in `undated`. `today` gets a line only when it falls
    inside the range. Positions are percentages of the range, as strings."""
    dated, undated = [], []
    for a in activities:
        (dated if (a.start or a.end or a.deadline) else undated).append(a)
    points = [d for a in dated for d in (a.start, a.end, a.deadline) if d]
    points += [d for p in peaks for d in (p.start, p.end) if d]
    points += [d for d in window if d]
    if not points:
        return {"bars": [], "months": [], "peaks": [], "today": None, "undated": undated, "today_date": today}

    lo = _month_start(min(points))
    hi = _next_month(max(points))  # exclusive: the range ends after the last month
    total = (hi - lo).days

    def pos(d: dt.date) -> float:
        return (d - lo).days / total * 100

    bars = []
    for a in dated:
        start = a.start or a.end or a.deadline
        end = a.end or a.deadline or a.start
        if end < start:
            start, end = end, start
        left = pos(start)
        width = max(pos(end + dt.timedelta(days=1)) - left, _MIN_WIDTH)
        bars.append(Bar(
            activity=a, left=_pct(left), width=_pct(min(width, 100 - left)),
            deadline_left=_pct(pos(a.deadline)) if a.deadline else None, start=start, end=end,
        ))

    month_starts, m = [], lo
    while m < hi:
        month_starts.append(m)
        m = _next_month(m)
    quarterly = len(month_starts) > _MONTHS_LABELLED_EACH
    months = [
        Mark(left=_pct(pos(m)), label="" if quarterly and m.month not in (1, 4, 7, 10) else f"{m.month:02d}/{m.year}")
        for m in month_starts
    ]

    shaded = []
    for p in peaks:
        if not (p.start or p.end):
            continue
        start, end = p.start or p.end, p.end or p.start
        left = pos(start)
        width = pos(end + dt.timedelta(days=1)) - left
        shaded.append(Mark(left=_pct(left), width=_pct(width), label=getattr(p, "text", "")))

    return {
        "bars": bars,
        "months": months,
        "peaks": shaded,
        "today": _pct(pos(today)) if lo <= today < hi else None,
        "today_date": today,
        "undated": undated,
    }


@register.inclusion_tag("plans/_timeline.html")
def plan_timeline(activities, peaks, today, window_start=None, window_end=None):
    return timeline_layout(activities, peaks, today, (window_start, window_end))
