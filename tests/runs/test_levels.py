"""A county of several towns builds as a tree: county → towns → villages (issue 14).

The county is built once per test process (``county`` in conftest.py)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest


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
    # The county page is the county's, by name, and its summary speaks for the county.
    county_page = (year_dir / "county.html").read_text(encoding="utf-8")
    assert "<title>示例县2019年民生工作总览</title>" in county_page
    summary = re.search(
        r'<section class="minsheng-summary"[^>]*>(.*?)</section>', county_page, re.S
    )
    assert summary and "全县" in summary.group(1) and "全镇" not in summary.group(1)


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
    # Tables print whole figures with thousands separators (numbers.number, context "column").
    assert f">{town:,.0f}<" in page and f">{whole:,.0f}<" not in page


def _text(path: Path) -> str:
    """A page's visible text, tags and images dropped, spaces folded."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style.*?</style>|<script.*?</script>|<img[^>]*>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.slow
def test_each_page_shows_the_targets_of_its_own_level(county):
    processed, year_dir, _ = county
    targets = pd.read_parquet(processed / "targets.parquet")
    towns = pd.read_parquet(processed / "villages.parquet").drop_duplicates("town_code")
    county_page = _text(year_dir / "county.html")
    whole = targets[targets["scope"].str.len() == 6].set_index("indicator")["target_value"]
    county_road = f"{whole['hardened_road_km']:.2f}公里"
    # The county's own targets, named plainly, then each town's statuses.
    assert re.search(rf"硬化公路里程 \S+公里（2019年） {county_road}", county_page)
    assert "各乡镇目标状态" in county_page
    assert "医疗保险参保率（全县目标90.0%）" in county_page
    assert "硬化公路里程（全县目标" not in county_page  # a county total is no town's target
    for name in towns["town_name"]:
        assert re.search(rf"{name} (需加速|有望达成|已达成|倒退|数据不足)", county_page), name
    code = towns["town_code"].iloc[1]
    own = targets[targets["scope"] == code].set_index("indicator")["target_value"]
    town_page = _text(year_dir / "towns" / f"{code}.html")
    road = f"{own['hardened_road_km']:.2f}公里"
    assert f"{road} " in town_page and "92.0%" in town_page
    assert county_road not in town_page and "2020年2项目标" in town_page


@pytest.mark.slow
def test_a_village_is_compared_with_its_towns_rate_never_with_its_towns_total(county):
    processed, year_dir, _ = county
    targets = pd.read_parquet(processed / "targets.parquet")
    code = pd.read_parquet(processed / "villages.parquet")["code"].iloc[20]
    road = targets[(targets["scope"] == code[:9]) & (targets["indicator"] == "hardened_road_km")]
    page = _text(year_dir / "villages" / f"{code}.html")
    assert "（全镇目标92.0%）" in page
    assert f"全镇目标{road['target_value'].iloc[0]:.2f}公里" not in page
    row = re.search(r"硬化公路里程（[^）]+） \S+ (\S+) ", page)
    assert row and row.group(1) == "—"  # the village's road has no target of its own


def test_a_county_summary_speaks_for_the_county_but_quotes_a_batch_as_it_is_named(county):
    from analysis.pipeline.store import load_tables
    from analysis.reporting import narrative

    processed, _, _ = county
    tables = load_tables(processed)
    assert tables.place()[0] == "county"
    batch = "2019年全镇统筹整合资金项目"
    projects = tables.projects.assign(batch=batch)
    text = " ".join(
        paragraph
        for section in narrative.summary(2019, replace(tables, projects=projects)).sections
        for paragraph in section.paragraphs
    )
    assert batch in text, "a batch's name is the data's own: never 全县统筹整合资金项目"
    assert "全县" in text and "全镇" not in text.replace(batch, "")
