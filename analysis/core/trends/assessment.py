"""One target assessed against its series: one status, decided by one rule.

The rule (:func:`status`), first match wins:

1. no target → 'no target' 无目标 (village rows: projection only);
2. the latest value already meets the target — for a plan, the works done reach the works
   planned → 'achieved' 已达成;
3. no projection (fewer than 3 points) — for a plan, no pace to judge by → 'insufficient data'
   数据不足;
4. the value has moved away from the target since the base year → 'deteriorating' 倒退;
5. the projection meets the target — for a plan, the works still to do per year left are no
   more than the works done per year so far → 'on track' 有望达成;
6. otherwise → 'acceleration needed' 需加速.

A plan (the catalog's ``plan``: road-hardening works, sewage sites) is tracked as done /
planned and never extrapolated. The ESCAP and Eurostat measures are computed for trend targets
as supporting figures; :func:`contradicts` tells where their verdict word differs from the status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.labels import STATUS_ZH
from analysis.core.trends.measures import (
    escap_category,
    escap_measure,
    eurostat_band,
    eurostat_ratio,
    meets,
)
from analysis.core.trends.projection import (
    DEFAULT_LEVEL,
    Bounds,
    Projection,
    clean,
    direction_sign,
    project_arrays,
    refusal,
    resolve_bounds,
)

#: The status each ESCAP category and Eurostat band speaks for; a supporting word contradicts
#: the status when it speaks for another (:func:`contradicts`).
_VERDICT_OF = {
    "maintain progress": {"achieved", "on track"},
    "accelerate": {"acceleration needed"},
    "reverse trend": {"deteriorating"},
    "achieved": {"achieved"},
    "on track": {"achieved", "on track"},
    "acceleration needed": {"acceleration needed"},
    "limited progress": {"acceleration needed"},
    "deterioration": {"deteriorating"},
}


@dataclass(frozen=True)
class Assessment:
    """A target assessed against a series; see :func:`assess` for the rules.

    ``remaining`` is the distance from the latest value to the target (for a plan, the works
    still to do), ``required_change_per_year`` that distance per year left, ``gap`` the
    distance from the projection to the target (NaN for a plan). ``tracking`` is 'trend' (a
    projection) or 'plan' (works done against works planned); ``done`` is the plan's works done
    (NaN for a trend).
    """

    target: float
    target_year: int
    direction: str
    base_year: int | None
    base_value: float
    last_year: int | None
    last_value: float
    projection: Projection
    probability: float
    escap_measure: float
    escap_anticipated: float
    escap_category: str | None
    eurostat_ratio: float
    eurostat_band: str | None
    status_zh: str
    status_en: str
    required_change_per_year: float
    observed_change_per_year: float
    gap: float
    tracking: str = "trend"
    done: float = math.nan
    remaining: float = math.nan

    @property
    def ok(self) -> bool:
        return self.projection.ok

    @property
    def projected(self) -> float:
        return self.projection.projected

    @property
    def lower(self) -> float:
        return self.projection.lower

    @property
    def upper(self) -> float:
        return self.projection.upper

    @property
    def level(self) -> float:
        return self.projection.level

    def to_dict(self) -> dict[str, Any]:
        """Flat record with the columns of ``assess_targets`` an assessment knows (no scope or
        indicator)."""
        p = self.projection
        return {
            "target_year": self.target_year,
            "target": self.target,
            "direction": self.direction,
            "tracking": self.tracking,
            "base_year": self.base_year,
            "base_value": self.base_value,
            "last_year": self.last_year,
            "last_value": self.last_value,
            "done": self.done,
            "n_points": p.n_points,
            "ok": p.ok,
            "reason": p.reason,
            "model": p.model,
            "backtest_mae": p.backtest_mae,
            "candidates": p.candidates_text(),
            "widening": p.widening,
            "projected": p.projected,
            "lower": p.lower,
            "upper": p.upper,
            "level": p.level,
            "probability": self.probability,
            "escap_measure": self.escap_measure,
            "escap_category": self.escap_category,
            "eurostat_ratio": self.eurostat_ratio,
            "eurostat_band": self.eurostat_band,
            "status_zh": self.status_zh,
            "status_en": self.status_en,
            "remaining": self.remaining,
            "required_change_per_year": self.required_change_per_year,
            "observed_change_per_year": self.observed_change_per_year,
            "gap": self.gap,
        }


def contradicts(status_en: str, supporting: str | None) -> bool:
    """Whether an ESCAP category or Eurostat band speaks for another status than ``status_en``.

    Nothing contradicts a target without a status of its own to judge by (no target,
    insufficient data), nor a missing supporting word.
    """
    if supporting is None or pd.isna(supporting) or status_en in ("no target", "insufficient data"):
        return False
    return status_en not in _VERDICT_OF[supporting]


def status(
    *,
    has_target: bool,
    achieved: bool,
    judged: bool,
    away: bool,
    expected: bool,
) -> str:
    """The one status rule (module docstring), on its five questions.

    ``judged``: there is a projection (a pace, for a plan) to judge by; ``away``: the value has
    moved away from the target since the base year; ``expected``: the projection meets the
    target (for a plan, the pace needed is within the pace so far).
    """
    if not has_target:
        return "no target"
    if achieved:
        return "achieved"
    if not judged:
        return "insufficient data"
    if away:
        return "deteriorating"
    return "on track" if expected else "acceleration needed"


def _base(years: np.ndarray, values: np.ndarray, base_year: int | None) -> tuple[int, float]:
    """The value at the base year, or the first observation after it."""
    start = years[0] if base_year is None else base_year
    after = np.flatnonzero(years >= start)
    index = int(after[0]) if after.size else len(values) - 1
    return int(years[index]), float(values[index])


def assess_arrays(
    years: np.ndarray,
    values: np.ndarray,
    target: float,
    target_year: int,
    base_year: int | None,
    direction: str,
    kind: str,
    bounds: Bounds,
    level: float,
    cumulative: bool = False,
    plan: bool = False,
    flow: bool = False,
    projection: Projection | None = None,
) -> Assessment:
    """:func:`assess` on cleaned arrays and resolved bounds (the batch's path).

    ``projection``, when given, is the series' projection already made (by
    :func:`~analysis.core.trends.projection.project_batch`); otherwise it is made here.
    """
    sign = direction_sign(direction)
    if plan:
        return _assess_plan(years, values, target, target_year, base_year, direction, flow, level)
    if projection is None:
        projection = project_arrays(
            years, values, target_year, kind, bounds, level, target, cumulative=cumulative
        )
    if len(values):
        base_y, base_v = _base(years, values, base_year)
        last_y, last_v = int(years[-1]), float(values[-1])
    else:
        base_y, base_v, last_y, last_v = None, math.nan, None, math.nan

    observed = required = ratio = measure = anticipated = math.nan
    category = band = None
    achieved = meets(last_v, target, direction)
    if last_y is not None and base_y is not None:
        if last_y > base_y:
            observed = (last_v - base_v) / (last_y - base_y)
        if math.isfinite(target) and target_year > last_y:
            required = (target - last_v) / (target_year - last_y)
        if math.isfinite(target):
            years_kw = {"base_year": base_y, "current_year": last_y, "target_year": target_year}
            ratio = eurostat_ratio(base_v, last_v, target, direction=direction, **years_kw)
            band = eurostat_band(ratio, achieved=achieved)
            measure, anticipated = escap_measure(base_v, last_v, target, bounds=bounds, **years_kw)
            category = escap_category(
                measure, base=base_v, anticipated=anticipated, target=target, direction=direction
            )
    probability = projection.probability(target, direction)
    # The change since the base year; the projected step stands in when there is no period.
    change = observed if math.isfinite(observed) else projection.projected - projection.last_value
    status_en = status(
        has_target=math.isfinite(target),
        achieved=achieved,
        judged=projection.ok,
        away=sign * change < 0,
        expected=meets(projection.projected, target, direction),
    )
    return Assessment(
        target=float(target),
        target_year=int(target_year),
        direction=direction,
        base_year=base_y,
        base_value=base_v,
        last_year=last_y,
        last_value=last_v,
        projection=projection,
        probability=probability,
        escap_measure=measure,
        escap_anticipated=anticipated,
        escap_category=category,
        eurostat_ratio=ratio,
        eurostat_band=band,
        status_zh=STATUS_ZH[status_en],
        status_en=status_en,
        required_change_per_year=required,
        observed_change_per_year=observed,
        gap=float(target) - projection.projected,
        remaining=float(target) - last_v,
    )


def _assess_plan(
    years: np.ndarray,
    values: np.ndarray,
    target: float,
    target_year: int,
    base_year: int | None,
    direction: str,
    flow: bool,
    level: float,
) -> Assessment:
    """A plan: works done against works planned, judged by the pace of the works so far.

    For a stock (sites built to date) the works done are the latest value and the pace is the
    change per year since the base year. For a flow (works completed within a year) the plan is
    the target year's works: done are those reported for the target year (none while it is not
    reported), and the pace is the mean of the yearly values since the base year.
    """
    projection = refusal(
        "计划类目标按已完成/计划数跟踪，不作趋势外推",
        "a plan is tracked as done / planned, not extrapolated",
        target_year,
        level,
        years,
        values,
        (0.0, None),
    )
    base_y: int | None = None
    last_y: int | None = None
    base_v = last_v = done = pace = math.nan
    if len(values):
        base_y, base_v = _base(years, values, base_year)
        last_y, last_v = int(years[-1]), float(values[-1])
    if flow:
        in_target_year = values[years == target_year]
        done = float(in_target_year[0]) if in_target_year.size else 0.0
        since = values[years >= base_y] if base_y is not None else values
        pace = float(np.mean(since)) if since.size else math.nan
        years_left = 1
    else:
        done = last_v
        if last_y is not None and base_y is not None and last_y > base_y:
            pace = (last_v - base_v) / (last_y - base_y)
        years_left = max(1, target_year - (last_y if last_y is not None else target_year))
    remaining = float(target) - done
    required = remaining / years_left if math.isfinite(remaining) else math.nan
    status_en = status(
        has_target=math.isfinite(target),
        achieved=meets(done, target, direction),
        judged=math.isfinite(pace),
        away=not flow and direction_sign(direction) * pace < 0,
        expected=direction_sign(direction) * (pace - required) >= 0,
    )
    return Assessment(
        target=float(target),
        target_year=int(target_year),
        direction=direction,
        base_year=base_y,
        base_value=base_v,
        last_year=last_y,
        last_value=last_v,
        projection=projection,
        probability=math.nan,
        escap_measure=math.nan,
        escap_anticipated=math.nan,
        escap_category=None,
        eurostat_ratio=math.nan,
        eurostat_band=None,
        status_zh=STATUS_ZH[status_en],
        status_en=status_en,
        required_change_per_year=required,
        observed_change_per_year=pace,
        gap=math.nan,
        tracking="plan",
        done=done,
        remaining=remaining,
    )


def assess(
    series: pd.Series,
    target: float,
    target_year: int,
    *,
    base_year: int | None,
    direction: str,
    kind: str = "count",
    bounds: Bounds | list | None = None,
    level: float = DEFAULT_LEVEL,
    cumulative: bool = False,
    plan: bool = False,
    flow: bool = False,
) -> Assessment:
    """Assess whether ``target`` will be met in ``target_year``, by the rule of this module.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by int year; NaN dropped.
    target : float
        Target value in the indicator's unit; NaN for "no target" (projection only).
    target_year : int
        Year the target is due.
    base_year : int or None
        Base year of the ESCAP and Eurostat measures and of a plan's pace (the first
        observation at or after it is used); None means the first observed year.
    direction : {'higher', 'lower'}
        Which way is better.
    kind : str, default 'count'
        Catalog kind; 'rate' uses the logit models.
    bounds : (lower, upper), optional
        Natural limits, e.g. (0, None) for counts, (0, 100) for rates.
    level : float, default 0.8
        Central probability of the prediction interval.
    cumulative : bool, default False
        The series only grows: never projected below its latest value.
    plan : bool, default False
        The target counts works to complete: tracked as done / planned, not projected.
    flow : bool, default False
        The series counts what was done within each year (for a plan: its works are those of
        the target year).

    Returns
    -------
    Assessment
        ``probability`` is P(value <= target) for 'lower', P(value >= target) for 'higher', under
        the chosen model's predictive distribution (Student t on its own scale).
        ``remaining`` = target − latest (a plan: planned − done); ``required_change_per_year`` =
        remaining / (target_year − latest_year); ``observed_change_per_year`` = (latest − base) /
        (latest_year − base_year) (a plan over a flow: the mean yearly works); ``gap`` = target −
        projected, in the indicator's unit.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    resolved = resolve_bounds(kind, bounds)
    years, values = clean(series)
    return assess_arrays(
        years,
        values,
        float(target),
        int(target_year),
        base_year,
        direction,
        kind,
        resolved,
        level,
        cumulative=cumulative,
        plan=plan,
        flow=flow,
    )
