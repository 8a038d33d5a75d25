"""The fan chart: a target's history, its projection with the interval band, and the target.

Every word on it (legend, axis, source line, model name) comes from
:mod:`analysis.core.labels` and every number from :mod:`analysis.core.numbers`, in the
language asked for; the target status table that goes with it is
:func:`analysis.reporting.tables.status_table`.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import config
from analysis.core import numbers
from analysis.core.labels import LABELS, check_lang, label, unit_header
from analysis.core.style import COLORS, use_house_style
from analysis.core.trends import Assessment, Projection


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

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    plan = None
    if isinstance(assessment_or_projection, Assessment):
        plan = assessment_or_projection if assessment_or_projection.tracking == "plan" else None
        projection = assessment_or_projection.projection
        target = assessment_or_projection.target if target is None else target
        target_year = assessment_or_projection.target_year if target_year is None else target_year
    else:
        projection = assessment_or_projection
    target_year = projection.target_year if target_year is None else target_year

    own_figure = ax is None
    if ax is None:
        figure = Figure(figsize=(7.0, 4.2))
        ax = figure.add_subplot()
    else:
        figure = ax.get_figure()

    source = source if source is not None else label("chart.villages_source", lang)
    lines = [label("chart.source", lang, source=source)]
    level = numbers.percent(projection.level)
    history = pd.Series(series, dtype=float).dropna().sort_index()
    ax.plot(
        history.index.astype(int),
        history.to_numpy(),
        color=COLORS["history"],
        marker="o",
        linewidth=2,
        label=label("chart.observed", lang),
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
        model = projection.model or ""
        lines.append(
            label(
                "chart.model",
                lang,
                model=label(f"model.{model}", lang) if f"model.{model}" in LABELS else model,
                mae=numbers.number(projection.backtest_mae, unit, lang, context="spread"),
                level=level,
            )
        )
    elif plan is not None:
        # Works done of works planned, under the chart: a plan has no line to draw.
        done, planned = (
            numbers.figure(plan.done, unit, lang),
            numbers.figure(plan.target, unit, lang),
        )
        lines.append(label("chart.plan", lang, done=done, target=planned))
    elif projection.reason_zh:
        reason = getattr(projection, f"reason_{check_lang(lang)}")
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

    ax.set_title(title)
    ax.set_xlabel(label("chart.year", lang))
    ax.set_ylabel(unit_header(unit, lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best", frameon=False)
    # Source and sample mark belong to the axes, so they stay with it in a caller's grid.
    ax.annotate(
        label("chart.separator", lang).join(lines),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -34),
        textcoords="offset points",
        fontsize=7.5,
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
    if own_figure:
        figure.tight_layout()
    return figure
