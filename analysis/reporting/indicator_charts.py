"""One chart per indicator: each with its alternative text and its figures as a table.

A page shows each target's fan chart, and each other indicator's small trend chart, as its own
image, so a printed page never splits one and a reader can copy one at a time. The Word
document embeds the same charts (:func:`chart_indicators`, :func:`indicator_chart`).

Charts are drawn one after another on one reused figure (:func:`analysis.reporting.charts.
panel_figure`): whoever takes a :class:`Chart` encodes its figure and hands it back with
:func:`analysis.reporting.charts.release` before asking for the next. A page takes its charts
as what they are drawn from (:class:`Fan`, :class:`Trend`), so that a chart whose picture is
kept is not drawn at all (:func:`analysis.reporting.pictures.page_svg`).

A fan chart draws what prepare made with the projections (``projection_paths``: the series each
was assessed on and its projected path): a page reads them, and never projects again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from analysis.core import numbers, trends
from analysis.core.catalog import Indicator, default_catalog
from analysis.core.labels import indicator_label, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting import charts
from analysis.reporting.reads import REGISTRY, SCOPE_PROJECTIONS, reads
from analysis.reporting.tables import page_order, place_names, scope_names, scope_rows

MISSING = numbers.MISSING
#: The figures of a row of ``projection_paths``, beside its year.
_PATH_VALUES = ("observed", "projected", "lower", "upper")
#: A trend chart needs at least this many years to show a trend.
TREND_MIN_YEARS = 2


@dataclass(frozen=True)
class Chart:
    """A drawn chart and what a page shows with it."""

    indicator: str
    figure: Figure
    #: What the image shows, read out in its place: the indicator, the years, the latest value.
    alt: str
    #: The heading of its table of figures.
    caption: str
    #: The chart's figures as text (a row per year), formatted by the one formatter.
    data: pd.DataFrame


def _target_rows(tables: Tables, scope: str) -> pd.DataFrame:
    """The projection rows of a scope that have a target, in the order of the page."""
    rows = page_order(scope_rows(tables.projections, str(scope)))
    return rows[rows["target"].notna()] if not rows.empty else rows


@reads(SCOPE_PROJECTIONS)
def chart_indicators(tables: Tables, scope: str) -> list[str]:
    """The indicators of the scope's target charts ('township' or a village code), in the
    order of the page, each once."""
    return list(dict.fromkeys(_target_rows(tables, scope)["indicator"].astype(str)))


@reads(SCOPE_PROJECTIONS, REGISTRY)
def indicator_chart(tables: Tables, scope: str, indicator: str, *, lang: str = "zh") -> Figure:
    """The fan chart of one target of a scope ('township' or a village code): its own figure,
    as the page shows it. A :class:`KeyError` where the scope has no target on ``indicator``
    (see :func:`chart_indicators`)."""
    rows = _target_rows(tables, scope)
    rows = rows[rows["indicator"] == indicator]
    if rows.empty:
        raise KeyError(f"no target of {scope} on {indicator}")
    return next(_charts(tables, str(scope), rows.head(1), lang)).figure


def target_charts(tables: Tables, scope: str, *, lang: str = "zh") -> Iterator[Chart]:
    """The fan charts of a scope's targets, one at a time (each figure to be released before
    the next is drawn)."""
    return _charts(tables, str(scope), _target_rows(tables, scope), lang)


class _Charted:
    """What :class:`Fan` and :class:`Trend` share: the chart a page shows of one."""

    def chart(self) -> Chart:
        """The chart drawn, with what a page shows beside it."""
        return Chart(self.indicator.id, self.draw(), self.alt, self.caption, self.data)


@dataclass(frozen=True)
class Fan(_Charted):
    """Everything a target's fan chart draws, before it is drawn: the same fan, the same
    picture (:mod:`analysis.reporting.pictures` keys kept pictures by it)."""

    indicator: Indicator
    series: pd.Series
    line: charts.FanLine
    title: str
    sample: bool
    lang: str
    #: A page's chart, or the Word summary's (:data:`analysis.reporting.charts.PRINT_LAYOUT`).
    layout: charts.Layout = charts.PAGE_LAYOUT

    def draw(self) -> Figure:
        return charts.fan_line_chart(
            self.series,
            self.line,
            title=self.title,
            unit=self.indicator.unit,
            sample=self.sample,
            lang=self.lang,
            layout=self.layout,
        )

    @property
    def projected(self) -> bool:
        """Whether the chart draws a projection (a plan's chart counts works instead)."""
        return bool(self.line.ok and self.line.path) and self.line.tracking != "plan"

    @property
    def path(self) -> pd.DataFrame | None:
        """The projected years the chart draws, or None where it draws no projection."""
        if not self.projected:
            return None
        return pd.DataFrame(list(self.line.path), columns=["year", "projected", "lower", "upper"])

    @property
    def alt(self) -> str:
        return fan_alt(
            self.title,
            self.series,
            self.indicator,
            self.line,
            projected=self.projected,
            lang=self.lang,
        )

    @property
    def caption(self) -> str:
        return label(
            "chart.data", self.lang, name=_with_unit(self.title, self.indicator, self.lang)
        )

    @property
    def data(self) -> pd.DataFrame:
        return fan_data(
            self.series,
            self.indicator,
            self.line.target,
            self.line.target_year,
            self.path,
            self.lang,
        )

    @property
    def size(self) -> tuple[float, float]:
        """The drawn figure's size, inches (one panel)."""
        return self.layout.panel


def target_fans(tables: Tables, scope: str, *, lang: str = "zh") -> Iterator[Fan]:
    """The fans of a scope's targets, in the order of :func:`target_charts`, undrawn."""
    return _fans(tables, str(scope), _target_rows(tables, scope), lang)


_NO_PATH = pd.DataFrame(
    {"year": pd.Series(dtype="int64"), **{c: pd.Series(dtype=float) for c in _PATH_VALUES}}
)
#: The projections' columns a fan chart draws, beside its key (:data:`trends.PATH_KEY`).
_DRAWN = ["ok", "tracking", "done", "last_year", "last_value", "level", "model", "backtest_mae"]


def _fans(tables: Tables, scope: str, rows: pd.DataFrame, lang: str) -> Iterator[Fan]:
    paths = tables.derived("projection paths", _paths_by_key)
    read = rows[[*trends.PATH_KEY, *_DRAWN, "reason"]]
    for row in read.itertuples(index=False):
        key = (str(row.scope), str(row.row_type), str(row.indicator), int(row.target_year))
        # A target without a figure has no rows there: an empty series, nothing projected.
        yield _fan(tables, scope, row, paths.get((*key, float(row.target)), _NO_PATH), lang)


def _paths_by_key(tables: Tables) -> dict[tuple, pd.DataFrame]:
    """What each targeted projection's chart draws (``projection_paths``), by its key."""
    paths = tables.projection_paths
    if paths.empty:
        return {}
    return {
        (str(s), str(r), str(i), int(y), float(t)): rows
        for (s, r, i, y, t), rows in paths.groupby(trends.PATH_KEY, sort=False)
    }


def _line(row, path: pd.DataFrame) -> tuple[pd.Series, charts.FanLine]:
    """The series observed and the line a projections row's chart draws, from its rows of
    ``projection_paths``."""
    observed = path["observed"].notna()
    series = pd.Series(
        path.loc[observed, "observed"].to_numpy(dtype=float),
        index=pd.Index(path.loc[observed, "year"].to_numpy(), name="year"),
        name=str(row.indicator),
        dtype=float,
    )
    projected = path[~observed]
    # The projections table writes a refusal's reason as 'zh / en'; the Chinese has no ' / '.
    reason_zh, _, reason_en = str(row.reason).partition(" / ")
    line = charts.FanLine(
        ok=bool(row.ok),
        path=tuple(
            (int(y), float(p), float(lo), float(hi))
            for y, p, lo, hi in projected[["year", "projected", "lower", "upper"]].itertuples(
                index=False
            )
        ),
        last_year=None if pd.isna(row.last_year) else int(row.last_year),
        last_value=float(row.last_value),
        level=float(row.level),
        model=None if pd.isna(row.model) else str(row.model),
        backtest_mae=float(row.backtest_mae),
        reason_zh=reason_zh,
        reason_en=reason_en,
        target=float(row.target),
        target_year=int(row.target_year),
        done=float(row.done),
        tracking=str(row.tracking),
    )
    return series, line


def _charts(tables: Tables, scope: str, rows: pd.DataFrame, lang: str) -> Iterator[Chart]:
    for fan in _fans(tables, scope, rows, lang):
        yield fan.chart()


def _fan(tables: Tables, scope: str, row, path: pd.DataFrame, lang: str) -> Fan:
    ind = default_catalog()[row.indicator]
    series, line = _line(row, path)
    name = indicator_name(ind, lang)
    if str(row.scope) not in (scope, "township"):
        # A target shared with other villages, or a town's or the county's in a county's Word
        # summary: the chart is of them, named as the target table names them (嘉定镇).
        names = place_names(tables)
        name = label("join.scoped", lang, name=name, scope=scope_names(row.scope, names, lang))
    return Fan(ind, series, line, name, tables.sample, lang)


def _with_unit(name: str, ind: Indicator, lang: str) -> str:
    """The chart's name with the unit of its figures, as a table header writes it."""
    return indicator_label(ind, lang).replace(indicator_name(ind, lang), name, 1)


def _observed(name: str, series: pd.Series, lang: str) -> str:
    """蔬菜大棚面积：2014–2019年实际值 / greenhouse area: observed 2014–2019."""
    first, last = int(series.index[0]), int(series.index[-1])
    years = (
        label("alt.year", lang, year=last)
        if first == last
        else label("alt.years", lang, first=first, last=last)
    )
    return label("alt.observed", lang, indicator=name, years=years)


def fan_alt(
    name: str,
    series: pd.Series,
    ind: Indicator,
    result: charts.FanLine,
    *,
    projected: bool,
    lang: str = "zh",
) -> str:
    """A fan chart's alternative text: 蔬菜大棚面积：2014–2019年实际值与2020年预测，2019年为
    420亩，目标500亩 (a plan: done of planned, in the place of the projection)."""
    if series.empty:
        return label("alt.no_data", lang, indicator=name)
    text = _observed(name, series, lang)
    if projected:
        text += label("alt.projected", lang, year=result.target_year)
    text += label(
        "alt.latest",
        lang,
        year=int(series.index[-1]),
        value=numbers.figure(series.iloc[-1], ind, lang),
    )
    target = numbers.figure(result.target, ind, lang)
    if result.tracking == "plan":
        done = numbers.figure(result.done, ind, lang)
        return text + label("alt.plan", lang, year=result.target_year, done=done, target=target)
    return text + label("alt.target", lang, target=target)


def fan_data(
    series: pd.Series,
    ind: Indicator,
    target: float,
    target_year: int,
    path: pd.DataFrame | None,
    lang: str = "zh",
) -> pd.DataFrame:
    """A fan chart's figures, a row per year: observed, projected with its interval, target."""
    years = sorted({*map(int, series.index), *([] if path is None else path["year"]), target_year})
    path = path.set_index("year") if path is not None else pd.DataFrame()
    rows = []
    for year in years:
        projected = year in path.index
        rows.append(
            (
                str(year),
                numbers.number(series.get(year), ind, lang, context="column"),
                numbers.number(path.at[year, "projected"], ind, lang, context="column")
                if projected
                else MISSING,
                numbers.interval(path.at[year, "lower"], path.at[year, "upper"], ind, lang)
                if projected
                else MISSING,
                numbers.number(target, ind, lang, context="column")
                if year == target_year
                else MISSING,
            )
        )
    keys = ("column.year", "chart.observed", "column.projected", "column.interval", "column.target")
    return pd.DataFrame(rows, columns=[label(key, lang) for key in keys])


def _area_figures(tables: Tables, year: int) -> pd.DataFrame:
    """The township's (or town's) figures up to ``year``."""
    frame = tables.area
    return frame[(frame["year"] <= year) & frame["value"].notna()]


def trend_indicators(tables: Tables, year: int) -> list[str]:
    """The catalog's indicators without a target of the township (or town) that have figures
    for at least :data:`TREND_MIN_YEARS` years up to ``year``, in catalog order."""
    targeted = set(chart_indicators(tables, "township"))
    counts = _area_figures(tables, year).groupby("indicator")["year"].nunique()
    return [
        ind.id
        for ind in default_catalog()
        if ind.id not in targeted and counts.get(ind.id, 0) >= TREND_MIN_YEARS
    ]


@dataclass(frozen=True)
class Trend(_Charted):
    """Everything an indicator's small trend chart draws, before it is drawn: the same trend,
    the same picture (as :class:`Fan` for a target's chart)."""

    indicator: Indicator
    #: The observed values by year, as the chart draws them.
    series: pd.Series
    title: str
    sample: bool
    lang: str

    def draw(self) -> Figure:
        return charts.trend_chart(
            self.series,
            title=self.title,
            unit=self.indicator.unit,
            integer=self.indicator.kind == "count",
            sample=self.sample,
            lang=self.lang,
        )

    @property
    def alt(self) -> str:
        return _observed(self.title, self.series, self.lang) + label(
            "alt.latest",
            self.lang,
            year=int(self.series.index[-1]),
            value=numbers.figure(self.series.iloc[-1], self.indicator, self.lang),
        )

    @property
    def caption(self) -> str:
        return label("chart.data", self.lang, name=indicator_label(self.indicator, self.lang))

    @property
    def data(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                (str(int(y)), numbers.number(v, self.indicator, self.lang, context="column"))
                for y, v in self.series.items()
            ],
            columns=[label("column.year", self.lang), label("chart.observed", self.lang)],
        )

    @property
    def size(self) -> tuple[float, float]:
        """The drawn figure's size, inches."""
        return charts.TREND_SIZE


def trend_inputs(tables: Tables, year: int, *, lang: str = "zh") -> Iterator[Trend]:
    """The trends of :func:`trend_charts`, in their order, undrawn."""
    catalog = default_catalog()
    frame = _area_figures(tables, year)
    for indicator in trend_indicators(tables, year):
        ind = catalog[indicator]
        series = frame[frame["indicator"] == indicator].set_index("year")["value"].sort_index()
        yield Trend(ind, series, indicator_name(ind, lang), tables.sample, lang)


def trend_charts(tables: Tables, year: int, *, lang: str = "zh") -> Iterator[Chart]:
    """The small trend charts of the township's (or town's) indicators without a target, up to
    ``year``, one at a time (each figure to be released before the next is drawn)."""
    for trend in trend_inputs(tables, year, lang=lang):
        yield trend.chart()
