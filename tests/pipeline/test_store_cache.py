"""The tables cache of analysis.pipeline.store: a warm kernel reads a folder once per state, and
never serves another folder's tables or an older state's."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import config
from analysis.errors import StaleTablesError
from analysis.pipeline import store


@pytest.fixture
def reads(monkeypatch):
    """Counts the Parquet files load_tables reads."""
    counted = []
    original = pd.read_parquet

    def read_parquet(path, *args, **kwargs):
        counted.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(store.pd, "read_parquet", read_parquet)
    return counted


def test_a_folder_is_read_once_per_state(processed_copy, reads):
    first = store.load_tables(processed_copy, config.RAW_DIR)
    read_once = len(reads)
    assert read_once > 0
    second = store.load_tables(processed_copy, config.RAW_DIR)
    assert len(reads) == read_once
    pd.testing.assert_frame_equal(first.indicators, second.indicators)
    assert second.processed_dir == processed_copy


def test_changing_a_copy_leaves_the_next_load_as_read(processed_copy):
    first = store.load_tables(processed_copy)
    original = first.indicators["value"].copy()
    first.indicators.loc[:, "value"] = -1.0
    first.indicators["extra"] = 1
    first.summary["changed"] = True
    first.sample = not first.sample
    second = store.load_tables(processed_copy)
    pd.testing.assert_series_equal(second.indicators["value"], original)
    assert "extra" not in second.indicators.columns
    assert "changed" not in second.summary
    assert second.sample != first.sample


def test_a_rewritten_table_is_read_again(processed_copy, reads):
    before = store.load_tables(processed_copy)
    path = store.path_of(processed_copy, "indicators")
    changed = before.indicators.assign(value=before.indicators["value"] + 1)
    store.write_parquet(changed, path)
    after = store.load_tables(processed_copy)
    assert reads.count(path) == 2
    pd.testing.assert_series_equal(after.indicators["value"], changed["value"])


def test_a_new_stamp_is_a_new_state(processed_copy, reads):
    store.load_tables(processed_copy)
    stamp = store.path_of(processed_copy, "stamp")
    # Same size and, within the file system's resolution, possibly the same time: the bytes
    # differ, and the stamp's content is part of the state.
    recorded = stamp.read_text(encoding="utf-8")
    stamp.write_text(recorded.replace('"sample": true', '"sample": false'), encoding="utf-8")
    assert store.load_tables(processed_copy).sample is False
    assert reads.count(store.path_of(processed_copy, "indicators")) == 2


def test_another_folder_is_never_served_from_the_cache(processed_copy, tmp_path):
    store.load_tables(processed_copy)
    other = tmp_path / "other"
    shutil.copytree(processed_copy, other)
    path = store.path_of(other, "indicators")
    indicators = pd.read_parquet(path)
    store.write_parquet(indicators.assign(value=indicators["value"] * 2), path)
    doubled = store.load_tables(other)
    assert doubled.processed_dir == other
    pd.testing.assert_series_equal(doubled.indicators["value"], indicators["value"] * 2)
    pd.testing.assert_series_equal(
        store.load_tables(processed_copy).indicators["value"], indicators["value"]
    )


def test_the_raw_folder_is_checked_on_every_load(processed_copy, tmp_path):
    store.load_tables(processed_copy, config.RAW_DIR)
    moved = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, moved)
    with pytest.raises(StaleTablesError):
        store.load_tables(processed_copy, moved)


def test_missing_tables_are_refused_after_a_cached_load(processed_copy):
    store.load_tables(processed_copy)
    store.path_of(processed_copy, "stamp").unlink()  # what prepare does first
    with pytest.raises(store.MissingFileError):
        store.load_tables(processed_copy)


def test_villages_are_projected_once_and_layers_read_once(processed_copy, monkeypatch):
    tables = store.load_tables(processed_copy)
    projected = []
    monkeypatch.setattr(store, "to_measure", lambda gdf: projected.append(1) or gdf.to_crs(4547))
    first = tables.measured_villages()
    again = store.load_tables(processed_copy).measured_villages()
    assert first.crs.to_epsg() == again.crs.to_epsg() == 4547
    assert len(projected) == 1
    assert list(again["code"]) == list(tables.villages["code"])

    read = []
    original = store.gpd.read_file
    monkeypatch.setattr(store.gpd, "read_file", lambda path: read.append(path) or original(path))
    road = tables.layer("g357")
    assert road is not None and len(road)
    assert store.load_tables(processed_copy).layer("g357") is not None
    assert len(read) == 1
    assert tables.layer("no_such_layer") is None


def test_a_towns_tables_are_limited_once_per_state_unless_a_frame_was_replaced(
    processed_copy, monkeypatch
):
    limited = []
    original = store.Tables._limited
    monkeypatch.setattr(
        store.Tables, "_limited", lambda self, code: limited.append(code) or original(self, code)
    )
    code = str(store.load_tables(processed_copy).villages["code"].iloc[0])
    first = store.load_tables(processed_copy).town_of(code)
    second = store.load_tables(processed_copy).town_of(code)
    assert len(limited) == 1
    pd.testing.assert_frame_equal(first.indicators, second.indicators)
    first.indicators.loc[:, "value"] = -1.0  # a copy: the next page's town is as read
    assert (store.load_tables(processed_copy).town_of(code).indicators["value"] >= 0).all()

    tables = store.load_tables(processed_copy)
    tables.indicators = tables.indicators[tables.indicators["year"] == 2019]
    assert set(tables.town_of(code).indicators["year"]) == {2019}
    assert len(limited) == 2


def test_a_derived_value_is_made_once_per_state_unless_a_frame_was_replaced(processed_copy):
    made = []

    def count(tables: store.Tables) -> int:
        made.append(1)
        return len(tables.villages)

    code = str(store.load_tables(processed_copy).villages["code"].iloc[0])
    first = store.load_tables(processed_copy).town_of(code)
    second = store.load_tables(processed_copy).town_of(code)
    assert first.derived("count", count) == second.derived("count", count) == len(first.villages)
    assert len(made) == 1

    second.villages = second.villages.head(1)  # replaced: made from this copy's own frames
    assert second.derived("count", count) == 1
    assert len(made) == 2
    assert store.load_tables(processed_copy).town_of(code).derived("count", count) > 1
    assert len(made) == 2
