"""Formula cells saved without a value (issue 27): computed where arithmetic on the workbook's
own cells, with the library ``formulas``; every other one refused with its reason."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.ingest.formula_cells import compute, formula_text
from analysis.ingest.read import read_workbook


def _grid(rows: list[list[object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype=object)


def test_arithmetic_across_sheets_and_chains_is_computed():
    grids = {
        "数据": _grid(
            [["村", "户数", "人口", "率"], ["青光村", 200.0, 800.0, ""], ["合计", "", "", ""]]
        ),
        "底 数": _grid([[4.0]]),
    }
    formulas = {
        "数据": {
            (1, 3): ("ROUND(B2/C2*100,1)", (1, 3)),
            (2, 1): ("SUM(B2:B2)", (2, 1)),
            # refers to a formula cell that has no value either: computed first
            (2, 2): ("B3*'底 数'!A1", (2, 2)),
        }
    }
    done = compute(grids, formulas)
    assert done.refused == {}
    assert done.values == {
        ("数据", 1, 3): 25.0,
        ("数据", 2, 1): 200.0,
        ("数据", 2, 2): 800.0,
    }


@pytest.mark.parametrize(
    ("formula", "why"),
    [
        ("IF(B2>0,1,0)", "IF"),
        ("VLOOKUP(A2,B2:C2,2,0)", "VLOOKUP"),
        ("[1]Sheet1!A1+1", "其他文件"),
        ("'没有的表'!A1*2", "没有的表"),
        ("B2/C2", "#DIV/0!"),  # C2 is 0
        ("A2*2", "#VALUE!"),  # A2 is a name
        ("D2+1", "循环"),  # D2 is this cell
        ('B2&"户"', "文字"),
        ("人口合计*2", "不是单元格"),  # a defined name
    ],
)
def test_anything_else_is_refused_with_its_reason(formula, why):
    grids = {"数据": _grid([["村", "户数", "人口", "率"], ["青光村", 200.0, 0.0, ""]])}
    done = compute(grids, {"数据": {(1, 3): (formula, (1, 3))}})
    assert done.values == {}
    refused = done.refused[("数据", 1, 3)]
    assert refused.formula == formula
    assert why in refused.why_zh


def test_a_formula_on_a_refused_cell_is_refused_naming_it():
    grids = {"数据": _grid([["", "", ""]])}
    done = compute(grids, {"数据": {(0, 0): ("IF(1,2,3)", (0, 0)), (0, 1): ("A1+1", (0, 1))}})
    assert set(done.refused) == {("数据", 0, 0), ("数据", 0, 1)}
    assert "A1" in done.refused[("数据", 0, 1)].why_zh


def test_a_shared_formula_is_moved_as_excel_moves_it():
    assert formula_text("B5/C5*100", (4, 3), (6, 3)) == "B7/C7*100"
    assert formula_text("SUM($B$5:B5)", (4, 3), (5, 3)) == "SUM($B$5:B6)"


def test_a_workbook_written_with_shared_formulas_and_no_values_reads_them(tmp_path):
    """WPS writes a column of one formula as a shared formula: the first cell holds its text,
    the others only its number. None holds a value."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for row in (["a", "b", "c"], [1, 2, "=A2+B2"], [3, 4, "=A3+B3"], [5, 6, "=A4+B4"]):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "shared.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(path, "w") as dst,
    ):
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A2+B2</f>", b'<f t="shared" ref="C2:C4" si="0">A2+B2</f>')
                data = data.replace(b"<f>A3+B3</f>", b'<f t="shared" si="0"/>')
                data = data.replace(b"<f>A4+B4</f>", b'<f t="shared" si="0"/>')
                assert data.count(b'si="0"') == 3
            dst.writestr(item, data)
    (sheet,) = read_workbook(path)
    assert sheet.cells[2].tolist() == ["c", 3.0, 7.0, 11.0]
    assert [(f.rule, f.row, f.column, f.fields["count"]) for f in sheet.findings] == [
        ("formula_computed", 2, "C", 3)
    ]


def test_a_formula_saved_with_its_value_is_read_as_saved(tmp_path):
    """Only cells without a value are computed: a saved result is what Excel showed."""
    path = tmp_path / "saved.xlsx"
    wb = Workbook()
    wb.active.append([1, 2, "=A1+B1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(path, "w") as dst,
    ):
        for item in src.infolist():
            data = src.read(item).replace(b"<v></v>", b"<v>99</v>").replace(b"<v />", b"<v>99</v>")
            dst.writestr(item, data)
    (sheet,) = read_workbook(path)
    assert sheet.cells.iat[0, 2] == 99.0
    assert sheet.findings == []


def test_a_computed_formula_shown_as_a_percentage_is_read_as_one(tmp_path):
    """=B2/C2 formatted 0.0% is 0.25 stored and 25 % shown: the cell is marked as a percentage,
    as a saved one would be, so a rate column reads it as 25."""
    wb = Workbook()
    ws = wb.active
    ws.append(["a", "b", "c"])
    ws.append([1, 4, "=A2/B2"])
    ws["C2"].number_format = "0.0%"
    wb.save(tmp_path / "percent.xlsx")
    (sheet,) = read_workbook(tmp_path / "percent.xlsx")
    assert sheet.cells.iat[1, 2] == 0.25
    assert (1, 2) in sheet.percent_cells
