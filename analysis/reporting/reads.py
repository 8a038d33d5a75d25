"""What each page section reads of the processed tables, declared beside it.

As a kedro node names the datasets it reads, each section of a page (a function the report
notebooks call through :mod:`analysis.report` or :mod:`analysis.reporting.county`) names the
slices of the processed tables it reads, with :func:`reads`::

    @reads(VILLAGE_ROWS, TOWN_FIGURES_OF_YEAR, REGISTRY)
    def village_vs_township(tables, code, year, ...): ...

A :class:`Slice` is named for what it is to the page that reads it: "the rows of the page's
villages" is one village's rows on its page and all of a town's on the town's. A page reads what
the sections its notebook calls read (:func:`notebook_slices`, from the notebook's code), and its
fingerprint is made of those slices and nothing else (:func:`page_fingerprints`): a change
rebuilds exactly the pages that show it. tests/reporting/test_reads.py runs every section over
tables that record what they are asked for, and fails on a slice read and not declared.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import pandas as pd

from analysis.core.aggregate import LEVELS
from analysis.core.ranks import rank_indicators, ranks_of
from analysis.pipeline import store
from analysis.version import fingerprint_files

F = TypeVar("F", bound=Callable)

#: The pages: the top page (the whole data set), a town's, a village's.
PAGE_LEVELS = ("top", "town", "village")
#: The key of a slice's part that is the whole of it (what the top page reads).
WHOLE = ""
TOWN_DIGITS = LEVELS["town"]


@dataclass(frozen=True)
class Page:
    """The page a slice is read for: its level (:data:`PAGE_LEVELS`) and its town's or
    village's code."""

    level: str
    code: str = ""


class Folder:
    """The processed folder as a build fingerprints it: each table read once, when a slice
    first asks for it, for every page at once."""

    def __init__(self, processed: Path, year: int) -> None:
        self.processed = Path(processed)
        self.year = int(year)
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` of :data:`analysis.pipeline.store.FILES` (empty where absent)."""
        if name not in self._tables:
            path = store.path_of(self.processed, name)
            self._tables[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
        return self._tables[name]

    def digest(self, *names: str) -> bytes:
        """A fingerprint of the files of tables ``names`` as they are (absent ones left out)."""
        paths = [store.path_of(self.processed, name) for name in names]
        return fingerprint_files([p for p in paths if p.exists()]).encode()

    @cached_property
    def villages(self) -> list[str]:
        """Every village's code, from the registry."""
        return self.table("villages")["code"].astype(str).tolist()

    def villages_of(self, page: Page) -> list[str]:
        """The villages a page is about: the village itself, a town's, or every one."""
        if page.level == "village":
            return [page.code]
        if page.level == "town":
            return [code for code in self.villages if code[:TOWN_DIGITS] == page.code]
        return self.villages

    @cached_property
    def one_town(self) -> bool:
        return len({code[:TOWN_DIGITS] for code in self.villages}) == 1

    @cached_property
    def last_years(self) -> dict[str, int]:
        """Each town's last year of figures (what :func:`narrative.as_of` compares with)."""
        rows = self.table("indicators")
        if rows.empty:
            return {}
        towns = rows["village_code"].astype(str).str[:TOWN_DIGITS]
        return {str(k): int(v) for k, v in rows["year"].groupby(towns.to_numpy()).max().items()}


#: A slice's parts in the store, by key, for every page at once.
Parts = Callable[[Folder], dict[str, bytes]]
#: The rows of one table of a page's tables (a frame of :class:`~analysis.pipeline.store.Tables`,
#: by field name) that a slice reads, or None where the slice does not cover the table.
Rows = Callable[[str, pd.DataFrame, Page, int], "pd.Series | None"]


@dataclass(frozen=True, eq=False)
class Slice:
    """A part of the processed tables, named for what it is to the page that reads it."""

    name: str
    #: What it is, for a reader of this code and of the declarations.
    what: str
    #: What reading it asks the tables for: :class:`~analysis.pipeline.store.Tables` fields,
    #: ``layers`` (:meth:`Tables.layer`) and ``names`` (the place's and towns' names).
    asks: frozenset[str]
    #: Its parts in the store, by key, every page's at once (once a build).
    parts: Parts
    #: The rows of a page's tables it reads (the declared-reads test perturbs the others).
    rows: Rows
    #: The parts a page reads: (slice, key) pairs, its own or another slice's; None for a
    #: slice every page reads whole.
    keys: Callable[[Page, Folder], list[tuple[Slice, str]]] | None = None

    def __repr__(self) -> str:
        return f"Slice({self.name})"

    def page_parts(self, page: Page, folder: Folder) -> list[tuple[Slice, str]]:
        """The parts ``page`` reads of this slice."""
        return [(self, WHOLE)] if self.keys is None else self.keys(page, folder)


# --- making slices -------------------------------------------------------------------------------


def hashed_rows(table: pd.DataFrame, keys: pd.Series) -> dict[str, bytes]:
    """The hashes of ``table``'s rows, grouped by ``keys``."""
    if table.empty:
        return {}
    hashes = pd.util.hash_pandas_object(table, index=False)
    return {
        str(key): rows.to_numpy().tobytes()
        for key, rows in hashes.groupby(keys.to_numpy(), sort=False)
    }


def whole(*names: str) -> Parts:
    """Parts of a slice that is whole files: one part, :data:`WHOLE`."""
    return lambda folder: {WHOLE: folder.digest(*names)}


def by_village(name: str) -> Parts:
    """Parts of table ``name`` by its ``village_code``, and the whole file."""

    def parts(folder: Folder) -> dict[str, bytes]:
        table = folder.table(name)
        made = hashed_rows(table, table["village_code"].astype(str)) if len(table) else {}
        return {**made, WHOLE: folder.digest(name)}

    return parts


def by_scope(*names: str) -> Parts:
    """Parts of tables ``names`` by each code of their ``scope`` (a target over villages
    'a;b' is a part of each of them), and the whole files."""

    def parts(folder: Folder) -> dict[str, bytes]:
        made: dict[str, bytes] = {}
        for name in names:
            table = folder.table(name)
            if table.empty:
                continue
            exploded = table.assign(_code=_scope_codes(table)).explode("_code")
            for key, hashed in hashed_rows(
                exploded.drop(columns="_code"), exploded["_code"]
            ).items():
                made[key] = made.get(key, b"") + hashed
        return {**made, WHOLE: folder.digest(*names)}

    return parts


def every_row(*tables: str) -> Rows:
    """A slice of whole tables reads every row of them."""

    def rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
        return pd.Series(True, index=frame.index) if table in tables else None

    return rows


def _scope_codes(frame: pd.DataFrame) -> pd.Series:
    return frame["scope"].astype(str).str.split(";")


# --- the slices ----------------------------------------------------------------------------------


def _village_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    if page.level == "top":
        return [(VILLAGE_ROWS, WHOLE)]
    return [(VILLAGE_ROWS, code) for code in folder.villages_of(page)]


def _village_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    if table != "indicators":
        return None
    if page.level == "village":
        return frame["village_code"].astype(str) == page.code
    return pd.Series(True, index=frame.index)


VILLAGE_ROWS = Slice(
    "village_rows",
    "the figures of the page's villages, every year: a village's own; every village's of a "
    "town's page or of the top page",
    frozenset({"indicators"}),
    by_village("indicators"),
    _village_rows,
    _village_keys,
)


def _projects_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    if page.level == "top":
        return [(PROJECTS, WHOLE)]
    return [(PROJECTS, code) for code in folder.villages_of(page)]


def _projects_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    if table != "projects":
        return None
    if page.level == "village":
        return frame["village_code"].astype(str) == page.code
    return pd.Series(True, index=frame.index)


PROJECTS = Slice(
    "projects",
    "the projects of the page's villages",
    frozenset({"projects"}),
    by_village("projects"),
    _projects_rows,
    _projects_keys,
)


def _town_figures(folder: Folder, *, of_year: bool) -> dict[str, bytes]:
    """The towns' own figures (aggregates) and how many of their village values are pending
    review, by town code (every year, or the report year's), and the top page's (the township
    table) whole."""
    made: dict[str, bytes] = {}
    for name in ("aggregates", "pending_review"):
        table = folder.table(name)
        if table.empty:
            continue
        table = table[table["level"] == "town"]
        if of_year:
            table = table[table["year"] == folder.year]
        for key, hashed in hashed_rows(table, table["code"].astype(str)).items():
            made[key] = made.get(key, b"") + hashed
    return {**made, WHOLE: folder.digest("area", "pending_review")}


def _place_keys(slice_: Callable[[], Slice]) -> Callable[[Page, Folder], list[tuple[Slice, str]]]:
    def keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
        if page.level == "top":
            return [(slice_(), WHOLE)]
        return [(slice_(), page.code[:TOWN_DIGITS])]

    return keys


PLACE_FIGURES = Slice(
    "place_figures",
    "the figures of the page's place, every year: its town's (the township table of a town's "
    "tables), or the whole's on the top page; with how many of each figure's village values are "
    "pending review",
    frozenset({"area"}),
    lambda folder: _town_figures(folder, of_year=False),
    every_row("area"),
    _place_keys(lambda: PLACE_FIGURES),
)


def _of_year(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    return frame["year"] == year if table == "area" else None


TOWN_FIGURES_OF_YEAR = Slice(
    "town_figures_of_year",
    "the figures of the page's town in the report year (what a village page compares with)",
    frozenset({"area"}),
    lambda folder: _town_figures(folder, of_year=True),
    _of_year,
    _place_keys(lambda: TOWN_FIGURES_OF_YEAR),
)


def _rank_parts(folder: Folder) -> dict[str, bytes]:
    """Each village's ranks in its town in the report year, as its page states them."""
    stated: dict[str, list[str]] = {}
    indicators = folder.table("indicators")
    if indicators.empty:
        return {}
    for indicator, frame in ranks_of(indicators, folder.year).items():
        for code, rank, ranked in zip(frame.index, frame["rank"], frame["ranked"], strict=True):
            stated.setdefault(code, []).append(f"{indicator}:{rank:.0f}/{ranked}")
    return {code: ";".join(ranks).encode() for code, ranks in stated.items()}


def _rank_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    return [(RANK_IN_TOWN, code) for code in folder.villages_of(page)]


def _rank_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    """The figures a rank is made of: every village's ranked rates in the report year."""
    if table != "indicators":
        return None
    ranked = {ind.id for ind in rank_indicators()}
    return frame["indicator"].isin(ranked) & (frame["year"] == year)


RANK_IN_TOWN = Slice(
    "rank_in_town",
    "the village's ranks in its town in the report year (not the figures of the others)",
    frozenset({"indicators"}),
    _rank_parts,
    _rank_rows,
    _rank_keys,
)


def _scope_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    if page.level == "top":
        return [(SCOPE_PROJECTIONS, WHOLE)]
    if page.level == "village":
        return [(SCOPE_PROJECTIONS, page.code)]
    own = [page.code, "township"] if folder.one_town else [page.code]
    return [(SCOPE_PROJECTIONS, key) for key in [*own, *folder.villages_of(page)]]


def _scope_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    if table not in ("projections", "projection_paths"):
        return None
    if page.level != "village":
        return pd.Series(True, index=frame.index)
    return _scope_codes(frame).map(lambda codes: page.code in codes)


SCOPE_PROJECTIONS = Slice(
    "scope_projections",
    "the projections of the page's scope and what their charts draw: a village's own and "
    "the targets it shares; a town's targets and its villages'; every one on the top page",
    frozenset({"projections", "projection_paths"}),
    by_scope("projections", "projection_paths"),
    _scope_rows,
    _scope_keys,
)

TARGETS = Slice(
    "targets",
    "the targets as stated (targets.parquet)",
    frozenset({"targets"}),
    whole("targets"),
    every_row("targets"),
)


def _as_of_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    """The scope's projections where the report year is the data's last; else what they are
    made again from (every figure of the page's town and the targets)."""
    last = folder.last_years
    towns = [last.get(code) for code in {c[:TOWN_DIGITS] for c in folder.villages_of(page)}]
    if all(year is None or folder.year >= year for year in towns):
        return SCOPE_PROJECTIONS.page_parts(page, folder)
    town = page if page.level != "village" else Page("town", page.code[:TOWN_DIGITS])
    return [
        *VILLAGE_ROWS.page_parts(town, folder),
        (TARGETS, WHOLE),
        *SCOPE_PROJECTIONS.page_parts(page, folder),
    ]


def _as_of_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    if table in ("indicators", "targets"):
        late = table == "indicators" and len(frame) and year < int(frame["year"].max())
        return pd.Series(True, index=frame.index) if late else None
    return _scope_rows(table, frame, page, year)


PROJECTIONS_AS_OF = Slice(
    "projections_as_of",
    "the projections as they could be made at the end of the report year "
    "(narrative.as_of): the scope's own where the report year is the data's last; for an "
    "earlier year, every figure of the page's town up to it, and the targets",
    frozenset({"projections", "indicators", "targets"}),
    lambda folder: {},
    _as_of_rows,
    _as_of_keys,
)


def _registry_parts(folder: Folder) -> dict[str, bytes]:
    """The registry's files and the names of the places above the villages."""
    digest = hashlib.sha256(folder.digest("villages", "villages_gpkg"))
    units = folder.table("aggregates")
    if len(units):
        named = units[units["level"] != "village"][["level", "code", "name"]].drop_duplicates()
        digest.update(pd.util.hash_pandas_object(named, index=False).to_numpy().tobytes())
    return {WHOLE: digest.digest()}


REGISTRY = Slice(
    "registry",
    "the village registry (names, kinds, towns, shapes) and the names of the towns and counties",
    frozenset({"villages", "names"}),
    _registry_parts,
    every_row("villages"),
)
TOWNS_FIGURES = Slice(
    "towns_figures",
    "every town's and county's figures, every year, and how many of their village values are "
    "pending review (aggregates.parquet, pending_review.parquet)",
    frozenset({"aggregates"}),
    whole("aggregates", "pending_review"),
    every_row("aggregates"),
)


def _layer_parts(folder: Folder) -> dict[str, bytes]:
    layers = sorted((folder.processed / store.LAYERS_DIR).glob("*.gpkg"))
    return {WHOLE: fingerprint_files(layers).encode()}


LAYERS = Slice(
    "layers",
    "the map layers (layers/*.gpkg)",
    frozenset({"layers"}),
    _layer_parts,
    every_row(),
)
RECONCILIATION = Slice(
    "reconciliation",
    "the published figures checked against the data (reconciliation.csv)",
    frozenset({"reconciliation"}),
    whole("reconciliation"),
    every_row("reconciliation"),
)


def _review_keys(page: Page, folder: Folder) -> list[tuple[Slice, str]]:
    if page.level == "top":
        return [(REVIEW_FLAGS, WHOLE)]
    return [(REVIEW_FLAGS, code) for code in folder.villages_of(page)]


def _review_rows(table: str, frame: pd.DataFrame, page: Page, year: int) -> pd.Series | None:
    if table != "review":
        return None
    if page.level == "village":
        return frame["village_code"].astype(str) == page.code
    return pd.Series(True, index=frame.index)


REVIEW_FLAGS = Slice(
    "review_flags",
    "the plausibility review's flags of the page's villages, each to confirm or confirmed with "
    "its written explanation (review.parquet)",
    frozenset({"review"}),
    by_village("review"),
    _review_rows,
    _review_keys,
)

#: Every slice, by name.
SLICES = {
    s.name: s
    for s in (
        VILLAGE_ROWS,
        PROJECTS,
        PLACE_FIGURES,
        TOWN_FIGURES_OF_YEAR,
        RANK_IN_TOWN,
        SCOPE_PROJECTIONS,
        PROJECTIONS_AS_OF,
        TARGETS,
        REGISTRY,
        TOWNS_FIGURES,
        LAYERS,
        RECONCILIATION,
        REVIEW_FLAGS,
    )
}

#: Every slice by the name this module gives it, as a declaration names it.
_SLICE_NAMES = {name: value for name, value in globals().items() if isinstance(value, Slice)}

#: What a notebook reads of its tables itself, by the field or method it takes from them:
#: ``tables.area`` handed to a section, ``tables.village(code)``; limiting the tables to a
#: town reads nothing a section does not.
TABLES_READS: Mapping[str, frozenset[Slice]] = {
    "area": frozenset({PLACE_FIGURES}),
    "village": frozenset({REGISTRY}),
    "town_of": frozenset(),
    "town": frozenset(),
}


# --- declaring -----------------------------------------------------------------------------------

#: The attribute a declared section carries its slices in.
_DECLARED = "__reads__"
#: Only functions of this package are sections; the others a notebook calls (words, loading)
#: take no tables.
SECTIONS_PACKAGE = "analysis.reporting"


class UndeclaredSection(LookupError):
    """A page calls a section that does not declare what it reads (a bug in this package)."""


def reads(*slices: Slice) -> Callable[[F], F]:
    """Declare the slices a section reads (none for one that only shows what it is given)."""

    def declare(function: F) -> F:
        setattr(function, _DECLARED, frozenset(slices))
        return function

    return declare


def declared(function: Callable) -> frozenset[Slice]:
    """The slices ``function`` declares; :class:`UndeclaredSection` for a section of
    :data:`SECTIONS_PACKAGE` that declares none; nothing for a function from elsewhere."""
    slices = getattr(function, _DECLARED, None)
    if slices is not None:
        return slices
    if getattr(function, "__module__", "").startswith(SECTIONS_PACKAGE):
        raise UndeclaredSection(
            f"{function.__module__}.{function.__qualname__} declares no reads: add "
            "@reads(...) (analysis.reporting.reads) with the slices it reads"
        )
    return frozenset()


#: How a notebook's call ``module.name`` is resolved to what it reads: (module, name) → slices.
Resolve = Callable[[str, str], frozenset[Slice]]


def imported_declaration(module: str, name: str) -> frozenset[Slice]:
    """What ``module.name`` declares, the module imported (:func:`declared`)."""
    return declared(getattr(importlib.import_module(module), name))


@functools.cache
def _source(module: str) -> ast.Module | None:
    """The parsed source of a module of this package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return ast.parse(Path(spec.origin).read_text(encoding="utf-8"))


def _decorated(function: ast.FunctionDef, module: str) -> frozenset[Slice]:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "reads":
            return frozenset(_SLICE_NAMES[ast.unparse(arg)] for arg in decorator.args)
    if module.startswith(SECTIONS_PACKAGE):
        raise UndeclaredSection(
            f"{module}.{function.name} declares no reads: add @reads(...) "
            "(analysis.reporting.reads) with the slices it reads"
        )
    return frozenset()


def source_declaration(module: str, name: str) -> frozenset[Slice]:
    """What ``module.name`` declares, read from the source of the modules it is defined in and
    imported through (:mod:`analysis.report` gathers them): a build fingerprints its pages
    without importing what draws them (matplotlib, IPython). The same as
    :func:`imported_declaration`, which tests/reporting/test_reads.py checks."""
    tree = _source(module)
    if tree is None:
        return frozenset()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return _decorated(node, module)
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return source_declaration(node.module, alias.name)
    return frozenset()


def code_cells(notebook: Path) -> list[str]:
    """The code of a notebook's cells, its parameters cell left out."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    ]


def _modules(tree: ast.AST) -> dict[str, str]:
    """The modules of this package a notebook's code imports, by the name it calls them
    (a name from elsewhere, ``display``, is no section)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
            for alias in node.names:
                module = f"{node.module}.{alias.name}"
                try:
                    if importlib.util.find_spec(module) is not None:
                        found[alias.asname or alias.name] = module
                except ModuleNotFoundError:
                    continue  # a function of a module, not a module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("analysis"):
                    found[alias.asname or alias.name] = alias.name
    return found


def statement_slices(
    statement: ast.AST, modules: Mapping[str, str], resolve: Resolve = source_declaration
) -> frozenset[Slice]:
    """What one statement of a notebook reads: the slices of the sections it calls (a module's
    function: ``report.key_figures(…)``) and of what it takes from its tables itself
    (:data:`TABLES_READS`: ``tables.area``)."""
    slices: set[Slice] = set()
    for node in ast.walk(statement):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id in modules:
            slices |= resolve(modules[node.value.id], node.attr)
        elif node.value.id == "tables":
            if node.attr not in TABLES_READS:
                raise UndeclaredSection(
                    f"a notebook takes tables.{node.attr} itself: hand the tables to a section "
                    "that declares what it reads, or add it to TABLES_READS"
                )
            slices |= TABLES_READS[node.attr]
    return frozenset(slices)


def notebook_statements(
    notebook: Path, resolve: Resolve = source_declaration
) -> list[tuple[str, frozenset[Slice]]]:
    """Each top-level statement of a notebook's code cells, with what it reads."""
    trees = [ast.parse(source) for source in code_cells(notebook)]
    # A module imported in one cell is called in the cells after it.
    modules = {name: module for tree in trees for name, module in _modules(tree).items()}
    return [
        (ast.unparse(statement), statement_slices(statement, modules, resolve))
        for tree in trees
        for statement in tree.body
    ]


def notebook_slices(notebook: Path, resolve: Resolve = source_declaration) -> frozenset[Slice]:
    """What a page of ``notebook`` reads: the union of its statements' slices."""
    return frozenset().union(*(slices for _, slices in notebook_statements(notebook, resolve)))


# --- fingerprints --------------------------------------------------------------------------------


def page_fingerprints(
    processed: Path, pages: Iterable[tuple[str, Page, frozenset[Slice]]], year: int
) -> dict[str, str]:
    """For each ``(key, page, slices)``, a fingerprint of the parts of ``slices`` the page
    reads, by key. Each slice's parts are made once, for every page, when first asked for;
    each table is read once whatever the number of pages."""
    folder = Folder(processed, year)
    sample = str(bool((store.read_stamp(processed) or {}).get("sample", False))).encode()
    parts: dict[str, dict[str, bytes]] = {}
    out = {}
    for key, page, slices in pages:
        digest = hashlib.sha256(sample)
        for slice_ in sorted(slices, key=lambda s: s.name):
            for owner, part in slice_.page_parts(page, folder):
                if owner.name not in parts:
                    parts[owner.name] = owner.parts(folder)
                digest.update(f"{owner.name}\0{part}\0".encode())
                digest.update(parts[owner.name].get(part, b""))
        out[key] = digest.hexdigest()
    return out
