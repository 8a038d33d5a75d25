"""Incremental prepare: only the raw files that changed are read again, and the processed folder
is byte for byte the one a prepare from scratch writes."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import cli, config
from analysis.core.catalog import default_catalog
from analysis.ingest import filecache, mark
from analysis.ingest import validate as validate_module
from analysis.pipeline import store
from analysis.pipeline.prepare import ensure_processed, prepare

DATA = Path(__file__).parents[1] / "data"
LEDGER_2019 = "民生工作台账_2019.xlsx"
#: The raw files validation parses (villages.csv, the registry in use, is read before them).
PARSED = {
    "geo/g357.geojson",
    "geo/industry_bases.gpkg",
    "geo/sanitation_points.csv",
    "geo/villages.geojson",
    "published_figures.csv",
    "targets_2020.csv",
    "户数人口_2014-2019.csv",
    "扶贫项目库_2019.xlsx",
    "核实说明.csv",
    *(f"民生工作台账_{year}.xlsx" for year in range(2014, 2020)),
}


@pytest.fixture(scope="module")
def kept(tmp_path_factory) -> tuple[Path, Path]:
    """The sample's raw folder copied, and prepared once: every file's part kept. A part is
    keyed by the path its file is read by, so every test works on a raw folder at this path."""
    base = tmp_path_factory.mktemp("incremental")
    raw = Path(shutil.copytree(config.RAW_DIR, base / "raw"))
    prepare(raw, base / "processed")
    return raw, base / "processed"


@pytest.fixture
def raw(kept) -> Path:
    """The module's raw folder, as the sample has it (a test before may have changed it)."""
    shutil.rmtree(kept[0])
    return Path(shutil.copytree(config.RAW_DIR, kept[0]))


@pytest.fixture
def processed(kept, raw: Path, tmp_path: Path) -> Path:
    """A private copy of the folder prepared from the sample, its kept parts with it."""
    return Path(shutil.copytree(kept[1], tmp_path / "processed"))


@pytest.fixture
def reads(monkeypatch) -> Counter:
    """How often each raw file is parsed (by its display name), by validation or to find the
    village of a problem's row."""
    counted: Counter = Counter()

    def counting(function, position: int):
        def wrapper(*args, **kwargs):
            counted[str(args[position])] += 1
            return function(*args, **kwargs)

        return wrapper

    for module in (validate_module, mark):
        monkeypatch.setattr(module, "read_workbook", counting(module.read_workbook, 1))
        monkeypatch.setattr(module, "read_csv_sheet", counting(module.read_csv_sheet, 1))
    monkeypatch.setattr(validate_module, "check_layer", counting(validate_module.check_layer, 1))
    return counted


def _tables(folder: Path) -> dict[str, bytes]:
    """Every file of a processed folder but its kept parts, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != store.INGEST_CACHE_DIR
    }


def _assert_as_from_scratch(raw: Path, processed: Path, tmp_path: Path, **options) -> None:
    """The incremental folder holds exactly the files, byte for byte, of a fresh prepare; and
    so it does after one more prepare, which replays every file (problems included)."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    prepare(raw, fresh, **options)
    expected = _tables(fresh)
    assert "livelihood.xlsx" in expected and "quarantine.csv" in expected
    _assert_same(_tables(processed), expected)
    prepare(raw, processed, **options)
    _assert_same(_tables(processed), expected)


def _assert_same(found: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(found) == sorted(expected)
    for name, content in expected.items():
        assert found[name] == content, name


def _entries(processed: Path) -> list[Path]:
    return sorted((processed / store.INGEST_CACHE_DIR).glob("*.part.pkl"))


def _set_cell(path: Path, sheet: str, cell: str, value: object) -> object:
    """Write one cell of a workbook; the value it had."""
    book = load_workbook(path)
    before = book[sheet][cell].value
    book[sheet][cell] = value
    book.save(path)
    return before


def test_every_file_parsed_is_kept(processed: Path):
    assert len(_entries(processed)) == len(PARSED)


def test_nothing_changed_reads_no_raw_file(raw, processed, reads, tmp_path):
    prepare(raw, processed)
    assert not reads
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_one_figure_changed_reads_only_its_file(raw, processed, reads, tmp_path):
    before = _set_cell(raw / LEDGER_2019, "脱贫攻坚", "D5", 0)  # 新圩's 剩余贫困户
    assert before == 1
    result = prepare(raw, processed)
    # Read once: its 合计 row's problem is named from the texts read with it.
    assert reads == Counter({LEDGER_2019: 1})
    indicators = pd.read_parquet(store.path_of(processed, "indicators"))
    poor = indicators[
        (indicators["village_code"] == "360722103002")
        & (indicators["year"] == 2019)
        & (indicators["indicator"] == "poor_households_remaining")
    ]
    assert poor["value"].tolist() == [0.0]
    # The 合计 row no longer adds up: the check across rows ran on the replayed files too.
    assert "totals_mismatch" in set(result.quarantine["rule"])
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_totals_row_that_no_longer_adds_up(raw, processed, tmp_path):
    _set_cell(raw / "民生工作台账_2016.xlsx", "人居环境", "D13", 4800)
    result = prepare(raw, processed)
    mismatch = result.quarantine[result.quarantine["rule"] == "totals_mismatch"]
    assert set(mismatch["file"]) == {"民生工作台账_2016.xlsx"}
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_file_deleted(raw, processed, reads, tmp_path):
    (raw / "民生工作台账_2014.xlsx").unlink()
    prepare(raw, processed)
    assert not reads  # what is left is all kept
    assert len(_entries(processed)) == len(PARSED) - 1  # its entry is pruned
    indicators = pd.read_parquet(store.path_of(processed, "indicators"))
    assert not indicators["source"].str.startswith("民生工作台账_2014.xlsx").any()
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_file_added_is_checked_against_the_kept_ones(raw, processed, reads, tmp_path):
    # The same 2019 ledger again under another name: every figure now comes twice.
    shutil.copy(raw / LEDGER_2019, raw / "民生工作台账_2019_副本.xlsx")
    result = prepare(raw, processed)
    assert set(reads) == {"民生工作台账_2019_副本.xlsx"}
    duplicated = result.summary["files"]
    assert any(e.get("cells_duplicate") for e in duplicated)
    assert len(_entries(processed)) == len(PARSED) + 1
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_changed_registry_reads_every_file_again(raw, processed, reads, tmp_path):
    registry = raw / config.REGISTRY_FILE
    text = registry.read_text(encoding="utf-8")
    assert "八角村" in text
    registry.write_text(text.replace("八角村", "八角湾村"), encoding="utf-8")
    result = prepare(raw, processed)
    assert set(reads) == PARSED
    # 八角村 is no longer a registry name: its rows are quarantined, not counted elsewhere.
    assert "unknown_village" in set(result.quarantine["rule"])
    assert len(_entries(processed)) == len(PARSED)  # the old registry's entries are pruned
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_changed_catalog_reads_every_file_again(raw, processed, reads, tmp_path):
    catalog = default_catalog()
    poor = catalog["poor_households_remaining"]
    narrower = dataclasses.replace(poor, bounds=(0, 1))  # 2 or more households now out of range
    changed = dataclasses.replace(
        catalog,
        indicators=tuple(narrower if i.id == poor.id else i for i in catalog.indicators),
    )
    result = prepare(raw, processed, catalog=changed)
    assert set(reads) == PARSED
    assert len(result.quarantine) > 0
    _assert_as_from_scratch(raw, processed, tmp_path, catalog=changed)


def test_changed_code_reads_every_file_again(raw, processed, reads, tmp_path, monkeypatch):
    monkeypatch.setattr(filecache, "code_fingerprint", lambda: "other code")
    prepare(raw, processed)
    assert set(reads) == PARSED
    _assert_as_from_scratch(raw, processed, tmp_path)


#: Ways an entry can be damaged: emptied, cut short, one bit flipped, replaced.
DAMAGES = (
    lambda data: b"",
    lambda data: data[: len(data) // 2],
    lambda data: data[:-1] + bytes([data[-1] ^ 1]),
    lambda data: b"not a cache entry at all",
)


def test_a_damaged_entry_is_read_again_never_trusted(raw, processed, reads, tmp_path):
    for i, entry in enumerate(_entries(processed)):
        entry.write_bytes(DAMAGES[i % len(DAMAGES)](entry.read_bytes()))
    prepare(raw, processed)
    assert set(reads) == PARSED
    _assert_as_from_scratch(raw, processed, tmp_path)
    reads.clear()
    prepare(raw, processed)  # the entries were written again
    assert not reads


def test_an_entry_kept_under_another_key_is_not_replayed(raw, processed, reads, tmp_path):
    # Each entry swapped with another: both checksums hold, but neither is its key's part.
    entries = _entries(processed)
    contents = [e.read_bytes() for e in entries]
    for entry, content in zip(entries, [*contents[1:], contents[0]], strict=True):
        entry.write_bytes(content)
    prepare(raw, processed)
    assert set(reads) == PARSED
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_force_reads_every_file_and_keeps_them(raw, processed, reads, tmp_path):
    prepare(raw, processed, force=True)
    assert set(reads) == PARSED
    reads.clear()
    ensure_processed(raw, processed, force=True)
    assert set(reads) == PARSED
    reads.clear()
    prepare(raw, processed)
    assert not reads
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_the_prepare_command_force_option(raw, processed, reads, capsys):
    cli.main(["prepare", str(raw), str(processed)])
    assert not reads
    cli.main(["prepare", str(raw), str(processed), "--force"])
    assert set(reads) == PARSED
    assert "written to" in capsys.readouterr().out


def test_a_layer_is_keyed_by_its_side_files_too(tmp_path):
    shp = tmp_path / "roads.shp"
    for part in ("roads.shp", "roads.dbf", "roads.prj", "roadside.csv"):
        (tmp_path / part).write_bytes(b"x")
    key = filecache.file_key("context", shp, "roads.shp", "layer")
    (tmp_path / "roadside.csv").write_bytes(b"y")  # another file whose name starts alike
    assert filecache.file_key("context", shp, "roads.shp", "layer") == key
    (tmp_path / "roads.prj").write_bytes(b"y")
    assert filecache.file_key("context", shp, "roads.shp", "layer") != key
    (tmp_path / "roads.dbf").unlink()
    assert filecache.file_key("context", shp, "roads.shp", "layer") not in {key, None}


def test_a_problem_in_an_unchanged_file_does_not_make_it_read(raw, processed, reads, tmp_path):
    _set_cell(raw / "民生工作台账_2018.xlsx", "社会保障", "D6", "八十")  # not a number
    result = prepare(raw, processed)
    named = result.quarantine[result.quarantine["rule"] == "not_a_number"]["village"].tolist()
    assert named == ["老圩"]
    reads.clear()
    _set_cell(raw / LEDGER_2019, "脱贫攻坚", "D5", 0)
    result = prepare(raw, processed)
    # 2018's problem still names its village, as recorded when the file was read.
    assert set(reads) == {LEDGER_2019}
    problem = result.quarantine[result.quarantine["rule"] == "not_a_number"]
    assert problem["village"].tolist() == named
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_a_new_problem_on_an_unchanged_file_does_not_make_it_read(raw, processed, reads, tmp_path):
    copy = raw / "民生工作台账_2019_副本.xlsx"
    shutil.copy(raw / LEDGER_2019, copy)
    _set_cell(copy, "脱贫攻坚", "K5", 5)  # 新圩's 扶贫车间数 differs from the 2019 ledger's 1
    result = prepare(raw, processed)
    on_2019 = result.quarantine[result.quarantine["file"] == LEDGER_2019]
    assert "新圩" in set(on_2019["village"])
    # The conflict is found across files, after both were read: its village is that of the
    # values in conflict, so the 2019 ledger is not read again, and the copy only once.
    assert reads == Counter({copy.name: 1})
    reads.clear()
    prepare(raw, processed)
    assert not reads
    _assert_as_from_scratch(raw, processed, tmp_path)


def test_replayed_villages_are_those_a_new_reading_names(raw, processed, tmp_path):
    _set_cell(raw / "民生工作台账_2018.xlsx", "社会保障", "D6", "八十")
    _set_cell(raw / "民生工作台账_2016.xlsx", "人居环境", "D13", 4800)
    prepare(raw, processed)
    result = prepare(raw, processed)  # every file replayed, every village as recorded
    fresh = prepare(raw, tmp_path / "fresh", force=True)
    assert (result.quarantine["village"] != "").any()
    pd.testing.assert_frame_equal(result.quarantine, fresh.quarantine)


def test_a_folder_of_every_kind_of_problem_replays_as_read(tmp_path, reads):
    """tests/data/bad: broken CSVs, bad layers, unknown villages, conflicts across files."""
    bad = Path(shutil.copytree(DATA / "bad", tmp_path / "bad"))
    registry = DATA / "villages.csv"
    processed = tmp_path / "processed"
    first = prepare(bad, processed, registry=registry)
    assert len(first.quarantine) > 100 and (first.quarantine["village"] != "").any()
    assert len(reads) > 20
    reads.clear()
    prepare(bad, processed, registry=registry)
    assert not reads  # every part replayed, every problem's village as recorded
    _assert_as_from_scratch(bad, processed, tmp_path, registry=registry)


def _states(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file of a folder, hidden ones included: size and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_nothing_changed_leaves_the_folder_as_it_was(raw, processed, reads, tmp_path):
    before = _states(processed)
    fresh = prepare(raw, tmp_path / "fresh")
    reads.clear()
    result = prepare(raw, processed)
    assert not reads
    assert _states(processed) == before
    assert result.validation is None
    assert result.summary == fresh.summary
    pd.testing.assert_frame_equal(result.quarantine, fresh.quarantine)
    assert {n: p.relative_to(processed) for n, p in result.paths.items()} == {
        n: p.relative_to(tmp_path / "fresh") for n, p in fresh.paths.items()
    }


def test_a_processed_file_changed_or_gone_is_prepared_again(raw, processed, tmp_path):
    expected = _tables(processed)
    store.path_of(processed, "area").write_bytes(b"not parquet")
    prepare(raw, processed)
    _assert_same(_tables(processed), expected)
    store.path_of(processed, "livelihood_xlsx").unlink()
    prepare(raw, processed)
    _assert_same(_tables(processed), expected)


def test_another_registry_or_catalog_is_prepared_again(raw, processed, tmp_path):
    registry = tmp_path / "villages.csv"
    shutil.copy(raw / config.REGISTRY_FILE, registry)
    with registry.open("a", encoding="utf-8") as file:
        file.write("360722103999,新村,新村,村委会,360722103,大桥镇,信丰县\n")
    before = _states(processed)
    prepare(raw, processed, registry=registry)
    assert _states(processed) != before
    before = _states(processed)
    catalog = default_catalog()
    poor = catalog["poor_households_remaining"]
    changed = dataclasses.replace(
        catalog,
        indicators=tuple(
            dataclasses.replace(poor, bounds=(0, 1)) if i.id == poor.id else i
            for i in catalog.indicators
        ),
    )
    prepare(raw, processed, catalog=changed)
    assert _states(processed) != before


def test_a_hidden_folder_is_neither_read_nor_fingerprinted(raw, processed, reads, tmp_path):
    """An editor's checkpoints (.ipynb_checkpoints) or a .git below the raw folder: the tables
    stay current, as a prepare from scratch makes them, which reads nothing hidden."""
    hidden = raw / ".ipynb_checkpoints"
    hidden.mkdir()
    shutil.copy(raw / LEDGER_2019, hidden / LEDGER_2019)
    assert store.is_current(raw, processed)
    _assert_as_from_scratch(raw, processed, tmp_path)
    assert reads and not any(name.startswith(".") for name in reads)
