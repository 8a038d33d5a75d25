"""Charts for projections and target status: the fan chart and the status table."""

from __future__ import annotations

import math
import unicodedata
import weakref
from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, Locator, MaxNLocator

from analysis import config
from analysis.core.style import COLORS, use_house_style
from analysis.core.trends import ESCAP_ZH, EUROSTAT_ZH, MODEL_ZH, STATUS_ZH, Assessment, Projection

#: Room around each chart panel, inches: tick labels and the unit on the left, title and
#: sample mark on top, the year axis and a source line of up to two lines below. Fixed, so a
#: figure is laid out once when it is made, without measuring its texts.
PANEL_MARGINS = {"left": 0.85, "right": 0.25, "top": 0.45, "bottom": 0.85}
#: Size of one panel of :func:`panel_figure`, inches.
PANEL_SIZE = (5.2, 3.9)
#: The source line's offset under the axes and its size, points.
_SOURCE_OFFSET_PT = 34
_SOURCE_FONTSIZE = 7.5

#: Headers of :func:`status_table`, in order.
STATUS_HEADERS = ["指标", "目标", "预测值", "区间", "达成概率", "ESCAP", "Eurostat", "状态"]


def _number(value: float, unit: str = "") -> str:
    """Whole numbers without decimals, others with one; a dash for missing."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}"


#: Panel figures handed back by :func:`release`, by (rows, columns, count, panel), ready to be
#: drawn on again: a worker draws the same grid for village after village, and making its
#: axes and their ticks costs more than drawing the charts.
_RELEASED: dict[tuple, list[Figure]] = {}
#: The figures :func:`panel_figure` made, with the key they are kept under once released.
_MADE: weakref.WeakKeyDictionary[Figure, tuple] = weakref.WeakKeyDictionary()


def panel_figure(
    rows: int, columns: int, *, count: int | None = None, panel: tuple[float, float] = PANEL_SIZE
) -> tuple[Figure, list[Axes]]:
    """A figure with room for ``rows`` × ``columns`` chart panels in a fixed layout, and the
    axes of the first ``count`` of them (all by default), row by row.

    Each panel is ``panel`` inches with :data:`PANEL_MARGINS` around its axes; nothing is
    measured or laid out again when the figure is drawn, and no axes is made for an empty cell.
    A figure given back with :func:`release` is emptied and returned again, layout and all.
    """
    count = rows * columns if count is None else count
    key = (rows, columns, count, tuple(panel))
    if _RELEASED.get(key):
        figure = _RELEASED[key].pop()
        for ax in figure.axes:
            _empty(ax)
        return figure, list(figure.axes)
    width, height = panel
    margins = PANEL_MARGINS
    axes_width = width - margins["left"] - margins["right"]
    axes_height = height - margins["top"] - margins["bottom"]
    figure = Figure(figsize=(width * columns, height * rows))
    grid = figure.add_gridspec(
        rows,
        columns,
        left=margins["left"] / (width * columns),
        right=1 - margins["right"] / (width * columns),
        bottom=margins["bottom"] / (height * rows),
        top=1 - margins["top"] / (height * rows),
        wspace=(margins["left"] + margins["right"]) / axes_width,
        hspace=(margins["top"] + margins["bottom"]) / axes_height,
    )
    axes = [figure.add_subplot(grid[i // columns, i % columns]) for i in range(count)]
    _MADE[figure] = key
    return figure, axes


def release(figure: Figure) -> None:
    """Hand back a figure of :func:`panel_figure` once it has been drawn for good; the next
    call for the same grid draws on it again. Other figures are left alone."""
    key = _MADE.get(figure)
    if key is None:
        return
    shelf = _RELEASED.setdefault(key, [])
    if all(kept is not figure for kept in shelf):
        shelf.append(figure)


def _empty(ax: Axes) -> None:
    """Take a chart off its axes, leaving the axes, its ticks and its place in the layout,
    as a new axes would be: no lines, fills, texts or legend, limits from the next data."""
    for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images):
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_title("")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.relim()
    ax.set_autoscale_on(True)


class _InView(Locator):
    """The ticks of ``base`` within the view only.

    matplotlib builds an object per tick the locator returns, drawn or not; the locators put
    one or two beyond each end of the axis."""

    def __init__(self, base: Locator) -> None:
        self.base = base

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.base.set_axis(axis)

    def __call__(self):
        low, high = sorted(self.axis.get_view_interval())
        # A hair wider than the view, so matplotlib's own test decides at the edges.
        slack = (high - low) * 1e-6
        return [t for t in self.base() if low - slack <= t <= high + slack]


def _text_width_pt(text: str, fontsize: float) -> float:
    """An upper estimate of a line's width, points: a full em for wide (CJK) characters,
    0.62 em for others; enough to choose line breaks without asking the font."""
    return sum(fontsize * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62) for c in text)


def _fit_lines(text: str, width_pt: float, fontsize: float) -> str:
    """``text`` broken after a clause's punctuation (or a space) where a line would be wider
    than ``width_pt``; no character is added or removed."""
    lines, line, breakable = [], "", -1
    for char in text:
        line += char
        if char in "；，、 ":
            breakable = len(line)
        if _text_width_pt(line, fontsize) > width_pt and breakable > 0:
            lines.append(line[:breakable])
            line, breakable = line[breakable:], -1
    return "\n".join([*lines, line])


def fan_chart(
    series: pd.Series,
    assessment_or_projection: Assessment | Projection,
    *,
    title: str,
    unit: str,
    target: float | None = None,
    target_year: int | None = None,
    ax: Axes | None = None,
    sample: bool = False,
    source: str = "来源：各村年度报表汇总",
) -> Figure:
    """History, projection with its interval band, and the target.

    Parameters
    ----------
    series : pandas.Series
        Observed values indexed by int year (NaN dropped).
    assessment_or_projection : Assessment or Projection
        From :func:`analysis.core.trends.assess` or :func:`analysis.core.trends.project`; an assessment
        also supplies the target.
    title : str
        Chinese title.
    unit : str
        Unit for the y axis, e.g. ``户`` or ``%``.
    target, target_year : optional
        Override or supply the target (needed with a bare projection to draw one).
    ax : matplotlib Axes, optional
        Draw into this axes; otherwise a new figure is made (not through pyplot, so batch runs
        do not accumulate open figures).
    sample : bool, default False
        Mark the figure 示例数据 (synthetic sample data).
    source : str
        Source line printed under the chart; the model and interval are appended.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    if isinstance(assessment_or_projection, Assessment):
        projection = assessment_or_projection.projection
        target = assessment_or_projection.target if target is None else target
        target_year = assessment_or_projection.target_year if target_year is None else target_year
    else:
        projection = assessment_or_projection
    target_year = projection.target_year if target_year is None else target_year

    if ax is None:
        figure, (ax,) = panel_figure(1, 1, panel=(7.0, 4.2))
    else:
        figure = ax.get_figure()

    history = pd.Series(series, dtype=float).dropna().sort_index()
    ax.plot(
        history.index.astype(int),
        history.to_numpy(),
        color=COLORS["history"],
        marker="o",
        linewidth=2,
        label="实际值",
    )

    if projection.ok and projection.path:
        path = projection.path_frame()
        # Start band and line at the last observation so the projection visibly continues it.
        xs = [projection.last_year, *path["year"]]
        mid = [projection.last_value, *path["projected"]]
        low = [projection.last_value, *path["lower"]]
        high = [projection.last_value, *path["upper"]]
        ax.fill_between(
            xs,
            low,
            high,
            color=COLORS["projection"],
            alpha=0.22,
            linewidth=0,
            label=f"{projection.level:.0%}预测区间",
        )
        ax.plot(xs, mid, color=COLORS["projection"], linestyle="--", linewidth=2, label="预测值")
        model = MODEL_ZH.get(projection.model or "", projection.model or "")
        source = (
            f"{source}；模型：{model}，回测平均绝对误差 {_number(projection.backtest_mae)}"
            f"；阴影为{projection.level:.0%}预测区间"
        )
    elif projection.reason_zh:
        ax.text(
            0.02,
            0.95,
            f"无法预测：{projection.reason_zh}",
            transform=ax.transAxes,
            va="top",
            fontsize=9,
            color=COLORS["muted"],
        )

    if target is not None and math.isfinite(target):
        ax.axhline(target, color=COLORS["target"], linestyle=":", linewidth=1.5)
        ax.plot(
            [target_year],
            [target],
            marker="*",
            markersize=13,
            color=COLORS["target"],
            linestyle="none",
            label=f"{target_year}年目标 {_number(target, unit)}",
        )

    ax.set_title(title)
    ax.set_xlabel("年份")
    ax.set_ylabel(unit)
    ax.xaxis.set_major_locator(_InView(MaxNLocator(integer=True)))
    ax.yaxis.set_major_locator(_InView(AutoLocator()))
    ax.legend(loc="best", frameon=False)
    # Source and sample mark belong to the axes, so they stay with it in a caller's grid; the
    # source keeps within the axes and its right margin, so it never runs into the next panel
    # or off the figure.
    room_pt = (ax.get_position().width * figure.get_figwidth() + PANEL_MARGINS["right"] - 0.1) * 72
    ax.annotate(
        _fit_lines(source, room_pt, _SOURCE_FONTSIZE),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -_SOURCE_OFFSET_PT),
        textcoords="offset points",
        fontsize=_SOURCE_FONTSIZE,
        color=COLORS["muted"],
        ha="left",
        va="top",
    )
    if sample:
        ax.text(
            1.0,
            1.02,
            config.SAMPLE_LABEL_ZH,
            transform=ax.transAxes,
            fontsize=10,
            color=COLORS["target"],
            ha="right",
            va="bottom",
        )
    return figure


def status_table(df: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Target status with Chinese headers, for reports.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of :func:`analysis.core.trends.assess_targets` (filter to ``row_type == 'target'`` for
        the target table). Needs indicator_zh, unit, scope, target, projected, lower, upper,
        level, probability, escap_measure, escap_category, eurostat_ratio, eurostat_band,
        status_en.
    names : mapping, optional
        Village code → name, to show a village scope by name rather than by code.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STATUS_HEADERS`, all text. A non-township scope is appended to the
        indicator name. Text is not HTML-escaped: that is the publisher's job.
    """
    records = []
    for row in df.itertuples(index=False):
        unit = str(row.unit)
        name = str(row.indicator_zh)
        if row.scope != "township":
            codes = str(row.scope).split(";")
            shown = "、".join((names or {}).get(code, code) for code in codes)
            name = f"{name}（{shown}）"
        interval = "—"
        if math.isfinite(row.lower) and math.isfinite(row.upper):
            interval = f"{_number(row.lower)}–{_number(row.upper, unit)}（{row.level:.0%}）"
        probability = "—" if not math.isfinite(row.probability) else f"{row.probability:.0%}"
        escap = "—"
        if isinstance(row.escap_category, str):
            measure = "" if not math.isfinite(row.escap_measure) else f"{row.escap_measure:.2f} "
            escap = f"{measure}{ESCAP_ZH[row.escap_category]}"
        eurostat = "—"
        if isinstance(row.eurostat_band, str):
            ratio = "" if not math.isfinite(row.eurostat_ratio) else f"{row.eurostat_ratio:.2f} "
            eurostat = f"{ratio}{EUROSTAT_ZH[row.eurostat_band]}"
        records.append(
            [
                name,
                _number(row.target, unit),
                _number(row.projected, unit),
                interval,
                probability,
                escap,
                eurostat,
                STATUS_ZH[row.status_en],
            ]
        )
    return pd.DataFrame(records, columns=STATUS_HEADERS)
