"""Progress measures of a target, after UN ESCAP and Eurostat, as public formulas.

Reports quote them beside the status (:mod:`analysis.core.trends.assessment`) as supporting
figures; they extrapolate the average growth since a base year, where the status reads the
chosen model's projection.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.core.trends.projection import clip, direction_sign

#: Eurostat bands for the ratio of observed to required growth.
ON_TRACK_RATIO = 0.95
ACCELERATION_RATIO = 0.60


def meets(value: float, target: float, direction: str) -> bool:
    """Whether ``value`` meets ``target`` in the better ``direction`` (False for NaN)."""
    if not (math.isfinite(value) and math.isfinite(target)):
        return False
    return value >= target if direction_sign(direction) > 0 else value <= target


def _growth_defined(*values: float) -> bool:
    """Growth-rate (CAGR) methods need every value positive: a CAGR toward 0 is undefined."""
    return all(math.isfinite(v) and v > 0 for v in values)


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate ``(end / start) ** (1 / years) − 1``.

    Parameters
    ----------
    start, end : float
        Values at the two ends of the period.
    years : float
        Length of the period in years.

    Returns
    -------
    float
        NaN where a growth rate is undefined: a value <= 0 or a period <= 0. Callers switch to
        linear change per year instead; nothing is substituted for a zero.
    """
    if years <= 0 or not _growth_defined(start, end):
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def escap_measure(
    base: float,
    current: float,
    target: float,
    *,
    base_year: int,
    current_year: int,
    target_year: int,
    bounds: tuple[float | None, float | None] = (None, None),
) -> tuple[float, float]:
    """ESCAP anticipated progress ``(X̂_T − X_0) / (X_target − X_0)``.

    ``X̂_T`` extrapolates the observed compound growth from the base year to the current year on
    to the target year: ``X̂_T = X_current · (1 + CAGR)^(T − t_current)``. Where base, current or
    target is <= 0 a growth rate is undefined, so the observed linear change per year is
    extrapolated instead. ``X̂_T`` is clipped to ``bounds`` (a count cannot go below 0).

    Source: ESCAP, *Asia-Pacific SDG progress assessment methodology — technical notes*
    (https://data.unescap.org/resource-guides/progress-assessment-methodology and
    https://data.unescap.org/dataviz/methodology/technical-notes.html): the anticipated progress
    index measures the gap between the predicted value of the indicator and its target, relative
    to the progress required from the base year. See :func:`escap_category` for the cut-offs.

    Returns
    -------
    (measure, anticipated) : tuple of float
        The measure (1 = the target is reached exactly; NaN when the target equals the base
        value or the years do not allow a projection) and ``X̂_T``.
    """
    if not (
        all(math.isfinite(v) for v in (base, current, target))
        and current_year > base_year
        and target_year >= current_year
    ):
        return math.nan, math.nan
    horizon = target_year - current_year
    if _growth_defined(base, current, target):
        rate = cagr(base, current, current_year - base_year)
        anticipated = current * (1.0 + rate) ** horizon
    else:
        anticipated = current + (current - base) / (current_year - base_year) * horizon
    anticipated = float(clip(np.array([anticipated]), bounds)[0])
    if target == base:
        return math.nan, anticipated
    return (anticipated - base) / (target - base), anticipated


def escap_category(
    measure: float, *, base: float, anticipated: float, target: float, direction: str
) -> str | None:
    """ESCAP category of an anticipated-progress measure.

    * ``'maintain progress'`` (保持) — the anticipated value reaches the target, i.e. measure >= 1;
    * ``'accelerate'`` (需加速) — 0 <= measure < 1: moving toward the target, too slowly;
    * ``'reverse trend'`` (扭转倒退) — measure < 0: moving away from it.

    The cut-off is 1, not 0.95: the ESCAP notes (see :func:`escap_measure`) define the index as
    the gap between predicted value and target, and ESCAP's dashboards label the groups
    "maintain progress to achieve target", "accelerate" and "reverse trend" (as used in ESCAP-based
    reports, e.g. PSA RSSO 1, https://rsso01.psa.gov.ph/statistics/sdg). The 95 % cut-off belongs
    to the Eurostat ratio (:func:`eurostat_band`). Where the base already met the target the
    measure's sign is meaningless; then the category is 'maintain progress' if the anticipated
    value still meets the target and 'reverse trend' otherwise.

    Returns
    -------
    str or None
        None when the anticipated value is unknown.
    """
    if not (math.isfinite(anticipated) and math.isfinite(target)):
        return None
    if meets(anticipated, target, direction):
        return "maintain progress"
    if meets(base, target, direction) or not math.isfinite(measure):
        return "reverse trend"
    return "accelerate" if measure >= 0 else "reverse trend"


def eurostat_ratio(
    base: float,
    current: float,
    target: float,
    *,
    base_year: int,
    current_year: int,
    target_year: int,
    direction: str,
) -> float:
    """Ratio of observed to required growth, in the direction of progress.

    With base, current and target all > 0 and target ≠ base (Eurostat's method):
    ``R = d · CAGR(base → current) / |CAGR(base → target)|``. Otherwise a growth rate toward or
    from 0 is undefined (or the required growth is 0), so linear change per year is used:
    ``R = d · observed / |required|`` with observed = (current − base) / (current_year −
    base_year) and required = (target − current) / (target_year − current_year). ``d`` is +1
    when higher is better and −1 when lower is better; it makes movement away from the target
    negative even where the base already met the target (the Statistics Canada refinement of
    Eurostat's ratio, open-sdg ``docs/progress-methodology.md``).

    Returns
    -------
    float
        NaN when the years leave no observed period or no time to the target, or the required
        change is zero.
    """
    sign = direction_sign(direction)
    if not all(math.isfinite(v) for v in (base, current, target)) or current_year <= base_year:
        return math.nan
    if _growth_defined(base, current, target) and target != base and target_year > base_year:
        observed = cagr(base, current, current_year - base_year)
        required = cagr(base, target, target_year - base_year)
    else:
        if target_year <= current_year:
            return math.nan
        observed = (current - base) / (current_year - base_year)
        required = (target - current) / (target_year - current_year)
    if required == 0:
        return math.nan
    return sign * observed / abs(required)


def eurostat_band(ratio: float, *, achieved: bool) -> str | None:
    """Eurostat band: 'achieved' if the current value meets the target, else by ratio.

    ratio >= 0.95 'on track'; 0.60–0.95 'acceleration needed'; 0–0.60 'limited progress';
    < 0 'deterioration' (open-sdg ``docs/progress-methodology.md``, after Eurostat). None when
    the ratio is NaN and the target is not yet achieved.
    """
    if achieved:
        return "achieved"
    if not math.isfinite(ratio):
        return None
    if ratio >= ON_TRACK_RATIO:
        return "on track"
    if ratio >= ACCELERATION_RATIO:
        return "acceleration needed"
    if ratio >= 0:
        return "limited progress"
    return "deterioration"
