"""Processed tables belong to their raw folder: loading never prepares, and never mixes folders."""

from __future__ import annotations

import shutil

import pytest

from analysis import config
from analysis.errors import MissingFileError, StaleTablesError
from analysis.pipeline.store import load_tables


def test_an_empty_folder_is_refused_not_prepared(tmp_path):
    with pytest.raises(MissingFileError, match="minsheng prepare"):
        load_tables(tmp_path / "processed")
    assert not (tmp_path / "processed").exists()


def test_tables_of_another_raw_folder_are_refused_naming_both(tmp_path, processed_copy):
    other = tmp_path / "other_raw"
    shutil.copytree(config.RAW_DIR, other)
    with pytest.raises(StaleTablesError) as caught:
        load_tables(processed_copy, other)
    assert str(config.RAW_DIR.resolve()) in str(caught.value)
    assert str(other.resolve()) in str(caught.value)


def test_processed_dir_alone_reads_those_tables(processed_copy):
    tables = load_tables(processed_copy)
    assert tables.processed_dir == processed_copy and len(tables.indicators) > 0
    assert load_tables(processed_copy, config.RAW_DIR).sample
