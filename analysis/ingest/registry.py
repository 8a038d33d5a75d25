"""The village registry (``villages.csv``): reading it, and resolving names to codes.

A name resolves at three levels of spelling (as written, one suffix off, two off: 青光村委会,
青光村, 青光); a spelling two villages share is ambiguous and never guessed. A rare character
written by its components (小（氵甸）村, :mod:`analysis.core.glyphs`) is the character itself. A
village name is unique only within its town: where a row names its town (a 乡镇 column), the
name is resolved among that town's villages alone. Towns and counties resolve by name or code the same way.
Problems with a village name are recorded here, with the closest registry names as the clerk's
hint (the town's own villages first).
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
from analysis.core.glyphs import fold_components
from analysis.errors import DataError, MissingFileError
from analysis.ingest.cells import (
    KEY_ALIASES,
    TotalsLabels,
    cell_text,
    column_letter,
    distinct_cells,
    map_text,
)
from analysis.ingest.ledger import Ledger
from analysis.ingest.read import ReadError, Sheet, read_csv_sheet, rows_readable
from analysis.ingest.rules import rule_of

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


#: Suffixes of town and county names (大桥镇 → 大桥, 信丰县 → 信丰), longest first.
_UNIT_SUFFIXES = {
    "town": ("街道办事处", "街道", "镇", "乡"),
    "county": ("自治县", "县", "市", "区"),
}
#: Code widths of the units a registry knows beside its villages.
_UNIT_WIDTHS = {"town": 9, "county": 6}


def _fold_name(name: str) -> str:
    """A name as it is compared: NFKC, no spaces, and a rare character spelled by its components
    (小（氵甸）村, as GBK files and the bureau write it) as the character itself (小𣵦村)."""
    return fold_components(_SPACES.sub("", unicodedata.normalize("NFKC", str(name))))


_SPACES = re.compile(r"\s+")
#: A 12-digit code, as typed or as a number read with its decimals (360722103201.0).
_CODE_CELL = re.compile(r"(\d{12})(?:\.0+)?")


#: A name less its suffix: of the suffixes that end one another the longer is listed first, so
#: the longest that leaves a name is the first of the list that does.
_SUFFIXED = re.compile(f"(.+?)(?:{'|'.join(_VILLAGE_SUFFIXES)})", re.DOTALL)


def _strip_suffix(name: str) -> str:
    suffixed = _SUFFIXED.fullmatch(name)
    return suffixed.group(1) if suffixed else name


@dataclass
class Registry:
    """The village registry (``villages.csv``) and name → code resolution."""

    table: pd.DataFrame  # REGISTRY_COLUMNS, all text
    _official: dict[str, str | None] = field(default_factory=dict, repr=False)
    _spellings: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _entries: list[_Entry] = field(default_factory=list, repr=False)
    _cache: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)
    # Each town's own registry (its villages alone), made when a row first names the town.
    _towns: dict[str, Registry] = field(default_factory=dict, repr=False)
    # Each town's names alone, (town, name) → resolved: what :meth:`within_town` gives, without
    # a registry made for each of a province's towns.
    _town_indexes: dict[str, tuple[_Names, _Names | None]] = field(default_factory=dict, repr=False)
    _town_cache: dict[tuple[str, str], tuple[str | None, str]] = field(
        default_factory=dict, repr=False
    )
    _units: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    # The units of a level by name folded, and by name less its suffix (codes in order): asked
    # for every town cell.
    _unit_forms: dict[str, tuple[dict[str, list[str]], dict[str, list[str]]]] = field(
        default_factory=dict, repr=False
    )
    #: The former units the boundary changes name (:meth:`with_changes`), REGISTRY_COLUMNS: read
    #: by name or code in their years, never listed as villages of today.
    former: pd.DataFrame | None = None
    #: code → the first year of a unit a change formed, and the last year of one a change ended.
    starts: dict[str, int] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)
    #: code of an ended unit → (its successors' names, the kind of change), for messages.
    successors: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: code → the codes a change links it to (its predecessors and successors).
    linked: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A village's official and short names, as the registry writes them, name it alone
        # within its town (小江 is 小江居委会, 小江村 is 小江村委会). Any other spelling (either with
        # one or two suffixes off) names every village that can be written so; a spelling that
        # villages of two towns reach is ambiguous, never the first village that has it (老圩 for
        # 大桥镇's 老圩居委会 and 小江镇's 老圩村).
        named = self.table[["code", "name", "short_name"]]
        if self.former is not None:
            named = pd.concat([named, self.former[["code", "name", "short_name"]]])
        # Each unit's spellings made once: a town's own index (:meth:`_town_index`) reuses them.
        self._entries = [
            _entry(code, _fold_name(name), _fold_name(short))
            for code, name, short in named.itertuples(index=False)
        ]
        self._official, self._spellings = _name_index(self._entries)

    # Both are asked once per distinct name of every file: kept, not built again each time.
    @functools.cached_property
    def codes(self) -> frozenset[str]:
        """Every village code of the registry, the former units' included."""
        former = self.former["code"] if self.former is not None else ()
        return frozenset(self.table["code"]).union(former)

    @functools.cached_property
    def _today(self) -> Registry:
        """The registry of today's units alone."""
        return Registry(self.table)

    def with_changes(self, changes: pd.DataFrame) -> Registry:
        """This registry with the former units of the boundary changes
        (:mod:`analysis.ingest.crosswalk`) and every changed unit's span; itself when there is
        none. A renamed unit's old name names it still."""
        if changes.empty:
            return self
        moved = changes[changes["old_code"] != changes["new_code"]]
        kept = set(changes.loc[changes["old_code"] == changes["new_code"], "old_code"])
        old = changes[
            ~changes["old_code"].isin(self.table["code"])
            | ~changes["old_name"].isin(["", *self.table["name"]])
        ]
        old = old.assign(name=old["old_name"].where(old["old_name"] != "", old["old_code"]))
        old = old.drop_duplicates(["old_code", "name"])
        towns = self.units("town")
        former = pd.DataFrame(
            {
                "code": old["old_code"],
                "name": old["name"],
                "short_name": old["name"].map(_short_name),
                "kind": "",
                "town_code": old["old_code"].str[: _UNIT_WIDTHS["town"]],
                "town_name": old["old_code"].str[: _UNIT_WIDTHS["town"]].map(towns).fillna(""),
                "county_name": "",
            }
        ).reset_index(drop=True)
        ended = moved[~moved["old_code"].isin(kept)]
        formed = moved[~moved["new_code"].isin(kept)]
        names = self.names | dict(zip(changes["new_code"], changes["new_name"], strict=True))
        successors = {
            old: (
                "、".join(dict.fromkeys(names.get(c) or c for c in group["new_code"])),
                group["kind"].iat[0],
            )
            for old, group in ended.groupby("old_code")
        }
        linked: dict[str, set[str]] = {}
        for old, new in zip(moved["old_code"], moved["new_code"], strict=True):
            linked.setdefault(old, set()).add(new)
            linked.setdefault(new, set()).add(old)
        return Registry(
            self.table,
            former=former.astype(str),
            successors=successors,
            linked=linked,
            starts=formed.groupby("new_code")["year"].min().astype(int).to_dict(),
            ends=(ended.groupby("old_code")["year"].min() - 1).astype(int).to_dict(),
        )

    def resolve_in_year(self, name: str, year: int, code: str) -> tuple[str | None, str]:
        """A name that gave ``code``, a unit outside its span in ``year``, resolved among the
        units a change links to it and that existed that year (a village recoded or moved keeps
        its name): (code, status) as :meth:`resolve_name` gives it. Never another village that
        merely shares the name."""
        folded = _fold_name(name)
        candidates = [folded, _strip_suffix(folded), _strip_suffix(_strip_suffix(folded))]
        linked = self.linked.get(code, set())
        for candidate in dict.fromkeys(candidates):
            codes = self._spellings.get(candidate, set()) & linked
            if codes:
                alive = sorted(
                    c for c in codes if self.starts.get(c, year) <= year <= self.ends.get(c, year)
                )
                if alive:  # else a looser spelling may name a unit of that year
                    return (alive[0], "ok") if len(alive) == 1 else (None, "ambiguous")
        return None, "unknown"

    def span_status(self, codes: pd.Series, years: pd.Series) -> pd.Series:
        """For each row's unit and year: ``ok``, ``ended`` (after the unit's last year) or
        ``not_started`` (before its first)."""
        status = pd.Series("ok", index=codes.index, dtype=object)
        if not self.starts and not self.ends:
            return status
        year = pd.to_numeric(years, errors="coerce")
        end = pd.to_numeric(codes.map(self.ends), errors="coerce")
        start = pd.to_numeric(codes.map(self.starts), errors="coerce")
        status[(year > end).fillna(False).to_numpy(dtype=bool)] = "ended"
        status[(year < start).fillna(False).to_numpy(dtype=bool)] = "not_started"
        return status

    @functools.cached_property
    def _town_codes(self) -> np.ndarray:
        """Each village's town code (its code's first 9 digits), in the table's order."""
        return self.table["code"].str[: _UNIT_WIDTHS["town"]].to_numpy(dtype=object)

    @functools.cached_property
    def town_names(self) -> frozenset[str]:
        """The towns' names the registry gives (none empty)."""
        return frozenset(self.table["town_name"].dropna()) - {""}

    @functools.cached_property
    def totals_labels(self) -> TotalsLabels:
        """Which cells of a table label a totals row, its towns' names and totals (大桥镇,
        大桥镇小计) among them: kept for the run, as every sheet writes the same names again."""
        return TotalsLabels(self.town_names, self.town_names)

    def units(self, level: str) -> dict[str, str]:
        """Code → name of each town ('town') or county ('county') of the registry, the code
        being its villages' first 9 or 6 digits; '' where no row names it."""
        return dict(self._units_of(level))

    def _units_of(self, level: str) -> dict[str, str]:
        """:meth:`units` itself, not a copy (asked for every town cell)."""
        if level not in self._units:
            column = "town_name" if level == "town" else "county_name"
            codes = self.table["code"].str[: _UNIT_WIDTHS[level]]
            names = self.table[column].fillna("").astype(str).str.strip()
            named = names[names != ""].groupby(codes[names != ""]).first()
            self._units[level] = {code: named.get(code, "") for code in sorted(set(codes))}
        return self._units[level]

    def unit_matches(self, text: str, level: str) -> list[str]:
        """The codes of the towns ('town') or counties ('county') a name (大桥镇, 大桥) or code
        names: the units whose name is the text as written, else whose name less its suffix
        (镇, 乡, 县 …) is the text less its own."""
        folded = _fold_name(text)
        if folded.isdigit():
            return [folded] if folded in self._units_of(level) else []
        if level not in self._unit_forms:
            by_name: dict[str, list[str]] = {}
            by_stem: dict[str, list[str]] = {}
            for code, name in self._units_of(level).items():
                if name:
                    name = _fold_name(name)
                    by_name.setdefault(name, []).append(code)
                    by_stem.setdefault(_strip_unit_suffix(name, level), []).append(code)
            self._unit_forms[level] = (by_name, by_stem)
        by_name, by_stem = self._unit_forms[level]
        exact = by_name.get(folded)
        if exact:
            return list(exact)
        return list(by_stem.get(_strip_unit_suffix(folded, level), []))

    def resolve_unit(self, text: str, level: str) -> tuple[str | None, str]:
        """A town or county by name or code → (code, status): ``ok``, ``ambiguous`` (a name two
        units share) or ``unknown``."""
        matches = self.unit_matches(text, level)
        if len(matches) == 1:
            return matches[0], "ok"
        return None, "ambiguous" if matches else "unknown"

    @functools.cached_property
    def _town_rows(self) -> dict[str, list[int]]:
        """Each town code's rows of the table (positions, in order), found in one pass: a
        province's thousands of towns are each looked up, not each a scan of every village."""
        rows: dict[str, list[int]] = {}
        for position, town_code in enumerate(self._town_codes):
            rows.setdefault(town_code, []).append(position)
        return rows

    @functools.cached_property
    def _former_rows(self) -> dict[str, list[int]]:
        """Each town code's rows of the former units (positions, in order), as :attr:`_town_rows`."""
        rows: dict[str, list[int]] = {}
        if self.former is not None:
            for position, town_code in enumerate(self.former["town_code"].to_numpy(dtype=object)):
                rows.setdefault(town_code, []).append(position)
        return rows

    def within_town(self, town_code: str) -> Registry:
        """The registry of one town's villages alone."""
        if town_code not in self._towns:
            mine = self.table.iloc[self._town_rows.get(town_code, [])]
            former = self.former
            if former is not None:
                former = former.iloc[self._former_rows.get(town_code, [])].reset_index(drop=True)
            self._towns[town_code] = Registry(
                mine.reset_index(drop=True),
                former=former,
                starts=self.starts,
                ends=self.ends,
                successors=self.successors,
                linked=self.linked,
            )
        return self._towns[town_code]

    def resolve_name(self, name: str) -> tuple[str | None, str]:
        """One name → (code, status) with status ``ok``, ``ambiguous`` or ``unknown``: a unit
        of today's where one has the name, else a former unit of the boundary changes (a row's
        year may then say it is the former one: :meth:`resolve_in_year`)."""
        if self.former is not None:
            found = self._today.resolve_name(name)
            if found[1] != "unknown":
                return found
        return _resolve_among(name, self._official, self._spellings, self.codes)

    def _town_index(self, town_code: str) -> tuple[_Names, _Names | None]:
        """The names of one town's units (today's and former), and of its units of today alone
        where the registry knows former units: those :meth:`within_town`'s registry holds."""
        if town_code not in self._town_indexes:
            rows = self._town_rows.get(town_code, [])
            today = [self._entries[i] for i in rows]
            if self.former is None:
                self._town_indexes[town_code] = (_Names.of(today), None)
            else:
                offset = len(self.table)
                former = [self._entries[offset + i] for i in self._former_rows.get(town_code, [])]
                self._town_indexes[town_code] = (_Names.of(today + former), _Names.of(today))
        return self._town_indexes[town_code]

    def _resolve_in_town(self, town_code: str, name: str) -> tuple[str | None, str]:
        """``within_town(town_code).resolve_name(name)``, from the town's own index."""
        key = (town_code, name)
        if key not in self._town_cache:
            names, today = self._town_index(town_code)
            found = today.resolve(name) if today is not None else (None, "unknown")
            if found[1] == "unknown":
                found = names.resolve(name)
            self._town_cache[key] = found
        return self._town_cache[key]

    def resolve(self, names: pd.Series, towns: pd.Series | None = None) -> pd.DataFrame:
        """Resolve a column of names (each distinct name once): columns ``code``, ``status``.

        ``towns``, where given, holds each row's town code (from its 乡镇 cell; None where the
        row names no town): a name is then resolved among that town's villages alone.
        """
        positions, distinct = distinct_cells(names)
        # Each distinct cell as the column's own ``astype(str)`` writes it (a missing one: NaN).
        texts = pd.Series(distinct, dtype=object).astype(str).to_numpy(dtype=object)
        if towns is not None and towns.notna().any():
            # Each distinct (town, name) once, looked up in a dict: a frame per town and sheet
            # cost more than the names (a province's ~2,000 towns, seconds a sheet).
            town_at, town_list = pd.factorize(towns.to_numpy(dtype=object), use_na_sentinel=False)
            pairs, pair_keys = pd.factorize(town_at.astype(np.int64) * len(texts) + positions)
            resolved = [
                self._resolve_cached(name)
                if pd.isna(town)
                else self._resolve_in_town(str(town), name)
                for town, name in zip(
                    town_list[pair_keys // len(texts)], texts[pair_keys % len(texts)], strict=True
                )
            ]
            positions = pairs
        else:
            # A province's sheets name the same villages again: a lookup each, not a call.
            cache = self._cache
            for name in texts:
                if isinstance(name, str) and name not in cache:
                    cache[name] = self.resolve_name(name)
            unknown = (None, "unknown")  # a missing cell: only names are in the cache
            resolved = [cache.get(name, unknown) for name in texts]
        pairs = np.empty((len(resolved), 2), dtype=object)
        if resolved:  # numpy cannot broadcast an empty list into the pairs' shape
            pairs[:] = resolved
        codes, status = pairs[:, 0], pairs[:, 1]
        return pd.DataFrame(
            {"code": codes[positions], "status": status[positions]}, index=names.index
        )

    def _resolve_cached(self, name: str) -> tuple[str | None, str]:
        if name not in self._cache:
            self._cache[name] = self.resolve_name(name)
        return self._cache[name]

    def suggest(self, name: str, n: int = 3, town: str | None = None) -> list[str]:
        """Registry names closest to an unknown one (short names, as clerks write them).

        Where the town is known (its code), its own villages are searched first, and the rest
        of the registry only when they give fewer than ``n``: a search among a town's few
        names stays cheap at any registry size.
        """
        found: list[str] = []
        if town is not None:
            found = self.within_town(town).suggest(name, n)
            if len(found) >= n:
                return found
        shorts = list(self.table["short_name"])
        more = difflib.get_close_matches(_fold_name(name), shorts, n=n, cutoff=0.3)
        return list(dict.fromkeys([*found, *more]))[:n]

    @property
    def names(self) -> dict[str, str]:
        """Code → the short name clerks use (青光村, 新圩), for messages; a former unit's too."""
        names = dict(zip(self.table["code"], self.table["short_name"], strict=True))
        if self.former is not None:
            former = self.former[~self.former["code"].isin(names)]
            names.update(zip(former["code"], former["short_name"], strict=True))
        return names


def _strip_unit_suffix(name: str, level: str) -> str:
    for suffix in _UNIT_SUFFIXES[level]:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _claim(names: dict[str, str | None], spelling: str, code: str) -> None:
    if spelling in names and names[spelling] != code:
        names[spelling] = None
    else:
        names.setdefault(spelling, code)


#: A unit as the name indexes hold it: its code, its own spellings (official and short name,
#: folded) and every spelling it may be written in (each of those, one and two suffixes off).
_Entry = tuple[str, tuple[str, ...], tuple[str, ...]]


def _entry(code: str, name: str, short: str) -> _Entry:
    own = tuple(s for s in {name, short} if s)
    forms = []
    for spelling in own:
        once = _strip_suffix(spelling)
        forms.extend(form for form in (spelling, once, _strip_suffix(once)) if form)
    return code, own, tuple(forms)


def _name_index(entries: list[_Entry]) -> tuple[dict[str, str | None], dict[str, set[str]]]:
    """(official, spellings) of units (:func:`_entry`): each official or short spelling → its
    unit's code (None where two units claim it), and every spelling (as written, one or two
    suffixes off) → the codes that can be written so."""
    official: dict[str, str | None] = {}
    spellings: dict[str, set[str]] = {}
    for code, own, forms in entries:
        for spelling in own:
            _claim(official, spelling, code)
        for form in forms:
            spellings.setdefault(form, set()).add(code)
    return official, spellings


def _resolve_among(
    name: str, official: dict[str, str | None], spellings: dict[str, set[str]], codes: frozenset
) -> tuple[str | None, str]:
    """A name (or 12-digit code) among the units of an index (:func:`_name_index`) and their
    codes → (code, status): ``ok``, ``ambiguous`` or ``unknown``."""
    folded = _fold_name(name)
    code = _CODE_CELL.fullmatch(folded)
    if code:
        return (code.group(1), "ok") if code.group(1) in codes else (None, "unknown")
    exact = official.get(folded)
    if exact and {code[:9] for code in spellings[folded]} == {exact[:9]}:
        return exact, "ok"
    once = _strip_suffix(folded)
    # A spelling met again gives what it gave the first time: nothing.
    for candidate in (folded, once, _strip_suffix(once)):
        found = spellings.get(candidate)
        if found:
            return (next(iter(found)), "ok") if len(found) == 1 else (None, "ambiguous")
    return None, "unknown"


@dataclass(frozen=True)
class _Names:
    """One town's units by name: its index (:func:`_name_index`) and their codes."""

    official: dict[str, str | None]
    spellings: dict[str, set[str]]
    codes: frozenset[str]

    @classmethod
    def of(cls, entries: list[_Entry]) -> _Names:
        return cls(*_name_index(entries), frozenset(code for code, _, _ in entries))

    def resolve(self, name: str) -> tuple[str | None, str]:
        return _resolve_among(name, self.official, self.spellings, self.codes)


REGISTRY_COLUMNS = ("code", "name", "short_name", "kind", "town_code", "town_name", "county_name")


def normalise_code(values: pd.Series) -> pd.Series:
    """Code cells (``360722103201``, ``3.60722103201e11``, ``" 360722103201 "``) → 12-digit text."""

    def one(value: object) -> str:
        if isinstance(value, float) and np.isfinite(value) and value == int(value):
            return str(int(value))
        return _fold_name(cell_text(value))

    # Each distinct cell once: a table repeats its codes year after year.
    return map_text(values, one)


_REGISTRY_ALIASES = {
    "code": ("code", "村代码", "代码", "统计用区划代码", "区划代码", "village_code"),
    "name": ("name", "名称", "村名称", "村（居）名称", "村（居）委会"),
    "short_name": ("short_name", "简称", "常用名"),
    "kind": ("kind", "类型", "城乡分类"),
    "town_code": ("town_code", "乡镇代码"),
    "town_name": KEY_ALIASES["town"],
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
        {role: map_text(body[where[role]], cell_text) for role in where}, index=body.index
    )
    table["code"] = normalise_code(body[where["code"]])
    for role in REGISTRY_COLUMNS:
        if role not in table:
            table[role] = table["name"].map(_short_name) if role == "short_name" else ""
    blank = (body == "").all(axis=1)
    good_code = table["code"].str.fullmatch(r"\d{12}")
    repeated = table["code"].duplicated() & good_code
    for rule, wrong in (("bad_code", ~good_code), ("duplicate_code", repeated)):
        for idx in body.index[~blank & wrong]:
            ledger.add(
                rule,
                path.name,
                row=idx + 1,
                column=column_letter(where["code"]),
                value=table.at[idx, "code"],
            )
    keep = ~blank & good_code & ~repeated
    rows.loc[body.index[keep] + 1, ["status", "reason"]] = ["accepted", ""]
    rows.loc[body.index[~blank & ~keep] + 1, ["status", "reason"]] = ["quarantined", "bad code"]
    clean = table.loc[keep, list(REGISTRY_COLUMNS)].reset_index(drop=True)
    registry = Registry(clean.astype(str))
    place_villages(ledger.problems, registry, path.name, [sheet])
    return registry


def village_problem(
    ledger: Ledger,
    registry: Registry,
    status: str,
    file: str,
    sheet: str,
    row: int,
    column: str,
    text: str,
    town: str | None = None,
) -> None:
    """Record an unknown or ambiguous village, with the closest registry names (the town's own
    first where the row names its town, ``town`` being its code)."""
    suggestions = registry.suggest(text, town=town)
    rule = "ambiguous_village" if status == "ambiguous" else "unknown_village"
    where = {}
    if town is not None and status != "ambiguous":
        rule, where = "village_not_in_town", {"town": registry.units("town").get(town) or town}
    ledger.add(
        rule,
        file,
        sheet,
        row,
        column,
        text,
        hint_zh=f"是否指：{'、'.join(suggestions)}？" if suggestions else "请先在名录中添加该村。",
        hint_en=f"Closest: {', '.join(suggestions)}." if suggestions else "Add it to the registry.",
        **where,
    )


def _row_texts(sheet: Sheet, row: int) -> list[str]:
    """The cells of Excel row ``row`` that could name a village: text, and 12-digit codes typed
    as numbers; a merged range's value counts for every row it covers."""
    if not 0 < row <= len(sheet.cells):
        return []
    values = list(sheet.cells.iloc[row - 1])
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= row - 1 <= r1:
            for c in range(c0, min(c1, len(values) - 1) + 1):
                values[c] = sheet.cells.iat[r0, c0]
    texts = []
    for value in values:
        if isinstance(value, float) and value.is_integer() and len(str(int(value))) == 12:
            texts.append(str(int(value)))
        elif isinstance(value, str) and value.strip():
            texts.append(value)
    return texts


def place_villages(
    problems: list[dict], registry: Registry, file: str | None = None, sheets: Sequence[Sheet] = ()
) -> None:
    """Put ``village_code`` and ``village`` on each problem record not yet placed (of ``file``
    where given): whose row it is on, named while the file is in memory (``sheets``, its sheets
    as read).

    A problem a checker gave its ``village_code`` keeps it. Otherwise the village is the first
    cell of the problem's row that names a registry village. A row whose village is not in the
    registry is listed under the name as written (the value of its problem whose rule says so:
    :attr:`~analysis.ingest.rules.Rule.value_is_village`), with ``village_code`` empty; a
    problem of a whole file, sheet or column, or of a file whose lines are not its records, has
    neither.
    """
    todo = [p for p in problems if "village" not in p and file in (None, p["file"])]
    if not todo:
        return
    by_name = {s.name: s for s in sheets} if rows_readable(sheets) else {}
    on_row = [p["row"] > 0 and rule_of(p["rule"]).village_row for p in todo]
    # Every candidate cell of every row, resolved in one call: the first known village wins.
    owners, texts = [], []
    unplaced = (p for p, wanted in zip(todo, on_row, strict=True) if wanted)
    for key in dict.fromkeys((p["sheet"], p["row"]) for p in unplaced if "village_code" not in p):
        sheet = by_name.get(key[0])
        found = _row_texts(sheet, key[1]) if sheet is not None else []
        owners.extend([key] * len(found))
        texts.extend(found)
    resolved = registry.resolve(pd.Series(texts, dtype=object))
    code_of: dict[tuple[str, int], str] = {}
    for owner, code, status in zip(owners, resolved["code"], resolved["status"], strict=True):
        if status == "ok":
            code_of.setdefault(owner, str(code))
    # As listed: by column, then rule; the last of a row names it.
    written = {
        (p["sheet"], p["row"]): p["value"]
        for p in sorted(todo, key=lambda p: (p["column"], p["rule"]))
        if rule_of(p["rule"]).value_is_village
    }
    names = registry.names
    for problem, wanted in zip(todo, on_row, strict=True):
        key = (problem["sheet"], problem["row"])
        code = problem.get("village_code") or (code_of.get(key, "") if wanted else "")
        problem["village_code"] = code
        problem["village"] = (
            names.get(code, code) if code else written.get(key, "") if wanted else ""
        )
