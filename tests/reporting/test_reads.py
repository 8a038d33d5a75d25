"""Each page section reads only the slices of the processed tables it declares
(analysis.reporting.reads), so that a page's fingerprint, made of its sections' declarations,
covers everything the page shows.

Every statement of the three page notebooks runs over tables that record what they are asked
for: a table asked for and covered by none of the slices its sections declare fails the test.
On a village's page, where the slices are rows of a table (the village's own, its town's figure
of the report year, its rank), the statement runs again over tables whose every row outside its
slices is changed: what the page shows must not change."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import IPython.display
import pandas as pd
import pytest

from analysis import config, report
from analysis.pipeline.prepare import prepare
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import ranking, reads, sections
from analysis.reporting import tables as tables_module
from analysis.runs import jobs
from analysis.tools import sample

YEAR = 2019
NOTEBOOKS = config.NOTEBOOKS_DIR
#: The table fields :class:`Recording` reports by their own name.
FIELDS = frozenset(
    {
        "indicators",
        "township",
        "villages",
        "targets",
        "projections",
        "projection_paths",
        "projects",
        "reconciliation",
        "summary",
        "aggregates",
    }
)


class Recording:
    """Tables that record what a section asks them for, by the names of
    :attr:`analysis.reporting.reads.Slice.asks`."""

    def __init__(self, tables: Tables, asked: set[str]) -> None:
        self._tables, self._asked = tables, asked

    def __getattr__(self, name: str):
        if name in FIELDS:
            self._asked.add(name)
        return getattr(self._tables, name)

    def layer(self, name: str):
        self._asked.add("layers")
        return self._tables.layer(name)

    def measured_villages(self):
        self._asked.add("villages")
        return self._tables.measured_villages()

    def village(self, code: str):
        self._asked.add("villages")
        return self._tables.village(code)

    def _names(self, method: str):
        def ask(*args, **kwargs):
            self._asked.add("names")
            return getattr(self._tables, method)(*args, **kwargs)

        return ask

    @property
    def place(self):
        return self._names("place")

    @property
    def place_name(self):
        return self._names("place_name")

    @property
    def towns(self):
        return self._names("towns")

    @property
    def unit_names(self):
        return self._names("unit_names")

    def derived(self, key: str, make):
        # Made afresh from these tables, so that what making it reads is recorded.
        return make(self)

    def town(self, code: str) -> Recording:
        return Recording(self._tables.town(code), self._asked)

    def town_of(self, code: str) -> Recording:
        return Recording(self._tables.town_of(code), self._asked)


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """The processed tables of a synthetic county of two towns."""
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(36))
    prepare(raw, root / "processed")
    return root / "processed"


@pytest.fixture
def shown(monkeypatch) -> list:
    """What the notebooks display, in order."""
    outputs: list = []

    def display(*objects, **kwargs) -> None:
        outputs.extend(getattr(o, "data", o) for o in objects)

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(sections, "display", display)
    return outputs


def _statements(notebook: str, parameters: dict, tables: Tables) -> Iterator[tuple]:
    """Each statement of ``notebook`` with what it reads and the namespace it runs in (the
    statements before it run), the tables recording what they are asked for."""
    asked: set[str] = set()
    namespace = {
        **parameters,
        "processed_dir": None,
        "pictures_dir": None,
        "raw_dir": None,
        "lang": "zh",
    }
    original = report.load_tables
    report.load_tables = lambda *args, **kwargs: Recording(
        tables.town(kwargs["town_code"]) if kwargs.get("town_code") else tables, asked
    )
    try:
        # The declarations as imported, so that a test can change one.
        statements = reads.notebook_statements(NOTEBOOKS / notebook, reads.imported_declaration)
        for statement, slices in statements:
            asked.clear()
            yield statement, slices, namespace, asked
    finally:
        report.load_tables = original


def undeclared_reads(notebook: str, parameters: dict, tables: Tables) -> list[str]:
    """The statements of ``notebook`` that ask for a table none of their slices covers."""
    problems = []
    for statement, slices, namespace, asked in _statements(notebook, parameters, tables):
        exec(statement, namespace)
        covered = frozenset().union(*(s.asks for s in slices))
        if asked - covered:
            problems.append(f"{statement!r} asks for {sorted(asked - covered)}")
    return problems


#: The figures a perturbation changes, by table.
PERTURBED = {
    "indicators": ["value"],
    "township": ["value"],
    "projections": ["projected", "lower", "upper", "last_value"],
    "projection_paths": ["observed", "projected", "lower", "upper"],
    "projects": ["amount_wan"],
}


def perturbed(tables: Tables, slices: frozenset, page: reads.Page) -> Tables:
    """``tables`` with every figure the slices do not read changed."""
    changed = {}
    for name, columns in PERTURBED.items():
        frame = getattr(tables, name)
        if frame.empty:
            continue
        read = pd.Series(False, index=frame.index)
        for slice_ in slices:
            rows = slice_.rows(name, frame, page, YEAR)
            if rows is not None:
                read |= rows
        frame = frame.copy()
        for column in columns:
            frame.loc[~read, column] = frame.loc[~read, column] * 1.5 + 7
        changed[name] = frame
    return dataclasses.replace(tables, **changed, _derived={}, _handed=())


def rows_read_undeclared(code: str, tables: Tables, shown: list) -> list[str]:
    """The statements of a village's page whose output changes when the rows their slices do
    not cover change."""
    problems = []
    page = reads.Page("village", code)
    parameters = {"village_code": code, "year": YEAR}
    for statement, slices, namespace, _ in _statements(jobs.VILLAGE_NOTEBOOK, parameters, tables):
        if "tables" not in namespace or statement.startswith(("tables =", "village =")):
            exec(statement, namespace)
            continue
        shown.clear()
        exec(statement, namespace)
        before = list(shown)
        view = namespace["tables"]._tables
        shown.clear()
        exec(statement, {**namespace, "tables": Recording(perturbed(view, slices, page), set())})
        if shown != before:
            problems.append(f"{statement!r} shows rows outside {sorted(s.name for s in slices)}")
    return problems


# --- every section declares what it reads --------------------------------------------------------


def test_the_sample_pages_read_only_what_their_sections_declare(prepared_sample, shown):
    tables = load_tables(prepared_sample)
    code = tables.villages["code"].iloc[3]
    assert undeclared_reads(jobs.TOWNSHIP_NOTEBOOK, {"year": YEAR, "town_code": None}, tables) == []
    assert (
        undeclared_reads(jobs.VILLAGE_NOTEBOOK, {"year": YEAR, "village_code": code}, tables) == []
    )


def test_a_countys_pages_read_only_what_their_sections_declare(county, shown):
    tables = load_tables(county)
    town, code = tables.towns()["code"].iloc[1], tables.villages["code"].iloc[20]
    assert undeclared_reads(jobs.COUNTY_NOTEBOOK, {"year": YEAR}, tables) == []
    assert undeclared_reads(jobs.TOWNSHIP_NOTEBOOK, {"year": YEAR, "town_code": town}, tables) == []
    assert (
        undeclared_reads(jobs.VILLAGE_NOTEBOOK, {"year": YEAR, "village_code": code}, tables) == []
    )


def test_a_village_page_shows_no_row_outside_its_slices(county, shown):
    tables = load_tables(county)
    for code in tables.villages["code"].iloc[[0, 25]]:
        assert rows_read_undeclared(code, tables, shown) == []


@pytest.mark.parametrize(
    "notebook", [jobs.COUNTY_NOTEBOOK, jobs.TOWNSHIP_NOTEBOOK, jobs.VILLAGE_NOTEBOOK]
)
def test_a_build_reads_the_declarations_as_they_are_imported(notebook):
    # A build reads them from the source, without importing what draws the pages.
    path = NOTEBOOKS / notebook
    assert reads.notebook_statements(path) == reads.notebook_statements(
        path, reads.imported_declaration
    )


# --- and the test fails where a declaration is wrong ---------------------------------------------


def test_a_section_that_reads_a_table_it_does_not_declare_fails(county, shown, monkeypatch):
    # The comparison with the town reads the town's figures: declared without them.
    monkeypatch.setattr(
        tables_module.village_vs_township,
        "__reads__",
        frozenset({reads.VILLAGE_ROWS, reads.REGISTRY}),
    )
    tables = load_tables(county)
    code = tables.villages["code"].iloc[20]
    problems = undeclared_reads(jobs.VILLAGE_NOTEBOOK, {"year": YEAR, "village_code": code}, tables)
    assert len(problems) == 1 and "village_vs_township" in problems[0]
    assert "['township']" in problems[0]


def test_a_section_that_reads_rows_it_does_not_declare_fails(county, shown, monkeypatch):
    # The rank reads the other villages' rates of the year, not only the village's own rows.
    monkeypatch.setattr(
        ranking.village_rank_table, "__reads__", frozenset({reads.VILLAGE_ROWS, reads.REGISTRY})
    )
    tables = load_tables(county)
    problems = rows_read_undeclared(tables.villages["code"].iloc[0], tables, shown)
    assert len(problems) == 1 and "village_rank_table" in problems[0]


def test_a_section_that_declares_nothing_is_refused(tmp_path):
    def new_section(tables: Tables) -> None:
        """A section added without its declaration."""

    new_section.__module__ = "analysis.reporting.tables"
    with pytest.raises(reads.UndeclaredSection, match="new_section"):
        reads.declared(new_section)
    # A word or the loading of the tables is no section.
    assert reads.declared(report.label) == frozenset()
    assert reads.declared(report.load_tables) == frozenset()


def test_a_notebook_that_takes_a_table_itself_must_say_what_it_is(tmp_path):
    notebook = tmp_path / "page.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "source": "rows = tables.indicators\n"}
    notebook.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    with pytest.raises(reads.UndeclaredSection, match=r"tables\.indicators"):
        reads.notebook_slices(notebook)
