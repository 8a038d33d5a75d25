"""The documents hold to the repository: every path, link, `make` target and `minsheng` option
they cite exists; the README stays short; no document cites one that is not there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import config
from analysis.cli import make_parser
from analysis.core.catalog import load_catalog
from analysis.ingest.validate import validate
from analysis.pipeline.prepare import prepare

ROOT = config.PROJECT_DIR
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
DOCUMENTS = [README, *DOCS]
MAX_README_LINES = 250
MAX_IMAGE_BYTES = 300_000

#: Where a cited path starts when it is a file of the repository.
_PATH = re.compile(
    r"(?<![\w./<-])("
    r"(?:analysis|tests|benchmarks|notebooks|docs|data/raw|\.ci)/[^\s`'\"()|,;:]*"
    r"|pyproject\.toml|Makefile|requirements\.lock|environment\.yml|package(?:-lock)?\.json"
    r")"
)
#: Folders a command writes into, cited as outputs, never committed.
_WRITTEN = ("benchmarks/out/",)
_PLACEHOLDER = re.compile(r"<[^>]*>|\*|…")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
_INLINE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _code(text: str) -> list[str]:
    """The text of a document's fenced blocks and inline code spans, a continued line joined."""
    blocks = [block.replace("\\\n", " ") for block in _FENCE.findall(text)]
    prose = _FENCE.sub("", text)
    return [*blocks, *_INLINE.findall(prose)]


def _cited_paths(text: str) -> set[str]:
    found = set()
    for code in _code(text):
        for path in _PATH.findall(code):
            path = path.rstrip(".")
            if not path.startswith(_WRITTEN):
                found.add(path)
    return found


def _exists(path: str) -> bool:
    if _PLACEHOLDER.search(path):
        return any(ROOT.glob(_PLACEHOLDER.sub("*", path)))
    return (ROOT / path).exists()


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_path_a_document_cites_exists(doc: Path):
    missing = sorted(p for p in _cited_paths(doc.read_text("utf-8")) if not _exists(p))
    assert not missing, f"{doc.name} cites paths that are not in the repository: {missing}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_of_a_document_leads_to_a_file(doc: Path):
    targets = [t for t in _LINK.findall(doc.read_text("utf-8")) if "://" not in t]
    missing = [t for t in targets if not (doc.parent / t.split("#")[0]).exists()]
    assert not missing, f"{doc.name} links to files that are not there: {missing}"


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_make_target_a_document_cites_exists(doc: Path):
    cited = {
        target
        for code in _code(doc.read_text("utf-8"))
        for target in re.findall(r"(?:^|\n|&& )make ([a-z][\w-]*)", code)
    }
    assert cited <= _make_targets(), f"{doc.name}: no such make target {cited - _make_targets()}"


def _options() -> dict[str, set[str]]:
    """Each ``minsheng`` command → its options."""
    parser = make_parser()
    # argparse lists a parser's arguments only in its actions.
    (commands,) = [a for a in parser._actions if a.choices and a.dest == "command"]
    return {
        name: {s for action in sub._actions for s in action.option_strings}
        for name, sub in commands.choices.items()
    }


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_minsheng_command_line_a_document_shows_runs(doc: Path):
    options = _options()
    wrong = []
    for code in _code(doc.read_text("utf-8")):
        for line in code.splitlines():
            for command, rest in re.findall(r"\bminsheng (\w+)([^#|]*)", line):
                if command not in options:
                    wrong.append(f"minsheng {command}")
                    continue
                wrong += [
                    f"minsheng {command} {option}"
                    for option in re.findall(r"(?<!\S)(--[a-z][\w-]*)", rest)
                    if option not in options[command]
                ]
    assert not wrong, f"{doc.name} shows what the command line does not take: {wrong}"


def test_the_readme_lists_every_option_of_build_and_no_other():
    rows = [line for line in README.read_text("utf-8").splitlines() if line.startswith("| `--")]
    listed = {option for row in rows for option in re.findall(r"`(--[a-z][\w-]*)", row)}
    assert listed == _options()["build"] - {"-h", "--help"}


def test_the_readme_gives_the_two_commands():
    code = "\n".join(_code(README.read_text("utf-8")))
    assert "make reports" in code and "make test" in code


def test_the_readme_is_read_in_five_minutes():
    lines = README.read_text("utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; docs/ holds the rest"


def test_no_document_cites_one_that_is_not_in_the_repository():
    for path in [*DOCUMENTS, ROOT / "pyproject.toml"]:
        assert "DESIGN.md" not in path.read_text("utf-8"), path.name


def test_the_documents_index_lists_every_document():
    index = (ROOT / "docs" / "README.md").read_text("utf-8")
    unlisted = [
        doc.name for doc in DOCS if doc.name != "README.md" and f"({doc.name})" not in index
    ]
    assert not unlisted, f"docs/README.md does not list {unlisted}"


def test_the_pictures_of_the_documents_stay_small():
    for image in (ROOT / "docs" / "images").iterdir():
        assert image.stat().st_size <= MAX_IMAGE_BYTES, image.name


# --- the how-tos of docs/architecture.md, each done once -------------------------------------

POPULATION = "户数人口_2014-2019.csv"


def test_how_to_add_an_indicator_one_catalog_entry_is_read_and_aggregated(tmp_path):
    """'That one entry is all your own data needs': a catalog with one more entry reads a file
    that names it, and every level's figures hold it."""
    raw = yaml.safe_load(config.CATALOG_PATH.read_text("utf-8"))
    raw["indicators"].append(
        {
            "id": "village_doctors",
            "zh": "乡村医生",
            "en": "village doctors",
            "unit": "人",
            "kind": "count",
            "aggregate": "sum",
            "direction": "higher",
            "bounds": [0, None],
            "integer": True,
            "category": "social_security",
            "flow": False,
            "aliases": ["村医人数"],
        }
    )
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    catalog = load_catalog(tmp_path / "indicators.yaml")
    shutil.copytree(config.RAW_DIR, tmp_path / "raw")
    names = pd.read_csv(tmp_path / "raw" / config.REGISTRY_FILE, dtype=str)["name"]
    doctors = pd.DataFrame(
        [(name, year, 2) for name in names for year in range(2014, 2020)],
        columns=["村名", "年度", "村医人数"],
    )
    doctors.to_csv(tmp_path / "raw" / "村医_2014-2019.csv", index=False)

    prepare(tmp_path / "raw", tmp_path / "processed", catalog=catalog)

    values = pd.read_parquet(tmp_path / "processed" / "indicators.parquet")
    assert (values["indicator"] == "village_doctors").sum() == len(names) * 6
    town = pd.read_parquet(tmp_path / "processed" / "area.parquet")
    doctors_by_year = town[town["indicator"] == "village_doctors"].set_index("year")["value"]
    assert doctors_by_year.to_dict() == {year: 2.0 * len(names) for year in range(2014, 2020)}
    assert pd.read_csv(tmp_path / "processed" / "quarantine.csv").empty


def _text_table_folder(folder: Path, suffix: str) -> Path:
    """The registry and the sample's households and population, tab-separated, as ``suffix``."""
    folder.mkdir()
    shutil.copy(config.RAW_DIR / config.REGISTRY_FILE, folder)
    text = (config.RAW_DIR / POPULATION).read_bytes().decode("gbk").replace(",", "\t")
    (folder / POPULATION).with_suffix(suffix).write_text(text, "utf-8")
    return folder


def test_how_to_add_a_text_format_one_suffix_reads_it(tmp_path):
    """'Another text table (say .tsv)': unknown until its suffix joins TABLE_SUFFIXES, then read
    as the same values as the CSV, with the package edited as the how-to says."""
    tsv = _text_table_folder(tmp_path / "tsv", ".tsv")
    csv = _text_table_folder(tmp_path / "csv", ".csv")
    assert list(validate(tsv).problems["rule"]) == ["unknown_file"]

    package = tmp_path / "edited" / "analysis"
    shutil.copytree(config.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    read_py = package / "ingest" / "read.py"
    line = 'TABLE_SUFFIXES = {".csv", ".txt"}'
    assert line in read_py.read_text("utf-8"), "the how-to's line in read.py changed"
    read_py.write_text(
        read_py.read_text("utf-8").replace(line, 'TABLE_SUFFIXES = {".csv", ".txt", ".tsv"}'),
        "utf-8",
    )
    script = (
        "import sys, analysis; from analysis.ingest.validate import validate; "
        "assert analysis.__file__.startswith(sys.argv[2]), analysis.__file__; "
        "r = validate(sys.argv[1]); assert r.problems.empty, r.problems; "
        "print(r.values.drop(columns='source').to_csv(index=False))"
    )
    edited = subprocess.run(
        [sys.executable, "-c", script, str(tsv), str(package)],
        env={**os.environ, "PYTHONPATH": str(package.parent)},
        cwd=tmp_path,  # not the repository's own analysis/
        capture_output=True,
        text=True,
        check=True,
    )
    assert edited.stdout.rstrip("\n") == validate(csv).values.drop(columns="source").to_csv(
        index=False
    ).rstrip("\n")
