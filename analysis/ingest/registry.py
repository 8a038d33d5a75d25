"""The village registry (``villages.csv``): reading it, and resolving names to codes.

A name resolves at three levels of spelling (as written, one suffix off, two off: 青光村委会,
青光村, 青光); a spelling two villages share is ambiguous and never guessed. Problems with a
village name are recorded here, with the closest registry names as the clerk's hint.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import normalise_header
from analysis.errors import DataError, MissingFileError
from analysis.ingest.cells import cell_text, column_letter
from analysis.ingest.ledger import Ledger
from analysis.ingest.read import ReadError, read_csv_sheet

_VILLAGE_SUFFIXES = (
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "委员会",
    "社区",
    "村",
)


def _fold_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)))


def _strip_suffix(name: str) -> str:
    for suffix in _VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class Registry:
    """The village registry (``villages.csv``) and name → code resolution."""

    table: pd.DataFrame  # REGISTRY_COLUMNS, all text
    _levels: list[dict[str, str | None]] = field(default_factory=list, repr=False)
    _cache: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Three levels of spellings: as written (name, short name), one suffix off, two off.
        # A spelling shared by two villages maps to None (ambiguous) at its level.
        level0: dict[str, str | None] = {}
        level1: dict[str, str | None] = {}
        level2: dict[str, str | None] = {}
        for code, name, short in self.table[["code", "name", "short_name"]].itertuples(index=False):
            for spelling in {_fold_name(name), _fold_name(short)}:
                _claim(level0, spelling, code)
                once = _strip_suffix(spelling)
                _claim(level1, once, code)
                _claim(level2, _strip_suffix(once), code)
        self._levels = [level0, level1, level2]

    # Both are asked once per distinct name of every file: kept, not built again each time.
    @functools.cached_property
    def codes(self) -> frozenset[str]:
        """Every village code of the registry."""
        return frozenset(self.table["code"])

    @functools.cached_property
    def town_names(self) -> frozenset[str]:
        """The towns' names the registry gives (none empty)."""
        return frozenset(self.table["town_name"].dropna()) - {""}

    def resolve_name(self, name: str) -> tuple[str | None, str]:
        """One name → (code, status) with status ``ok``, ``ambiguous`` or ``unknown``."""
        folded = re.sub(r"^(\d{12})\.0+$", r"\1", _fold_name(name))
        if re.fullmatch(r"\d{12}", folded):
            return (folded, "ok") if folded in self.codes else (None, "unknown")
        candidates = [folded, _strip_suffix(folded), _strip_suffix(_strip_suffix(folded))]
        for candidate in dict.fromkeys(candidates):
            for level in self._levels:
                if candidate in level:
                    code = level[candidate]
                    return (code, "ok") if code else (None, "ambiguous")
        return None, "unknown"

    def resolve(self, names: pd.Series) -> pd.DataFrame:
        """Resolve a column of names (each distinct name once): columns ``code``, ``status``."""
        positions, unique = pd.factorize(names.astype(str).to_numpy(dtype=object))
        resolved = [self._resolve_cached(name) for name in unique]
        codes = np.array([code for code, _ in resolved] + [None], dtype=object)
        status = np.array([state for _, state in resolved] + ["unknown"], dtype=object)
        # factorize marks NaN with -1, which indexes the trailing "unknown" entry.
        return pd.DataFrame(
            {"code": codes[positions], "status": status[positions]}, index=names.index
        )

    def _resolve_cached(self, name: str) -> tuple[str | None, str]:
        if name not in self._cache:
            self._cache[name] = self.resolve_name(name)
        return self._cache[name]

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Registry names closest to an unknown one (short names, as clerks write them)."""
        shorts = list(self.table["short_name"])
        return difflib.get_close_matches(_fold_name(name), shorts, n=n, cutoff=0.3)

    @property
    def names(self) -> dict[str, str]:
        """Code → the short name clerks use (青光村, 新圩), for messages."""
        return dict(zip(self.table["code"], self.table["short_name"], strict=True))


def _claim(level: dict[str, str | None], spelling: str, code: str) -> None:
    if not spelling:
        return
    if spelling in level and level[spelling] != code:
        level[spelling] = None
    else:
        level.setdefault(spelling, code)


REGISTRY_COLUMNS = ("code", "name", "short_name", "kind", "town_code", "town_name", "county_name")


def normalise_code(values: pd.Series) -> pd.Series:
    """Code cells (``360722103201``, ``3.60722103201e11``, ``" 360722103201 "``) → 12-digit text."""

    def one(value: object) -> str:
        if isinstance(value, float) and np.isfinite(value) and value == int(value):
            return str(int(value))
        return _fold_name(cell_text(value))

    return values.map(one)


_REGISTRY_ALIASES = {
    "code": ("code", "村代码", "代码", "统计用区划代码", "区划代码", "village_code"),
    "name": ("name", "名称", "村名称", "村（居）名称", "村（居）委会"),
    "short_name": ("short_name", "简称", "常用名"),
    "kind": ("kind", "类型", "城乡分类"),
    "town_code": ("town_code", "乡镇代码"),
    "town_name": ("town_name", "乡镇", "乡镇名称", "所属乡镇"),
    "county_name": ("county_name", "县", "县（市、区）", "所属县（市、区）"),
}


def suggestion_hints(suggestions: Sequence[str]) -> dict[str, str]:
    """The "did you mean" hints of a problem record, in Chinese and English."""
    if not suggestions:
        return {"hint_zh": "", "hint_en": ""}
    return {
        "hint_zh": f"是否指：{'、'.join(suggestions)}？",
        "hint_en": f"Closest: {', '.join(suggestions)}.",
    }


def _short_name(name: str) -> str:
    """The name villagers write, from the official one: 青光村委会 → 青光村, 新圩居委会 → 新圩."""
    for suffix, keep in (
        ("村民委员会", "村"),
        ("居民委员会", ""),
        ("村委会", "村"),
        ("居委会", ""),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def load_registry(path: Path | str, ledger: Ledger | None = None) -> Registry:
    """Read the village registry (``villages.csv``), checking codes.

    Parameters
    ----------
    path
        CSV with ``code, name, short_name, kind, town_code, town_name`` (Chinese headers such as
        ``村代码``/``名称`` are accepted; a missing ``short_name`` is derived from ``name``).
    ledger
        Where to record problems and row states; a private one when None.

    Returns
    -------
    Registry

    Raises
    ------
    MissingFileError
        No such file.
    DataError
        The file cannot be read or has no code/name columns.
    """
    path = Path(path)
    ledger = ledger or Ledger()
    if not path.is_file():
        raise MissingFileError(
            f"找不到村（居）名录 {path}：请在数据文件夹中放入 villages.csv，或用 --registry 指定名录。"
            f" / registry not found: {path}; put villages.csv beside the data or name one with "
            "--registry"
        )
    try:
        sheet = read_csv_sheet(path)
    except ReadError as exc:
        ledger.add(exc.rule, path.name, detail=exc.detail)
        raise DataError(
            f"村（居）名录无法读取 / cannot read the registry {path}: {exc.detail}"
        ) from None
    cells = sheet.cells
    rows = ledger.open_sheet(path.name, "", "registry", len(cells), encoding=sheet.encoding)
    for item in sheet.findings:
        ledger.add(item.rule, path.name, **item.fields)
    header = [normalise_header(h) for h in cells.iloc[0]] if len(cells) else []
    where = {}
    for role, aliases in _REGISTRY_ALIASES.items():
        for alias in aliases:
            if normalise_header(alias) in header:
                where[role] = header.index(normalise_header(alias))
                break
    if "code" not in where or "name" not in where:
        ledger.add(
            "missing_key_column",
            path.name,
            row=1,
            what_zh="code（村代码）、name（名称）",
            what_en="code, name",
            count=max(len(cells) - 1, 0),
        )
        raise DataError(
            f"村（居）名录 {path} 缺少 code（村代码）和 name（名称）列 / the registry needs 'code' "
            f"and 'name' columns, found {list(cells.iloc[0])}"
        )
    rows.loc[1, "reason"] = "header"
    body = cells.iloc[1:]
    table = pd.DataFrame(
        {role: body[where[role]].map(cell_text) for role in where}, index=body.index
    )
    table["code"] = normalise_code(body[where["code"]])
    for role in REGISTRY_COLUMNS:
        if role not in table:
            table[role] = table["name"].map(_short_name) if role == "short_name" else ""
    blank = (body == "").all(axis=1)
    good_code = table["code"].str.fullmatch(r"\d{12}")
    repeated = table["code"].duplicated() & good_code
    for idx in body.index[~blank & ~good_code]:
        ledger.add(
            "bad_code",
            path.name,
            row=idx + 1,
            column=column_letter(where["code"]),
            value=table.at[idx, "code"],
        )
    for idx in body.index[~blank & repeated]:
        ledger.add(
            "duplicate_code",
            path.name,
            row=idx + 1,
            column=column_letter(where["code"]),
            value=table.at[idx, "code"],
        )
    keep = ~blank & good_code & ~repeated
    rows.loc[body.index[keep] + 1, ["status", "reason"]] = ["accepted", ""]
    rows.loc[body.index[~blank & ~keep] + 1, ["status", "reason"]] = ["quarantined", "bad code"]
    clean = table.loc[keep, list(REGISTRY_COLUMNS)].reset_index(drop=True)
    return Registry(clean.astype(str))


def village_problem(
    ledger: Ledger,
    registry: Registry,
    status: str,
    file: str,
    sheet: str,
    row: int,
    column: str,
    text: str,
) -> None:
    """Record an unknown or ambiguous village, with the closest registry names."""
    suggestions = registry.suggest(text)
    ledger.add(
        "ambiguous_village" if status == "ambiguous" else "unknown_village",
        file,
        sheet,
        row,
        column,
        text,
        hint_zh=f"是否指：{'、'.join(suggestions)}？" if suggestions else "请先在名录中添加该村。",
        hint_en=f"Closest: {', '.join(suggestions)}." if suggestions else "Add it to the registry.",
    )
