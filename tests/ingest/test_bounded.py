"""The bounded sheet reader (analysis/bounded.py) on the issue-12 forms.

Anything that would make plain calamine allocate gigabytes or abort is read in a child process
with an address-space limit, so that a regression fails the test instead of killing pytest.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from analysis.ingest.bounded import (
    SheetError,
    SheetTooLarge,
    _read_child,
    read_sheet_bounded,
    read_workbook_bounded,
    sheet_names,
)
from analysis.ingest.bounded_xlsx import shows_percent

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "tests" / "data" / "forms"
SAMPLE = ROOT / "data" / "raw" / "民生工作台账_2019.xlsx"
COUNTY = "民生工作情况统计表_2019"


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def numbers_as_float(rows):
    return [[float(v) if isinstance(v, int) else v for v in row] for row in rows]


def isolated(code: str, memory: int = 1_500_000_000, timeout: float = 120) -> dict:
    """Run ``code`` (which prints one JSON line) in a child limited to ``memory`` bytes."""
    program = textwrap.dedent(
        f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(ROOT / "tests" / "data")!r})
        """
    ) + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the county form in every container ---------------------------------------------------------


@pytest.mark.parametrize(
    "case, name, kind",
    [
        ("county_form", f"{COUNTY}.xlsx", "xlsx"),
        ("county_form_xls", f"{COUNTY}.xls", "xls"),
        ("county_form_ods", f"{COUNTY}.ods", "ods"),
        ("county_form_et", f"{COUNTY}.et", "xls"),
    ],
)
def test_the_county_form_reads_the_same_in_every_container(case, name, kind):
    reference = read_sheet_bounded(FORMS / "county_form" / f"{COUNTY}.xlsx", 0)
    sheet = read_sheet_bounded(FORMS / case / name, "统计表")
    assert (sheet.height, sheet.width) == (15, 8)
    assert numbers_as_float(sheet.rows) == numbers_as_float(reference.rows)
    # Merged ranges: from calamine for xlsx/xls, from the spans in content.xml for ods.
    assert sheet.merged == reference.merged
    assert (2, 3, 2, 5) in sheet.merged  # 脱贫攻坚 over three columns
    assert (2, 0, 3, 0) in sheet.merged  # 序号 down both header rows
    assert sheet.format == kind


def test_the_sample_workbook_reads_as_calamine_reads_it():
    sheets = read_workbook_bounded(SAMPLE)
    assert (
        [s.name for s in sheets]
        == sheet_names(SAMPLE)
        == ["脱贫攻坚", "社会保障", "人居环境", "产业发展"]
    )
    for sheet in sheets:
        assert sheet.route == "direct"
        assert sheet.rows == calamine_rows(SAMPLE, sheet.name)
        assert sheet.blank_cells == 0 and sheet.farthest_blank is None


def test_the_xls_workbook_equals_the_xlsx():
    xls = read_workbook_bounded(FORMS / "workbook_xls" / "民生工作台账_2019.xls")
    for a, b in zip(xls, read_workbook_bounded(SAMPLE), strict=True):
        assert a.route == "child" and a.name == b.name
        assert numbers_as_float(a.rows) == b.rows


# --- percentages --------------------------------------------------------------------------------


def test_a_percent_formatted_fraction_is_flagged():
    sheet = read_sheet_bounded(FORMS / "rate_fraction_cell" / "民生工作台账_2019.xlsx", "社会保障")
    assert sheet.rows[9][1] == "青光村" and sheet.rows[9][3] == pytest.approx(0.821)
    assert sheet.percent == {(9, 3)}
    plain = read_sheet_bounded(FORMS / "rate_fraction_cell_plain" / "民生工作台账_2019.xlsx", 1)
    assert plain.rows[9][3] == pytest.approx(0.821) and plain.percent == set()


@pytest.mark.parametrize(
    "code, expected",
    [
        ("0%", True),
        ("0.0%", True),
        ("0.00%;[Red]-0.00%", True),
        ('0.0"%"', False),
        ("0.0\\%", False),
        ("[$%-804]0", False),
        ("General", False),
        ("0.00", False),
    ],
)
def test_number_formats_that_show_percentages(code, expected):
    assert shows_percent(code) is expected


def _ods(path: Path, rows_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="s">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def _text(t: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>'


def test_ods_percentage_cells_and_far_blank_rows(tmp_path):
    pct = (
        '<table:table-cell office:value-type="percentage" office:value="0.821">'
        "<text:p>82.1%</text:p></table:table-cell>"
    )
    rows = (
        f"<table:table-row>{_text('村名')}{_text('医保参保率')}</table:table-row>"
        f"<table:table-row>{_text('青光村')}{pct}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048573">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        f"<table:table-row>{_text(' ')}</table:table-row>"
    )
    sheet = read_sheet_bounded(_ods(tmp_path / "pct.ods", rows), "s")
    assert sheet.rows == [["村名", "医保参保率"], ["青光村", pytest.approx(0.821)]]
    assert sheet.percent == {(1, 1)}
    assert sheet.farthest_blank == "A1048576" and sheet.route == "trimmed"


# --- far stray cells, oversize ------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["XFD5000", "XFD1048576"])
def test_a_far_stray_space_costs_nothing(ref):
    answer = isolated(
        f"""
        import resource, time
        from analysis.ingest.bounded import read_workbook_bounded
        imported_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        sheets = read_workbook_bounded({str(FORMS / f"stray_cell_{ref.lower()}" / "民生工作台账_2019.xlsx")!r})
        seconds = time.perf_counter() - t
        s = sheets[1]
        print(json.dumps({{"rows": s.rows, "route": s.route, "far": s.farthest_blank,
            "blank": s.blank_cells, "seconds": seconds, "others": [x.route for x in sheets],
            "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - imported_kb}}))
        """,
        memory=1_000_000_000,
    )
    assert answer["rows"] == calamine_rows(SAMPLE, "社会保障")
    assert (answer["route"], answer["far"], answer["blank"]) == ("trimmed", ref, 1)
    assert answer["others"] == ["direct", "trimmed", "direct", "direct"]
    # Unbounded, XFD5000 costs 2.5 GB and 25 s, and XFD1048576 aborts the process; bounded, the
    # read costs little beyond the interpreter and its imports, whatever the machine's load.
    assert answer["rss_kb"] < 100_000 and answer["seconds"] < 30


def _with_far_cell(path: Path, cell: str, *, first: bool = False) -> Path:
    """The sample workbook with ``cell`` (raw XML) appended to its 社会保障 sheet, or written
    before its first row."""
    out = io.BytesIO()
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = (
                    data.replace(b"<sheetData>", b"<sheetData>" + cell.encode())
                    if first
                    else data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
                )
            dst.writestr(item, data)
    path.write_bytes(out.getvalue())
    return path


def test_a_far_number_is_data_and_beyond_the_budget(tmp_path):
    path = _with_far_cell(tmp_path / "far.xlsx", '<row r="5000"><c r="XFD5000"><v>0</v></c></row>')
    with pytest.raises(SheetTooLarge) as caught:
        read_sheet_bounded(path, "社会保障")
    assert caught.value.last_cell == "XFD5000" and caught.value.rows == 5000
    assert "XFD5000" in str(caught.value)
    # The other sheets of the workbook are still read.
    results = read_workbook_bounded(path)
    assert [type(r).__name__ for r in results] == ["BoundedSheet", "SheetTooLarge"] + [
        "BoundedSheet"
    ] * 2


def test_row_numbers_are_the_same_found_quickly_or_by_the_full_pattern():
    from analysis.ingest.bounded_xlsx import _rows_in_order

    # Prefixed row tags, and a text holding 'row r="9"', are read by the full pattern.
    assert _rows_in_order(b'<x:row r="2"><x:c r="A2"/></x:row><x:row r="4">', 1, "s") == 4
    text = b'<row r="2"><c r="A2" t="inlineStr"><is><t>row r="9"</t></is></c></row><row r="3">'
    assert _rows_in_order(text, 1, "s") == 3
    assert _rows_in_order(b'<row r="5"><c r="A5"/></row><row r="7">', 4, "s") == 7
    with pytest.raises(SheetError, match="第5行写在第5行之后"):
        _rows_in_order(b'<row r="5"><c r="A5"/></row>', 5, "s")


def test_rows_out_of_order_are_refused_by_name_never_read_wrongly(tmp_path):
    # A row written after a later one: calamine would drop it unseen.
    late = _with_far_cell(tmp_path / "late.xlsx", '<row r="3"><c r="A3"><v>7</v></c></row>')
    with pytest.raises(SheetError, match=r"行顺序错乱：第3行写在第\d+行之后"):
        read_workbook_bounded(late)
    # The last row first: calamine sized its grid from the first and last cells and aborted
    # the process allocating 512 GiB. In a child, so that the old code fails the test, not
    # the run.
    first = _with_far_cell(
        tmp_path / "first.xlsx",
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        first=True,
    )
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from analysis.ingest.read import read_workbook, ReadError\n"
            "try:\n    read_workbook(sys.argv[1])\n"
            "except ReadError as exc:\n    print(exc.rule, exc.detail)",
            str(first),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith(
        "unreadable_file 工作表“社会保障”的行顺序错乱：第1行写在第1048576行之后"
    )


def test_cells_without_references_keep_their_places(tmp_path):
    # Some exporters leave out r="A1": cells are placed by their order, so blank cells that are
    # dropped must leave an empty cell behind.
    out = io.BytesIO()
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", data).replace(
                    b"</sheetData>",
                    b'<row r="14"><c t="inlineStr"><is><t> </t></is></c><c t="n"><v>1</v></c></row>'
                    b'<row r="5000"><c r="XFD5000" t="inlineStr"><is><t> </t></is></c></row>'
                    b"</sheetData>",
                )
            dst.writestr(item, data)
    path = tmp_path / "noref.xlsx"
    path.write_bytes(out.getvalue())
    answer = isolated(
        f"""
        from analysis.ingest.bounded import read_sheet_bounded
        s = read_sheet_bounded({str(path)!r}, "社会保障")
        print(json.dumps({{"rows": s.rows, "route": s.route, "far": s.farthest_blank}}))
        """
    )
    expected = calamine_rows(SAMPLE, "社会保障")
    assert answer["route"] == "trimmed" and answer["far"] == "XFD5000"
    assert answer["rows"][:12] == expected[:12]


def test_oversize_is_refused_by_bytes_or_read_by_its_data(tmp_path):
    answer = isolated(
        f"""
        from make_forms import make_oversize
        from analysis.ingest.bounded import read_sheet_bounded, SheetTooLarge
        path = make_oversize({str(tmp_path / "oversize.xlsx")!r}, rows=200_000)
        try:
            read_sheet_bounded(path, 0, max_part_bytes=5_000_000)
            refused = ""
        except SheetTooLarge as exc:
            refused = str(exc)
        s = read_sheet_bounded(path, 0, max_cells=1_000)
        print(json.dumps({{"refused": refused, "shape": [s.height, s.width], "route": s.route,
            "blank": s.blank_cells, "far": s.farthest_blank}}))
        """,
        memory=1_000_000_000,
    )
    assert "bytes of XML" in answer["refused"]
    assert answer["shape"] == [11, 5] and answer["route"] == "trimmed"
    assert (answer["blank"], answer["far"]) == (200_000, "E200011")


def test_the_child_reader_reports_an_abort_instead_of_dying():
    # Plain calamine on XFD1048576 asks for 512 GiB and aborts: in the child, that is a message.
    with pytest.raises(SheetTooLarge, match="could not be read within"):
        _read_child(
            FORMS / "stray_cell_xfd1048576" / "民生工作台账_2019.xlsx",
            "xlsx",
            "社会保障",
            10**9,
            memory=600_000_000,
        )


def test_a_far_cell_in_an_xls_is_bounded(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("s")
    ws.write(0, 0, "村（居）名称")
    ws.write(1, 0, "青光村")
    ws.write(65535, 255, " ")
    book.save(str(tmp_path / "far.xls"))
    sheet = read_sheet_bounded(tmp_path / "far.xls", 0)
    assert sheet.rows == [["村（居）名称"], ["青光村"]]
    assert sheet.farthest_blank == "IV65536" and sheet.route == "child"


# --- files that are not workbooks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        ("村名,年度\n".encode(), "not a workbook"),
        (SAMPLE.read_bytes()[:900], "zip"),
        (b"PK\x05\x06" + b"\0" * 18, "zip"),
    ],
)
def test_unreadable_files_are_sheet_errors(tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(SheetError, match=message):
        read_sheet_bounded(path, 0)


def test_a_missing_sheet_is_named():
    with pytest.raises(SheetError, match="no sheet named '草稿'"):
        read_sheet_bounded(SAMPLE, "草稿")
    with pytest.raises(SheetError, match="no sheet number 9"):
        read_sheet_bounded(SAMPLE, 9)
