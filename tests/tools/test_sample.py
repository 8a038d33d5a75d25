"""The sample township: deterministic, committed as generated, true to the published figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.tools import sample, sample_split


def _content(folder: Path) -> dict[str, object]:
    """File → comparable content: CSV/text bytes, workbook cell values, geometry as text."""
    content: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(folder))
        if path.suffix == ".xlsx":
            sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
            content[name] = {k: v.to_csv() for k, v in sheets.items()}
        elif path.suffix == ".gpkg":
            import geopandas as gpd

            content[name] = gpd.read_file(path).to_json()
        else:
            content[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return content


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    published = config.RAW_DIR / config.PUBLISHED_FILE
    return sample.write_sample(out, published=published)


def test_committed_sample_is_what_the_generator_writes(regenerated):
    assert _content(regenerated) == _content(config.RAW_DIR)


def test_generator_is_deterministic(regenerated, tmp_path):
    again = sample.write_sample(tmp_path, published=config.RAW_DIR / config.PUBLISHED_FILE)
    assert _content(again) == _content(regenerated)


@pytest.mark.shared
def test_sample_uses_the_real_codes_of_daqiao(shared_dir):
    real = pd.read_csv(shared_dir / "realdata" / "xinfeng_villages.csv", dtype=str)
    real = real[real["town_code"] == config.SAMPLE_TOWN_CODE]
    registry = pd.read_csv(config.RAW_DIR / config.REGISTRY_FILE, dtype=str)
    assert dict(zip(registry["code"], registry["name"], strict=True)) == dict(
        zip(real["code"], real["name"], strict=True)
    )


@pytest.mark.shared
def test_published_copy_matches_seed_facts(shared_dir):
    """data/raw keeps its own copy of the published figures; it must not drift from the seed."""
    seed = pd.read_csv(shared_dir / "seed" / "seed-facts.csv", dtype=str, keep_default_na=False)
    copy = pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(copy[list(seed.columns)], seed)


def test_published_copy_names_only_catalog_indicators():
    from analysis.core.catalog import default_catalog

    copy = pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str, keep_default_na=False)
    ids = {i for cell in copy["indicator_id"] if cell for i in cell.split(";")}
    assert ids <= set(default_catalog().ids)


def test_split_total_adds_up_to_the_last_digit():
    parts = sample_split.split_total(335.26, [3, 1, 2, 5, 1, 1, 2, 3, 4], 2)
    assert round(parts.sum(), 2) == 335.26
    assert all(round(p, 2) == p for p in parts)


def test_sample_says_it_is_synthetic():
    readme = (config.RAW_DIR / "README.md").read_text(encoding="utf-8")
    assert "合成" in readme and "synthetic" in readme
    assert (config.RAW_DIR / config.SAMPLE_MARKER_FILE).exists()


def test_population_file_is_gbk():
    raw = (config.RAW_DIR / "户数人口_2014-2019.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "村（居）委会" in raw.decode("gbk")


def test_synthetic_county_has_distinct_well_formed_codes_and_names():
    villages = sample.synthetic_villages(3500)
    assert len({v.code for v in villages}) == 3500
    assert len({v.short for v in villages}) == 3500
    assert all(len(v.code) == 12 and v.code.isdigit() for v in villages)


def test_a_province_of_synthetic_villages_keeps_twelve_digit_codes_in_its_towns():
    villages = sample.synthetic_villages(17_000)
    codes = [v.code for v in villages]
    assert len(set(codes)) == 17_000
    assert all(len(code) == 12 and code.isdigit() for code in codes)
    towns = {code[:9] for code in codes}
    assert len(towns) <= 900 and all(100 <= int(town[6:]) <= 999 for town in towns)
    # A county's size is unchanged: 18 villages a town.
    assert sample.synthetic_villages(300)[18].code == "360799101200"


def test_synthetic_cells_are_typed_as_a_clerk_types_them():
    catalog = sample.default_catalog()
    values = np.array([86.04, float("nan")])
    assert sample._cells(values, "medical_insurance_rate", 2015, catalog) == ["86.0%", "—"]
    assert sample._cells(values, "medical_insurance_rate", 2016, catalog) == [86.04, "—"]
    assert sample._cells(np.array([12.0]), "households", 2016, catalog) == [12]
    assert isinstance(sample._cells(np.array([12.0]), "households", 2016, catalog)[0], int)


@pytest.mark.parametrize("villages", [sample.DAQIAO_VILLAGES, sample.synthetic_villages(60)])
def test_running_totals_never_fall_in_a_village_and_keep_the_township_totals(villages):
    """A cumulative stock (the catalog's ``cumulative``) split afresh each year would fall in
    some villages, which the review flags every time; the generator adds each year's increase."""
    from analysis.core.catalog import default_catalog

    catalog = default_catalog()
    years = list(range(2014, 2020))
    wide = sample.generate_figures(villages, years, catalog=catalog)
    scale = len(villages) / len(sample.DAQIAO_VILLAGES)
    stocks = [i for i in sample.TOWNSHIP_PATHS if catalog[i].cumulative]
    assert "hardened_road_km" in stocks
    for ind in stocks:
        by_village = wide.pivot(index="year", columns="village_code", values=ind)
        assert (by_village.diff().iloc[1:] >= 0).all().all(), ind
        decimals = sample._decimals(ind, catalog)
        path = np.round(np.array(sample.TOWNSHIP_PATHS[ind]) * scale, decimals)
        np.testing.assert_allclose(by_village.sum(axis=1), path, atol=1e-6)


def test_a_falling_running_total_is_refused():
    with pytest.raises(ValueError, match="falls"):
        sample_split.cumulative_split([3.0, 2.0], [np.ones(2), np.ones(2)], 1)
