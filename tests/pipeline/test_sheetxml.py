"""The officials' workbook written through sheetxml is byte-for-byte the one openpyxl writes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis.pipeline import sheetxml, workbook
from analysis.pipeline.workbook import save_workbook

#: Every kind of value the fast route writes, and the text that needs escaping or spacing.
MIXED = pd.DataFrame(
    {
        "code": ["360722103203", "3607", "", " lead", "trail ", "x&<>\"'y", "a\tb\nc\rd"],
        "名称": ["青光村", "😀", None, "#tag", "=", "中 文", "end"],
        "int": [2014, 0, -3, 10**17, 7, 8, 9],
        "float": [0.1, -0.0, 1e20, 2.5e-12, float("nan"), 81.6, 1 / 3],
        "flag": [True, False, None, True, False, True, None],
    }
)


def _openpyxl_bytes(
    frames: dict[str, pd.DataFrame], tmp_path: Path, places: dict | None = None
) -> bytes:
    """The reference: the same sheets, every value appended as a cell through openpyxl."""
    wb = Workbook(write_only=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook, "rows_xml", lambda *args, **kwargs: None)
        for title, frame in frames.items():
            workbook._sheet(wb, {}, title, frame, places)
    return save_workbook(wb, tmp_path / "reference.xlsx").read_bytes()


def _fast_bytes(
    frames: dict[str, pd.DataFrame], tmp_path: Path, places: dict | None = None
) -> bytes:
    wb = Workbook(write_only=True)
    rows: dict = {}
    for title, frame in frames.items():
        workbook._sheet(wb, rows, title, frame, places)
    return save_workbook(wb, tmp_path / "fast.xlsx", rows).read_bytes()


def test_mixed_values_give_the_same_bytes_as_openpyxl(tmp_path: Path) -> None:
    frames = {"一": MIXED, "二": MIXED.iloc[::-1], "空": MIXED.iloc[:0]}
    assert sheetxml.rows_xml(MIXED.astype(object).where(MIXED.notna(), None), 2) is not None
    assert _fast_bytes(frames, tmp_path) == _openpyxl_bytes(frames, tmp_path)


def test_rows_span_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheetxml, "CHUNK_ROWS", 3)
    frames = {"s": pd.concat([MIXED] * 3, ignore_index=True)}
    assert _fast_bytes(frames, tmp_path) == _openpyxl_bytes(frames, tmp_path)


@pytest.mark.parametrize("value", ["=SUM(A1)", "#N/A", pd.Timestamp("2019-01-01"), 1.5j])
def test_values_openpyxl_treats_otherwise_go_through_openpyxl(tmp_path: Path, value) -> None:
    frame = pd.DataFrame({"a": ["plain", value], "b": [1.0, 2.0]})
    cells = frame.astype(object)
    assert sheetxml.rows_xml(cells.where(cells.notna(), None), 2) is None
    if isinstance(value, complex):
        with pytest.raises(ValueError):
            _openpyxl_bytes({"s": frame}, tmp_path)
        return
    assert _fast_bytes({"s": frame}, tmp_path) == _openpyxl_bytes({"s": frame}, tmp_path)


def test_an_illegal_character_is_refused_as_openpyxl_refuses_it(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["bell\x07"]})
    with pytest.raises(Exception, match="cannot be used in worksheets"):
        _fast_bytes({"s": frame}, tmp_path)


def test_the_cells_read_back(tmp_path: Path) -> None:
    wb = load_workbook(io.BytesIO(_fast_bytes({"s": MIXED}, tmp_path)), read_only=True)
    values = list(wb["s"].iter_rows(values_only=True))
    assert values[0] == tuple(MIXED.columns)
    assert values[1] == ("360722103203", "青光村", 2014, 0.1, True)
    assert values[3][1:4] == (None, -3, 1e20)
    assert values[6][0] == "x&<>\"'y"
    assert values[7][0] == "a\tb\nc\rd"
    assert zipfile.ZipFile(tmp_path / "fast.xlsx").testzip() is None


#: Decimals by header, as the officials' workbook gives its indicator columns.
PLACES = {"float": 1, "int": 0}


def test_styled_columns_give_the_same_bytes_as_openpyxl(tmp_path: Path) -> None:
    # A long text wraps: its cells are styled and its row is taller.
    long = pd.DataFrame({"问题": ["短", "长" * 60, None], "int": [1, 2, 3]})
    frames = {"一": MIXED, "长": long, "空": MIXED.iloc[:0]}
    fast = _fast_bytes(frames, tmp_path, PLACES)
    assert b'customHeight="1"' in zipfile.ZipFile(io.BytesIO(fast)).read("xl/worksheets/sheet2.xml")
    assert b' s="' in zipfile.ZipFile(io.BytesIO(fast)).read("xl/worksheets/sheet1.xml")
    assert fast == _openpyxl_bytes(frames, tmp_path, PLACES)


def _layout(data: bytes) -> list[tuple]:
    """What openpyxl reads of every sheet's layout and every cell's number format."""
    wb = load_workbook(io.BytesIO(data))
    return [
        (
            ws.title,
            {k: d.width for k, d in ws.column_dimensions.items()},
            ws.freeze_panes,
            ws.print_title_rows,
            ws.page_setup.paperSize,
            ws.page_setup.orientation,
            ws.page_setup.fitToWidth,
            ws.page_setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage,
            {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            [(c.coordinate, c.number_format, c.alignment.wrap_text) for row in ws for c in row],
        )
        for ws in wb.worksheets
    ]


def test_widths_panes_and_print_setup_read_the_same_as_openpyxls(tmp_path: Path) -> None:
    wide = pd.DataFrame({f"指标{i}很长的名称(户)": [1.25, 2.0] for i in range(12)})
    wide["问题"] = ["短", "长" * 60]
    frames = {"一": MIXED, "宽": wide}
    fast = _layout(_fast_bytes(frames, tmp_path, PLACES))
    assert fast == _layout(_openpyxl_bytes(frames, tmp_path, PLACES))
    (_, widths, panes, titles, paper, orientation, fit_width, fit_height, fit, _, cells) = fast[0]
    # "360722103203" is 12 wide, "a\tb\nc\rd" shows as lines; 名称's 中 文 counts 2+1+2.
    assert widths["A"] == 12 + 2 and widths["B"] == 8
    assert (panes, titles, paper, fit_width, fit_height, fit) == ("A2", "$1:$1", 9, 1, 0, True)
    assert orientation == "portrait" and fast[1][5] == "landscape"
    # The long text wraps at the cap: 120 wide in 38 is four lines; the headers take two.
    assert fast[1][1]["M"] == 40 and fast[1][9] == {1: 30, 3: 60}
    assert fast[1][10][-1] == ("M3", "General", True)
    formats = {coord: fmt for coord, fmt, _ in cells}
    assert formats["C2"] == "0" and formats["D2"] == "0.0" and formats["A2"] == "General"


def test_repeated_numbers_and_signed_zeros_give_the_same_bytes_as_openpyxl(tmp_path: Path) -> None:
    """Each distinct number is formatted once: 0.0 and -0.0 are one key, written apart."""
    repeated = pd.DataFrame(
        {
            "zeros": [0.0, -0.0, 0.0, 1.5, -0.0, 1.5, float("nan")],
            "ints": [0, 0, 1, 1, 2, 2, 3],
            "mixed": [1.0, 1, True, 0.0, False, -0.0, "1"],
        }
    )
    assert _fast_bytes({"s": repeated}, tmp_path) == _openpyxl_bytes({"s": repeated}, tmp_path)
