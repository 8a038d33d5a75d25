"""One annual series projected to a target year, with an interval that holds what it claims.

:func:`project` tries the candidate models of :mod:`analysis.core.trends.models`, chooses the
one whose rolling-origin back-test missed least, and widens that model's own interval by how
far its back-test misses exceeded what the interval promised (:func:`models.widening`). A
cumulative stock (the catalog's ``cumulative``) is never projected below its latest value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.catalog import KINDS
from analysis.core.trends import models

#: Default central probability of the prediction interval.
DEFAULT_LEVEL = 0.8
#: Fewer points than this and no projection is made: two points fit any line exactly.
MIN_POINTS = 3

Bounds = tuple[float | None, float | None]


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
    observation, widened by the back-test (``widening`` ≥ 1 is the factor) and clipped to the
    indicator's bounds and, for a cumulative stock, to its latest value (``floor``). ``loc``,
    ``sd``, ``df`` describe the predictive distribution (Student t, or normal when ``df`` is
    infinite) on the model's scale (``scale``: identity, log or logit) for the target year, the
    widening included; :meth:`probability` uses it. ``path`` holds (year, projected, lower,
    upper) for every year after the last observation up to the target year, for charts.
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
    bounds: Bounds
    widening: float = 1.0
    floor: float | None = None

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
            A probability, or NaN when there is no projection or no target. Clipping is
            respected: a count cannot fall below 0, so P(count <= -1) is 0, and a cumulative
            stock cannot fall below its latest value.
        """
        sign = direction_sign(direction)
        if not self.ok or not math.isfinite(target):
            return math.nan
        lo, hi = self.bounds
        floor = lo if self.floor is None else max(self.floor, -math.inf if lo is None else lo)
        if floor is not None and target < floor:
            return 0.0 if sign < 0 else 1.0
        if hi is not None and target > hi:
            return 1.0 if sign < 0 else 0.0
        scale = models.Scale(self.scale, lo or 0.0, hi or 0.0)
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
            below = float(models.t_cdf((z_target - self.loc) / self.sd, self.df))
        return below if sign < 0 else 1.0 - below


def direction_sign(direction: str) -> int:
    """+1 where higher is better, −1 where lower is; ValueError for anything else."""
    if direction == "higher":
        return 1
    if direction == "lower":
        return -1
    raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")


def clip(values: np.ndarray, bounds: Bounds) -> np.ndarray:
    """``values`` held within ``bounds`` (None = open)."""
    lo, hi = bounds
    return np.clip(values, -np.inf if lo is None else lo, np.inf if hi is None else hi)


def resolve_bounds(kind: str, bounds: Bounds | list | None) -> Bounds:
    """The bounds a projection uses: a rate without stated bounds is a percentage."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {sorted(KINDS)}")
    lo, hi = (None, None) if bounds is None else (bounds[0], bounds[1])
    if kind == "rate":
        lo = 0.0 if lo is None else lo
        hi = 100.0 if hi is None else hi
    return (None if lo is None else float(lo), None if hi is None else float(hi))


def clean(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Years (int) and values (float), NaN dropped, sorted by year."""
    series = pd.Series(series)
    return clean_arrays(np.asarray(series.index, dtype=float), series.to_numpy(dtype=float))


def clean_arrays(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`clean` on plain arrays: the batch's path, with no pandas object per series."""
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    if years.size and not np.all(years == np.round(years)):
        raise ValueError("series must be indexed by whole years")
    years = years.astype(np.int64)
    if np.unique(years).size != years.size:
        raise ValueError("series has the same year twice")
    order = np.argsort(years, kind="stable")
    return years[order], values[order]


def refusal(
    zh: str,
    en: str,
    target_year: int,
    level: float,
    years: np.ndarray,
    values: np.ndarray,
    bounds: Bounds,
    candidates: tuple[CandidateScore, ...] = (),
) -> Projection:
    """A projection not made, with the reason in Chinese and English."""
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


def project_arrays(
    years: np.ndarray,
    values: np.ndarray,
    target_year: int,
    kind: str,
    bounds: Bounds,
    level: float,
    target: float = math.nan,
    cumulative: bool = False,
) -> Projection:
    """:func:`project` on cleaned arrays (:func:`clean_arrays`) and resolved bounds."""
    n = len(values)
    if n < MIN_POINTS:
        unit = "point" if n == 1 else "points"
        return refusal(
            f"只有{n}个年度数据点，至少需要{MIN_POINTS}个才能预测",
            f"only {n} annual {unit}; at least {MIN_POINTS} are needed",
            target_year,
            level,
            years,
            values,
            bounds,
        )
    if target_year <= years[-1]:
        return refusal(
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
    # Back-test from the first origin with an interval to score (3 points), or earlier where
    # the selection needs it (a three-point series is chosen on a forecast from two).
    first = min(n - holdouts, models.FIT_MIN_POINTS)
    lo = -np.inf if bounds[0] is None else bounds[0]
    hi = np.inf if bounds[1] is None else bounds[1]
    candidates = models.candidates(kind, bounds, cumulative)
    scores: list[CandidateScore] = []
    backtests: list[models.Backtest | None] = []
    for model in candidates:
        reason = model.unusable(years, values, holdouts, target)
        if not reason:
            try:
                backtest = models.rolling_origin(model, years, values, first, lo, hi, cumulative)
                mae = float(models.mean_abs_error(backtest, holdouts))
                scores.append(CandidateScore(model.name, mae))
                backtests.append(backtest)
                continue
            except models.FitError as error:
                reason = str(error)
        scores.append(CandidateScore(model.name, math.nan, reason))
        backtests.append(None)

    # Smallest back-test error wins; near-ties go to the simpler model listed first.
    tolerance = 1e-9 * max(1.0, float(np.max(np.abs(values))))
    scored = [(s.backtest_mae, i) for i, s in enumerate(scores) if not s.note]
    best = min((mae for mae, _ in scored), default=math.nan)
    ranked = sorted(scored, key=lambda item: (item[0] > best + tolerance, item[0], item[1]))
    new_years = np.arange(int(years[-1]) + 1, int(target_year) + 1)
    floor = float(values[-1]) if cumulative else None
    for _, index in ranked:
        model, backtest = candidates[index], backtests[index]
        try:
            predictive = model.predict(years, values, new_years)
        except models.FitError as error:
            scores[index] = CandidateScore(model.name, scores[index].backtest_mae, str(error))
            continue
        factor = float(models.widening(backtest)) if backtest is not None else 1.0
        sd, mean, lower, upper = interval(model, predictive, factor, level, bounds, floor)
        return _made(
            model,
            scores,
            index,
            predictive.loc,
            predictive.df,
            sd,
            (mean, lower, upper),
            years,
            values,
            new_years,
            level,
            bounds,
            factor,
            floor,
        )
    return refusal(
        "所有候选模型均无法拟合",
        "no candidate model could be fitted",
        target_year,
        level,
        years,
        values,
        bounds,
        tuple(scores),
    )


def interval(
    model: models.Model,
    predictive: models.Predictive,
    factor: float | np.ndarray,
    level: float,
    bounds: Bounds,
    floor: float | np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The chosen model's widened sd, and its point and interval on the original scale.

    Clipped to ``bounds`` and held at or above ``floor`` (a cumulative stock's latest value).
    ``factor`` and ``floor`` are one number, or one a row (shape (m, 1)) for a batch.
    """
    sd = predictive.sd * factor
    q = float(models.t_quantile((1.0 + level) / 2.0, predictive.df))
    mean, lower, upper = (
        clip(model.scale.backward(z), bounds)
        for z in (predictive.loc, predictive.loc - q * sd, predictive.loc + q * sd)
    )
    if floor is not None:
        mean, lower, upper = (np.maximum(v, floor) for v in (mean, lower, upper))
    return sd, mean, lower, upper


def _made(
    model: models.Model,
    scores: list[CandidateScore],
    index: int,
    loc: np.ndarray,
    df: float,
    sd: np.ndarray,
    bands: tuple[np.ndarray, np.ndarray, np.ndarray],
    years: np.ndarray,
    values: np.ndarray,
    new_years: np.ndarray,
    level: float,
    bounds: Bounds,
    factor: float,
    floor: float | None,
) -> Projection:
    """The :class:`Projection` of one series by its chosen model (arrays over ``new_years``)."""
    mean, lower, upper = bands
    path = tuple(
        (int(y), float(m), float(a), float(b))
        for y, m, a, b in zip(new_years, mean, lower, upper, strict=True)
    )
    return Projection(
        ok=True,
        reason_zh="",
        reason_en="",
        target_year=int(new_years[-1]),
        level=level,
        n_points=len(values),
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
        loc=float(loc[-1]),
        sd=float(sd[-1]),
        df=df,
        bounds=bounds,
        widening=factor,
        floor=floor,
    )


@dataclass(frozen=True)
class BatchFit:
    """:func:`fit_batch`'s projections of many series, as arrays with one row a series.

    ``settled`` marks the rows projected (the rest go to the one-series path); ``chosen`` is
    each row's model (an index into ``candidates``), ``maes`` and ``notes`` every candidate's
    back-test error and why it was skipped, ``factors`` its widening. ``loc``, ``sd``, ``mean``,
    ``lower`` and ``upper`` hold the chosen model's forecast of each year of ``new_years``
    (NaN in a row not settled); ``df`` its degrees of freedom.
    """

    years: np.ndarray
    values: np.ndarray
    new_years: np.ndarray
    level: float
    bounds: Bounds
    cumulative: bool
    candidates: list[models.Model]
    maes: np.ndarray
    notes: list[np.ndarray]
    factors: np.ndarray
    settled: np.ndarray
    chosen: np.ndarray
    loc: np.ndarray
    sd: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    df: np.ndarray

    def projection(self, row: int) -> Projection | None:
        """Row ``row``'s :class:`Projection`, None where it is not settled."""
        if not self.settled[row]:
            return None
        j = int(self.chosen[row])
        scores = [
            CandidateScore(c.name, float(self.maes[row, i]), self.notes[i][row])
            for i, c in enumerate(self.candidates)
        ]
        values = self.values[row]
        return _made(
            self.candidates[j],
            scores,
            j,
            self.loc[row],
            float(self.df[row]),
            self.sd[row],
            (self.mean[row], self.lower[row], self.upper[row]),
            self.years,
            values,
            self.new_years,
            self.level,
            self.bounds,
            float(self.factors[row, j]),
            float(values[-1]) if self.cumulative else None,
        )


def project_batch(
    years: np.ndarray,
    values: np.ndarray,
    target_year: int,
    kind: str,
    bounds: Bounds,
    level: float,
    target: float | np.ndarray = math.nan,
    cumulative: bool = False,
) -> list[Projection | None]:
    """:func:`project_arrays` on many series observed in the same years, fitted at once.

    ``values`` has one series a row (no NaN), ``years`` their shared years (cleaned, at least
    :data:`MIN_POINTS`, all before ``target_year``), ``target`` one for all or one a row. Every
    candidate is fitted in closed form on the whole array; the result is the one
    :func:`project_arrays` gives each row. A row is None where the batch cannot say the same (a
    candidate that needs statsmodels is usable, or a back-test error is not finite): the caller
    projects it alone.
    """
    fit = fit_batch(years, values, target_year, kind, bounds, level, target, cumulative)
    if fit is None:
        return [None] * len(values)
    return [fit.projection(row) for row in range(len(values))]


def fit_batch(
    years: np.ndarray,
    values: np.ndarray,
    target_year: int,
    kind: str,
    bounds: Bounds,
    level: float,
    target: float | np.ndarray = math.nan,
    cumulative: bool = False,
) -> BatchFit | None:
    """:func:`project_batch` as arrays (:class:`BatchFit`); None where no row is settled
    because a candidate that needs statsmodels is usable."""
    m, n = values.shape
    if n < MIN_POINTS or target_year <= years[-1]:
        raise ValueError("project_batch needs at least 3 points before the target year")
    holdouts = max(1, min(2, n - 3))
    first = min(n - holdouts, models.FIT_MIN_POINTS)
    lo = -np.inf if bounds[0] is None else bounds[0]
    hi = np.inf if bounds[1] is None else bounds[1]
    candidates = models.candidates(kind, bounds, cumulative)
    targets = np.broadcast_to(np.asarray(target, dtype=float), (m,))
    notes = [_notes(model, years, values, holdouts, targets) for model in candidates]
    usable = np.stack([note == "" for note in notes], axis=1).reshape(m, len(candidates))
    if any(model.method == "ets" and usable[:, j].any() for j, model in enumerate(candidates)):
        return None
    maes = np.full((m, len(candidates)), math.nan)
    factors = np.ones((m, len(candidates)))
    for j, model in enumerate(candidates):
        if model.method == "ets":
            continue
        # Rows this candidate cannot take are fitted on a stand-in and their results dropped.
        fit = np.where(usable[:, j : j + 1], values, 1.0)
        backtest = models.rolling_origin(model, years, fit, first, lo, hi, cumulative)
        maes[:, j] = np.where(usable[:, j], models.mean_abs_error(backtest, holdouts), math.nan)
        factors[:, j] = models.widening(backtest)
    settled = np.all(np.isfinite(maes) | ~usable, axis=1) & usable.any(axis=1)
    # Smallest back-test error wins; an exact tie goes to the simpler model listed first.
    chosen = np.argmin(np.where(usable, maes, np.inf), axis=1)
    new_years = np.arange(int(years[-1]) + 1, int(target_year) + 1)
    loc, sd, mean, lower, upper = (np.full((m, len(new_years)), math.nan) for _ in range(5))
    df = np.full(m, math.nan)
    for j, model in enumerate(candidates):
        rows = np.flatnonzero(settled & (chosen == j))
        if not rows.size:
            continue
        predictive = model.predict(years, values[rows], new_years)
        floors = values[rows, -1:] if cumulative else None
        factor = factors[rows, j : j + 1]
        sd[rows], mean[rows], lower[rows], upper[rows] = interval(
            model, predictive, factor, level, bounds, floors
        )
        loc[rows], df[rows] = predictive.loc, predictive.df
    return BatchFit(
        years=years,
        values=values,
        new_years=new_years,
        level=level,
        bounds=bounds,
        cumulative=cumulative,
        candidates=candidates,
        maes=maes,
        notes=notes,
        factors=factors,
        settled=settled,
        chosen=chosen,
        loc=loc,
        sd=sd,
        mean=mean,
        lower=lower,
        upper=upper,
        df=df,
    )


def _notes(
    model: models.Model,
    years: np.ndarray,
    values: np.ndarray,
    holdouts: int,
    targets: np.ndarray,
) -> np.ndarray:
    """:meth:`models.Model.unusable` of each row of ``values`` (its target in ``targets``), as
    an array of the same words: only the log scale's checks look at a row's values or target,
    the rest at the shared years alone."""
    notes = np.full(len(values), "", dtype=object)
    rest = np.ones(len(values), dtype=bool)
    if model.scale.name == "log":
        for rows in (np.any(values <= 0, axis=1), targets <= 0):
            rows = rows & rest
            if rows.any():
                first = int(np.flatnonzero(rows)[0])
                notes[rows] = model.unusable(years, values[first], holdouts, targets[first])
            rest &= ~rows
    if rest.any():
        first = int(np.flatnonzero(rest)[0])
        notes[rest] = model.unusable(years, values[first], holdouts, targets[first])
    return notes


def project(
    series: pd.Series,
    target_year: int,
    *,
    kind: str,
    bounds: Bounds | list | None = None,
    level: float = DEFAULT_LEVEL,
    cumulative: bool = False,
) -> Projection:
    """Project an annual series to ``target_year`` with a prediction interval.

    Candidates (:func:`models.candidates`):

    * ``linear`` — least squares on the year; its interval the OLS observation interval.
    * ``log-linear`` — least squares on log(value), constant growth rate; only when every
      value > 0 (and, in :func:`assess`, the target > 0: constant growth never reaches 0, so it
      would call every zero target impossible by construction); back-transformed (the point is
      the median).
    * ``drift`` — the last value plus the mean yearly change (a random walk with drift): it
      starts where the series stands, not where a line through it does.
    * ``damped ETS`` — ``ETSModel(error='add', trend='add', damped_trend=True)`` with its exact
      prediction variance, rescaled for the degrees of freedom spent on 5 parameters; only with
      consecutive years and at least 8 points per back-test fit, so with five or six points it
      is skipped and the reason recorded.
    * for ``kind == 'rate'``, ``logit-linear`` and ``logit-drift`` instead of the first three:
      the same on the logit of the value's place within ``bounds``, so the interval never
      leaves them.
    * for a ``cumulative`` stock, only ``drift`` and ``log-drift`` (constant growth from the
      last value): a running total never returns to a line through its past.

    The candidate with the smallest back-test error wins (the last ``min(2, n − 3)`` points, at
    least 1, each forecast from the points before it; mean absolute error on the original
    scale). Its interval is widened by :func:`models.widening`: every point from the fourth on
    is forecast from the points before it, each miss is scored against that forecast's own
    interval, and the interval is stretched by the root mean square of the scores when they
    spread wider than promised. Projections and intervals are clipped to ``bounds`` (a count
    never goes below 0) and, for a cumulative stock, to its latest value.

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
    cumulative : bool, default False
        The series only grows (the catalog's ``cumulative``).

    Returns
    -------
    Projection
        ``ok`` is False, with a reason in Chinese and English, for fewer than
        :data:`MIN_POINTS` points or a target year not after the last observation.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    resolved = resolve_bounds(kind, bounds)
    years, values = clean(series)
    return project_arrays(
        years, values, int(target_year), kind, resolved, level, cumulative=cumulative
    )
