"""The problems page: every problem once, village by village and file by file, escaped, offline,
printable one village per page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.labels import label
from analysis.errors import MissingFileError
from analysis.pipeline.prepare import prepare
from analysis.pipeline.store import path_of
from analysis.reporting.problems import write_problems_page

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
REGISTRY = DATA / "villages.csv"
HOSTILE = '<img src=x onerror="alert(1)">村'


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """Processed tables of a raw folder with problems in three villages, a name not in the
    registry (written to break a page), a file that cannot be read, and a file name with markup."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(REGISTRY, raw / "villages.csv")
    for name in ("merged_village.xlsx", "rate_130.csv", "empty.csv"):
        shutil.copy(BAD / name, raw / name)
    (raw / "<b>&.csv").write_text(
        f"村（居）名称,年度,户数（户）\n{HOSTILE},2019,5\n竹村村,2019,-3\n", encoding="utf-8"
    )
    out = tmp_path_factory.mktemp("processed")
    prepare(raw, out)
    return out


@pytest.fixture(scope="module")
def page(processed, tmp_path_factory) -> str:
    year_dir = tmp_path_factory.mktemp("reports") / "2019"
    path = write_problems_page(processed, year_dir, 2019, False)
    assert path == year_dir / "problems.html"
    return path.read_text(encoding="utf-8")


def _sections(html: str) -> list[str]:
    return re.findall(r'<section class="village".*?</section>', html, flags=re.S)


def test_every_problem_is_on_the_page_once_grouped_by_village(processed, page):
    quarantine = pd.read_csv(path_of(processed, "quarantine"), encoding="utf-8-sig")
    sections = _sections(page)
    headings = [re.search(r"<h2>(.*?)(?: <small>|</h2>)", s).group(1) for s in sections]
    # Registry villages by code (every one: each is missing from a year the town reports), then
    # names not in the registry, then the rest.
    assert headings == [
        "莲花山社区",
        "新圩",
        "老圩",
        "竹村村",
        "新塘村",
        "中塅村",
        "青光村",
        "大桥村",
        "八角村",
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;村（村名待核）",
        "（未对应到村）",
    ]
    tables = [t for s in sections for t in re.findall(r"<tbody>.*?</tbody>", s, flags=re.S)]
    rows = sum(t.count("<tr>") for t in tables)
    assert rows == len(quarantine)
    qingguang = sections[headings.index("青光村")]
    assert qingguang.count("<h3>") == 1 and "文件 merged_village.xlsx · 工作表 数据" in qingguang
    assert ">A3<" in qingguang and ">A4<" in qingguang
    # A village with no row in a year its town reports is named with the year (乡不漏村):
    # 2017 (merged_village.xlsx) and 2019 (rate_130.csv and the hostile file).
    lianhua = unescape(sections[0])
    assert (
        "2017 年的数据中没有“莲花山社区”" in lianhua
        and "2019 年的数据中没有“莲花山社区”" in lianhua
    )
    xinxu = unescape(sections[1])  # reported in 2019 (rate_130.csv), not in 2017
    assert "2017 年的数据中没有“新圩”" in xinxu and "2019 年的数据中没有“新圩”" not in xinxu
    assert "没有“青光村”" not in unescape(qingguang)  # reported in both years
    assert "empty.csv" in sections[-1] and "全表" in sections[-1]


def test_names_and_values_are_escaped(page):
    assert "<img" not in page and "<b>&" not in page
    assert "文件 &lt;b&gt;&amp;.csv" in page


def test_page_is_offline_and_runs_nothing(page):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page
    assert "default-src 'none'" in page


def test_page_prints_one_village_per_page_with_columns_to_fill(page):
    style = re.search(r"@media print \{.*?\n\}", page, flags=re.S).group(0)
    assert "section.village { break-before: page; }" in style
    assert "tr { break-inside: avoid; }" in style and "size: A4" in style
    for section in _sections(page):
        assert "<th>核实情况</th><th>改正为</th>" in section and "核实人：" in section


def test_severity_is_said_in_words_and_colour(page):
    assert '<td class="short sev-error">错误</td>' in page
    assert "sev-warning" in page  # the identical rows of merged_village and rate_130


def test_sample_pages_say_so(processed, tmp_path):
    html = write_problems_page(processed, tmp_path, 2019, True).read_text(encoding="utf-8")
    assert "示例数据" in html


def test_no_problems_is_said(processed_copy, tmp_path):
    html = write_problems_page(processed_copy, tmp_path, 2019, False).read_text(encoding="utf-8")
    assert "没有发现问题" in html and "<section" not in html


def test_a_published_figure_that_differs_is_a_problem_too(processed_copy, tmp_path):
    # The sample's raw data has no problem, but its document writes 197 亩 where the villages
    # sum to 194 (F09): the page must not say that nothing was found.
    html = write_problems_page(processed_copy, tmp_path, 2019, False).read_text(encoding="utf-8")
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "与公开数据不一致" in text and "F09" in text
    assert "原始数据没有发现问题" in text and " 没有发现问题" not in text
    assert "F15" not in text  # matched against the project list, not a problem


def test_tables_prepared_before_villages_were_recorded(processed, tmp_path):
    older = tmp_path / "processed"
    shutil.copytree(processed, older)
    path = path_of(older, "quarantine")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame.drop(columns=["village_code", "village"]).to_csv(path, index=False, encoding="utf-8-sig")
    html = write_problems_page(older, tmp_path / "2019", 2019, False).read_text(encoding="utf-8")
    assert len(_sections(html)) == 1 and "（未对应到村）" in _sections(html)[0]


def test_missing_quarantine_is_a_clear_error(tmp_path):
    with pytest.raises(MissingFileError):
        write_problems_page(tmp_path, tmp_path / "2019", 2019, False)


@pytest.mark.browser
@pytest.mark.slow
def test_printed_one_village_per_page(page, tmp_path):
    """Headless Chromium prints the page: each village on a sheet of its own, the summary on
    the first."""
    binary = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    for tool, found in (("Chromium", binary), ("pdftotext", shutil.which("pdftotext"))):
        if found is None:
            if os.environ.get("MINSHENG_REQUIRE_BROWSER") == "1":
                pytest.fail(f"MINSHENG_REQUIRE_BROWSER=1 but no {tool} on PATH")
            pytest.skip(f"no {tool} on PATH")
    html = tmp_path / "problems.html"
    html.write_text(page, encoding="utf-8")
    pdf = tmp_path / "problems.pdf"
    subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = ["".join(sheet.split()) for sheet in text.split("\f")]
    headings = [
        "".join(unescape(re.sub(r"<[^>]+>", "", re.search(r"<h2>(.*?)</h2>", s).group(1))).split())
        for s in _sections(page)
    ]
    # Each village begins a sheet of its own, so no sheet holds two; the first sheet opens with
    # the summary. (A village whose list is longer than a sheet runs on to the next, unheaded.)
    starts = [next((h for h in headings if sheet.startswith(h)), None) for sheet in pages[1:]]
    assert [h for h in starts if h] == headings[1:]
    how = "".join(label("problems.how", "zh").split())
    assert pages[0].index(headings[0]) > pages[0].index(how)
    # The line to sign stays with the village's last rows, never alone on a sheet.
    sign = "".join(label("problems.sign", "zh").split())
    assert all(sheet.strip() != sign for sheet in pages), pages


def test_an_english_page_says_in_english_what_each_cell_should_hold(processed, tmp_path):
    from analysis.ingest.rules import RULES

    quarantine = pd.read_csv(path_of(processed, "quarantine"), encoding="utf-8-sig")
    html = write_problems_page(processed, tmp_path, 2019, False, "en").read_text(encoding="utf-8")
    expected = [
        unescape(cells[4])
        for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
        if len(cells := re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)) > 4
    ]
    assert len(expected) == len(quarantine)
    known = {rule.expected_en for rule in RULES.values()}
    assert set(expected) <= known, set(expected) - known
    assert RULES["negative_value"].expected_en in expected  # 竹村村's -3 households
    assert all(rule.expected_en and rule.expected_en != rule.expected_zh for rule in RULES.values())
