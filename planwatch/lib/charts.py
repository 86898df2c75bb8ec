"""Charts drawn with matplotlib: SVG for the dashboards, PNG for the DOCX report.
One place sets the look, so the web and the documents agree."""
from __future__ import annotations

import datetime as dt
import io
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: worker processes and tests
from matplotlib import dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT = ["Liberation Sans", "DejaVu Sans"]  # both carry Vietnamese glyphs
COLORS = {"done": "#2e7d32", "in_progress": "#f9a825", "todo": "#9e9e9e", "not_done": "#c62828"}


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.set_layout_engine("constrained")
    return fig


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"font.family": FONT, "svg.fonttype": "none"}):
        fig.savefig(buf, format=fmt, dpi=150 if fmt == "png" else 100)
    return buf.getvalue()


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str = "", fmt: str = "png",
              width: float = 6.5, height: float = 3.5) -> bytes:
    """Horizontal bars, one per label (long Vietnamese labels read better sideways)."""
    with matplotlib.rc_context({"font.family": FONT}):
        fig = _figure(width, max(height, 0.35 * len(labels) + 1))
        ax = fig.add_subplot()
        ax.barh(list(range(len(labels)))[::-1], values, color="#1565c0")
        ax.set_yticks(list(range(len(labels)))[::-1], labels=[str(x)[:60] for x in labels])
        for y, v in zip(list(range(len(labels)))[::-1], values):
            ax.text(v, y, f" {v:g}", va="center")
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, fmt)


def progress_chart(days: Sequence[dt.date], series: dict[str, Sequence[int]], *, labels: dict[str, str],
                   title: str = "", fmt: str = "svg", width: float = 8, height: float = 3.2) -> bytes:
    """Stacked areas over time, one per status key of `series` (coloured by COLORS).
    Counts hold from one day to the next (steps, not slopes); a single day is drawn
    as that day's band."""
    days, series = list(days), {k: list(v) for k, v in series.items()}
    if len(days) == 1:  # stackplot needs two points to draw an area
        days.append(days[0] + dt.timedelta(days=1))
        series = {k: v + v[-1:] for k, v in series.items()}
    with matplotlib.rc_context({"font.family": FONT}):
        fig = _figure(width, height)
        ax = fig.add_subplot()
        keys = list(series)
        ax.stackplot(days, [series[k] for k in keys], labels=[labels.get(k, k) for k in keys],
                     colors=[COLORS.get(k, "#607d8b") for k in keys], alpha=0.85, step="post")
        # beside the plot, where it cannot hide the areas
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.margins(x=0)
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        # numeric dates: month names would come out in English
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
            locator, formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, fmt)
