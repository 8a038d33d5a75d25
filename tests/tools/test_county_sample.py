"""The county sample (信丰县) exercises the county's own shapes: targets at county and town
level, and a year's file with a 乡镇 column and short village names (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.ingest.registry import load_registry
from analysis.ingest.validate import validate
from analysis.tools import sample

#: 小江镇's 老圩村: its shortest name is also 大桥镇's 老圩居委会's.
LAOXU_XIAOJIANG = "360722106213"


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return sample.write_sample(tmp_path_factory.mktemp("xinfeng") / "raw", sample.county_villages())


@pytest.fixture(scope="module")
def validated(county):
    return validate(county)


def test_the_county_sample_validates_clean_with_targets_at_county_and_town_level(validated):
    assert validated.summary["ok"]
    flagged = validated.problems["severity"] == "review"
    assert validated.problems[~flagged].empty
    # The synthetic figures are random flows: some year's value is far from the village's others
    # by chance (14 of ~50,000 values), within the review's budget of false flags (1 %).
    assert flagged.sum() <= len(validated.values) / 1000
    widths = validated.targets["scope"].str.len().value_counts()
    assert widths[6] == 4  # the county's own
    assert widths[9] == 2 * 17  # a rate and a total for each of the 17 towns
    assert set(validated.targets.loc[validated.targets["scope"].str.len() == 9, "scope_name"]) >= {
        "嘉定镇",
        "小江镇",
    }


def test_the_last_years_file_names_each_villages_town_and_its_short_name(county, validated):
    ws = load_workbook(county / "民生工作台账_2019.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:4] == ("序号", "乡镇", "村（居）名称", "年度")
    written = {(r[1], r[2]) for r in rows[3:]}
    assert ("小江镇", "老圩") in written and ("大桥镇", "老圩") in written
    # Without its town, 老圩 would be read as another village: the 乡镇 column decides.
    registry = load_registry(county / "villages.csv")
    assert registry.resolve_name("老圩")[0] != LAOXU_XIAOJIANG
    values = validated.values
    mine = values[(values["village_code"] == LAOXU_XIAOJIANG) & (values["year"] == 2019)]
    assert len(mine) > 10
    assert values[values["year"] == 2019]["village_code"].nunique() == 312


def test_the_county_is_laid_out_as_towns_with_the_g357_through_its_own_towns(county):
    """Each town a compact area of its own villages, the G357 across the towns it crosses."""
    import geopandas as gpd

    from analysis.geo.layers import to_measure
    from analysis.tools.sample_geo import G357_TOWNS

    villages = to_measure(gpd.read_file(county / "geo" / "villages.geojson"))
    road = to_measure(gpd.read_file(county / "geo" / "g357.geojson")).geometry.iloc[0]
    towns = villages.assign(town=villages["code"].str[:9]).dissolve("town")
    assert (towns.geom_type == "Polygon").all()  # no town in pieces, as strips of rows were
    # Compact: no town is a strip (at most three times as wide as high, or high as wide).
    bounds = towns.bounds
    spans = (bounds["maxx"] - bounds["minx"]) / (bounds["maxy"] - bounds["miny"])
    assert spans.between(1 / 3, 3).all()
    crossed = {code[6:] for code in towns.index[towns.intersects(road)]}
    assert crossed == set(G357_TOWNS)
