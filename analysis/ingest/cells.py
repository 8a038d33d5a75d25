"""What a clerk typed, normalised: header spellings, cell values, units, years, totals labels.

This module knows how cells look, not whether their contents are right. It turns

- header spellings (``参保率（%）``, ``村（居）名称``, ``金额 (万元)``) into column roles;
- cell text (full-width digits, ``1,234``, ``86%``, ``335.26万``, ``—``/``/``/``无``) into numbers
  with their unit, or a missing marker, or "not a number".

Everything that touches many cells works on whole columns at once (pandas string methods on the
melted sheet), so a county of thousands of villages reads in seconds.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from analysis.core.catalog import Catalog, header_unit, normalise_header

#: Cell text meaning "no figure" (never zero): dashes, slash, 无, 空, N/A, blank.
MISSING_TOKENS = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "–",
        "/",
        "\\",
        "无",
        "空",
        "暂无",
        "n/a",
        "na",
        "nan",
        "none",
        "null",
    }
)

#: Labels of totals rows; they are checked against the villages and never ingested as one.
TOTALS_PATTERN = re.compile(
    r"^(全镇|全乡|全县|全村|本镇|本乡|全部|各村)?(合计|小计|总计|汇总|总数)$"
)

#: Key columns of the wide village-year form, by normalised header spelling.
KEY_ALIASES = {
    "village": (
        "村（居）名称",
        "村（居）委会",
        "村（居）",
        "村居名称",
        "村居委会",
        "村名",
        "村名称",
        "村",
        "村居",
        "行政村",
        "行政村名称",
        "村委会",
        "村（社区）",
        "村（社区）名称",
        "村庄名称",
        "单位",
        "单位名称",
        "填报单位",
        "village",
        "village_name",
    ),
    "code": (
        "村代码",
        "村编码",
        "行政区划代码",
        "区划代码",
        "统计用区划代码",
        "代码",
        "编码",
        "village_code",
        "code",
    ),
    "year": ("年度", "年份", "年", "统计年度", "填报年度", "year"),
    # The town a village row belongs to: names are unique only within their town.
    "town": (
        "乡镇",
        "镇",
        "乡",
        "乡镇名称",
        "所属乡镇",
        "乡（镇）",
        "乡镇（街道）",
        "街道",
        "town",
        "town_name",
    ),
    "seq": ("序号", "编号", "序", "no", "no."),
    # Free text beside the figures: kept out of the values, listed in the summary.
    "remark": ("备注", "说明", "备注说明", "remark", "remarks", "note"),
}

#: Unit spellings (after NFKC and lower-casing) and their factor into each canonical unit.
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "万元": {"万元": 1.0, "万": 1.0, "元": 1e-4, "千元": 0.1, "亿元": 1e4, "亿": 1e4},
    "元": {"元": 1.0, "万元": 1e4, "万": 1e4, "千元": 1e3, "亿元": 1e8, "亿": 1e8},
    "亩": {
        "亩": 1.0,
        "万亩": 1e4,
        "公顷": 15.0,
        "ha": 15.0,
        "hm2": 15.0,
        "平方米": 0.0015,
        "m2": 0.0015,
        "平方公里": 1500.0,
        "km2": 1500.0,
    },
    "km": {"km": 1.0, "公里": 1.0, "千米": 1.0, "米": 1e-3, "m": 1e-3},
    "%": {"%": 1.0, "百分比": 1.0},
}

#: A number with an optional unit after it (text already NFKC-folded, spaces and separators
#: removed). The unit group is checked against the catalog unit later.
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([^\d.+-]*)$")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the column as Excel labels it."""
    return get_column_letter(index + 1)


# --- headers -------------------------------------------------------------------------------------


def key_index() -> dict[str, str]:
    """Normalised spelling → key role (``village``, ``code``, ``year``, ``town``, ``seq``,
    ``remark``)."""
    return {
        normalise_header(alias): role for role, aliases in KEY_ALIASES.items() for alias in aliases
    }


@dataclass(frozen=True)
class Column:
    """What a header cell means: a key role, an indicator id, or nothing known (``role=None``)."""

    index: int
    header: str
    role: str | None  # "village", "code", "year", "town", "seq", "remark", "indicator", or None
    indicator: str | None = None
    unit: str | None = None  # unit written in the header, if any

    @property
    def letter(self) -> str:
        return column_letter(self.index)


_BARE_UNITS = sorted({u for table in _UNIT_FACTORS.values() for u in table}, key=len, reverse=True)


def match_header(index: int, text: object, keys: dict[str, str], headers: dict[str, str]) -> Column:
    """One header text as a column: ``keys`` from :func:`key_index`, ``headers`` from
    :meth:`Catalog.header_index`."""
    raw = cell_text(text).strip()
    norm = normalise_header(raw)
    unit = header_unit(raw)
    if norm in keys:
        return Column(index, raw, keys[norm])
    if norm in headers:
        return Column(index, raw, "indicator", headers[norm], unit)
    # A unit written without brackets: "医疗保险参保率%", "产业奖补金额万元".
    for suffix in _BARE_UNITS:
        stem = norm[: -len(suffix)]
        if norm.endswith(suffix.lower()) and stem in headers:
            return Column(index, raw, "indicator", headers[stem], suffix)
    return Column(index, raw, None, None, unit)


def match_headers(row: Sequence[object], catalog: Catalog) -> list[Column]:
    """Classify every cell of a header row: key role, catalog indicator (with the unit written
    in the header), or unknown (``role=None``)."""
    keys, headers = key_index(), catalog.header_index()
    return [match_header(i, text, keys, headers) for i, text in enumerate(row)]


def find_header_row(cells: pd.DataFrame, catalog: Catalog, *, search_rows: int = 30) -> int | None:
    """0-based index of the first row where at least two cells are known headers, else None."""
    keys, headers = key_index(), catalog.header_index()
    known = set(keys) | set(headers)
    top = cells.head(search_rows)
    for i, row in enumerate(top.itertuples(index=False)):
        hits = sum(
            1 for v in row if isinstance(v, str) and v.strip() and normalise_header(v) in known
        )
        if hits >= 2:
            return i
    return None


def suggest_headers(text: str, catalog: Catalog, n: int = 3) -> list[str]:
    """The catalog names closest to an unknown header (for the clerk's message)."""
    names = {ind.zh: ind for ind in catalog}
    for ind in catalog:
        for alias in ind.aliases:
            names.setdefault(alias, ind)
    close = difflib.get_close_matches(normalise_header(text), list(names), n=n * 2, cutoff=0.4)
    seen: list[str] = []
    for name in close:
        label = names[name].label_zh
        if label not in seen:
            seen.append(label)
    return seen[:n]


# --- cell values ---------------------------------------------------------------------------------


def unit_factor(unit: str | None, canonical: str) -> float | None:
    """Factor turning a value in ``unit`` into ``canonical``; None when they are incompatible.

    ``None``/empty means "no unit written" (factor 1). A leading 万 scales any unit by 10⁴
    (``1.2万人``).
    """
    if not unit:
        return 1.0
    folded = unicodedata.normalize("NFKC", unit).strip().lower()
    if folded == canonical.lower():
        return 1.0
    table = _UNIT_FACTORS.get(canonical)
    if table and folded in table:
        return table[folded]
    if folded.startswith("万") and (folded[1:] in ("", canonical.lower())):
        return 1e4
    return None


#: A cell's state as :func:`parse_figures` codes it, and as :func:`parse_cells` writes it.
FIGURE, MISSING, TEXT = 0, 1, 2
STATES = np.array(["ok", "missing", "text"], dtype=object)


@dataclass(frozen=True)
class Figures:
    """Cells parsed (:func:`parse_figures`), one entry each."""

    number: np.ndarray  # float, NaN unless parsed
    unit: np.ndarray  # the text after the number, "" if none (objects)
    state: np.ndarray  # FIGURE, MISSING (blank or a marker such as —) or TEXT (not a number)


def parse_figures(cells: np.ndarray) -> Figures:
    """Parse raw cells (an object array of calamine/CSV cells: floats, ints, text, ``""``) into
    numbers, each distinct text once: see :func:`parse_cells`."""
    n = len(cells)
    types, kinds = _types(cells)
    if len(kinds) == 1 and kinds[0] in (float, np.float64):  # a grid of figures
        number = cells.astype(float)
        state = np.where(np.isnan(number), MISSING, FIGURE).astype(np.int8)
        return Figures(number, np.full(n, "", dtype=object), state)
    number = np.full(n, np.nan)
    unit = np.full(n, "", dtype=object)
    state = np.full(n, TEXT, dtype=np.int8)
    is_num = np.array([k in _NUMERIC_TYPES for k in kinds], bool)[types]
    if is_num.any():
        figures = cells[is_num]
        # Floats (nearly every figure) convert as they are; ints go the way pandas reads them.
        numeric = (
            figures.astype(float)
            if {k for k in kinds if k in _NUMERIC_TYPES} <= {float, np.float64}
            else pd.to_numeric(figures, errors="coerce").astype(float)
        )
        number[is_num] = numeric
        state[is_num] = np.where(np.isnan(numeric), MISSING, FIGURE)
    is_str = np.array([k is str for k in kinds], bool)[types]
    if is_str.any():
        codes, text = pd.factorize(cells[is_str])
        parsed = [_parse_text(t) for t in text]
        idx = np.flatnonzero(is_str)
        number[idx] = np.array([p[0] for p in parsed], float)[codes]
        unit[idx] = np.array([p[1] for p in parsed], object)[codes]
        state[idx] = np.array([p[2] for p in parsed], np.int8)[codes]
    return Figures(number, unit, state)


def parse_cells(values: pd.Series) -> pd.DataFrame:
    """Parse raw cells into numbers, vectorised.

    Parameters
    ----------
    values
        Object series of calamine/CSV cells: floats, ints, text, ``""``.

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``number`` (float, NaN unless parsed), ``unit`` (text after the
        number, ``""`` if none), ``state``: ``"ok"``, ``"missing"`` (blank or a missing marker
        such as ``—``) or ``"text"`` (not a number).
    """
    parsed = parse_figures(values.to_numpy(dtype=object))
    # Kept as Python objects: a text column would copy millions of cells to Arrow and back.
    return pd.DataFrame(
        {
            "number": parsed.number,
            "unit": pd.Series(parsed.unit, index=values.index, dtype=object),
            "state": pd.Series(STATES[parsed.state], index=values.index, dtype=object),
        },
        index=values.index,
    )


#: The types of cell :func:`parse_cells` reads as a figure (calamine's and pandas').
_NUMERIC_TYPES = frozenset({float, int, np.float64, np.int64})
_SPACES = re.compile(r"\s+")


def _types(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's type, as a code into the few distinct types: taken in one pass in C, and
    judged once per type rather than once per cell."""
    return pd.factorize(np.fromiter(map(type, cells), object, len(cells)))


def _parse_text(text: str) -> tuple[float, str, int]:
    """One text cell as (number, unit, state): see :func:`parse_figures`."""
    folded = _SPACES.sub("", _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).strip()))
    if folded.lower() in MISSING_TOKENS:
        return np.nan, "", MISSING
    found = _NUMBER.search(folded)
    if found is None:
        return np.nan, "", TEXT
    return float(found.group(1)), found.group(2), FIGURE


def distinct_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct cell once (an object array), and where each cell is among them: a column
    repeats its towns, years and markers thousands of times, and the same cell reads the same.
    A missing cell is one of them too, not dropped. Cells a hash table holds equal but that are
    written apart stay apart: of other types (``1``, ``1.0``, ``True``), and ``0.0`` and
    ``-0.0``."""
    cells = values.to_numpy(dtype=object)
    types, kinds = _types(cells)
    codes, _ = pd.factorize(cells, use_na_sentinel=False)
    apart = types.astype(np.int64)
    floats = np.array([issubclass(k, (float, np.floating)) for k in kinds], bool)[types]
    if floats.any():
        negative_zero = np.zeros(len(cells), bool)
        figures = cells[floats].astype(float)
        negative_zero[floats] = (figures == 0) & np.signbit(figures)
        apart = apart * 2 + negative_zero
    if apart.any():
        codes, _ = pd.factorize(codes * (int(apart.max()) + 1) + apart)
    # The first cell of each: codes are numbered in the order they are first met.
    first = np.unique(codes, return_index=True)[1]
    return codes, cells[first]


def map_text(values: pd.Series, function: Callable[[object], str]) -> pd.Series:
    """``values.map(function)`` for a ``function`` that writes a cell as text, called once for
    each distinct cell (:func:`distinct_cells`) rather than for every one."""
    codes, distinct = distinct_cells(values)
    written = np.empty(len(distinct), dtype=object)
    written[:] = [function(value) for value in distinct]
    return pd.Series(written[codes], index=values.index, name=values.name)


def cell_text(value: object) -> str:
    """A cell as the clerk typed it, for messages: ``86.0`` → ``86``, text unchanged."""
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-") if np.isfinite(value) else ""
    return str(value)


def decimals_of(value: object) -> int:
    """Decimal places a figure was written with: ``"86"`` → 0, ``335.26`` → 2, ``"1.50"`` → 2."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().rstrip("%")
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def parse_year(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Year cells (``2019``, ``2019.0``, ``"2019年"``, ``"２０１９"``) → (Int64 years, is_blank)."""
    codes, distinct = distinct_cells(values)
    # Each distinct cell written as the column's own ``astype(str)`` writes it.
    text = pd.Series(distinct, dtype=object).astype(str).str.normalize("NFKC").str.strip()
    blank = text.str.lower().isin(MISSING_TOKENS).to_numpy()[codes]
    digits = text.str.extract(r"^(\d{4})(?:\.0+)?\s*(?:年度?)?$")[0]
    years = pd.to_numeric(digits, errors="coerce").astype("Int64").array.take(codes)
    return pd.Series(years, index=values.index, name=0), pd.Series(
        blank, index=values.index, name=values.name
    )


#: A town's own total: the town's name (大桥镇, or 大桥 without its suffix) before the word.
TOWN_TOTALS_PATTERN = re.compile(r"^(.+?)(合计|小计|总计|汇总)$")
_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def is_totals_label(
    values: pd.Series, extra: Iterable[str] = (), *, towns: Iterable[str] = ()
) -> pd.Series:
    """True where a cell says 合计/小计/总计 (spaces ignored), a town's total (大桥镇小计 or 大桥小计,
    for a town of ``towns``), or names the town itself (a name of ``extra``)."""
    return pd.Series(TotalsLabels(towns, extra).find(values), index=values.index)


class TotalsLabels:
    """Which cells label a totals row (:func:`is_totals_label`), each distinct text judged once
    for as long as the object is kept: a province's sheets write the same names again and
    again, and a run keeps one (:attr:`analysis.ingest.registry.Registry.totals_labels`)."""

    _SAYS, _NAMES = 1, 2  # the word or a town's total; a name of ``extra``

    def __init__(self, towns: Iterable[str] = (), extra: Iterable[str] = ()) -> None:
        self._prefixes = town_spellings(towns)
        self._extra = frozenset(str(e) for e in extra if str(e))
        self._judged: dict[str, int] = {}

    def find(self, values: pd.Series, *, named: bool = True) -> np.ndarray:
        """True for each cell of ``values`` that labels a totals row; one naming a town of
        ``extra`` only where ``named`` (a column where the village or its number is written)."""
        cells = values.to_numpy(dtype=object)
        found = np.zeros(len(cells), bool)
        types, kinds = _types(cells)
        is_text = np.array([k is str for k in kinds], bool)[types]
        if not is_text.any():
            return found
        codes, distinct = pd.factorize(cells[is_text])
        judged = self._judged
        for text in set(distinct).difference(judged):
            judged[text] = self._judge(text)
        kind = np.fromiter(map(judged.__getitem__, distinct), np.int8, len(distinct))[codes]
        found[is_text] = (kind & (self._SAYS | self._NAMES if named else self._SAYS)) != 0
        return found

    def _judge(self, text: str) -> int:
        folded = _SPACES.sub("", unicodedata.normalize("NFKC", text))
        kind = self._NAMES if folded in self._extra else 0
        if TOTALS_PATTERN.match(folded):
            return kind | self._SAYS
        town_total = TOWN_TOTALS_PATTERN.match(folded) if self._prefixes else None
        if town_total and town_total.group(1) in self._prefixes:
            return kind | self._SAYS
        return kind


def totals_text(values: pd.Series) -> pd.Series:
    """Label cells as they are compared: NFKC-folded, without spaces."""
    return values.astype(str).str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def town_spellings(towns: Iterable[str]) -> set[str]:
    """Each town name as written and without its suffix (大桥镇, 大桥)."""
    found = set()
    for name in towns:
        name = unicodedata.normalize("NFKC", str(name)).strip()
        if not name:
            continue
        found.add(name)
        for suffix in _TOWN_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                found.add(name[: -len(suffix)])
                break
    return found
