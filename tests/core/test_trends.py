"""Projections, progress measures and target status (analysis.core.trends)."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from analysis.core import trends
from analysis.core.catalog import default_catalog
from analysis.core.trends import (
    area_series,
    assess,
    assess_targets,
    cagr,
    escap_category,
    escap_measure,
    eurostat_band,
    eurostat_ratio,
    models,
    project,
)

YEARS = range(2014, 2020)
A, B, C = "360722103201", "360722103202", "360722103203"


def series(values, years=YEARS) -> pd.Series:
    return pd.Series(values, index=list(years), dtype=float)


def damped(phi: float = 0.8, n: int = 12, noise: float = 0.2) -> pd.Series:
    """A damped-trend series with a little noise (noise-free ones defeat ETS's optimiser)."""
    level, trend, values = 50.0, 10.0, []
    for _ in range(n):
        trend *= phi
        level += trend
        values.append(level)
    jitter = noise * np.random.default_rng(0).standard_normal(n)
    return series(np.array(values) + jitter, range(2020 - n, 2020))


# ------------------------------------------------------------------ formulas, hand-computed


def test_cagr_hand_computed_and_undefined_at_zero():
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    assert cagr(200, 50, 2) == pytest.approx(-0.5)
    assert math.isnan(cagr(0, 5, 3))
    assert math.isnan(cagr(5, 0, 3))
    assert math.isnan(cagr(1, 2, 0))


@pytest.mark.parametrize(
    ("current", "target", "measure", "category"),
    [
        # X̂_2019 = 121 · 1.1² = 146.41
        (121, 150, 46.41 / 50, "accelerate"),
        (121, 140, 46.41 / 40, "maintain progress"),
        # CAGR = √0.9 − 1, X̂_2019 = 90 · 0.9 = 81
        (90, 150, -19 / 50, "reverse trend"),
    ],
)
def test_escap_measure_and_category(current, target, measure, category):
    value, anticipated = escap_measure(
        100, current, target, base_year=2015, current_year=2017, target_year=2019
    )
    assert value == pytest.approx(measure)
    kwargs = {"base": 100, "anticipated": anticipated, "target": target}
    assert escap_category(value, direction="higher", **kwargs) == category


def test_escap_measure_exactly_on_target_is_maintain():
    value, anticipated = escap_measure(
        100, 121, 146.41, base_year=2015, current_year=2017, target_year=2019
    )
    assert value == pytest.approx(1.0)
    category = escap_category(
        value, base=100, anticipated=anticipated, target=146.41, direction="higher"
    )
    assert category == "maintain progress"


@pytest.mark.parametrize(
    ("target", "ratio", "band"),
    [
        (100 * 1.1**4, 1.0, "on track"),
        (100 * 1.125**4, 0.8, "acceleration needed"),
        (100 * 1.2**4, 0.5, "limited progress"),
    ],
)
def test_eurostat_ratio_and_band_cagr(target, ratio, band):
    # Observed CAGR 2014→2016 is 10 %; required CAGR 2014→2018 is 10 %, 12.5 %, 20 %.
    value = eurostat_ratio(
        100, 121, target, base_year=2014, current_year=2016, target_year=2018, direction="higher"
    )
    assert value == pytest.approx(ratio)
    assert eurostat_band(value, achieved=False) == band


def test_eurostat_band_edges_and_achieved():
    assert eurostat_band(0.95, achieved=False) == "on track"
    assert eurostat_band(0.9499, achieved=False) == "acceleration needed"
    assert eurostat_band(0.60, achieved=False) == "acceleration needed"
    assert eurostat_band(0.0, achieved=False) == "limited progress"
    assert eurostat_band(-0.01, achieved=False) == "deterioration"
    assert eurostat_band(-3.0, achieved=True) == "achieved"
    assert eurostat_band(math.nan, achieved=False) is None


def test_eurostat_deterioration_and_direction():
    years = {"base_year": 2014, "current_year": 2016, "target_year": 2018}
    assert eurostat_ratio(100, 90, 150, direction="higher", **years) < 0
    # Lower is better; the base (5) already met the target (7) but the value rose to 8: away.
    assert eurostat_ratio(5, 8, 7, direction="lower", **years) < 0


def test_zero_target_uses_linear_change():
    years = {"base_year": 2014, "current_year": 2019, "target_year": 2020}
    # Observed −22 a year; required (0 − 10) / 1 = −10 a year.
    ratio = eurostat_ratio(120, 10, 0, direction="lower", **years)
    assert ratio == pytest.approx(2.2)
    # Linear X̂_2020 = 10 − 22 = −12, clipped to 0 for a count: measure exactly 1.
    measure, anticipated = escap_measure(120, 10, 0, bounds=(0, None), **years)
    assert (measure, anticipated) == (pytest.approx(1.0), 0.0)
    unclipped, _ = escap_measure(120, 10, 0, **years)
    assert unclipped == pytest.approx(132 / 120)


def test_zero_base_uses_linear_change():
    years = {"base_year": 2014, "current_year": 2019, "target_year": 2020}
    # 0 → 2 sewage sites in five years: 0.4 a year; 1 more needed in one year.
    ratio = eurostat_ratio(0, 2, 3, direction="higher", **years)
    assert ratio == pytest.approx(0.4)
    assert eurostat_band(ratio, achieved=False) == "limited progress"
    measure, anticipated = escap_measure(0, 2, 3, **years)
    assert anticipated == pytest.approx(2.4)
    assert measure == pytest.approx(0.8)


# ------------------------------------------------------------------ project


def test_linear_interval_is_the_statsmodels_observation_interval():
    values = series([10.2, 11.9, 14.3, 15.8, 18.1, 19.9])
    result = project(values, 2021, kind="amount", level=0.8)
    assert result.model == "linear"
    # Its back-test missed no more than its interval promised, so the interval is its own.
    assert result.widening == 1.0
    design = sm.add_constant(np.arange(2014, 2020, dtype=float))
    fitted = sm.OLS(values.to_numpy(), design).fit()
    frame = fitted.get_prediction(np.array([[1.0, 2020.0], [1.0, 2021.0]])).summary_frame(alpha=0.2)
    assert result.projected == pytest.approx(frame["mean"].iloc[-1])
    assert result.lower == pytest.approx(frame["obs_ci_lower"].iloc[-1])
    assert result.upper == pytest.approx(frame["obs_ci_upper"].iloc[-1])
    # The observation interval, not the (narrower) mean interval.
    assert (
        result.upper - result.lower
        > frame["mean_ci_upper"].iloc[-1] - frame["mean_ci_lower"].iloc[-1]
    )
    path = result.path_frame()
    assert path["year"].tolist() == [2020, 2021]
    assert path["lower"].to_numpy() == pytest.approx(frame["obs_ci_lower"].to_numpy())


def test_probability_is_consistent_with_the_interval():
    result = project(series([10.2, 11.9, 14.3, 15.8, 18.1, 19.9]), 2020, kind="amount")
    assert result.probability(result.projected, "higher") == pytest.approx(0.5)
    assert result.probability(result.upper, "higher") == pytest.approx(0.1)
    assert result.probability(result.lower, "lower") == pytest.approx(0.1)
    t_value = (25.0 - result.loc) / result.sd
    assert result.probability(25.0, "lower") == pytest.approx(stats.t.cdf(t_value, result.df))


def test_rate_interval_stays_within_bounds_near_100():
    values = series([98.1, 98.9, 99.2, 99.6, 99.5, 99.9])
    result = project(values, 2025, kind="rate", bounds=(0, 100), level=0.95)
    assert result.model == "logit-linear"
    path = result.path_frame()
    assert (path[["projected", "lower", "upper"]] <= 100).all().all()
    assert (path[["projected", "lower", "upper"]] >= 0).all().all()
    assert 99.0 < result.lower <= result.projected <= result.upper <= 100


def test_rate_without_bounds_is_a_percentage():
    result = project(series([40, 60, 75, 85, 92, 96]), 2024, kind="rate", level=0.99)
    assert 0 <= result.lower <= result.upper <= 100


@pytest.mark.parametrize(
    ("values", "kind", "model"),
    [
        ([10, 12, 14, 16, 18, 20], "count", "linear"),
        ([10 * 1.2**i for i in range(6)], "count", "log-linear"),
        # A logistic path with noise that reverts: the line through it forecasts best.
        (
            [100 / (1 + math.exp(-(0.4 + 0.45 * i + 0.15 * (-1) ** i))) for i in range(6)],
            "rate",
            "logit-linear",
        ),
        # A random walk with drift (steps 4, 5, 1, 3, 3): each year adds to the last.
        ([20, 24, 29, 30, 33, 36], "count", "drift"),
    ],
)
def test_backtest_picks_the_model_the_series_was_built_from(values, kind, model):
    result = project(series(values), 2020, kind=kind)
    assert result.model == model
    assert result.backtest_mae == pytest.approx(
        min(c.backtest_mae for c in result.candidates if not c.note), abs=1e-9
    )


def test_exact_series_give_exact_projections():
    assert project(series([10, 12, 14, 16, 18, 20]), 2020, kind="count").projected == (
        pytest.approx(22.0)
    )
    geometric = project(series([10 * 1.2**i for i in range(6)]), 2020, kind="count")
    assert geometric.projected == pytest.approx(10 * 1.2**6)


def test_damped_ets_wins_on_a_long_damped_series():
    result = project(damped(), 2021, kind="count")
    assert result.model == "damped ETS"
    assert result.lower < result.projected < result.upper
    scores = {c.model: c for c in result.candidates}
    assert scores["damped ETS"].backtest_mae < scores["linear"].backtest_mae


def test_ets_is_skipped_with_a_reason_on_short_or_gappy_series():
    short = project(series([10, 12, 13, 15, 16, 18]), 2020, kind="count")
    note = {c.model: c.note for c in short.candidates}["damped ETS"]
    assert "at least 8 points" in note
    gappy = damped().drop(index=[2012])
    note = {c.model: c.note for c in project(gappy, 2020, kind="count").candidates}["damped ETS"]
    assert "consecutive" in note


def test_noise_free_damped_series_does_not_crash_ets():
    # Whether statsmodels' optimiser converges on a noise-free damped series depends on its
    # version (0.15 fits some origins exactly and fails on others); either way the candidate
    # is scored or skipped with a reason, never raised.
    result = project(damped(noise=0.0), 2020, kind="count")
    assert result.ok
    ets = {c.model: c for c in result.candidates}["damped ETS"]
    assert (ets.note == "") == math.isfinite(ets.backtest_mae)


def test_ets_that_does_not_converge_is_skipped_with_the_reason(monkeypatch):
    class NoConvergence:
        def __init__(self, *args, **kwargs):
            pass

        def fit(self, **kwargs):
            warnings.warn("did not converge", ConvergenceWarning, stacklevel=1)
            return None

    # models imports ETSModel when it fits one, so the patch is where it is imported from.
    monkeypatch.setattr("statsmodels.tsa.exponential_smoothing.ets.ETSModel", NoConvergence)
    result = project(damped(), 2021, kind="count")
    assert result.ok and result.model != "damped ETS"
    note = {c.model: c.note for c in result.candidates}["damped ETS"]
    assert note == "maximum likelihood did not converge"


@pytest.mark.parametrize("n", [0, 1, 2])
def test_short_series_are_refused_with_a_reason(n):
    result = project(series(range(n), range(2019 - n + 1, 2020)), 2020, kind="count")
    assert not result.ok
    assert result.reason_zh.startswith(f"只有{n}个年度数据点")
    assert math.isnan(result.projected)
    assert math.isnan(result.probability(0, "lower"))


def test_refusal_text_for_two_points():
    result = project(series([3, 4], [2018, 2019]), 2020, kind="count")
    assert (
        result.reason
        == "只有2个年度数据点，至少需要3个才能预测 / only 2 annual points; at least 3 are needed"
    )


def test_nan_values_are_dropped():
    with_nan = series([10, np.nan, 14, 16, np.nan, 20])
    result = project(with_nan, 2020, kind="count")
    assert result.n_points == 4
    assert result.projected == pytest.approx(22.0)
    assert not project(series([1, np.nan, np.nan, np.nan, np.nan, 2]), 2020, kind="count").ok


def test_flat_series_gives_a_zero_width_interval_not_nan():
    result = project(series([5, 5, 5, 5, 5, 5]), 2020, kind="count")
    assert (result.projected, result.lower, result.upper) == pytest.approx((5, 5, 5))
    assert result.probability(5, "higher") == 1.0
    assert result.probability(6, "higher") == 0.0
    full = project(series([100] * 6), 2020, kind="rate")
    assert (full.projected, full.lower, full.upper) == pytest.approx((100, 100, 100))


def test_counts_never_go_negative():
    result = project(series([100, 80, 55, 35, 20, 5]), 2022, kind="count", bounds=(0, None))
    assert (result.path_frame()[["projected", "lower", "upper"]] >= 0).all().all()
    assert result.probability(-1, "lower") == 0.0


def test_target_year_must_be_after_the_data():
    result = project(series([1, 2, 3, 4, 5, 6]), 2019, kind="count")
    assert not result.ok
    assert "2019" in result.reason_en


# ------------------------------------------------------------------ where a series stands

GREENHOUSE = [0, 0, 40, 75, 110, 457.85]


def test_a_cumulative_stock_is_never_projected_below_its_latest_value():
    result = project(series(GREENHOUSE), 2022, kind="area", bounds=(0, None), cumulative=True)
    assert result.model in ("drift", "log-drift")
    path = result.path_frame()
    assert (path[["projected", "lower", "upper"]] >= 457.85).all().all()
    assert path["projected"].iloc[0] > 457.85
    assert result.floor == 457.85
    # Nothing below the latest value can happen, so a target below it is certain.
    assert result.probability(450, "higher") == 1.0
    assert result.probability(450, "lower") == 0.0
    # A running total that dipped in the data is still held at its latest value.
    dipped = project(series([50, 60, 70, 65, 64, 63]), 2020, kind="area", cumulative=True)
    assert dipped.lower >= 63 and dipped.projected >= 63


def test_a_cumulative_stock_is_modelled_from_its_latest_value_only():
    models_tried = project(series(GREENHOUSE), 2020, kind="area", cumulative=True).candidates
    assert [c.model for c in models_tried] == ["drift", "log-drift"]
    note = {c.model: c.note for c in models_tried}["log-drift"]
    assert "> 0" in note  # zeros have no logarithm


def test_drift_is_the_last_value_plus_the_mean_yearly_change():
    x = np.arange(-5.0, 1.0)
    z = np.array([20.0, 24, 29, 30, 33, 36])
    predictive = models.drift(x, z, np.array([1.0, 2.0]))
    assert predictive.loc == pytest.approx([36 + 3.2, 36 + 6.4])
    # Steps 4, 5, 1, 3, 3 about their mean 3.2: σ² = 8.8 / 4; variance σ² (h + h² / 5).
    assert predictive.sd == pytest.approx(np.sqrt(2.2 * np.array([1 + 1 / 5, 2 + 4 / 5])))
    assert predictive.df == 4


def test_drift_counts_a_gap_as_several_steps():
    # 10 → 13 in one year, 13 → 16 in two: mean change 2 a year; step deviations 1 and −1,
    # the second over two years, so σ² = (1 + 1/2) / 1.
    predictive = models.drift(np.array([-3.0, -2.0, 0.0]), np.array([10.0, 13, 16]), np.ones(1))
    assert predictive.loc == pytest.approx([18.0])
    assert predictive.sd == pytest.approx([np.sqrt(1.5 * (1 + 1 / 3))])


def test_ols_is_the_statsmodels_observation_interval_in_closed_form():
    x = np.arange(-5.0, 1.0)
    z = np.array([3.0, 4.5, 4.1, 6.8, 7.0, 9.2])
    predictive = models.ols(x, z, np.array([1.0, 3.0]))
    fitted = sm.OLS(z, sm.add_constant(x)).fit()
    frame = fitted.get_prediction(sm.add_constant(np.array([1.0, 3.0]))).summary_frame()
    assert predictive.loc == pytest.approx(frame["mean"].to_numpy())
    assert predictive.sd == pytest.approx(np.sqrt(frame["mean_se"] ** 2 + fitted.scale))


def test_widening_is_the_root_mean_square_of_the_backtest_scores_never_below_one():
    def backtest(scores):
        return models.Backtest(errors=np.zeros(len(scores)), scores=np.array(scores))

    assert models.widening(backtest([2.0, 0.0, 1.0])) == pytest.approx(math.sqrt(5 / 3))
    assert models.widening(backtest([0.1, -0.2])) == 1.0
    assert models.widening(backtest([math.nan, 3.0])) == pytest.approx(3.0)
    assert models.widening(backtest([])) == 1.0


def test_an_interval_the_backtest_proved_too_narrow_is_widened():
    values = series([10, 10.2, 10.1, 10.3, 14, 18])
    result = project(values, 2020, kind="amount")
    assert result.widening > 1.5
    model = next(
        m for m in models.candidates("amount", (None, None), False) if m.name == result.model
    )
    own = model.predict(np.arange(2014, 2020), values.to_numpy(), np.array([2020]))
    q = stats.t.ppf(0.9, own.df)
    assert result.upper - result.lower == pytest.approx(2 * q * own.sd[0] * result.widening)
    # The probability reads the same, widened distribution as the interval.
    assert result.probability(result.upper, "higher") == pytest.approx(0.1)


def test_a_forecast_that_claimed_certainty_and_missed_widens_by_a_bounded_factor():
    # Five zeros then 194: from the zeros every model is sure of 0, and is wrong.
    result = project(series([0, 0, 0, 0, 0, 194]), 2020, kind="area", cumulative=True)
    assert result.ok and math.isfinite(result.upper) and result.lower == 194
    assert 1.0 < result.widening < 3.2


# ------------------------------------------------------------------ assess


def test_assess_poor_households_to_zero():
    result = assess(
        series([120, 80, 55, 30, 18, 10]),
        0,
        2020,
        base_year=None,
        direction="lower",
        bounds=(0, None),
    )
    # A constant-growth model can never reach 0, so it is not allowed to judge a zero target.
    notes = {c.model: c.note for c in result.projection.candidates}
    assert "never reaches" in notes["log-linear"]
    assert result.projection.model == "linear"
    assert result.required_change_per_year == pytest.approx(-10)
    assert result.observed_change_per_year == pytest.approx(-22)
    assert result.eurostat_ratio == pytest.approx(2.2)
    assert result.escap_category == "maintain progress"
    assert result.gap == pytest.approx(0 - result.projected)
    assert 0.5 < result.probability <= 1
    assert (result.status_zh, result.status_en) == ("有望达成", "on track")


@pytest.mark.parametrize(
    ("values", "target", "direction", "status"),
    [
        ([10, 8, 6, 4, 2, 0], 0, "lower", "achieved"),
        ([50, 60, 70, 80, 90, 100], 110, "higher", "on track"),
        ([50, 52, 54, 56, 58, 60], 80, "higher", "acceleration needed"),
        ([60, 58, 56, 54, 52, 50], 80, "higher", "deteriorating"),
        ([50, 60], 80, "higher", "insufficient data"),
        ([50, 60], 55, "higher", "achieved"),
        ([50, 60, 70], math.nan, "higher", "no target"),
    ],
)
def test_status_rule(values, target, direction, status):
    result = assess(
        series(values, range(2014, 2014 + len(values))),
        target,
        2020,
        base_year=2014,
        direction=direction,
    )
    assert result.status_en == status
    assert result.status_zh == trends.STATUS_ZH[status]


def test_assess_rate_probability_and_dict():
    result = assess(
        series([90, 92, 94, 95.5, 96.8, 97.6]),
        98,
        2020,
        base_year=2014,
        direction="higher",
        kind="rate",
        bounds=(0, 100),
    )
    record = result.to_dict()
    assert set(trends.COLUMNS) - set(record) == {
        "scope",
        "row_type",
        "indicator",
        "indicator_zh",
        "unit",
        "source",
    }
    assert 0 <= record["probability"] <= 1
    assert record["lower"] <= record["projected"] <= record["upper"] <= 100
    # A rate is modelled on the logit of its place within the bounds.
    assert record["model"] in ("logit-linear", "logit-drift")
    assert result.projection.scale == "logit"


def test_on_track_means_the_projection_meets_the_target():
    # 10, 10, 10, 10, 20, 30: the drift from 30 reaches 34, short of 38, although the average
    # growth since 2014 is 99 % of what was required (Eurostat: on track).
    short = assess(series([10, 10, 10, 10, 20, 30]), 38, 2020, base_year=None, direction="higher")
    assert short.projected < 38 and short.status_en == "acceleration needed"
    assert short.eurostat_band == "on track"
    assert trends.contradicts(short.status_en, short.eurostat_band)
    assert not trends.contradicts(short.status_en, short.escap_category)
    road = assess(
        series([42.5, 45.8, 49.6, 53.9, 57.2, 61.3]),
        65,
        2020,
        base_year=None,
        direction="higher",
        kind="length",
        bounds=(0, None),
        cumulative=True,
    )
    assert road.projected >= 65 and road.status_en == "on track"
    assert road.probability >= 0.5
    assert road.remaining == pytest.approx(3.7) and road.required_change_per_year == (
        pytest.approx(3.7)
    )
    assert road.gap == pytest.approx(65 - road.projected)


@pytest.mark.parametrize(
    ("status", "supporting", "contradicts"),
    [
        ("on track", "maintain progress", False),
        ("achieved", "maintain progress", False),
        ("acceleration needed", "maintain progress", True),
        ("on track", "limited progress", True),
        ("acceleration needed", "limited progress", False),
        ("deteriorating", "reverse trend", False),
        ("deteriorating", "deterioration", False),
        ("on track", "deterioration", True),
        ("insufficient data", "deterioration", False),
        ("on track", None, False),
    ],
)
def test_contradicts(status, supporting, contradicts):
    assert trends.contradicts(status, supporting) is contradicts


def test_a_plan_over_a_stock_is_done_against_planned_at_its_pace():
    # 0 → 2 sewage sites in five years (0.4 a year); 1 more needed in 2020.
    result = assess(
        series([0, 0, 0, 1, 1, 2]), 3, 2020, base_year=None, direction="higher", plan=True
    )
    assert result.tracking == "plan" and (result.done, result.remaining) == (2, 1)
    assert not result.ok and math.isnan(result.projected) and math.isnan(result.probability)
    assert "计划" in result.projection.reason_zh
    assert result.observed_change_per_year == pytest.approx(0.4)
    assert result.required_change_per_year == pytest.approx(1.0)
    assert result.status_en == "acceleration needed"
    assert result.escap_category is None and result.eurostat_band is None
    done = assess(
        series([0, 1, 2, 3], range(2016, 2020)),
        3,
        2020,
        base_year=None,
        direction="higher",
        plan=True,
    )
    assert done.status_en == "achieved"
    lost = assess(
        series([2, 2, 2, 1, 1, 1]), 3, 2020, base_year=None, direction="higher", plan=True
    )
    assert lost.status_en == "deteriorating"


def test_a_plan_over_a_flow_counts_the_target_years_works():
    def road(values, years=YEARS):
        return assess(
            series(values, years), 3, 2020, base_year=None, direction="higher", plan=True, flow=True
        )

    # 2020 is not reported yet: none of its three works done; 2.67 works a year so far.
    slow = road([2, 3, 2, 4, 3, 2])
    assert (slow.done, slow.remaining, slow.required_change_per_year) == (0, 3, 3)
    assert slow.observed_change_per_year == pytest.approx(16 / 6)
    assert slow.status_en == "acceleration needed"
    assert road([3, 3, 4, 4, 3, 4]).status_en == "on track"
    finished = road([2, 3, 2, 4, 3, 2, 3], range(2014, 2021))
    assert (finished.done, finished.status_en) == (3, "achieved")
    assert road([], []).status_en == "insufficient data"


def test_base_year_missing_uses_next_observation():
    values = series([np.nan, 10, 12, 14], range(2014, 2018))
    result = assess(values, 20, 2020, base_year=2014, direction="higher")
    assert (result.base_year, result.base_value) == (2015, 10.0)


# ------------------------------------------------------------------ batch


def tidy_table() -> pd.DataFrame:
    rows = []
    population = {A: 1000, B: 3000, C: 500}
    for i, year in enumerate(YEARS):
        for code in (A, B, C):
            rows.append((code, year, "population", population[code] + 10 * i))
        rows.append((A, year, "medical_insurance_rate", 80 + 3 * i))
        rows.append((B, year, "medical_insurance_rate", 90 + 1 * i))
        rows.append((C, year, "medical_insurance_rate", 60 + 5 * i))
        rows.append((A, year, "poor_households_remaining", 30 - 5 * i))
        rows.append((B, year, "poor_households_remaining", 40 - 6 * i))
        rows.append((C, year, "poor_households_remaining", 12 - 2 * i))
        rows.append((A, year, "navel_orange_area_mu", 1000 + 150 * i))
        rows.append((C, year, "navel_orange_area_mu", 600 + 100 * i))
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"]).astype(
        {"value": float}
    )


def targets_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope": ["township", "township", A, f"{A};{C}"],
            "indicator": [
                "poor_households_remaining",
                "medical_insurance_rate",
                "poor_households_remaining",
                "navel_orange_area_mu",
            ],
            "target_year": [2020, 2020, 2020, 2020],
            "target_value": [0.0, 98.0, 0.0, 3000.0],
            "source": ["2019年工作总结"] * 4,
        }
    )


def test_township_rate_is_population_weighted():
    town = area_series(tidy_table(), default_catalog())
    rate_2019 = town[(town["indicator"] == "medical_insurance_rate") & (town["year"] == 2019)]
    weights = {A: 1050, B: 3050, C: 550}
    rates = {A: 95, B: 95, C: 85}
    expected = sum(rates[c] * weights[c] for c in weights) / sum(weights.values())
    assert rate_2019["value"].item() == pytest.approx(expected)
    assert rate_2019["value"].item() != pytest.approx(np.mean(list(rates.values())))
    poor_2019 = town[(town["indicator"] == "poor_households_remaining") & (town["year"] == 2019)]
    assert poor_2019["value"].item() == 5 + 10 + 2


def test_a_township_total_target_gives_villages_no_target():
    totals = targets_table().assign(indicator="hardened_road_km", target_value=65.0).head(1)
    tidy = tidy_table()
    roads = tidy[tidy["indicator"] == "poor_households_remaining"].assign(
        indicator="hardened_road_km"
    )
    result = assess_targets(pd.concat([tidy, roads]), totals)
    villages = result[result["row_type"] == "village"]
    assert villages["target"].isna().all()
    assert set(villages["status_zh"]) == {"无目标"}


def test_partial_year_is_not_summed():
    tidy = tidy_table()
    tidy = tidy[~((tidy["village_code"] == B) & (tidy["year"] == 2016))]
    town = area_series(tidy, default_catalog())
    poor = town[town["indicator"] == "poor_households_remaining"]
    assert 2016 not in set(poor["year"])


def test_assess_targets_rows_columns_and_scopes():
    result = assess_targets(tidy_table(), targets_table())
    assert list(result.columns) == trends.COLUMNS
    targets = result[result["row_type"] == "target"]
    villages = result[result["row_type"] == "village"]
    assert len(targets) == 4
    assert len(villages) == 2 * 3  # two township-scoped indicators × three villages
    assert targets["scope"].tolist()[:2] == ["township", "township"]
    # Both township targets here (a rate, a count to zero) apply to each village as they stand.
    assert set(villages["target"]) == {0.0, 98.0}
    assert "无目标" not in set(villages["status_zh"])
    assert villages["projected"].notna().all()

    def row(scope: str, indicator: str) -> pd.Series:
        mask = (targets["scope"] == scope) & (targets["indicator"] == indicator)
        return targets[mask].iloc[0]

    rate = row("township", "medical_insurance_rate")
    assert rate["last_value"] == pytest.approx((95 * 1050 + 95 * 3050 + 85 * 550) / 4650)
    assert rate["lower"] >= 0 and rate["upper"] <= 100
    assert row(f"{A};{C}", "navel_orange_area_mu")["last_value"] == pytest.approx(1750 + 1100)
    assert row(A, "poor_households_remaining")["last_value"] == 5
    # 82, 69, …, 17: exactly −13 a year leaves 4 households in 2020.
    poor = row("township", "poor_households_remaining")
    assert poor["projected"] == pytest.approx(4.0)
    assert poor["status_en"] == "acceleration needed"


def test_assess_targets_is_deterministic_on_a_flat_township():
    tidy = pd.DataFrame(
        [(code, year, "poor_households_remaining", 3.0) for code in (A, B, C) for year in YEARS],
        columns=["village_code", "year", "indicator", "value"],
    )
    targets = targets_table().iloc[:1]
    first = assess_targets(tidy, targets)
    assert first.loc[0, "last_value"] == 9.0
    assert first.loc[0, "status_en"] == "acceleration needed"
    pd.testing.assert_frame_equal(first, assess_targets(tidy, targets))


def test_assess_targets_tracks_plans_and_holds_running_totals_up():
    tidy = pd.DataFrame(
        [
            (code, year, indicator, value)
            for code, sites, area in ((A, [0, 0, 0, 1, 1, 1], 0), (C, [0, 0, 0, 0, 0, 1], 1))
            for year, site in zip(YEARS, sites, strict=True)
            for indicator, value in (
                ("sewage_sites", site),
                ("vegetable_greenhouse_area_mu", [0, 0, 40, 75, 110, 194][year - 2014] * area),
            )
        ],
        columns=["village_code", "year", "indicator", "value"],
    )
    targets = pd.DataFrame(
        {
            "scope": "township",
            "indicator": ["sewage_sites", "vegetable_greenhouse_area_mu"],
            "target_year": 2020,
            "target_value": [3.0, 500.0],
            "source": "test",
        }
    )
    result = assess_targets(tidy, targets).set_index(["scope", "indicator"])
    sites = result.loc[("township", "sewage_sites")]
    assert (sites["tracking"], sites["done"], sites["remaining"]) == ("plan", 2, 1)
    assert pd.isna(sites["projected"]) and sites["status_en"] == "acceleration needed"
    area = result.loc[("township", "vegetable_greenhouse_area_mu")]
    assert area["tracking"] == "trend" and area["lower"] >= area["last_value"] == 194
    villages = result.xs("vegetable_greenhouse_area_mu", level="indicator").drop("township")
    assert (villages["lower"] >= villages["last_value"]).all()
    assert set(result.xs("sewage_sites", level="indicator")["tracking"]) == {"plan"}


def test_every_target_is_assessed_on_its_scope_series_incomplete_years_left_out():
    tidy = tidy_table()
    tidy = tidy[~((tidy["village_code"] == B) & (tidy["year"] == 2016))]
    tidy = tidy[~((tidy["village_code"] == C) & (tidy["year"] == 2015))]
    result = assess_targets(tidy, targets_table())
    for target in result[result["row_type"] == "target"].itertuples():
        used = trends.scope_series(tidy, target.scope, target.indicator)
        assert (target.n_points, target.last_value) == (len(used), used.iloc[-1])
    town = trends.scope_series(tidy, "township", "poor_households_remaining")
    assert 2016 not in town.index and 2015 not in town.index and len(town) == 4
    # A group counts only the years every one of its villages reported.
    group = trends.scope_series(tidy, f"{A};{C}", "navel_orange_area_mu")
    assert 2015 not in group.index and group.loc[2019] == 1750 + 1100


def test_assess_targets_rejects_bad_scope_and_duplicates():
    targets = targets_table()
    targets.loc[0, "scope"] = "青光村"
    with pytest.raises(ValueError, match="12-digit"):
        assess_targets(tidy_table(), targets)
    tidy = tidy_table()
    with pytest.raises(ValueError, match="duplicate"):
        assess_targets(pd.concat([tidy, tidy.iloc[:1]]), targets_table())


def test_batch_is_fast_for_nine_villages_and_ten_targets():
    catalog = default_catalog()
    counts = [ind.id for ind in catalog if ind.kind == "count"][:8]
    indicator_ids = [*counts, "medical_insurance_rate", "sanitary_toilet_rate"]
    codes = [f"3607221032{i:02d}" for i in range(1, 10)]
    rng = np.random.default_rng(1)
    rows = [
        (code, year, ind, float(50 + 5 * (year - 2014) + rng.integers(0, 5)))
        for code in codes
        for year in YEARS
        for ind in sorted({*indicator_ids, "households", "population"})
    ]
    tidy = pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])
    targets = pd.DataFrame(
        {
            "scope": "township",
            "indicator": indicator_ids,
            "target_year": 2020,
            "target_value": 100.0,
            "source": "test",
        }
    )
    start = time.perf_counter()
    result = assess_targets(tidy, targets)
    elapsed = time.perf_counter() - start
    assert len(result) == 10 + 10 * 9
    assert elapsed < 2.0
