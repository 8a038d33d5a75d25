"""The ingest cache's entries: a part comes back as it was kept, and an entry damaged behind a
valid checksum is ignored, never trusted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from analysis.ingest.filecache import _MAGIC, FileCache, FilePart

KEY = "ab" * 32


def _part() -> FilePart:
    values = pd.DataFrame({"village_code": ["360722103201"] * 3, "value": [1.0, None, 3.5]})
    return FilePart(values=[values], point_files={"points": "a.gpkg"})


def test_a_kept_part_is_replayed_as_it_was(tmp_path: Path):
    cache = FileCache(tmp_path)
    cache.save(KEY, "a.xlsx", _part())
    replayed = FileCache(tmp_path).load(KEY, "a.xlsx")
    assert replayed is not None
    pd.testing.assert_frame_equal(replayed.values[0], _part().values[0])
    assert replayed.point_files == {"points": "a.gpkg"}


def test_damaged_content_under_a_good_checksum_is_not_trusted(tmp_path: Path):
    FileCache(tmp_path).save(KEY, "a.xlsx", _part())
    entry = next(tmp_path.iterdir())
    payload = bytearray(entry.read_bytes()[len(_MAGIC) + 32 :])
    payload[-10] ^= 0xFF  # inside the compressed pickle
    entry.write_bytes(_MAGIC + hashlib.sha256(payload).digest() + bytes(payload))
    assert FileCache(tmp_path).load(KEY, "a.xlsx") is None


def test_no_reuse_reads_nothing(tmp_path: Path):
    FileCache(tmp_path).save(KEY, "a.xlsx", _part())
    assert FileCache(tmp_path, reuse=False).load(KEY, "a.xlsx") is None
