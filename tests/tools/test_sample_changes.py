"""The county sample's synthetic boundary changes: one of each kind, read clean, and every
town's series the same as the sample's without them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.aggregate import aggregate_levels
from analysis.core.catalog import default_catalog
from analysis.ingest.validate import validate
from analysis.pipeline.restate import restate
from analysis.tools import sample


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return sample.write_sample(
        tmp_path_factory.mktemp("changed") / "raw", sample.county_villages(), boundary_changes=True
    )


def test_the_changed_county_validates_clean_with_one_change_of_each_kind(county):
    result = validate(county)
    assert result.ok
    assert result.problems[result.problems["severity"] != "review"].empty
    assert set(result.changes["kind"]) == {"merge", "split", "rename", "recode", "move"}
    assert "synthetic" in (county / "SAMPLE").read_text()
    assert "合成" in (county / "README.md").read_text()


def test_every_town_series_is_the_unchanged_samples(county, tmp_path):
    catalog = default_catalog()
    changed = validate(county)
    restated, notes = restate(changed.values, changed.lineage, catalog)
    plain = validate(sample.write_sample(tmp_path / "plain", sample.county_villages()))
    villages = plain.registry.table
    towns = [
        aggregate_levels(values, villages, catalog).query("level != 'village'")
        for values in (restated, plain.values)
    ]
    joined = towns[0].merge(towns[1], on=["level", "code", "year", "indicator"], how="outer")
    # A moved village's early years belong to its town of today: both towns restated.
    assert joined["value_x"].notna().all() and joined["value_y"].notna().all()
    assert np.allclose(joined["value_x"], joined["value_y"], rtol=1e-6, atol=0.051)
    assert notes["estimated"].any() and (~notes["estimated"]).any()
    kept = pd.Index(plain.values["village_code"]).unique()
    assert set(restated["village_code"]) == set(kept)
