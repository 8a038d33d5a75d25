"""The explorer page (explore.html): its data, its markup, and the page itself in headless
Chromium: the first view draws offline, a URL opens its view and Back goes to the one before,
the figures shown are the processed tables', the downloads are what is shown, a hostile name
stays text, axe finds nothing and a phone's width holds it.

The browser is driven as tests/reporting/test_browser.py drives it (its helpers are imported).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from test_browser import (
    EVIL_NAME,
    EVIL_NAME_VILLAGE,
    Chromium,
    _blocking,
    axe_source,  # noqa: F401 (a fixture)
    chromium_path,  # noqa: F401 (a fixture)
)

from analysis import config
from analysis.core import numbers
from analysis.core.catalog import default_catalog
from analysis.pipeline import store
from analysis.reporting import explorer, publish
from analysis.runs import runner
from analysis.tools import vendor_js

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from test_explanations import typed_sample

#: The marks of a test that drives Chromium (as test_browser.py's module mark says).
in_browser = pytest.mark.browser
slow = pytest.mark.slow

VILLAGE = "360722103203"
TOWN = "360722103"
INDICATOR = "medical_insurance_rate"
YEAR = config.DEFAULT_YEAR
TIMEOUT = 30.0


# --- the figures, without a browser ------------------------------------------------------------


#: Figures whose rounding is a tie in binary (86.25 to one decimal, 2.5 to none): JavaScript's
#: toFixed rounds them up, Python's format to even, so the data carry them rounded already.
AWKWARD = [86.25, 0.125, 2.5, 3.5, -0.04, 0.0, 1234567.891, 99.95, 1e-9, -1234.5, 12.345]


@pytest.mark.parametrize(
    "indicator", ["medical_insurance_rate", "population", "medical_reimbursement_wan"]
)
def test_shown_values_round_as_the_pages_number_does(indicator):
    ind = default_catalog()[indicator]
    many = explorer.shown_values([*AWKWARD, math.nan], ind)
    for value, shown in zip(AWKWARD, many, strict=False):
        assert shown == explorer.shown_value(value, ind)
        assert numbers.number(shown, ind, context="column") == numbers.number(
            value, ind, context="column"
        )
    assert math.isnan(many[-1])
    assert explorer.shown_value(math.nan, ind) is None


def test_the_explorer_and_the_workbench_open_on_the_data_sets_widest_place():
    units = pd.DataFrame(
        {
            "level": ["prefecture", "county", "county", "town", "town", "village"],
            "code": ["3607", "360722", "360723", "360722103", "360723100", "360722103001"],
        }
    )
    assert explorer.top_place(units) == "3607"  # several counties: their prefecture
    one_town = units[units["code"].str.startswith("360722")]
    assert explorer.top_place(one_town) == "360722103"  # one town: the town
    one_county = units[units["code"].str.startswith("360722") | (units["level"] == "town")]
    assert explorer.top_place(one_county) == "360722"  # several towns of one county: it


def test_the_data_hold_every_level_as_aggregates_does(prepared_sample):
    aggregates = pd.read_parquet(store.path_of(prepared_sample, "aggregates"))
    villages = pd.read_parquet(store.path_of(prepared_sample, "villages"))
    paths = pd.read_parquet(store.path_of(prepared_sample, "projection_paths"))
    data = explorer.explorer_data(aggregates, villages, paths, YEAR)
    catalog = default_catalog()
    years = data.index["years"]
    assert data.index["top"] == TOWN  # a one-town data set opens on its town
    assert set(data.towns) == {TOWN}
    for row in aggregates[aggregates["indicator"].isin([i.id for i in catalog])].itertuples():
        held = data.towns[TOWN] if row.level == "village" else data.index
        value = held["values"][row.indicator][row.code][years.index(row.year)]
        assert value == explorer.shown_value(row.value, catalog[row.indicator]), row
    # The town's targets are its own (a one-town set's projections read 'township').
    assert data.index["paths"][INDICATOR][TOWN]["target"] is not None
    # A village's file carries only its town's villages.
    codes = {c for by in data.towns[TOWN]["values"].values() for c in by}
    assert codes == set(villages["code"])


def test_a_data_file_registers_its_json(tmp_path):
    text = explorer.script_text("town:1", {"name": "</script><b>x</b>", "v": [1.5, None]})
    assert text.startswith('MinshengExplore.register("town:1",')
    payload = json.loads(text[len('MinshengExplore.register("town:1",') : -3])
    assert payload == {"name": "</script><b>x</b>", "v": [1.5, None]}
    with pytest.raises(ValueError):
        explorer.script_text("x", {"v": math.nan})


def test_pages_link_the_explorer_and_only_it_runs_files_of_its_folder():
    provenance = publish.Provenance(data_fingerprint="f" * 16)
    village = publish.page("村", "<p>x</p>", provenance, home="../index.html")
    assert '<a href="../explore.html">数据探索 Explore</a>' in village
    assert "script-src 'none'" in village
    page = explorer.explorer_page("探索", provenance)
    assert "script-src 'self'" in page and "unsafe-inline'; script-src 'self'" in page
    assert "<script>" not in page  # no inline script: files of its folder only
    assert page.count("<script src=") == len(explorer.VENDOR_SCRIPTS) + 2
    with pytest.raises(ValueError):
        publish.page("x", "", provenance, script="1", scripts=["a.js"])


def test_the_vendored_library_is_what_package_lock_pins(tmp_path):
    if not (vendor_js.NODE_MODULES / "vega").exists():
        pytest.skip("node_modules/ has no vega: run `npm ci`")
    versions = vendor_js.refresh(vendor=tmp_path)
    lock = json.loads((config.PROJECT_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for package, version in versions.items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == version
    for file in tmp_path.iterdir():
        assert file.read_bytes() == (explorer.VENDOR / file.name).read_bytes(), file.name


def test_the_specs_the_build_reads_are_altairs():
    committed = json.loads(explorer.SPECS.read_text(encoding="utf-8"))
    assert committed == explorer.written_specs(), "run `make vendor` to write them again"


def test_the_interpreter_module_becomes_a_script():
    module = (
        "import { ascending, isString } from 'vega-util';\nfunction f () {}\n"
        "export { f as expressionInterpreter };\n//# sourceMappingURL=x.map\n"
    )
    script = vendor_js.as_script(module)
    assert "import" not in script and "export" not in script
    assert "var { ascending, isString } = vega;" in script
    assert "vega.expressionInterpreter = f;" in script
    with pytest.raises(ValueError):
        vendor_js.as_script("export default 1;")


# --- the page in Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explore_dir(chromium_path, tmp_path_factory) -> Path:  # noqa: F811 (the fixture's argument)
    """The sample's explorer, one village named like an attack (its tables prepared, no page
    built but the explorer)."""
    root = tmp_path_factory.mktemp("explore")
    raw = root / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    registry = raw / config.REGISTRY_FILE
    with registry.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["code"] == EVIL_NAME_VILLAGE:
            row["name"] = EVIL_NAME
    with registry.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    processed = root / "processed"
    runner.prepare_tables(raw, processed)
    year_dir = root / "reports" / str(YEAR)
    explorer.write_explorer(processed, year_dir, YEAR, sample=True)
    return year_dir


@pytest.fixture(scope="module")
def aggregates(explore_dir) -> pd.DataFrame:
    return pd.read_parquet(store.path_of(explore_dir.parent.parent / "processed", "aggregates"))


@pytest.fixture(scope="module")
def page(chromium_path, tmp_path_factory) -> Iterator[Chromium]:  # noqa: F811
    with Chromium(chromium_path, tmp_path_factory.mktemp("explore-browser")) as chromium:
        yield chromium


def _open(browser: Chromium, year_dir: Path, query: str = "") -> str:
    """Open the explorer at ``query`` and wait until its view is drawn; the view's URL."""
    browser.events.clear()
    result = browser.call("Page.navigate", url=(year_dir / explorer.PAGE).as_uri() + query)
    assert "errorText" not in result, result
    browser.wait_for("Page.loadEventFired")
    return _drawn(browser)


def _drawn(browser: Chromium, previous: str | None = None) -> str:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        drawn = browser.evaluate("document.body.getAttribute('data-drawn')")
        if drawn and drawn != previous and drawn == browser.evaluate("location.search"):
            return drawn
        time.sleep(0.05)
    raise TimeoutError(f"the explorer drew nothing new in {TIMEOUT} s")


def _errors(browser: Chromium) -> list[str]:
    return [
        json.dumps(e["params"])[:300]
        for e in browser.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
    ]


def _table(browser: Chromium) -> list[list[str]]:
    return browser.evaluate(
        "Array.from(document.querySelectorAll('#ex-table tr'))"
        ".map(r => Array.from(r.cells).map(c => c.textContent))"
    )


@in_browser
@slow
def test_the_first_view_draws_offline(explore_dir, page):
    drawn = _open(page, explore_dir)
    assert drawn == f"?indicator={INDICATOR}&place={TOWN}&year={YEAR}&tab=chart"
    assert page.evaluate("document.querySelectorAll('#ex-view svg .mark-line path').length") == 1
    assert page.evaluate("performance.getEntriesByName('explore-drawn').length") == 1
    assert _errors(page) == [] and page.dialogs == []
    page.assert_offline()


@in_browser
@slow
@pytest.mark.parametrize("code", [VILLAGE, TOWN])
def test_a_link_opens_its_view_with_the_tables_figures(explore_dir, aggregates, page, code):
    query = f"?indicator={INDICATOR}&place={code}&tab=table"
    assert (
        _open(page, explore_dir, query)
        == f"?indicator={INDICATOR}&place={code}&year={YEAR}&tab=table"
    )
    rows = {row[0]: row for row in _table(page)[1:]}
    header = _table(page)[0]
    ind = default_catalog()[INDICATOR]
    mine = aggregates[(aggregates["indicator"] == INDICATOR)]
    assert mine["code"].isin(rows).sum() > 0
    for row in mine[mine["code"].isin(rows)].itertuples():
        shown = rows[row.code][header.index(str(row.year))]
        assert shown == numbers.number(row.value, ind, context="column"), row
    assert page.evaluate("document.getElementById('ex-indicator').value") == INDICATOR
    assert (
        page.evaluate("document.getElementById('ex-tab-table').getAttribute('aria-selected')")
        == "true"
    )
    page.assert_offline()


@in_browser
@slow
def test_back_returns_to_the_view_before(explore_dir, page):
    first = _open(page, explore_dir, f"?indicator={INDICATOR}&place={TOWN}&tab=chart")
    page.evaluate("document.getElementById('ex-tab-table').click()")
    table = _drawn(page, first)
    assert "tab=table" in table
    page.evaluate(
        "var s = document.getElementById('ex-indicator'); s.value = 'sanitary_toilet_rate';"
        "s.dispatchEvent(new Event('change'))"
    )
    other = _drawn(page, table)
    assert "indicator=sanitary_toilet_rate" in other and "tab=table" in other
    page.evaluate("history.back()")
    assert _drawn(page, other) == table
    assert page.evaluate("document.getElementById('ex-indicator').value") == INDICATOR
    page.evaluate("history.back()")
    assert _drawn(page, table) == first
    assert (
        page.evaluate("document.getElementById('ex-tab-chart').getAttribute('aria-selected')")
        == "true"
    )


def _key(browser: Chromium, key: str, code: int) -> None:
    """A key pressed as a keyboard does (Enter also types its character, which clicks)."""
    text = {"Enter": "\r"}.get(key, "")
    browser.call(
        "Input.dispatchKeyEvent",
        type="keyDown",
        key=key,
        code=key,
        windowsVirtualKeyCode=code,
        text=text,
    )
    browser.call(
        "Input.dispatchKeyEvent", type="keyUp", key=key, code=key, windowsVirtualKeyCode=code
    )


@in_browser
@slow
def test_the_keyboard_alone_picks_a_place_and_a_tab(explore_dir, page):
    first = _open(page, explore_dir, f"?indicator={INDICATOR}&place={TOWN}&tab=chart")
    page.evaluate("document.getElementById('ex-place').focus()")
    page.call("Input.insertText", text=VILLAGE)
    _key(page, "Enter", 13)
    added = _drawn(page, first)
    assert f"place={TOWN},{VILLAGE}&" in added
    page.evaluate("document.getElementById('ex-tab-chart').focus()")
    _key(page, "ArrowRight", 39)
    on_map = _drawn(page, added)
    assert "tab=map" in on_map
    assert page.evaluate("document.activeElement.id") == "ex-tab-map"
    page.evaluate("document.querySelector('#ex-chosen button').focus()")
    _key(page, "Enter", 13)  # the first place's remove button
    assert f"place={VILLAGE}&" in _drawn(page, on_map)


@in_browser
@slow
def test_the_downloads_are_what_is_shown(explore_dir, page, tmp_path):
    _open(page, explore_dir, f"?indicator={INDICATOR}&place={TOWN},{VILLAGE}&tab=table")
    page.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path))
    page.evaluate("document.querySelector('[data-download=csv]').click()")
    saved = _downloaded(tmp_path, ".csv")
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    shown = _table(page)
    # The table's columns, then which years' figures are pending review (none in the sample).
    assert rows[0] == [*shown[0], "待核实年份"]
    assert [r[:3] for r in rows[1:]] == [r[:3] for r in shown[1:]]
    assert [r[3:-1] for r in rows[1:]] == [
        [c.replace(",", "").replace("—", "") for c in r[3:]] for r in shown[1:]
    ]
    assert {r[-1] for r in rows[1:]} == {""}
    assert {r[0] for r in rows[1:]} >= {TOWN, VILLAGE}

    _open(page, explore_dir, f"?indicator={INDICATOR}&place={VILLAGE}&tab=chart")
    chart_rows = list(csv.reader(io.StringIO(page.evaluate("MinshengExplore.csv()")[1:])))
    series = page.evaluate(
        "Array.from(document.querySelectorAll('#ex-view svg .mark-symbol.role-mark path')).length"
    )
    assert len([r for r in chart_rows[1:] if r[3]]) == series
    page.evaluate("document.querySelector('[data-download=svg]').click()")
    assert _downloaded(tmp_path, ".svg").read_text(encoding="utf-8").startswith("<svg")
    page.evaluate("document.querySelector('[data-download=png]').click()")
    assert _downloaded(tmp_path, ".png").read_bytes().startswith(b"\x89PNG")
    page.assert_offline()


def _downloaded(folder: Path, suffix: str) -> Path:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size]
        if found:
            return found[0]
        time.sleep(0.05)
    raise TimeoutError(f"no {suffix} downloaded in {TIMEOUT} s")


@in_browser
@slow
def test_numbers_are_written_as_the_pages_write_them(explore_dir, page):
    _open(page, explore_dir)
    for indicator in ("medical_insurance_rate", "population", "medical_reimbursement_wan"):
        ind = default_catalog()[indicator]
        values = [explorer.shown_value(v, ind) for v in AWKWARD]
        written = page.evaluate(
            f"{json.dumps(values)}.map(v => MinshengExplore.formatNumber(v, {numbers.decimals(ind)}))"
        )
        assert written == [numbers.number(v, ind, context="column") for v in AWKWARD]


@in_browser
@slow
def test_a_hostile_name_stays_text(explore_dir, page):
    _open(page, explore_dir, f"?indicator={INDICATOR}&place={EVIL_NAME_VILLAGE}&tab=table")
    assert _table(page)[1][1] == EVIL_NAME
    _open(page, explore_dir, f"?indicator={INDICATOR}&place={EVIL_NAME_VILLAGE}&tab=chart")
    assert EVIL_NAME in page.evaluate("document.getElementById('ex-view').textContent")
    assert EVIL_NAME in page.evaluate("document.getElementById('ex-chosen').textContent")
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.dialogs == [] and _errors(page) == []


@in_browser
@slow
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("tab", ["chart", "map", "table"])
def test_every_view_is_accessible_and_fits_a_phone(explore_dir, page, axe_source, tab, width):  # noqa: F811
    page.viewport(width)
    _open(page, explore_dir, f"?indicator={INDICATOR}&place={TOWN},{VILLAGE}&tab={tab}")
    assert _blocking(page.axe(axe_source)) == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _errors(page) == []


# --- figures pending review ----------------------------------------------------------------------

#: 老圩's 2019 医疗保险参保率 typed 8.96 for 89.6, which no 核实说明 confirms: the town's 2019
#: rate (76.8) counts it.
LAOWEI = "360722103003"
TYPO = (("社会保障", "老圩", INDICATOR, 8.96, 89.6),)


@pytest.fixture(scope="module")
def pending_dir(tmp_path_factory) -> Path:
    """The explorer of the sample with 老圩's value pending review."""
    root = tmp_path_factory.mktemp("explore-pending")
    raw = typed_sample(root, typos=TYPO)
    processed = root / "processed"
    runner.prepare_tables(raw, processed)
    year_dir = root / "reports" / str(YEAR)
    explorer.write_explorer(processed, year_dir, YEAR, sample=True)
    return year_dir


def _registered(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index(",") + 1 : -3])


@slow
def test_the_data_carry_the_counts_pending_review_beside_the_values(pending_dir):
    index = _registered(pending_dir / explorer.FOLDER / "data" / "index.js")
    town = _registered(pending_dir / explorer.FOLDER / "data" / explorer.town_file(TOWN))
    years = index["years"]
    counts = index["pending"][INDICATOR][TOWN]
    assert counts[years.index(2019)] == 1 and sum(counts) == 1
    assert town["pending"] == {INDICATOR: {LAOWEI: [int(y == 2019) for y in years]}}
    assert index["values"][INDICATOR][TOWN][years.index(2019)] == 76.8


@in_browser
@slow
def test_a_figure_pending_review_is_marked_in_the_table_chart_and_map(pending_dir, page):
    _open(page, pending_dir, f"?indicator={INDICATOR}&place={TOWN}&tab=table")
    header, *body = _table(page)
    rows = {row[0]: row for row in body}
    assert rows[TOWN][header.index("2019")] == "76.8（待核实）"
    assert rows[TOWN][header.index("2018")] == "84.6"
    # At the indicator's decimals, as the explorer writes every figure.
    assert rows[LAOWEI][header.index("2019")] == "9.0（待核实）"
    assert "待核实" not in rows[LAOWEI][header.index("2018")]
    marked = [cell for row in body for cell in row if "待核实" in cell]
    assert len(marked) == 2

    _open(page, pending_dir, f"?indicator={INDICATOR}&place={TOWN},{LAOWEI}&tab=chart")
    tooltips = page.evaluate("MinshengExplore.view().data('series').map(d => d.text)")
    assert sorted(t for t in tooltips if "待核实" in t) == ["76.8 %（待核实）", "9.0 %（待核实）"]
    _open(page, pending_dir, f"?indicator={INDICATOR}&place={LAOWEI}&tab=map&year=2019")
    shapes = page.evaluate(
        "MinshengExplore.view().data('shapes').map(d => [d.properties.code, d.properties.text])"
    )
    assert dict(shapes)[LAOWEI] == "9.0 %（待核实）"
    assert sum("待核实" in text for _, text in shapes) == 1
    assert "标有“待核实”的数字有待核实" in page.evaluate("document.body.textContent")
    assert _errors(page) == []


def _csv(page) -> list[list[str]]:
    return list(csv.reader(io.StringIO(page.evaluate("MinshengExplore.csv()")[1:])))


@in_browser
@slow
def test_the_downloads_say_which_figures_are_pending_review(pending_dir, page):
    """The figures are plain numbers (76.8, not 76.8（待核实）); a last column says which are
    pending review: the years in the table's, the count of village values in the chart's and
    the map's."""
    _open(page, pending_dir, f"?indicator={INDICATOR}&place={TOWN}&tab=table")
    header, *body = _csv(page)
    rows = {row[0]: row for row in body}
    assert header[-1] == "待核实年份"
    assert rows[TOWN][header.index("2019")] == "76.8"
    assert {code: row[-1] for code, row in rows.items() if row[-1]} == {
        TOWN: "2019",
        LAOWEI: "2019",
    }

    _open(page, pending_dir, f"?indicator={INDICATOR}&place={TOWN},{LAOWEI}&tab=chart")
    header, *body = _csv(page)
    assert header[-1] == "待核实村数据个数"
    marked = [(r[0], r[2], r[3], r[-1]) for r in body if r[-1]]
    assert sorted(marked) == [(TOWN, "2019", "76.8", "1"), (LAOWEI, "2019", "9.0", "1")]

    _open(page, pending_dir, f"?indicator={INDICATOR}&place={LAOWEI}&tab=map&year=2019")
    header, *body = _csv(page)
    assert header[-1] == "待核实村数据个数"
    assert [(r[0], r[3], r[-1]) for r in body if r[-1]] == [(LAOWEI, "9.0", "1")]
    assert _errors(page) == []


def test_a_former_units_value_pending_review_marks_the_values_of_today_made_from_it():
    """As prepare counts it in the totals (``keys_of_today``): 原竹村's flagged 2015 value is
    pending in both units it was split into, which restated.parquet names it a source of."""
    old, zhucun, xiaping = "360722103290", "360722103200", "360722103291"
    keys = pd.DataFrame(
        [(old, 2015, INDICATOR), (xiaping, 2019, "toilets")],
        columns=["village_code", "year", "indicator"],
    )
    restated = pd.DataFrame(
        [
            (zhucun, 2015, INDICATOR, f"{zhucun};{old}", "split", True),
            (xiaping, 2015, INDICATOR, old, "split", True),
            (zhucun, 2016, INDICATOR, old, "split", True),
            (zhucun, 2015, "toilets", old, "split", True),
        ],
        columns=["village_code", "year", "indicator", "sources", "kinds", "estimated"],
    )
    found = explorer.restated_keys(keys, restated)
    assert sorted(map(tuple, found.to_numpy().tolist())) == sorted(
        [
            (old, 2015, INDICATOR),
            (zhucun, 2015, INDICATOR),
            (xiaping, 2015, INDICATOR),
            (xiaping, 2019, "toilets"),
        ]
    )
    assert explorer.restated_keys(keys, restated.iloc[0:0]) is keys
