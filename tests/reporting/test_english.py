"""An English report is English: every heading, label, table header, legend and unit of every
page type, and the words drawn in its figures. What stays in Chinese characters is the data's
own: the registry's place names, the published document's names and quotations, the project
ledger's project and batch names, each exempted by name, never by a pattern."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import lxml.html
import matplotlib.text
import pandas as pd
import pytest

from analysis import config
from analysis.pipeline.store import load_tables, path_of
from analysis.reporting import indicator_charts, page_maps
from analysis.runs import runner
from analysis.tools import sample

pytestmark = pytest.mark.slow

YEAR = config.DEFAULT_YEAR
VILLAGE = "360722103203"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
#: Two towns of a synthetic county: a county page and town pages.
COUNTY_VILLAGES = 20


def _build(raw: Path, root: Path, villages: list[str] | None = None) -> tuple[Path, Path]:
    processed = root / "processed"
    result = runner.build(
        raw,
        root / "reports",
        processed_dir=processed,
        villages=villages,
        lang="en",
        progress=False,
    )
    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    return result.out_dir, processed


@pytest.fixture(scope="module")
def english_pages(prepared_sample, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Every page type of an English build: page → (its file, the processed folder)."""
    root = tmp_path_factory.mktemp("english")
    shutil.copytree(prepared_sample, root / "town" / "processed")
    town, town_processed = _build(config.RAW_DIR, root / "town", [VILLAGE])
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(COUNTY_VILLAGES))
    with (raw / config.REGISTRY_FILE).open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))["code"]
    county, county_processed = _build(raw, root / "county", [first])
    return {
        "index": (town / "index.html", town_processed),
        "township": (town / "township.html", town_processed),
        "village": (town / "villages" / f"{VILLAGE}.html", town_processed),
        "problems": (town / "problems.html", town_processed),
        "county": (county / "county.html", county_processed),
        "town": (next((county / "towns").glob("*.html")), county_processed),
    }


def data_own_words(processed: Path) -> tuple[list[str], set[str]]:
    """The data's own Chinese: place names (which may sit inside an English sentence), longest
    first; and whole texts (a quotation, a project or batch name) that may fill a cell."""
    registry = pd.read_parquet(path_of(processed, "villages"))
    names = set()
    for column in ("name", "short_name", "town_name", "county_name"):
        if column in registry.columns:
            names |= set(registry[column].dropna().astype(str))
    texts: set[str] = set()
    reconciliation = path_of(processed, "reconciliation")
    if reconciliation.exists():
        published = pd.read_csv(reconciliation, dtype=str, keep_default_na=False)
        # The document's own place names (建设村, a name it blanked) and its sentences.
        names |= {s for scope in published["scope"] for s in scope.split(";") if CJK.search(s)}
        texts |= set(published["quote"]) | set(published["other_text"])
    projects = path_of(processed, "projects")
    if projects.exists():
        ledger = pd.read_parquet(projects)
        texts |= set(ledger["project"].astype(str)) | set(ledger["batch"].astype(str))
    return sorted(names, key=len, reverse=True), {t for t in texts if t}


def chinese_left(text: str, names: list[str], texts: set[str]) -> list[str]:
    """The Chinese in ``text`` that is not the data's own."""
    text = text.strip()
    if not text or text in texts:
        return []
    for name in names:
        text = text.replace(name, " ")
    return CJK.findall(text)


def _text_nodes(page: Path) -> list[tuple[str, str]]:
    """(element, text) of every text node of the page: title, body and attributes read out."""
    root = lxml.html.parse(str(page)).getroot()
    nodes = [("title", root.findtext(".//title"))]
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("style", "script"):
            continue
        for text in (element.text, element.tail):
            if text:
                nodes.append((element.tag, text))
        for attribute in ("alt", "title", "aria-label", "placeholder"):
            if element.get(attribute):
                nodes.append((f"{element.tag}@{attribute}", element.get(attribute)))
    return nodes


@pytest.mark.parametrize("kind", ["index", "county", "town", "township", "village", "problems"])
def test_every_word_of_an_english_page_is_english(english_pages, kind):
    page, processed = english_pages[kind]
    names, texts = data_own_words(processed)
    left = [
        f"<{tag}> {text.strip()[:80]!r}: {found}"
        for tag, text in _text_nodes(page)
        if (found := chinese_left(text, names, texts))
    ]
    assert not left, f"Chinese left on the English {kind} page:\n" + "\n".join(left)


def test_the_check_finds_chinese_words_but_not_names(prepared_sample):
    names, texts = data_own_words(prepared_sample)
    assert chinese_left("Location of 青光村", names, texts) == []
    assert chinese_left("建设村118亩、青光村197亩蔬菜大棚", names, texts) == []  # a quotation
    assert chinese_left("建设村118亩", names, texts) == ["亩"]  # a part of one is not
    assert chinese_left("Population (人)", names, texts) == ["人"]
    assert chinese_left("青光村 示例数据", names, texts) == ["示例数据"]


FIGURES = {
    "corridor": lambda t: page_maps.corridor_figure(t, lang="en"),
    "sanitation": lambda t: page_maps.sanitation_figure(t, YEAR, lang="en"),
    "locator": lambda t: page_maps.locator_figure(t, VILLAGE, lang="en"),
    "sanitary_rate": lambda t: page_maps.sanitary_rate_figure(t, YEAR, lang="en"),
    "target_charts": lambda t: [
        indicator_charts.indicator_chart(t, "township", indicator, lang="en")
        for indicator in indicator_charts.chart_indicators(t, "township")
    ],
    "trend_charts": lambda t: [c.figure for c in indicator_charts.trend_charts(t, YEAR, lang="en")],
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_words_drawn_in_an_english_figure_are_english(prepared_sample, name):
    """Titles, legends, units, scale bars, source lines and sample marks of the maps and charts
    (images: read from the figures' texts, as they are drawn)."""
    names, texts = data_own_words(prepared_sample)
    drawn_figures = FIGURES[name](load_tables(prepared_sample))
    drawn = [
        text.get_text()
        for figure in (drawn_figures if isinstance(drawn_figures, list) else [drawn_figures])
        for text in figure.findobj(matplotlib.text.Text)
    ]
    left = [f"{text!r}: {found}" for text in drawn if (found := chinese_left(text, names, texts))]
    assert not left, "\n".join(left)
