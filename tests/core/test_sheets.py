"""The workbook conventions: widths from the content, wrapping at the cap, 说明 first."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from analysis.core import sheets


def test_a_cjk_character_counts_double() -> None:
    assert sheets.text_width("青光村") == 6
    assert sheets.text_width("360722103203") == 12
    assert sheets.text_width("村（居）A") == 9


def test_a_column_is_as_wide_as_its_widest_value_up_to_the_cap() -> None:
    assert sheets.column("代码", ["360722103203", None]).width == 12 + sheets.PADDING
    # A long header wraps at its own cap rather than widening a column of short numbers.
    narrow = sheets.column("未脱贫人口(当年脱贫户数)", [3, 12], 0)
    assert narrow.width == sheets.HEADER_CAP + sheets.PADDING and not narrow.wrap
    long = sheets.column("问题", ["长" * 60])
    assert long.width == sheets.WIDTH_CAP and long.wrap
    assert sheets.lines("长" * 60, long.width) == 4


def test_numbers_are_measured_at_their_decimals() -> None:
    rate = sheets.column("率", [86.4, 100.0, float("nan")], 1)
    assert rate.number_format == "0.0" and rate.width == len("100.0") + sheets.PADDING
    money = sheets.column("资金规模(万元)", [-1234567.5], 2)
    assert money.number_format == "0.00" and money.width == len("-1234567.50") + sheets.PADDING


def test_a_wide_sheet_prints_landscape_one_page_wide_on_a4() -> None:
    wb = Workbook()
    narrow, wide = wb.active, wb.create_sheet("宽")
    sheets.lay_out(narrow, [sheets.Column(20)] * 3)
    sheets.lay_out(wide, [sheets.Column(20)] * 5, header_row=3, first_header_row=2)
    assert narrow.page_setup.orientation == "portrait"
    assert wide.page_setup.orientation == "landscape"
    assert (wide.freeze_panes, wide.print_title_rows) == ("A4", "$2:$3")
    for ws in (narrow, wide):
        assert ws.page_setup.paperSize == 9  # A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_readme_lists_the_sheets_the_source_and_the_marks() -> None:
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        if not write_only:
            wb.active.title = "数据"
        sheets.readme_sheet(wb, [("数据", "每村一行。")], source="raw", fingerprint="ab12")
        buffer = io.BytesIO()
        wb.save(buffer)
        ws = load_workbook(buffer).worksheets[0]
        assert ws.title == sheets.README_SHEET
        rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
        assert rows["数据"] == "每村一行。"
        assert rows["数据来源"] == "raw" and rows["数据指纹"] == "ab12"
        assert {"错误", "提示", "待核实"} <= set(rows)
        fills = {c.value: c.fill.fgColor.rgb for c in ws["A"]}
        assert fills["错误"] == sheets.ERROR_FILL and fills["提示"] == sheets.WARNING_FILL
        assert ws.column_dimensions["B"].width == 70


def test_a_column_of_floats_is_measured_as_its_values_are() -> None:
    import pandas as pd

    for values in ([86.4, 100.0, float("nan")], [-0.0, 5.0], [0.0, -0.0, 2.0], [float("nan")]):
        for places in (None, 1):
            as_floats = sheets.column("率", pd.Series(values, dtype="float64"), places)
            assert as_floats == sheets.column("率", list(values), places)
