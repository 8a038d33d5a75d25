"""The analyst's workbench (notebooks/90_explore.ipynb): the tidy accessor, ranked lists and
outliers of a year, and the explorer's charts drawn from the same specs as the page."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.core import numbers
from analysis.core.catalog import default_catalog
from analysis.errors import ParameterError
from analysis.pipeline.store import load_tables
from analysis.reporting import explore, explorer

INDICATOR = "medical_insurance_rate"
TOWN = "360722103"
YEAR = config.DEFAULT_YEAR


@pytest.fixture(scope="module")
def tables(prepared_sample):
    return load_tables(prepared_sample, config.RAW_DIR)


def test_frame_is_the_aggregates_of_one_level(tables):
    towns = tables.frame(indicator=INDICATOR, level="town", years=[2018, 2019])
    assert list(towns.columns) == ["code", "name", "year", "indicator", "value"]
    assert set(towns["year"]) == {2018, 2019} and set(towns["code"]) == {TOWN}
    expected = tables.aggregates[
        (tables.aggregates["level"] == "town")
        & (tables.aggregates["indicator"] == INDICATOR)
        & tables.aggregates["year"].isin([2018, 2019])
    ]
    assert sorted(towns["value"]) == sorted(expected["value"])
    wide = tables.frame(indicator=INDICATOR, level="village", wide=True)
    assert len(wide) == len(tables.villages) and YEAR in wide.columns
    village = tables.villages["code"].iloc[0]
    row = tables.indicators[
        (tables.indicators["village_code"] == village)
        & (tables.indicators["indicator"] == INDICATOR)
        & (tables.indicators["year"] == YEAR)
    ]
    assert wide.xs(village, level="code")[YEAR].iloc[0] == pytest.approx(row["value"].iloc[0])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": "hamlet"},
        {"indicator": "no_such_indicator"},
        {"indicator": [INDICATOR, "population"], "wide": True},
    ],
)
def test_frame_refuses_what_it_cannot_give(tables, kwargs):
    with pytest.raises(ParameterError):
        tables.frame(**kwargs)


def test_ranked_puts_the_best_first_by_the_indicators_direction(tables):
    ind = default_catalog()[INDICATOR]
    ranked = explore.ranked(tables, INDICATOR, YEAR)
    values = tables.frame(indicator=INDICATOR, years=[YEAR]).sort_values("value", ascending=False)
    assert list(ranked.iloc[:, 0]) == list(values["code"])
    assert ranked.iloc[0, 2] == numbers.number(values["value"].iloc[0], ind, context="column")
    assert ranked.index[0] == 1
    lower = explore.ranked(tables, "poor_households_remaining", YEAR)  # fewer is better
    shown = [float(v.replace(",", "")) for v in lower.iloc[:, 2]]
    assert shown == sorted(shown)


def test_outliers_name_the_village_far_from_its_town(tables):
    frame = tables.aggregates.copy()
    village = tables.villages["code"].iloc[0]
    row = (frame["code"] == village) & (frame["indicator"] == INDICATOR) & (frame["year"] == YEAR)
    frame.loc[row, "value"] = 8.96  # 89.6 typed without its decimal point
    tables.aggregates = frame
    found = explore.outliers(tables, INDICATOR, YEAR)
    assert list(found.iloc[:, 0]) == [village]
    assert found.iloc[0, 4] < -explore.OUTLIER_Z


def test_the_notebooks_chart_is_the_pages_spec_with_its_data(tables):
    chart = explore.trend(tables, INDICATOR, TOWN).to_dict()
    page = explorer.template(explorer.trend_chart())
    assert [layer["mark"] for layer in chart["layer"]] == [layer["mark"] for layer in page["layer"]]
    series = pd.DataFrame(chart["datasets"]["series"])
    assert (
        set(series["place"]) == set(tables.villages["name"]) | {"大桥镇"}
        or len(set(series["place"])) == explore.MAX_PLACES
    )
    assert chart["datasets"]["target"]  # the town's 2020 target
    bundle = explore.jupyterlab_bundle(chart)
    assert bundle[explore.JUPYTERLAB_VEGALITE]["datasets"] == chart["datasets"]
    with pytest.raises(ParameterError):
        explore.trend(tables, INDICATOR, "999")
