"""Every kind of workbook, opened and printed to PDF by LibreOffice Calc as an office would.

Each sheet is printed alone (the others removed from a copy): on A4, every page carries the
sheet's first and last column headers, so the sheet is one page wide with its header repeated
on every page. The downloads behind the pages are the officials' workbook itself
(:func:`analysis.reporting.index_page` copies it byte for byte).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from analysis import config
from analysis.core.sheets import README_SHEET
from analysis.ingest.mark import mark
from analysis.pipeline.prepare import prepare
from analysis.tools.template import DATA_SHEET, INSTRUCTIONS_SHEET, write_template

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"


def _required() -> bool:
    return os.environ.get("MINSHENG_REQUIRE_BROWSER") == "1" or bool(os.environ.get("CI"))


def _missing(message: str) -> None:
    if _required():
        pytest.fail(f"MINSHENG_REQUIRE_BROWSER=1 or CI but {message}")
    pytest.skip(message)


def _to_pdf(soffice: str, xlsx: Path) -> Path:
    profile = xlsx.parent / ".lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(xlsx.parent),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return xlsx.with_suffix(".pdf")


@pytest.fixture(scope="module")
def soffice(tmp_path_factory) -> str:
    """LibreOffice with Calc, and poppler's pdfinfo/pdftotext; skips without them unless
    MINSHENG_REQUIRE_BROWSER=1 or CI says they must be there."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        _missing("no soffice on PATH (apt-get install libreoffice-calc-nogui)")
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            _missing(f"no {tool} on PATH (apt-get install poppler-utils)")
    probe = tmp_path_factory.mktemp("probe") / "probe.xlsx"
    wb = Workbook()
    wb.active["A1"] = 1
    wb.save(probe)
    if not _to_pdf(found, probe).exists():
        _missing("soffice cannot open a workbook (apt-get install libreoffice-calc-nogui)")
    return found


def _pages(pdf: Path) -> list[str]:
    """Each page's text, without white space (a wrapped header reads as one word)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert "A4" in fields["Page size"]
    texts = []
    for page in range(1, int(fields["Pages"]) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        texts.append("".join(text.split()))
    return texts


def _print_alone(soffice: str, xlsx: Path, sheet: str, out: Path) -> list[str]:
    """The pages of ``sheet`` printed on its own."""
    wb = load_workbook(xlsx)
    for other in [ws for ws in wb.worksheets if ws.title != sheet]:
        wb.remove(other)
    out.mkdir(parents=True, exist_ok=True)
    alone = out / f"{xlsx.stem}-{len(list(out.iterdir()))}.xlsx"
    wb.save(alone)
    return _pages(_to_pdf(soffice, alone))


def _header(xlsx: Path, sheet: str, row: int = 1) -> list[str]:
    ws = load_workbook(xlsx)[sheet]
    return [str(c.value) for c in ws[row] if c.value is not None]


def _assert_one_page_wide(pages: list[str], first: str, last: str) -> None:
    """Every page shows the first and the last column's header (their first words: a header
    wraps within its column)."""
    assert pages
    for number, text in enumerate(pages, start=1):
        assert first[:4] in text and last[:4] in text, (number, first, last, text[:200])


@pytest.fixture(scope="module")
def livelihood(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    return prepare(config.RAW_DIR, out).paths["livelihood_xlsx"]


def test_the_officials_workbook_prints_each_sheet_one_page_wide(soffice, livelihood, tmp_path):
    whole = _pages(_to_pdf(soffice, _copy(livelihood, tmp_path)))
    # Before its print setup the sample's workbook printed on 26 pages, rows cut across them.
    assert len(whole) <= 12
    sheets = load_workbook(livelihood, read_only=True).sheetnames
    assert sheets[0] == README_SHEET
    for sheet in sheets[1:]:
        header = _header(livelihood, sheet)
        pages = _print_alone(soffice, livelihood, sheet, tmp_path / "alone")
        _assert_one_page_wide(pages, header[0], header[-1])
        if sheet == "村级指标":
            assert len(pages) <= 2, len(pages)


def _copy(path: Path, folder: Path) -> Path:
    target = folder / path.name
    shutil.copyfile(path, target)
    return target


def test_a_marked_copy_and_the_list_print_one_page_wide(soffice, tmp_path):
    result = mark(
        DATA / "bad" / "unknown_village.csv", tmp_path / "marked", registry=DATA / "villages.csv"
    )
    copy = result.copies["unknown_village.csv"]
    names = load_workbook(copy, read_only=True).sheetnames
    assert names[:2] == [README_SHEET, "问题清单"]
    for xlsx in (copy, result.overview):
        ws = load_workbook(xlsx)["问题清单"]
        row = int(ws.print_title_rows.split(":")[0].strip("$"))
        header = _header(xlsx, "问题清单", row)
        pages = _print_alone(soffice, xlsx, "问题清单", tmp_path / "alone")
        _assert_one_page_wide(pages, header[0], header[-1])
    data = names[2]
    header = _header(copy, data)
    _assert_one_page_wide(
        _print_alone(soffice, copy, data, tmp_path / "alone"), header[0], header[-1]
    )


def test_the_template_prints_one_page_wide(soffice, tmp_path):
    template = write_template(tmp_path / "template.xlsx", registry=DATA / "villages.csv", year=2019)
    assert load_workbook(template, read_only=True).sheetnames[:3] == [
        README_SHEET,
        INSTRUCTIONS_SHEET,
        DATA_SHEET,
    ]
    header = _header(template, DATA_SHEET)
    pages = _print_alone(soffice, template, DATA_SHEET, tmp_path / "alone")
    _assert_one_page_wide(pages, header[0], header[-1])
    assert len(pages) == 1
