"""The candidate models of a projection, as pure functions on numpy arrays.

Each model is fitted to one annual series — ``x`` the years counted from the last observation,
``z`` the values on the model's scale — and gives the predictive distribution for new years on
that scale: Student t with ``loc``, ``sd`` and ``df`` (:class:`Predictive`). Nothing here knows
pandas or the catalog, so a batch over many villages can call the same arithmetic.

* ``ols``   — least squares on the year (linear, log-linear, logit-linear): deviations from
  the line are independent noise;
* ``drift`` — anchored at the last observation, moving by the mean yearly change (drift,
  log-drift, logit-drift): each year adds to the last, as a running total does;
* ``ets``   — damped-trend exponential smoothing (statsmodels), for long series only.

:func:`rolling_origin` back-tests a model by forecasting each later point from the points before
it; its errors choose the model (:func:`mean_abs_error`) and widen the chosen model's interval
(:func:`widening`), because a model chosen for fitting the past best is over-confident about
the future.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

#: Rates are squeezed from [0, 1] into [ε, 1 − ε] before the logit so that 0 % and 100 % stay
#: finite; the squeeze is linear and exactly inverted, so a flat 100 % series projects 100 %.
LOGIT_EPSILON = 1e-3
#: Damped-trend ETS has five parameters (α, β, φ, initial level and trend); below this many
#: points in a fit its likelihood is flat and its intervals are fiction.
ETS_MIN_POINTS = 8
#: Fewest points a least-squares or drift interval is made from (one degree of freedom left);
#: from two points they give a point forecast only (for back-testing a three-point series).
FIT_MIN_POINTS = 3
#: A back-test error is turned into a normal score through its t distribution; a probability
#: this close to 0 or 1 is taken as the limit, so one wild miss widens the interval a lot
#: (about 3.1 standard scores) without making it infinite.
SCORE_LIMIT = 1e-3


class FitError(Exception):
    """A candidate model could not be fitted; the message says why."""


@dataclass(frozen=True)
class Scale:
    """The scale a model is linear on: ``identity``, ``log`` or ``logit`` within [lo, hi]."""

    name: str
    lo: float = 0.0
    hi: float = 0.0

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


@dataclass(frozen=True)
class Predictive:
    """Student-t predictive distribution on the model's scale, one entry per new year."""

    loc: np.ndarray
    sd: np.ndarray
    df: float


def t_quantile(p: float | np.ndarray, df: float) -> Any:
    """Quantile of Student t (normal where ``df`` is infinite)."""
    return special.ndtri(p) if math.isinf(df) else special.stdtrit(df, p)


def t_cdf(t: float | np.ndarray, df: float) -> Any:
    """Distribution function of Student t (normal where ``df`` is infinite)."""
    return special.ndtr(t) if math.isinf(df) else special.stdtr(df, t)


def ols(x: np.ndarray, z: np.ndarray, new_x: np.ndarray) -> Predictive:
    """Least squares on the year; the interval for a new observation (not for the mean).

    The same numbers as statsmodels' ``OLS(...).get_prediction(...).summary_frame()``
    ``obs_ci_lower/upper``, in closed form. ``z`` is one series or a 2-D array of series
    (one a row) sharing the years ``x``: the batch fits thousands of villages in one call.
    """
    n = len(x)
    centre = x.mean()
    dx = x - centre
    sxx = float(np.sum(dx * dx))
    mean = z.mean(axis=-1, keepdims=True)
    slope = np.sum((z - mean) * dx, axis=-1, keepdims=True) / sxx
    residuals = z - (mean + slope * dx)
    df = n - 2
    variance = np.sum(residuals * residuals, axis=-1, keepdims=True) / df if df > 0 else math.nan
    offset = np.asarray(new_x, dtype=float) - centre
    loc = mean + slope * offset
    sd = np.sqrt(variance * (1.0 + 1.0 / n + offset**2 / sxx))
    return Predictive(loc=loc, sd=sd, df=float(df))


def drift(x: np.ndarray, z: np.ndarray, new_x: np.ndarray) -> Predictive:
    """Random walk with drift: the last value plus the mean yearly change since the first.

    A gap of g years counts as g steps (its change has g times a year's variance). The
    variance of an h-year forecast adds the steps to come and the uncertainty of the mean
    change: ``σ² (h + h² / span)``. ``z`` is one series or one a row, as for :func:`ols`.
    """
    span = float(x[-1] - x[0])
    slope = (z[..., -1:] - z[..., :1]) / span
    gaps = np.diff(x)
    steps = np.diff(z, axis=-1)
    df = steps.shape[-1] - 1
    misfit = (steps - slope * gaps) ** 2 / gaps
    variance = np.sum(misfit, axis=-1, keepdims=True) / df if df > 0 else math.nan
    h = np.asarray(new_x, dtype=float) - x[-1]
    loc = z[..., -1:] + slope * h
    sd = np.sqrt(variance * (h + h**2 / span))
    return Predictive(loc=loc, sd=sd, df=float(df))


def fit_ets(z: np.ndarray) -> Any:
    """Damped-trend ETS fitted by maximum likelihood; :class:`FitError` when it fails."""
    # Imported here: statsmodels brings scipy.stats, a second of start-up for every command,
    # and ETS runs only on series of ETS_MIN_POINTS or more (warm kernels import it beforehand).
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # statsmodels 0.15 ETSResults.get_prediction fails on a bare ndarray ('no attribute index'),
    # so the endog is a Series with a RangeIndex.
    model = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            results = model.fit(disp=False)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as error:
            raise FitError(f"fit failed: {error}") from error
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        raise FitError("maximum likelihood did not converge")
    if not np.all(np.isfinite(results.params)):
        raise FitError("non-finite parameters")
    return results


def ets(x: np.ndarray, z: np.ndarray, new_x: np.ndarray) -> Predictive:
    """Damped-trend ETS with its exact prediction variance, rescaled for 5 parameters."""
    results = fit_ets(z)
    steps = int(np.max(new_x) - x[-1])
    prediction = results.get_prediction(start=len(z), end=len(z) + steps - 1)
    wanted = (np.asarray(new_x) - x[-1] - 1).astype(int)
    loc = np.asarray(prediction.predicted_mean, dtype=float)[wanted]
    # statsmodels' variance uses the ML residual variance (SSE/n) and ignores parameter
    # uncertainty; with 5 parameters and ~10 points that is far too narrow, so scale it
    # to SSE/(n − k) and use Student t with n − k degrees of freedom.
    nobs, k = len(z), len(results.params)
    variance = np.asarray(prediction.forecast_variance, dtype=float)[wanted]
    sd = np.sqrt(variance * nobs / (nobs - k))
    if not (np.all(np.isfinite(loc)) and np.all(np.isfinite(sd))):
        raise FitError("non-finite forecast")
    return Predictive(loc=loc, sd=sd, df=float(nobs - k))


_METHODS = {"ols": ols, "drift": drift, "ets": ets}


@dataclass(frozen=True)
class Model:
    """A candidate: a fitting method on a scale."""

    name: str
    scale: Scale
    method: str  # ols | drift | ets

    @property
    def min_points(self) -> int:
        """Fewest points a point forecast is made from."""
        return ETS_MIN_POINTS if self.method == "ets" else 2

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

    def predict(self, years: np.ndarray, values: np.ndarray, new_years: np.ndarray) -> Predictive:
        """Fit on ``(years, values)`` and forecast ``new_years``, on the model's scale."""
        x = (years - years[-1]).astype(float)
        new_x = (np.asarray(new_years) - years[-1]).astype(float)
        return _METHODS[self.method](x, self.scale.forward(values), new_x)


def candidates(
    kind: str, bounds: tuple[float | None, float | None], cumulative: bool
) -> list[Model]:
    """The models tried for a series, simplest first (a near-tie goes to the earlier one).

    A rate is modelled on the logit of its place within ``bounds``, so it never leaves them. A
    cumulative stock is a sum of yearly additions, which never revert to a line: only the
    models anchored at the last value describe it.
    """
    if kind == "rate":
        lo, hi = bounds
        scale = Scale("logit", float(lo), float(hi))  # type: ignore[arg-type]  # both set for rates
        return [
            Model("logit-linear", scale, "ols"),
            Model("logit-drift", scale, "drift"),
            Model("damped ETS", scale, "ets"),
        ]
    identity, log = Scale("identity"), Scale("log")
    if cumulative:
        return [Model("drift", identity, "drift"), Model("log-drift", log, "drift")]
    return [
        Model("linear", identity, "ols"),
        Model("log-linear", log, "ols"),
        Model("drift", identity, "drift"),
        Model("damped ETS", identity, "ets"),
    ]


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin one-step forecasts of a series' later points.

    ``errors`` are absolute errors on the original scale (after clipping, as a projection would
    be); ``scores`` the same misses as normal scores of the model's own predictive
    distribution at each origin (0 where the model claimed certainty and was exact).
    """

    errors: np.ndarray
    scores: np.ndarray


def rolling_origin(
    model: Model,
    years: np.ndarray,
    values: np.ndarray,
    first: int,
    lo: float,
    hi: float,
    cumulative: bool,
) -> Backtest:
    """Forecast each point from index ``first`` on from the points before it only.

    This mirrors how the target year is forecast from the latest data. ``lo``/``hi`` clip the
    point forecasts; a cumulative stock's forecast is also held at or above the last value
    its fit saw. ``values`` is one series or one a row sharing ``years`` (ETS: one series);
    the errors and scores then have one row per series, one column per origin.
    """
    errors, scores = [], []
    for cut in range(max(first, model.min_points), values.shape[-1]):
        # A two-point fit has no spread to score against: its score is NaN, left out.
        predictive = model.predict(years[:cut], values[..., :cut], years[cut : cut + 1])
        loc, sd = predictive.loc[..., 0], predictive.sd[..., 0]
        point = np.clip(model.scale.backward(loc), lo, hi)
        if cumulative:
            point = np.maximum(point, values[..., cut - 1])
        errors.append(np.abs(point - values[..., cut]))
        miss = model.scale.forward(values[..., cut]) - loc
        scores.append(normal_score(miss, sd, predictive.df))
    if not errors:
        empty = np.empty((*values.shape[:-1], 0))
        return Backtest(errors=empty, scores=empty)
    return Backtest(errors=np.stack(errors, axis=-1), scores=np.stack(scores, axis=-1))


def normal_score(miss: np.ndarray, sd: np.ndarray, df: float) -> np.ndarray:
    """A back-test miss as a normal score of the forecast's own t distribution, elementwise."""
    miss, sd = np.asarray(miss, dtype=float), np.asarray(sd, dtype=float)
    if df < 1:
        return np.full(np.broadcast(miss, sd).shape, math.nan)
    # A perfect fit predicts a point: right is a score of 0, wrong is the largest miss.
    exact = sd <= 1e-12 * np.maximum(1.0, np.abs(miss))
    point = np.where(np.abs(miss) <= 1e-9, 0.0, special.ndtri(1.0 - SCORE_LIMIT))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(t_cdf(miss / sd, df), SCORE_LIMIT, 1.0 - SCORE_LIMIT)
    return np.where(exact, point, special.ndtri(p))


def mean_abs_error(backtest: Backtest, holdouts: int) -> Any:
    """The selection score: mean absolute error of the last ``holdouts`` one-step forecasts
    (one per series for a batch)."""
    return np.mean(backtest.errors[..., -holdouts:], axis=-1)


def widening(backtest: Backtest) -> Any:
    """How much to widen the chosen model's interval: root mean square of its back-test normal
    scores, never below 1 (one per series for a batch).

    A model whose intervals were right would give scores of about unit spread; a larger spread
    says its own interval is too narrow for this series, by that factor. It is never narrowed:
    a few lucky back-test points prove nothing.
    """
    finite = np.isfinite(backtest.scores)
    count = finite.sum(axis=-1)
    squares = np.where(finite, backtest.scores, 0.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        rms = np.sqrt(np.sum(squares, axis=-1) / count)
    return np.where(count == 0, 1.0, np.maximum(1.0, rms))
