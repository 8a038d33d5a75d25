"""A county of several towns builds as a tree: county → towns → villages (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.build import runner
from analysis.tools import sample

VILLAGES = 60  # synthetic towns of 18 villages: four towns


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, Path, runner.BuildResult]:
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(VILLAGES))
    result = runner.build(
        raw, root / "reports", processed_dir=root / "processed", progress=False, workers=2
    )
    return root / "processed", root / "reports" / "2019", result


@pytest.mark.slow
def test_a_county_gets_a_county_page_a_page_per_town_and_villages_under_their_town(county):
    processed, year_dir, result = county
    assert result.ok, [(r.key, r.error) for r in result.failed]
    registry = pd.read_parquet(processed / "villages.parquet")
    towns = registry.assign(town=registry["code"].str[:9]).groupby("town")["town_name"].first()
    assert len(towns) == 4
    assert (year_dir / "county.html").exists() and not (year_dir / "township.html").exists()
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="county.html"' in index
    for code, name in towns.items():
        page = (year_dir / "towns" / f"{code}.html").read_text(encoding="utf-8")
        assert f"<title>{name}2019年民生工作总览</title>" in page
        assert f'href="towns/{code}.html"' in index
        section = re.search(
            rf'<section class="town" data-name="{name} {code}">(.*?)</section>', index, re.S
        )
        assert section, f"the index has no section for {name}"
        mine = registry[registry["code"].str[:9] == code]["code"]
        assert sorted(re.findall(r"villages/(\d{12})\.html", section.group(1))) == sorted(mine)
        assert (year_dir / "towns" / f"{code}.docx").exists()
    for code in registry["code"]:
        village = (year_dir / "villages" / f"{code}.html").read_text(encoding="utf-8")
        assert f'href="../towns/{code[:9]}.html"' in village  # its breadcrumb


@pytest.mark.slow
def test_the_aggregates_add_up_level_by_level(county):
    processed, _, _ = county
    table = pd.read_parquet(processed / "aggregates.parquet")
    villages = table[(table["level"] == "village") & (table["indicator"] == "population")]
    towns = table[(table["level"] == "town") & (table["indicator"] == "population")]
    county_rows = table[(table["level"] == "county") & (table["indicator"] == "population")]
    by_town = villages.groupby([villages["code"].str[:9], "year"])["value"].sum()
    assert towns.set_index(["code", "year"])["value"].sort_index().equals(by_town.sort_index())
    assert county_rows.set_index("year")["value"].equals(towns.groupby("year")["value"].sum())


@pytest.mark.slow
def test_a_village_page_compares_with_its_own_town(county):
    processed, year_dir, _ = county
    table = pd.read_parquet(processed / "aggregates.parquet")
    code = pd.read_parquet(processed / "villages.parquet")["code"].iloc[-1]
    town = table[
        (table["level"] == "town")
        & (table["code"] == code[:9])
        & (table["year"] == 2019)
        & (table["indicator"] == "population")
    ]["value"].iloc[0]
    whole = table[
        (table["level"] == "county")
        & (table["year"] == 2019)
        & (table["indicator"] == "population")
    ]["value"].iloc[0]
    page = (year_dir / "villages" / f"{code}.html").read_text(encoding="utf-8")
    assert f">{town:.0f}<" in page and f">{whole:.0f}<" not in page
