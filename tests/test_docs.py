"""The documents hold to the repository: every path, link, `make` target and `minsheng` option
they cite exists; the README stays short; no document cites one that is not there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import config
from analysis.cli import make_parser

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
