"""The officials' workbook written through sheetxml is byte-for-byte the one openpyxl writes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis.pipeline import sheetxml
from analysis.pipeline.workbook import _sheet, save_workbook

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


def _openpyxl_bytes(frames: dict[str, pd.DataFrame], tmp_path: Path) -> bytes:
    """The reference: every value appended through openpyxl's write-only sheets."""
    wb = Workbook(write_only=True)
    for title, frame in frames.items():
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.append([str(c) for c in frame.columns])
        cells = frame.astype(object)
        for record in cells.where(cells.notna(), None).to_numpy().tolist():
            ws.append(record)
    return save_workbook(wb, tmp_path / "reference.xlsx").read_bytes()


def _fast_bytes(frames: dict[str, pd.DataFrame], tmp_path: Path) -> bytes:
    wb = Workbook(write_only=True)
    rows: dict = {}
    for title, frame in frames.items():
        _sheet(wb, rows, title, frame)
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
