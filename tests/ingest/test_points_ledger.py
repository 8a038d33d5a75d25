"""The build's cross-check of the sanitation points against the ledger: a warning that names
both figures where they differ, none for the committed sample."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import config
from analysis.ingest.validate import validate


@pytest.fixture
def raw_copy(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, target)
    return target


def _rewrite_points(raw, change):
    path = raw / "geo" / "sanitation_points.csv"
    points = pd.read_csv(path, dtype=str)
    change(points).to_csv(path, index=False, lineterminator="\n")


def test_sample_points_agree_with_the_ledger():
    problems = validate(config.RAW_DIR).problems
    assert "points_ledger_mismatch" not in list(problems["rule"])


def test_points_that_disagree_with_the_ledger_are_a_warning_naming_both(raw_copy):
    def drop_public_toilets(points):
        public = points.index[points["kind"] == "public_toilet"]
        return points.drop(public[1:])

    _rewrite_points(raw_copy, drop_public_toilets)
    result = validate(raw_copy)
    found = result.problems[result.problems["rule"] == "points_ledger_mismatch"]
    assert len(found) == 1
    (row,) = found.itertuples()
    assert row.severity == "warning" and row.file == "geo/sanitation_points.csv"
    # One public toilet mapped as built in 2019 or before; the ledger built 4 up to 2019.
    assert "公共厕所（2019年及以前建成）共 1 处" in row.message_zh
    assert "台账新建乡村公厕（2019年及以前建成）为 4座" in row.message_zh
    assert "1 public toilets" in row.message_en and "is 4" in row.message_en
    assert result.ok  # a warning: the build goes on, and the map states both figures


def test_each_year_with_points_is_checked(raw_copy):
    def date_one_household_toilet_2018(points):
        first = points.index[points["kind"] == "household_toilet"][0]
        points.loc[first, "year"] = "2018"
        return points

    _rewrite_points(raw_copy, date_one_household_toilet_2018)
    found = validate(raw_copy).problems.query("rule == 'points_ledger_mismatch'")
    messages = sorted(found["message_zh"])
    assert len(messages) == 2
    assert "户厕改造（2018年建成）共 1 处" in messages[0] and "为 85户" in messages[0]
    assert "户厕改造（2019年建成）共 61 处" in messages[1] and "为 62户" in messages[1]


def test_points_dated_the_wrong_year_are_found(raw_copy):
    # As the sample had them: all four public toilets dated 2019, built 2016, 2018 and 2019.
    def date_public_toilets_2019(points):
        points.loc[points["kind"] == "public_toilet", "year"] = "2019"
        return points

    _rewrite_points(raw_copy, date_public_toilets_2019)
    found = validate(raw_copy).problems.query("rule == 'points_ledger_mismatch'")
    assert list(
        found["message_zh"]
        .str.extract(r"（(\d+年建成)）共 (\d+) 处.*为 (\S+)，")
        .itertuples(index=False, name=None)
    ) == [("2019年建成", "4", "1座")]
