"""The charts of one indicator: the fan chart (a target's history, its projection with the
interval band, and the target) and the small trend chart of an indicator without a target.

Every word on it (legend, axis, source line, model name) comes from
:mod:`analysis.core.labels` and every number from :mod:`analysis.core.numbers`, in the
language asked for; the target status table that goes with it is
:func:`analysis.reporting.tables.status_table`.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, Formatter, Locator, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from analysis.core import numbers
from analysis.core.labels import LABELS, check_lang, label, unit_header
from analysis.core.style import COLORS, use_house_style
from analysis.core.trends import Assessment, Projection

#: Room around each chart panel, inches: tick labels and the unit on the left; a title of up to
#: two lines and the sample mark on top; below, the year axis, the legend (out of the plot, so it
#: never covers the target line or the data) and a source line of up to three lines. Fixed, so a
#: figure is laid out once when it is made, without measuring its texts.
PANEL_MARGINS = {"left": 0.85, "right": 0.25, "top": 0.62, "bottom": 1.5}
#: Size of one panel of :func:`panel_figure`, inches: one chart of a page's grid.
PANEL_SIZE = (5.2, 4.5)
#: The legend's top under the axes, the height of one of its rows and its size, points.
_LEGEND_OFFSET_PT = 34
_LEGEND_ROW_PT = 15
_LEGEND_FONTSIZE = 8
_LEGEND_COLUMNS = 2
#: The source line's size, points; it starts under the legend. A page's sizes: the Word
#: summary draws its charts in :data:`PRINT_LAYOUT`'s.
_SOURCE_FONTSIZE = 7.5
#: The sample mark's size, points; the title keeps clear of it.
_SAMPLE_FONTSIZE = 10
_TITLE_FONTSIZE = 12
#: The data's margin within the axes, above and below, as a fraction of its range.
_Y_MARGIN = 0.1
#: Room around a small trend chart, inches, and its size: no legend, a one-line source.
TREND_MARGINS = {"left": 0.75, "right": 0.2, "top": 0.62, "bottom": 0.8}
TREND_SIZE = (3.6, 2.9)


@dataclass(frozen=True)
class Layout:
    """A fan chart's size, the room around its axes (inches) and its texts' sizes (points)."""

    panel: tuple[float, float]
    margins: Mapping[str, float]
    title_pt: float
    #: The axis labels and the tick labels.
    axis_pt: float
    legend_pt: float
    #: The height of a legend row, points, for the source line to start under the legend.
    legend_row_pt: float
    source_pt: float
    sample_pt: float


#: A page's fan chart: the sizes above (the axes' texts at matplotlib's 10 pt).
PAGE_LAYOUT = Layout(
    panel=PANEL_SIZE,
    margins=PANEL_MARGINS,
    title_pt=_TITLE_FONTSIZE,
    axis_pt=10,
    legend_pt=_LEGEND_FONTSIZE,
    legend_row_pt=_LEGEND_ROW_PT,
    source_pt=_SOURCE_FONTSIZE,
    sample_pt=_SAMPLE_FONTSIZE,
)
#: A fan chart as the Word summary prints it: drawn at its printed size, the text width of A4
#: under GB/T 9704's margins (156 mm) and under half the text's height (225 mm), so that two
#: share a page; every text 9 pt or more. Below the axes: the year axis, two legend rows and a
#: source line of up to four lines.
PRINT_LAYOUT = Layout(
    panel=(156 / 25.4, 105 / 25.4),
    margins={"left": 0.8, "right": 0.25, "top": 0.62, "bottom": 1.68},
    title_pt=12,
    axis_pt=9,
    legend_pt=9,
    legend_row_pt=17,
    source_pt=9,
    sample_pt=10,
)


#: Panel figures handed back by :func:`release`, by (rows, columns, count, panel), ready to be
#: drawn on again: a worker draws the same grid for village after village, and making its
#: axes and their ticks costs more than drawing the charts.
_RELEASED: dict[tuple, list[Figure]] = {}
#: The figures :func:`panel_figure` made, with the key they are kept under once released.
_MADE: weakref.WeakKeyDictionary[Figure, tuple] = weakref.WeakKeyDictionary()


def panel_figure(
    rows: int,
    columns: int,
    *,
    count: int | None = None,
    panel: tuple[float, float] = PANEL_SIZE,
    margins: Mapping[str, float] = PANEL_MARGINS,
) -> tuple[Figure, list[Axes]]:
    """A figure with room for ``rows`` × ``columns`` chart panels in a fixed layout, and the
    axes of the first ``count`` of them (all by default), row by row.

    Each panel is ``panel`` inches with ``margins`` (inches) around its axes; nothing is
    measured or laid out again when the figure is drawn, and no axes is made for an empty cell.
    A figure given back with :func:`release` is emptied and returned again, layout and all.
    """
    # The axes take the house style's frame when made, so the style comes first: a figure made
    # before it and drawn on again would keep a frame a new one has not.
    use_house_style()
    count = rows * columns if count is None else count
    key = (rows, columns, count, tuple(panel), tuple(sorted(margins.items())))
    if _RELEASED.get(key):
        figure = _RELEASED[key].pop()
        for ax in figure.axes:
            _empty(ax)
        return figure, list(figure.axes)
    width, height = panel
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
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
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


class _UnitTicks(Formatter):
    """Value-axis ticks in the indicator's unit, written by the one number formatter
    (:func:`analysis.core.numbers.number`): 1,400,000 on a 元 axis, never 1.4 under a "1e6"
    offset. Every tick has the decimals the step between the ticks needs (85.0 beside 87.5)."""

    def __init__(self, unit: str, lang: str) -> None:
        self.unit, self.lang, self.places = unit, lang, 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        steps = [b - a for a, b in itertools.pairwise(locs) if b > a]
        step = min(steps) if steps else 1.0
        written = f"{step:.6f}".rstrip("0")
        self.places = len(written.split(".")[1])

    def __call__(self, x: float, pos: int | None = None) -> str:
        return numbers.number(x, self.unit, self.lang, context="axis", places=self.places)


def _text_width_pt(text: str, fontsize: float) -> float:
    """An upper estimate of a line's width, points: a full em for wide (CJK) characters,
    0.62 em for others; enough to choose line breaks without asking the font."""
    return sum(fontsize * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62) for c in text)


def _breaks_after(char: str) -> bool:
    """A space, or full-width punctuation (the commas, colons and semicolons of Chinese)."""
    return char.isspace() or (
        unicodedata.category(char) == "Po" and unicodedata.east_asian_width(char) in "WF"
    )


#: What ends a clause: a line of a source breaks after one of these where it can (a Latin one
#: only before a space).
_FULL_WIDTH_ENDS = frozenset(unicodedata.lookup(f"FULLWIDTH {n}") for n in ("COMMA", "SEMICOLON"))
_CLAUSE_ENDS = _FULL_WIDTH_ENDS | {",", ";"}


def _ends_clause(line: str) -> bool:
    """Whether ``line`` ends a clause: a Chinese comma or semicolon, or a Latin one and a space
    (not the comma of 1,234)."""
    end = line.rstrip(" ")
    return bool(end) and end[-1] in _CLAUSE_ENDS and (end[-1] in _FULL_WIDTH_ENDS or end != line)


def _fit_lines(text: str, width_pt: float, fontsize: float, *, clauses: bool = False) -> str:
    """``text`` broken after a clause's punctuation (or a space) where a line would be wider
    than ``width_pt``; no character is added or removed. With ``clauses``, only between
    clauses (after a comma or semicolon) where the line has room for a whole one, so that no
    phrase is broken (回测平均绝对误差 1.2个百分点, 模型：线性趋势)."""
    lines, line, breakable, clause = [], "", -1, -1
    for char in text:
        line += char
        if _breaks_after(char):
            breakable = len(line)
        if clauses and _ends_clause(line):
            clause = len(line)
        if _text_width_pt(line, fontsize) > width_pt and max(breakable, clause) > 0:
            at = clause if clause > 0 else breakable
            lines.append(line[:at])
            line = line[at:]
            breakable, clause = _last_breaks(line, clauses)
    return "\n".join([*lines, line])


def _last_breaks(line: str, clauses: bool) -> tuple[int, int]:
    """Where :func:`_fit_lines` may break what is left of a line after a break, as it would
    have found them: after its last space or punctuation, after its last clause."""
    breakable = max((i + 1 for i, c in enumerate(line) if _breaks_after(c)), default=-1)
    ends = (i for i in range(len(line), 0, -1) if clauses and _ends_clause(line[:i]))
    return breakable, next(ends, -1)


@dataclass(frozen=True)
class FanLine:
    """What a fan chart draws besides the series observed: the projection (its path with the
    interval band, or the reason there is none), or a plan's works done, and the target.

    Made from an :class:`~analysis.core.trends.Assessment` or a
    :class:`~analysis.core.trends.Projection` (:meth:`of`), or read from the processed tables
    (:mod:`analysis.reporting.indicator_charts`): the same line either way.
    """

    ok: bool
    #: (year, projected, lower, upper) for every year projected.
    path: tuple[tuple[int, float, float, float], ...]
    last_year: int | None
    last_value: float
    level: float
    model: str | None
    backtest_mae: float
    reason_zh: str
    reason_en: str
    target: float | None
    target_year: int
    #: A plan's works done (NaN for a trend); a plan draws them, never a projection.
    done: float = math.nan
    tracking: str = "trend"

    @classmethod
    def of(
        cls,
        assessment_or_projection: Assessment | Projection,
        target: float | None = None,
        target_year: int | None = None,
    ) -> FanLine:
        """The line of an assessment (which supplies the target) or of a bare projection;
        ``target`` and ``target_year`` override or supply the target."""
        done, tracking = math.nan, "trend"
        if isinstance(assessment_or_projection, Assessment):
            projection = assessment_or_projection.projection
            target = assessment_or_projection.target if target is None else target
            if target_year is None:
                target_year = assessment_or_projection.target_year
            done, tracking = assessment_or_projection.done, assessment_or_projection.tracking
        else:
            projection = assessment_or_projection
        return cls(
            ok=projection.ok,
            path=projection.path,
            last_year=projection.last_year,
            last_value=projection.last_value,
            level=projection.level,
            model=projection.model,
            backtest_mae=projection.backtest_mae,
            reason_zh=projection.reason_zh,
            reason_en=projection.reason_en,
            target=target,
            target_year=projection.target_year if target_year is None else target_year,
            done=done,
            tracking=tracking,
        )


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
    source: str | None = None,
    lang: str = "zh",
    layout: Layout = PAGE_LAYOUT,
) -> Figure:
    """History, projection with its interval band, and the target.

    A plan's assessment (works to complete) draws no projection: its works done of works
    planned are written under the chart.

    Parameters
    ----------
    series : pandas.Series
        Observed values indexed by int year (NaN dropped).
    assessment_or_projection : Assessment or Projection
        From :func:`analysis.core.trends.assess` or :func:`analysis.core.trends.project`; an assessment
        also supplies the target.
    title : str
        Title, in the chart's language.
    unit : str
        The catalog unit of the figures, e.g. ``户`` or ``%``: it labels the y axis and decides
        how the target is written.
    target, target_year : optional
        Override or supply the target (needed with a bare projection to draw one).
    ax : matplotlib Axes, optional
        Draw into this axes; otherwise a new figure is made (not through pyplot, so batch runs
        do not accumulate open figures).
    sample : bool, default False
        Mark the figure 示例数据 (synthetic sample data).
    source : str, optional
        Where the figures come from (default: the villages' annual returns), printed under the
        chart with the model and interval.
    lang : {'zh', 'en'}, default 'zh'
        Language of the legend, axis and source line.
    layout : Layout, default PAGE_LAYOUT
        The figure's size and its texts' (:data:`PRINT_LAYOUT` for the Word summary).

    Returns
    -------
    matplotlib.figure.Figure
    """
    line = FanLine.of(assessment_or_projection, target, target_year)
    return fan_line_chart(
        series,
        line,
        title=title,
        unit=unit,
        ax=ax,
        sample=sample,
        source=source,
        lang=lang,
        layout=layout,
    )


def fan_line_chart(
    series: pd.Series,
    line: FanLine,
    *,
    title: str,
    unit: str,
    ax: Axes | None = None,
    sample: bool = False,
    source: str | None = None,
    lang: str = "zh",
    layout: Layout = PAGE_LAYOUT,
) -> Figure:
    """:func:`fan_chart` of a :class:`FanLine`: the series observed, the line's projection
    or works done, and its target."""
    use_house_style()
    target, target_year = line.target, line.target_year
    if ax is None:
        figure, (ax,) = panel_figure(1, 1, panel=layout.panel, margins=layout.margins)
    else:
        figure = ax.get_figure()

    source = source if source is not None else label("chart.villages_source", lang)
    lines = [label("chart.source", lang, source=source)]
    level = numbers.percent(line.level)
    history = pd.Series(series, dtype=float).dropna().sort_index()
    ax.plot(
        history.index.astype(int),
        history.to_numpy(),
        color=COLORS["history"],
        marker="o",
        linewidth=2,
        label=label("chart.observed", lang),
    )

    if line.ok and line.path:
        path = pd.DataFrame(list(line.path), columns=["year", "projected", "lower", "upper"])
        # Start band and line at the last observation so the projection visibly continues it.
        xs = [line.last_year, *path["year"]]
        mid = [line.last_value, *path["projected"]]
        low = [line.last_value, *path["lower"]]
        high = [line.last_value, *path["upper"]]
        ax.fill_between(
            xs,
            low,
            high,
            color=COLORS["projection"],
            alpha=0.22,
            linewidth=0,
            label=label("chart.band", lang, level=level),
        )
        ax.plot(
            xs,
            mid,
            color=COLORS["projection"],
            linestyle="--",
            linewidth=2,
            label=label("chart.projected", lang),
        )
        model = line.model or ""
        lines.append(
            label(
                "chart.model",
                lang,
                model=label(f"model.{model}", lang) if f"model.{model}" in LABELS else model,
                mae=numbers.error(line.backtest_mae, unit, lang),
                level=level,
            )
        )
    elif line.tracking == "plan":
        # Works done of works planned, under the chart: a plan has no line to draw.
        done, planned = (
            numbers.figure(line.done, unit, lang),
            numbers.figure(line.target, unit, lang),
        )
        lines.append(
            label("chart.plan", lang, year=int(line.target_year), done=done, target=planned)
        )
    elif line.reason_zh:
        reason = getattr(line, f"reason_{check_lang(lang)}")
        ax.text(
            0.02,
            0.95,
            label("chart.no_projection", lang, reason=reason),
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
            label=label(
                "chart.target", lang, year=target_year, value=numbers.figure(target, unit, lang)
            ),
        )

    _dress(
        ax,
        title=title,
        unit=unit,
        lines=lines,
        legend=True,
        sample=sample,
        lang=lang,
        layout=layout,
    )
    return figure


def trend_chart(
    series: pd.Series,
    *,
    title: str,
    unit: str,
    integer: bool = False,
    ax: Axes | None = None,
    sample: bool = False,
    source: str | None = None,
    lang: str = "zh",
) -> Figure:
    """A small chart of an indicator's observed values over the years, for an indicator
    without a target: no projection and no legend (its numbers go in a table beside it).

    ``series`` is indexed by int year (NaN dropped); ``integer`` keeps the value axis to whole
    numbers (a count); ``ax``, ``sample``, ``source`` and ``lang`` as for :func:`fan_chart`. Without ``ax`` the figure is one panel of :data:`TREND_SIZE`.
    """
    use_house_style()
    if ax is None:
        figure, (ax,) = panel_figure(1, 1, panel=TREND_SIZE, margins=TREND_MARGINS)
    else:
        figure = ax.get_figure()
    history = pd.Series(series, dtype=float).dropna().sort_index()
    ax.plot(
        history.index.astype(int),
        history.to_numpy(),
        color=COLORS["history"],
        marker="o",
        markersize=4,
        linewidth=1.8,
    )
    source = source if source is not None else label("chart.villages_source", lang)
    lines = [label("chart.source", lang, source=source)]
    _dress(ax, title=title, unit=unit, lines=lines, legend=False, sample=sample, lang=lang)
    if integer:
        ax.yaxis.set_major_locator(_InView(MaxNLocator(integer=True)))
    return figure


def _dress(
    ax: Axes,
    *,
    title: str,
    unit: str,
    lines: list[str],
    legend: bool,
    sample: bool,
    lang: str,
    layout: Layout = PAGE_LAYOUT,
) -> None:
    """Title, axes, legend, source line and sample mark of a chart, each in its own room, in
    the sizes of ``layout``.

    The title is left-aligned and broken into lines short of the sample mark on its right; the
    legend sits under the year axis, out of the plot; the source line starts under the legend.
    Offsets are in points from the axes, so they stay with it in a caller's grid.
    """
    figure = ax.get_figure()
    axes_pt = ax.get_position().width * figure.get_figwidth() * 72
    mark = label("chart.sample", lang)
    sample_pt = _text_width_pt(mark, layout.sample_pt) + 6 if sample else 0
    ax.set_title(
        _fit_lines(title, axes_pt - sample_pt, layout.title_pt),
        loc="left",
        fontsize=layout.title_pt,
    )
    ax.set_xlabel(label("chart.year", lang), fontsize=layout.axis_pt)
    ax.set_ylabel(unit_header(unit, lang), fontsize=layout.axis_pt)
    ax.tick_params(labelsize=layout.axis_pt)
    # Room above the highest point, so the target's star stays clear of the sample mark.
    ax.margins(y=_Y_MARGIN)
    ax.xaxis.set_major_locator(_InView(MaxNLocator(integer=True)))
    ax.yaxis.set_major_locator(_InView(AutoLocator()))
    ax.yaxis.set_major_formatter(_UnitTicks(unit, lang))
    below = _LEGEND_OFFSET_PT
    if legend:
        entries = len(ax.get_legend_handles_labels()[0])
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(0, 0),
            bbox_transform=ax.transAxes + _down(figure, below),
            ncols=_LEGEND_COLUMNS,
            frameon=False,
            fontsize=layout.legend_pt,
            borderaxespad=0,
            borderpad=0,
            columnspacing=1.2,
        )
        below += -(-entries // _LEGEND_COLUMNS) * layout.legend_row_pt + 4
    # The source keeps within the axes and its right margin, so it never runs into the next
    # panel or off the figure; its lines break between clauses, never inside one.
    room_pt = axes_pt + (layout.margins["right"] - 0.1) * 72
    source = label("chart.separator", lang).join(lines)
    ax.annotate(
        _fit_lines(source, room_pt, layout.source_pt, clauses=True),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -below),
        textcoords="offset points",
        fontsize=layout.source_pt,
        color=COLORS["muted"],
        ha="left",
        va="top",
    )
    if sample:
        ax.text(
            1.0,
            1.02,
            mark,
            transform=ax.transAxes,
            fontsize=layout.sample_pt,
            color=COLORS["target"],
            ha="right",
            va="bottom",
        )


def _down(figure: Figure, points: float) -> ScaledTranslation:
    """A shift ``points`` down, at whatever resolution the figure is drawn."""
    return ScaledTranslation(0, -points / 72, figure.dpi_scale_trans)
