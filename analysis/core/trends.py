"""Projections to the target year and target-attainment status (issue 5).

A township series has five or six annual points (2014–2019), so every projection carries an
interval, the model is chosen by back-testing rather than by in-sample fit, and a series too short
to say anything is refused with a reason a clerk can read.

Three layers:

* :func:`project` — one series → :class:`Projection` (chosen model, back-test error, interval and
  the predictive distribution on the model's scale).
* :func:`assess` — one series and one target → :class:`Assessment` (probability of meeting the
  target, the ESCAP anticipated-progress measure, the Eurostat ratio of observed to required
  growth, and one combined status in Chinese and English).
* :func:`assess_targets` — the batch entry point: the tidy indicator table and the targets table
  → one row per target plus one row per village and target indicator.

The formula helpers (:func:`cagr`, :func:`escap_measure`, :func:`escap_category`,
:func:`eurostat_ratio`, :func:`eurostat_band`) are public so that reports and tests can quote them.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from analysis.core.aggregate import township_series
from analysis.core.catalog import KINDS, Catalog, Indicator, default_catalog

# The words of the models and statuses live with every other word; imported here so that
# `trends.STATUS_ZH` and the others keep working.
from analysis.core.labels import ESCAP_ZH, EUROSTAT_ZH, MODEL_ZH, STATUS_ZH  # noqa: F401

#: Default central probability of the prediction interval.
DEFAULT_LEVEL = 0.8
#: Fewer points than this and no projection is made: two points fit any line exactly.
MIN_POINTS = 3
#: Rates are squeezed from [0, 1] into [ε, 1 − ε] before the logit so that 0 % and 100 % stay
#: finite; the squeeze is linear and exactly inverted, so a flat 100 % series projects 100 %.
LOGIT_EPSILON = 1e-3
#: Damped-trend ETS has five parameters (α, β, φ, initial level and trend); below this many
#: points in a fit its likelihood is flat and its intervals are fiction.
ETS_MIN_POINTS = 8
#: Eurostat bands for the ratio of observed to required growth.
ON_TRACK_RATIO = 0.95
ACCELERATION_RATIO = 0.60
#: Probability of meeting the target needed (with the Eurostat ratio) to call a target on track.
ON_TRACK_PROBABILITY = 0.5

_CODE = re.compile(r"^\d{12}$")

#: Columns of :func:`assess_targets`, in order.
COLUMNS = [
    "scope",
    "row_type",
    "indicator",
    "indicator_zh",
    "unit",
    "source",
    "target_year",
    "target",
    "direction",
    "base_year",
    "base_value",
    "last_year",
    "last_value",
    "n_points",
    "ok",
    "reason",
    "model",
    "backtest_mae",
    "candidates",
    "projected",
    "lower",
    "upper",
    "level",
    "probability",
    "escap_measure",
    "escap_category",
    "eurostat_ratio",
    "eurostat_band",
    "status_zh",
    "status_en",
    "required_change_per_year",
    "observed_change_per_year",
    "gap",
]


class _FitError(Exception):
    """A candidate model could not be fitted; the message says why."""


# --------------------------------------------------------------------------------------------
# Scales: every model is linear (or ETS) on one of these, and intervals are mapped back.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    name: str  # identity | log | logit
    lo: float
    hi: float

    def forward(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        if self.name == "log":
            # Values <= 0 map to -inf: "never reached" on a constant-growth model, no warning.
            with np.errstate(divide="ignore"):
                return np.log(np.maximum(y, 0.0))
        if self.name == "logit":
            p = np.clip((y - self.lo) / (self.hi - self.lo), 0.0, 1.0)
            p = LOGIT_EPSILON + (1.0 - 2.0 * LOGIT_EPSILON) * p
            return np.log(p / (1.0 - p))
        return y

    def backward(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if self.name == "log":
            return np.exp(z)
        if self.name == "logit":
            p = (1.0 / (1.0 + np.exp(-z)) - LOGIT_EPSILON) / (1.0 - 2.0 * LOGIT_EPSILON)
            return self.lo + (self.hi - self.lo) * p
        return z


def _clip(values: np.ndarray, bounds: tuple[float | None, float | None]) -> np.ndarray:
    lo, hi = bounds
    return np.clip(values, -np.inf if lo is None else lo, np.inf if hi is None else hi)


# --------------------------------------------------------------------------------------------
# Candidate models
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Forecast:
    """Predictive distribution on the model's scale for each forecast year."""

    loc: np.ndarray
    sd: np.ndarray
    df: float  # inf = normal
    lower: np.ndarray
    upper: np.ndarray


def _quantile(level: float, df: float) -> float:
    tail = (1.0 + level) / 2.0
    return float(stats.norm.ppf(tail) if math.isinf(df) else stats.t.ppf(tail, df))


@dataclass(frozen=True)
class _Model:
    name: str
    scale: _Scale
    method: str  # ols | ets

    def unusable(self, years: np.ndarray, values: np.ndarray, holdouts: int, target: float) -> str:
        """Why this candidate cannot be used on the series ('' if it can)."""
        if self.scale.name == "log" and np.any(values <= 0):
            return "needs every value > 0 (log scale)"
        if self.scale.name == "log" and target <= 0:
            # Its probability of reaching 0 would be 0 by construction, not by evidence.
            return "constant growth never reaches a target <= 0"
        if self.method == "ets":
            if np.any(np.diff(years) != 1):
                return "needs consecutive years (ETS has no notion of a gap)"
            if len(values) - holdouts < ETS_MIN_POINTS:
                return (
                    f"5 parameters: needs at least {ETS_MIN_POINTS} points in every back-test "
                    f"fit, i.e. {ETS_MIN_POINTS + holdouts}; have {len(values)}"
                )
        return ""

    def point(self, years: np.ndarray, values: np.ndarray, new_year: int) -> float:
        """Point forecast on the original scale (for back-testing)."""
        z = self.scale.forward(values)
        if self.method == "ols":
            # Back-testing needs only the OLS point prediction, which the closed-form simple
            # regression gives exactly; statsmodels is kept for the reported interval. This runs
            # several times per village, for thousands of villages.
            x = (years - years[-1]).astype(float)
            dx = x - x.mean()
            slope = float(dx @ (z - z.mean()) / (dx @ dx))
            z_new = z.mean() + slope * (new_year - years[-1] - x.mean())
        else:
            results = _fit_ets(z)
            z_new = float(results.forecast(new_year - years[-1]).iloc[-1])
        return float(self.scale.backward(np.array([z_new]))[0])

    def forecast(
        self, years: np.ndarray, values: np.ndarray, new_years: np.ndarray, level: float
    ) -> _Forecast:
        z = self.scale.forward(values)
        if self.method == "ols":
            design = np.column_stack([np.ones_like(years, dtype=float), years - years[-1]])
            new_design = np.column_stack([np.ones(len(new_years)), new_years - years[-1]])
            results = OLS(z, design).fit()
            prediction = results.get_prediction(new_design)
            # conf_int(obs=True) is what summary_frame() reports as obs_ci_lower/upper: the
            # interval for a new observation, not for the mean; computed without a DataFrame
            # per series because the batch runs this for thousands of villages.
            interval = prediction.conf_int(obs=True, alpha=1.0 - level)
            return _Forecast(
                loc=np.asarray(prediction.predicted_mean, dtype=float),
                sd=np.asarray(prediction.se_obs, dtype=float),
                df=float(results.df_resid),
                lower=interval[:, 0],
                upper=interval[:, 1],
            )
        results = _fit_ets(z)
        steps = len(new_years)
        prediction = results.get_prediction(start=len(z), end=len(z) + steps - 1)
        loc = np.asarray(prediction.predicted_mean, dtype=float)
        # statsmodels' variance uses the ML residual variance (SSE/n) and ignores parameter
        # uncertainty; with 5 parameters and ~10 points that is far too narrow, so scale it
        # to SSE/(n − k) and use Student t with n − k degrees of freedom.
        nobs, k = len(z), len(results.params)
        sd = np.sqrt(np.asarray(prediction.forecast_variance, dtype=float) * nobs / (nobs - k))
        if not (np.all(np.isfinite(loc)) and np.all(np.isfinite(sd))):
            raise _FitError("non-finite forecast")
        q = _quantile(level, nobs - k)
        return _Forecast(loc=loc, sd=sd, df=float(nobs - k), lower=loc - q * sd, upper=loc + q * sd)


def _fit_ets(z: np.ndarray) -> Any:
    # statsmodels 0.15 ETSResults.get_prediction fails on a bare ndarray ('no attribute index'),
    # so the endog is a Series with a RangeIndex.
    model = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            results = model.fit(disp=False)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as error:
            raise _FitError(f"fit failed: {error}") from error
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        raise _FitError("maximum likelihood did not converge")
    if not np.all(np.isfinite(results.params)):
        raise _FitError("non-finite parameters")
    return results


def _candidates(kind: str, bounds: tuple[float | None, float | None]) -> list[_Model]:
    if kind == "rate":
        lo, hi = bounds
        scale = _Scale("logit", float(lo), float(hi))  # type: ignore[arg-type]  # both set for rates
        return [_Model("logit-linear", scale, "ols"), _Model("damped ETS", scale, "ets")]
    identity = _Scale("identity", 0.0, 0.0)
    return [
        _Model("linear", identity, "ols"),
        _Model("log-linear", _Scale("log", 0.0, 0.0), "ols"),
        _Model("damped ETS", identity, "ets"),
    ]


def _resolve_bounds(
    kind: str, bounds: tuple[float | None, float | None] | list | None
) -> tuple[float | None, float | None]:
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {sorted(KINDS)}")
    lo, hi = (None, None) if bounds is None else (bounds[0], bounds[1])
    if kind == "rate":
        # A rate without stated bounds is a percentage.
        lo = 0.0 if lo is None else lo
        hi = 100.0 if hi is None else hi
    return (None if lo is None else float(lo), None if hi is None else float(hi))


# --------------------------------------------------------------------------------------------
# project
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateScore:
    """One candidate model's leave-last-out back-test.

    ``backtest_mae`` is NaN when the candidate was skipped; ``note`` then says why.
    """

    model: str
    backtest_mae: float
    note: str = ""


@dataclass(frozen=True)
class Projection:
    """A projection of one annual series to a target year.

    ``projected`` is the point forecast on the original scale (for log and logit models the
    back-transformed median); ``lower``/``upper`` the ``level`` prediction interval for a new
    observation, clipped to the indicator's bounds. ``loc``, ``sd``, ``df`` describe the
    predictive distribution (Student t, or normal when ``df`` is infinite) on the model's scale
    (``scale``: identity, log or logit) for the target year; :meth:`probability` uses it.
    ``path`` holds (year, projected, lower, upper) for every year after the last observation up to
    the target year, for charts.
    """

    ok: bool
    reason_zh: str
    reason_en: str
    target_year: int
    level: float
    n_points: int
    last_year: int | None
    last_value: float
    model: str | None
    backtest_mae: float
    projected: float
    lower: float
    upper: float
    candidates: tuple[CandidateScore, ...]
    path: tuple[tuple[int, float, float, float], ...]
    scale: str
    loc: float
    sd: float
    df: float
    bounds: tuple[float | None, float | None]

    @property
    def reason(self) -> str:
        """``'中文 / English'``, or ``''`` when the projection is fine."""
        return f"{self.reason_zh} / {self.reason_en}" if self.reason_zh else ""

    def candidates_text(self) -> str:
        """One line for tables: ``linear 1.2; log-linear 3.4; damped ETS skipped (…)``."""
        parts = []
        for c in self.candidates:
            if c.note:
                parts.append(f"{c.model} skipped ({c.note})")
            else:
                parts.append(f"{c.model} {c.backtest_mae:.4g}")
        return "; ".join(parts)

    def path_frame(self) -> pd.DataFrame:
        """The projected path as a DataFrame with columns year, projected, lower, upper."""
        return pd.DataFrame(list(self.path), columns=["year", "projected", "lower", "upper"])

    def probability(self, target: float, direction: str) -> float:
        """P(value in the target year meets ``target``) under the chosen model.

        Parameters
        ----------
        target : float
            Target value in the indicator's unit.
        direction : {'higher', 'lower'}
            'lower': P(value <= target); 'higher': P(value >= target).

        Returns
        -------
        float
            A probability, or NaN when there is no projection or no target. Clipping at a bound
            is respected: a count cannot fall below 0, so P(count <= -1) is 0.
        """
        sign = _direction_sign(direction)
        if not self.ok or not math.isfinite(target):
            return math.nan
        lo, hi = self.bounds
        if lo is not None and target < lo:
            return 0.0 if sign < 0 else 1.0
        if hi is not None and target > hi:
            return 1.0 if sign < 0 else 0.0
        scale = _Scale(self.scale, lo or 0.0, hi or 0.0)
        z_target = float(scale.forward(np.array([target]))[0])
        if math.isinf(z_target):
            below = 1.0 if z_target > 0 else 0.0
        elif self.sd <= 1e-12 * max(1.0, abs(self.loc)):
            # A perfect fit (flat or exact series): the forecast is a point, and a point exactly
            # on the target meets it whichever the direction.
            tolerance = 1e-9 * max(1.0, abs(z_target))
            if sign < 0:
                return 1.0 if self.loc <= z_target + tolerance else 0.0
            return 1.0 if self.loc >= z_target - tolerance else 0.0
        else:
            distance = (z_target - self.loc) / self.sd
            if math.isinf(self.df):
                below = float(stats.norm.cdf(distance))
            else:
                below = float(stats.t.cdf(distance, self.df))
        return below if sign < 0 else 1.0 - below


def _clean(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Years (int) and values (float), NaN dropped, sorted by year."""
    series = pd.Series(series)
    return _clean_arrays(np.asarray(series.index, dtype=float), series.to_numpy(dtype=float))


def _clean_arrays(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    if years.size and not np.all(years == np.round(years)):
        raise ValueError("series must be indexed by whole years")
    years = years.astype(np.int64)
    if np.unique(years).size != years.size:
        raise ValueError("series has the same year twice")
    order = np.argsort(years, kind="stable")
    return years[order], values[order]


def _refusal(
    zh: str,
    en: str,
    target_year: int,
    level: float,
    years: np.ndarray,
    values: np.ndarray,
    bounds: tuple[float | None, float | None],
    candidates: tuple[CandidateScore, ...] = (),
) -> Projection:
    return Projection(
        ok=False,
        reason_zh=zh,
        reason_en=en,
        target_year=int(target_year),
        level=level,
        n_points=len(values),
        last_year=int(years[-1]) if len(years) else None,
        last_value=float(values[-1]) if len(values) else math.nan,
        model=None,
        backtest_mae=math.nan,
        projected=math.nan,
        lower=math.nan,
        upper=math.nan,
        candidates=candidates,
        path=(),
        scale="identity",
        loc=math.nan,
        sd=math.nan,
        df=math.nan,
        bounds=bounds,
    )


def _backtest(
    model: _Model,
    years: np.ndarray,
    values: np.ndarray,
    holdouts: int,
    bounds: tuple[float | None, float | None],
) -> float:
    """Mean absolute error of rolling-origin one-step-ahead forecasts of the last points.

    Each held-out point is predicted from the points before it only, which mirrors how the
    target year is forecast from the latest data.
    """
    errors = []
    for cut in range(len(values) - holdouts, len(values)):
        predicted = model.point(years[:cut], values[:cut], int(years[cut]))
        predicted = float(_clip(np.array([predicted]), bounds)[0])
        errors.append(abs(predicted - values[cut]))
    return float(np.mean(errors))


def _project_arrays(
    years: np.ndarray,
    values: np.ndarray,
    target_year: int,
    kind: str,
    bounds: tuple[float | None, float | None],
    level: float,
    target: float = math.nan,
) -> Projection:
    n = len(values)
    if n < MIN_POINTS:
        unit = "point" if n == 1 else "points"
        return _refusal(
            f"只有{n}个年度数据点，至少需要{MIN_POINTS}个才能预测",
            f"only {n} annual {unit}; at least {MIN_POINTS} are needed",
            target_year,
            level,
            years,
            values,
            bounds,
        )
    if target_year <= years[-1]:
        return _refusal(
            f"目标年份{target_year}不晚于最新数据年份{years[-1]}，直接比较实际值",
            f"target year {target_year} is not after the latest year {years[-1]}; "
            "compare the observed value",
            target_year,
            level,
            years,
            values,
            bounds,
        )
    holdouts = max(1, min(2, n - 3))
    models = _candidates(kind, bounds)
    scores: list[CandidateScore] = []
    for model in models:
        reason = model.unusable(years, values, holdouts, target)
        if not reason:
            try:
                scores.append(
                    CandidateScore(model.name, _backtest(model, years, values, holdouts, bounds))
                )
                continue
            except _FitError as error:
                reason = str(error)
        scores.append(CandidateScore(model.name, math.nan, reason))

    # Smallest back-test error wins; near-ties go to the simpler model listed first.
    tolerance = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    scored = [(s.backtest_mae, i) for i, s in enumerate(scores) if not s.note]
    best = min((mae for mae, _ in scored), default=math.nan)
    ranked = sorted(scored, key=lambda item: (item[0] > best + tolerance, item[0], item[1]))
    new_years = np.arange(int(years[-1]) + 1, int(target_year) + 1)
    for _, index in ranked:
        model = models[index]
        try:
            forecast = model.forecast(years, values, new_years, level)
        except _FitError as error:
            scores[index] = CandidateScore(model.name, scores[index].backtest_mae, str(error))
            continue
        mean = _clip(model.scale.backward(forecast.loc), bounds)
        lower = _clip(model.scale.backward(forecast.lower), bounds)
        upper = _clip(model.scale.backward(forecast.upper), bounds)
        path = tuple(
            (int(y), float(m), float(lo), float(hi))
            for y, m, lo, hi in zip(new_years, mean, lower, upper, strict=True)
        )
        return Projection(
            ok=True,
            reason_zh="",
            reason_en="",
            target_year=int(target_year),
            level=level,
            n_points=n,
            last_year=int(years[-1]),
            last_value=float(values[-1]),
            model=model.name,
            backtest_mae=scores[index].backtest_mae,
            projected=float(mean[-1]),
            lower=float(lower[-1]),
            upper=float(upper[-1]),
            candidates=tuple(scores),
            path=path,
            scale=model.scale.name,
            loc=float(forecast.loc[-1]),
            sd=float(forecast.sd[-1]),
            df=forecast.df,
            bounds=bounds,
        )
    return _refusal(
        "所有候选模型均无法拟合",
        "no candidate model could be fitted",
        target_year,
        level,
        years,
        values,
        bounds,
        tuple(scores),
    )


def project(
    series: pd.Series,
    target_year: int,
    *,
    kind: str,
    bounds: tuple[float | None, float | None] | list | None = None,
    level: float = DEFAULT_LEVEL,
) -> Projection:
    """Project an annual series to ``target_year`` with a prediction interval.

    Candidates (statsmodels fits):

    * ``linear`` — OLS on year; interval = OLS observation interval (``obs_ci_lower/upper``).
    * ``log-linear`` — OLS on log(value), constant growth rate; only when every value > 0 (and,
      in :func:`assess`, the target > 0: constant growth never reaches 0, so it would call every
      zero target impossible by construction); back-transformed (the point is the median).
    * ``logit-linear`` — for ``kind == 'rate'`` instead of the two above: OLS on the logit of
      the value's position within ``bounds``, squeezed by :data:`LOGIT_EPSILON`, so the interval
      never leaves the bounds.
    * ``damped ETS`` — ``ETSModel(error='add', trend='add', damped_trend=True)`` with its exact
      prediction variance, rescaled for the degrees of freedom spent on 5 parameters; only with
      consecutive years and at least :data:`ETS_MIN_POINTS` points per back-test fit, so with
      five or six points it is skipped and the reason recorded.

    The candidate with the smallest leave-last-out back-test error wins (the last
    ``min(2, n − 3)`` points, at least 1, each predicted from the points before it; mean absolute
    error on the original scale). Projections and intervals are clipped to ``bounds``: a count
    never goes below 0.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by int year; gaps allowed, NaN dropped.
    target_year : int
        Year to project to; must be after the last observation.
    kind : str
        Catalog kind: count, rate, amount, area or length.
    bounds : (lower, upper), optional
        Natural limits (None for open). A rate without bounds is taken as [0, 100].
    level : float, default 0.8
        Central probability of the prediction interval.

    Returns
    -------
    Projection
        ``ok`` is False, with a reason in Chinese and English, for fewer than
        :data:`MIN_POINTS` points or a target year not after the last observation.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    resolved = _resolve_bounds(kind, bounds)
    years, values = _clean(series)
    return _project_arrays(years, values, int(target_year), kind, resolved, level)


# --------------------------------------------------------------------------------------------
# Progress measures
# --------------------------------------------------------------------------------------------


def _direction_sign(direction: str) -> int:
    if direction == "higher":
        return 1
    if direction == "lower":
        return -1
    raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")


def _meets(value: float, target: float, direction: str) -> bool:
    if not (math.isfinite(value) and math.isfinite(target)):
        return False
    return value >= target if _direction_sign(direction) > 0 else value <= target


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
    anticipated = float(_clip(np.array([anticipated]), bounds)[0])
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
    if _meets(anticipated, target, direction):
        return "maintain progress"
    if _meets(base, target, direction) or not math.isfinite(measure):
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
    sign = _direction_sign(direction)
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


# --------------------------------------------------------------------------------------------
# assess
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """A target assessed against a series; see :func:`assess` for the rules."""

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
        """Flat record with the :data:`COLUMNS` an assessment knows (no scope or indicator)."""
        p = self.projection
        return {
            "target_year": self.target_year,
            "target": self.target,
            "direction": self.direction,
            "base_year": self.base_year,
            "base_value": self.base_value,
            "last_year": self.last_year,
            "last_value": self.last_value,
            "n_points": p.n_points,
            "ok": p.ok,
            "reason": p.reason,
            "model": p.model,
            "backtest_mae": p.backtest_mae,
            "candidates": p.candidates_text(),
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
            "required_change_per_year": self.required_change_per_year,
            "observed_change_per_year": self.observed_change_per_year,
            "gap": self.gap,
        }


def _status(
    target: float,
    achieved: bool,
    projection: Projection,
    probability: float,
    ratio: float,
    observed: float,
    direction: str,
) -> str:
    if not math.isfinite(target):
        return "no target"
    if achieved:
        return "achieved"
    if not projection.ok:
        return "insufficient data"
    # Same sign as the Eurostat ratio; the projected step stands in when there is no period
    # since the base year.
    change = observed if math.isfinite(observed) else projection.projected - projection.last_value
    if _direction_sign(direction) * change < 0:
        return "deteriorating"
    if probability >= ON_TRACK_PROBABILITY and (
        not math.isfinite(ratio) or ratio >= ON_TRACK_RATIO
    ):
        return "on track"
    return "acceleration needed"


def _assess_arrays(
    years: np.ndarray,
    values: np.ndarray,
    target: float,
    target_year: int,
    base_year: int | None,
    direction: str,
    kind: str,
    bounds: tuple[float | None, float | None],
    level: float,
) -> Assessment:
    _direction_sign(direction)
    projection = _project_arrays(years, values, target_year, kind, bounds, level, target)
    if len(values):
        start = years[0] if base_year is None else base_year
        # The base is the value at the base year, or the first observation after it.
        after = np.flatnonzero(years >= start)
        base_index = int(after[0]) if after.size else len(values) - 1
        base_y, base_v = int(years[base_index]), float(values[base_index])
        last_y, last_v = int(years[-1]), float(values[-1])
    else:
        base_y, base_v, last_y, last_v = None, math.nan, None, math.nan

    observed = required = ratio = measure = anticipated = math.nan
    category = band = None
    achieved = _meets(last_v, target, direction)
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
    status_en = _status(target, achieved, projection, probability, ratio, observed, direction)
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
    )


def assess(
    series: pd.Series,
    target: float,
    target_year: int,
    *,
    base_year: int | None,
    direction: str,
    kind: str = "count",
    bounds: tuple[float | None, float | None] | list | None = None,
    level: float = DEFAULT_LEVEL,
) -> Assessment:
    """Assess whether ``target`` will be met in ``target_year``.

    Status rule (``status_en`` → ``status_zh``), first match wins:

    1. no target (NaN) → 'no target' 无目标 (village rows: projection only);
    2. the latest value already meets the target → 'achieved' 已达成 (an observation, no model
       needed, so it holds even for a short series);
    3. no projection (fewer than 3 points; the reason column says which) → 'insufficient data'
       数据不足;
    4. moving away from the target — Eurostat ratio < 0, i.e. the change since the base year is
       in the wrong direction (if there is no period since the base year, the projected change
       from the latest value decides) → 'deteriorating' 倒退;
    5. probability of meeting the target >= 0.5 and Eurostat ratio >= 0.95 (or undefined) →
       'on track' 有望达成 — both the fitted model and the plain pace test must agree, because
       with five or six points neither is trustworthy alone;
    6. otherwise → 'acceleration needed' 需加速.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by int year; NaN dropped.
    target : float
        Target value in the indicator's unit; NaN for "no target" (projection only).
    target_year : int
        Year the target is due.
    base_year : int or None
        Base year of the ESCAP and Eurostat measures (the first observation at or after it is
        used); None means the first observed year.
    direction : {'higher', 'lower'}
        Which way is better.
    kind : str, default 'count'
        Catalog kind; 'rate' uses the logit model.
    bounds : (lower, upper), optional
        Natural limits, e.g. (0, None) for counts, (0, 100) for rates.
    level : float, default 0.8
        Central probability of the prediction interval.

    Returns
    -------
    Assessment
        ``probability`` is P(value <= target) for 'lower', P(value >= target) for 'higher', under
        the chosen model's predictive distribution (Student t on its own scale).
        ``required_change_per_year`` = (target − latest) / (target_year − latest_year);
        ``observed_change_per_year`` = (latest − base) / (latest_year − base_year);
        ``gap`` = target − projected, in the indicator's unit.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    resolved = _resolve_bounds(kind, bounds)
    years, values = _clean(series)
    return _assess_arrays(
        years, values, float(target), int(target_year), base_year, direction, kind, resolved, level
    )


# --------------------------------------------------------------------------------------------
# Batch
# --------------------------------------------------------------------------------------------


def _scope_codes(scope: str) -> list[str] | None:
    """None for 'township', else the village codes; raises on anything else."""
    scope = scope.strip()
    if scope == "township":
        return None
    codes = [code.strip() for code in scope.split(";") if code.strip()]
    bad = [code for code in codes if not _CODE.match(code)]
    if not codes or bad:
        raise ValueError(
            f"target scope {scope!r}: use 'township', a 12-digit village code, or codes "
            "joined by ';'"
        )
    return codes


def _row(
    scope: str,
    row_type: str,
    ind: Indicator,
    source: str,
    years: np.ndarray,
    values: np.ndarray,
    target: float,
    target_year: int,
    base_year: int | None,
    level: float,
) -> dict[str, Any]:
    bounds = _resolve_bounds(ind.kind, ind.bounds)
    result = _assess_arrays(
        years, values, target, target_year, base_year, ind.direction, ind.kind, bounds, level
    )
    return {
        "scope": scope,
        "row_type": row_type,
        "indicator": ind.id,
        "indicator_zh": ind.zh,
        "unit": ind.unit,
        "source": source,
        **result.to_dict(),
    }


def assess_targets(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    level: float = DEFAULT_LEVEL,
    township: pd.DataFrame | None = None,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Assess every target, and project every village for the township-scoped indicators.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Tidy table: village_code (12-digit str), year (int), indicator (catalog id), value.
    targets : pandas.DataFrame
        scope ('township', a 12-digit village code, or codes joined by ';' for the sum — or, for
        rates, the weighted mean — over those villages), indicator, target_year, target_value,
        source.
    catalog : Catalog, optional
        Defaults to the package catalog.
    level : float, default 0.8
        Central probability of the prediction intervals.
    township : pandas.DataFrame, optional
        Township aggregates (year, indicator, value), e.g. from ``analysis.pipeline.prepare``; when None
        they are computed with :func:`township_series`.
    base_year : int, optional
        Base year of the progress measures; None means each series' first observed year.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`. ``row_type`` 'target' rows (one per target) come first, sorted by scope
        (township first), indicator and target year; then 'village' rows, one per village and
        indicator with a township target, carrying target NaN and status 'no target' / 无目标.
        Deterministic: no simulation is used.
    """
    catalog = catalog or default_catalog()
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    tidy = indicators.loc[:, ["village_code", "year", "indicator", "value"]].copy()
    tidy["village_code"] = tidy["village_code"].astype(str)
    tidy["year"] = tidy["year"].astype(int)
    tidy["value"] = tidy["value"].astype(float)
    duplicated = tidy.duplicated(["village_code", "year", "indicator"])
    if duplicated.any():
        first = tidy[duplicated].iloc[0]
        raise ValueError(
            f"indicator table has {int(duplicated.sum())} duplicate rows, e.g. village "
            f"{first['village_code']}, {first['year']}, {first['indicator']}"
        )

    target_ids = sorted(set(targets["indicator"].astype(str)))
    unknown = [i for i in target_ids if i not in catalog]
    if unknown:
        raise KeyError(f"target indicators not in the catalog: {unknown}")
    weight_ids = {catalog[i].weight for i in target_ids if catalog[i].weight}
    # Only the villages' series for target indicators (and their weights) are ever touched, so
    # the cost grows with villages × targeted indicators, not with the whole table.
    relevant = tidy[tidy["indicator"].isin(set(target_ids) | weight_ids)]
    town = township_series(relevant, catalog) if township is None else township
    empty = (np.array([], dtype=np.int64), np.array([], dtype=float))

    def split(frame: pd.DataFrame, keys: list[str]) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
        # One groupby pass to positions, then plain arrays: pandas objects per village would
        # cost more than the projection itself.
        years = frame["year"].to_numpy(dtype=float)
        values = frame["value"].to_numpy(dtype=float)
        groups = frame.groupby(keys if len(keys) > 1 else keys[0], sort=False).indices
        return {key: _clean_arrays(years[idx], values[idx]) for key, idx in groups.items()}

    village_series = split(relevant, ["village_code", "indicator"])
    town_series = split(town, ["indicator"])

    rows = []
    for target in targets.itertuples(index=False):
        ind = catalog[str(target.indicator)]
        scope = str(target.scope).strip()
        codes = _scope_codes(scope)
        if codes is None:
            years, values = town_series.get(ind.id, empty)
        elif len(codes) == 1:
            years, values = village_series.get((codes[0], ind.id), empty)
        else:
            subset = relevant[relevant["village_code"].isin(codes)]
            # A year counts only when every listed village reported it: a partial sum is wrong.
            reported = subset[subset["indicator"] == ind.id].groupby("year")["village_code"]
            complete = reported.nunique()
            complete_years = complete.index[complete == len(codes)]
            subset = subset[subset["year"].isin(complete_years)]
            aggregated = township_series(subset, catalog)
            years, values = split(aggregated, ["indicator"]).get(ind.id, empty)
        rows.append(
            _row(
                scope,
                "target",
                ind,
                "" if pd.isna(target.source) else str(target.source),
                years,
                values,
                float(target.target_value),
                int(target.target_year),
                base_year,
                level,
            )
        )

    township_targets = targets[targets["scope"].astype(str).str.strip() == "township"]
    township_levels = {
        (str(t.indicator), int(t.target_year)): float(t.target_value)
        for t in township_targets.itertuples(index=False)
    }
    villages = sorted(tidy["village_code"].unique())
    for (indicator_id, target_year), township_value in sorted(township_levels.items()):
        ind = catalog[indicator_id]
        # A township rate (参保率 90%) or a count to bring to zero applies to every village as
        # it stands; a township total (65 km of road) says nothing about one village's share.
        applies = ind.kind == "rate" or township_value == 0
        village_target = township_value if applies else math.nan
        source = "全镇目标 township target" if applies else ""
        for code in villages:
            years, values = village_series.get((code, indicator_id), empty)
            rows.append(
                _row(
                    code,
                    "village",
                    ind,
                    source,
                    years,
                    values,
                    village_target,
                    target_year,
                    base_year,
                    level,
                )
            )

    result = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("base_year", "last_year"):
        result[column] = result[column].astype("Int64")
    order = pd.DataFrame(
        {
            "row": (result["row_type"] != "target").astype(int),
            "town": (result["scope"] != "township").astype(int),
            "scope": result["scope"],
            "indicator": result["indicator"],
            "year": result["target_year"],
        }
    ).sort_values(["row", "town", "scope", "indicator", "year"], kind="stable")
    return result.loc[order.index].reset_index(drop=True)
