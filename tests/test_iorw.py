"""The atomic writers of :mod:`analysis.iorw`."""

from __future__ import annotations

import csv

from analysis.iorw import atomic_write_csv


def test_a_csv_is_written_as_excel_saves_one(tmp_path):
    path = atomic_write_csv(tmp_path / "表.csv", ["村", "说明"], [["青光村", '有逗号, 和"引号"']])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2
    with path.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["村", "说明"], ["青光村", '有逗号, 和"引号"']]
    assert [p.name for p in tmp_path.iterdir()] == ["表.csv"]
