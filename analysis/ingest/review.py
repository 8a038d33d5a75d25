"""Plausibility review (核实性审核): values that pass every rule but a clerk should confirm.

Official collection systems have two tiers of check: 强制性审核 (the data cannot be submitted
while it fails: our errors) and 核实性审核 (the data passes with a written 说明). This module is
the second tier. It never blocks and never changes a value: :func:`review` reads the accepted
long table and returns one flag per value that its own history or its town's villages make
implausible, saying which typo would explain it ("疑似小数点错位：2018年为 89.6").

The checks (thresholds in ``analysis/core/review.yaml``, which documents them):

* **history**: a village's change from its latest earlier value against the change its town's
  villages made that year, on a log scale for counts, amounts, areas and lengths and in points
  for rates, with a robust spread (1.4826 × MAD) pooled from the town's villages and the
  village's own earlier years;
* **peers**: a value with no earlier year against its town's villages that year;
* **stock_fell**: a cumulative stock (the catalog's ``cumulative``) that falls;
* **typo**: whether undoing a slip (×10, ÷10, ×100, ÷100, 元 typed for 万元, two digits swapped,
  a digit added or dropped) gives a value within the expected range. A typo so explained flags
  at a lower bar (``z_typo``).

The work is vectorised over the table: the values are laid out as a matrix of (indicator,
village) pairs by year, and each year is judged for every pair at once; only the flagged
candidates' digits are taken apart one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core import labels, numbers
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.errors import ParameterError
from analysis.ingest.registry import Registry

#: The package's thresholds; an office points :func:`load_thresholds` at its own copy.
THRESHOLDS_PATH = Path(__file__).resolve().parent.parent / "core" / "review.yaml"

FLAG_COLUMNS = [
    "village_code",
    "village",
    "town_code",
    "year",
    "indicator",
    "value",
    "expected",
    "expected_low",
    "expected_high",
    "earlier",
    "check",
    "typo",
    "score",
    "file",
    "sheet",
    "row",
    "column",
    "message_zh",
    "message_en",
]

#: Kinds of indicator judged in points; every other kind on a log scale.
POINT_KINDS = {"rate"}

#: The typos that flag at the lower bar (``z_typo``). An added or dropped digit is named where a
#: value is flagged anyway (it changes a value about tenfold); alone it explains too much: some
#: digit inserted somewhere lands near almost any expected value.
LOWER_BAR = ["decimal_up", "decimal_down", "yuan_for_wan", "swapped_digits"]
#: Against the town's villages, whose spread is wide, two digits swapped explain too much too.
LOWER_BAR_PEERS = ["decimal_up", "decimal_down", "yuan_for_wan"]

#: Multipliers a slip applies: a value ``factor`` times what was meant.
_RATIO_TYPOS = (
    (10.0, "decimal_up"),
    (100.0, "decimal_up"),
    (0.1, "decimal_down"),
    (0.01, "decimal_down"),
)
_YUAN_FOR_WAN = 10_000.0
_MAD_SIGMA = 1.4826  # MAD × this estimates a normal spread
_EPS = 1e-9
_LOG2 = float(np.log(2.0))


@dataclass(frozen=True)
class Thresholds:
    """The review's thresholds (``review.yaml`` documents each)."""

    history_z: float
    history_z_typo: float
    history_min_peers: int
    history_pool: float
    history_floor: dict[str, float]
    history_default: dict[str, float]
    peers_z: float
    peers_z_typo: float
    peers_min_peers: int
    peers_floor: dict[str, float]
    fit: float
    min_change: dict[str, float]
    years_quoted: int


def load_thresholds(path: Path | str | None = None) -> Thresholds:
    """The thresholds of ``path`` (an office's own copy of ``review.yaml``), else the package's."""
    if path is None:
        return _default_thresholds()
    return _read_thresholds(Path(path))


@lru_cache(maxsize=1)
def _default_thresholds() -> Thresholds:
    return _read_thresholds(THRESHOLDS_PATH)


def _read_thresholds(path: Path) -> Thresholds:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(
            f"审核阈值文件无法读取 / cannot read review thresholds: {path}"
        ) from exc
    try:
        history, peers = raw["history"], raw["peers"]
        return Thresholds(
            history_z=float(history["z"]),
            history_z_typo=float(history["z_typo"]),
            history_min_peers=int(history["min_peers"]),
            history_pool=float(history["pool"]),
            history_floor=_scales(history["spread_floor"]),
            history_default=_scales(history["spread_default"]),
            peers_z=float(peers["z"]),
            peers_z_typo=float(peers["z_typo"]),
            peers_min_peers=int(peers["min_peers"]),
            peers_floor=_scales(peers["spread_floor"]),
            fit=float(raw["fit"]),
            min_change={str(unit): float(v) for unit, v in raw["min_change"].items()},
            years_quoted=int(raw["years_quoted"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(
            f"审核阈值文件缺少或写错了 {exc}（以 analysis/core/review.yaml 为样板）/ "
            f"review thresholds {path}: {exc!r} missing or not a number "
            "(analysis/core/review.yaml is the model)"
        ) from exc


def _scales(raw: dict) -> dict[str, float]:
    return {"log": float(raw["log"]), "points": float(raw["points"])}


def review(
    values: pd.DataFrame,
    registry: Registry | pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    thresholds: Thresholds | Path | str | None = None,
) -> pd.DataFrame:
    """The review flags of a long table of accepted values.

    Parameters
    ----------
    values
        ``village_code``, ``year``, ``indicator``, ``value``, one row per village, year and
        indicator (as validation accepts them); where each value was read from, in ``file``,
        ``sheet``, ``row`` and ``column`` (or ``source``, ``file#sheet``, and ``row``), is
        carried into its flag.
    registry
        The village registry (or its table: ``code``, ``town_code``, ``short_name``): each
        village's town, whose villages are its peers.
    catalog
        Which indicators are rates, cumulative stocks, whole numbers, and their units.
    thresholds
        :class:`Thresholds`, or the path of an office's ``review.yaml``; default the package's.

    Returns
    -------
    pandas.DataFrame
        :data:`FLAG_COLUMNS`, sorted by village, year and indicator: the value, the range
        expected, the earlier years' values, the check that flagged it, the typo suspected
        (empty where none explains it), the score (robust spreads from the expected change or
        level) and a message in Chinese and English.
    """
    catalog = catalog or default_catalog()
    limits = thresholds if isinstance(thresholds, Thresholds) else load_thresholds(thresholds)
    table = registry.table if isinstance(registry, Registry) else registry
    usable = values["value"].notna() & values["indicator"].isin(catalog.ids)
    # Validated values are all usable: the table (millions of rows) is then not copied.
    frame = values if usable.all() else values[usable]
    if frame.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    grid = _Grid.of(frame, table, catalog, limits)
    found = grid.judge(limits)
    return _flags(grid, found, frame, table, catalog, limits)


def _with_places(values: pd.DataFrame) -> pd.DataFrame:
    """The values with ``file``, ``sheet``, ``row`` and ``column`` (blank where not known)."""
    frame = values.reset_index(drop=True)
    if "file" not in frame and "source" in frame:  # file#sheet, as the processed tables write
        parts = frame["source"].astype(str).str.split("#", n=1, expand=True)
        frame = frame.assign(file=parts[0], sheet=parts[1] if parts.shape[1] > 1 else "")
    defaults = {"file": "", "sheet": "", "row": 0, "column": ""}
    return frame.assign(**{k: frame.get(k, v) for k, v in defaults.items()}).fillna(
        {"sheet": "", "row": 0, "column": ""}
    )


@dataclass
class _Grid:
    """The values as a matrix: one row per (indicator, village) pair, one column per year."""

    years: np.ndarray  # (Y,) the years, ascending
    value: np.ndarray  # (K, Y) the values, NaN where none
    at: np.ndarray  # (K, Y) each value's row in the frame, -1 where none
    indicator: np.ndarray  # (K,) indicator id
    village: np.ndarray  # (K,) village code
    group: np.ndarray  # (K,) (indicator, town) group number: the pair's peers
    points: np.ndarray  # (K,) judged in points (rates), else on a log scale
    floor: np.ndarray  # (K,) the unit's minimum change, also the log scale's offset
    cumulative: np.ndarray  # (K,) a stock that only grows
    integer: np.ndarray  # (K,) whole numbers
    per_wan: np.ndarray  # (K,) measured in 万元

    @classmethod
    def of(
        cls, frame: pd.DataFrame, registry: pd.DataFrame, catalog: Catalog, limits: Thresholds
    ) -> _Grid:
        # Pairs numbered from the two columns' codes: no tuple of strings per value.
        ind_code, ind_ids = pd.factorize(frame["indicator"])
        village_code, villages = pd.factorize(frame["village_code"])
        pair_keys, pair = _numbered(ind_code.astype(np.int64) * len(villages) + village_code)
        pair_ind, pair_village = pair_keys // len(villages), pair_keys % len(villages)
        years, year_at = _numbered(frame["year"].to_numpy(dtype="int64"))
        k, y = len(pair_keys), len(years)
        value = np.full((k, y), np.nan)
        value[pair, year_at] = frame["value"].to_numpy(dtype=float)
        at = np.full((k, y), -1, dtype=np.int64)
        at[pair, year_at] = np.arange(len(frame))
        codes = pd.Series(np.asarray(villages, dtype=object))
        towns = codes.map(dict(zip(registry["code"], registry["town_code"], strict=True)))
        town_code, _ = pd.factorize(towns.fillna(codes.str[:9]))
        group = pair_ind * (town_code.max() + 1) + town_code[pair_village]
        indicators = [catalog[i] for i in ind_ids]
        units = [ind.unit for ind in indicators]
        unknown = sorted(set(units) - set(limits.min_change))
        if unknown:
            raise ParameterError(
                f"审核阈值文件未给出单位 {'、'.join(unknown)} 的最小变化（min_change）/ "
                f"review thresholds give no min_change for the units {', '.join(unknown)}"
            )

        def per_pair(of_indicator: list) -> np.ndarray:
            return np.asarray(of_indicator)[pair_ind]

        return cls(
            years=years,
            value=value,
            at=at,
            indicator=np.asarray(ind_ids, dtype=object)[pair_ind],
            village=codes.to_numpy()[pair_village],
            group=group,
            points=per_pair([ind.kind in POINT_KINDS for ind in indicators]),
            floor=per_pair([limits.min_change[unit] for unit in units]).astype(float),
            cumulative=per_pair([ind.cumulative for ind in indicators]),
            integer=per_pair([ind.integer for ind in indicators]),
            per_wan=per_pair([unit == "万元" for unit in units]),
        )

    def scaled(self, value: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Values on the review's scale: points for rates, log(value + floor) otherwise."""
        points, floor = self.points[rows], self.floor[rows]
        if value.ndim == 2:
            points, floor = points[:, None], floor[:, None]
        logged = np.log(np.maximum(value, 0.0) + floor)
        return np.where(points, value, logged)

    def unscaled(self, scaled: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Values on the review's scale back in their units (the inverse of :meth:`scaled`)."""
        points, floor = self.points[rows], self.floor[rows]
        return np.where(points, scaled, np.maximum(np.exp(scaled) - floor, 0.0))

    def judge(self, limits: Thresholds) -> pd.DataFrame:
        """Each year in turn, every pair at once: the flagged cells, with what was expected.

        A value flagged on its history is not taken as the village's earlier value for the
        years after it, so one typo flags once, not again where the next year returns to normal.
        """
        k, n_years = self.value.shape
        scaled = self.scaled(self.value)
        floor_of = {s: np.where(self.points, v["points"], v["log"]) for s, v in _floors(limits)}
        last = np.full(k, np.nan)  # the latest value not flagged on history, scaled
        last_value = np.full(k, np.nan)
        last_year = np.zeros(k)
        changes = np.full((k, n_years), np.nan)  # own yearly changes, scaled
        residuals = np.full((k, n_years), np.nan)  # own changes less the town's
        found = []
        for t, year in enumerate(self.years):
            now, has = scaled[:, t], ~np.isnan(self.value[:, t])
            gap = year - last_year
            started = has & ~np.isnan(last)
            # A start from zero or a fall to zero says nothing of a typo's scale.
            judged = started & (self.points | ((last_value > 0) & (self.value[:, t] > 0)))
            step = np.where(judged, (now - last) / np.where(judged, gap, 1), np.nan)
            town_step, town_spread, town_n = _group_stats(step, self.group, judged)
            own_n = np.sum(~np.isnan(residuals[:, :t]), axis=1)
            own_spread = _MAD_SIGMA * _row_median(np.abs(residuals[:, :t]))
            steps_n = np.sum(~np.isnan(changes[:, :t]), axis=1)
            own_step = _row_median(changes[:, :t])
            steps_spread = _MAD_SIGMA * _row_median(np.abs(changes[:, :t] - own_step[:, None]))
            has_town = town_n >= limits.history_min_peers
            expected_step = np.where(has_town, town_step, np.where(steps_n > 0, own_step, 0.0))
            pooled = np.sqrt(
                (np.nan_to_num(own_spread) ** 2 * own_n + town_spread**2 * limits.history_pool)
                / (own_n + limits.history_pool)
            )
            # Without enough villages in the town: the village's own changes, if 3 or more.
            spread = np.where(
                has_town,
                pooled,
                np.where(steps_n >= 3, steps_spread, floor_of["history_default"]),
            )
            spread = np.maximum(np.nan_to_num(spread), floor_of["history_floor"]) * np.sqrt(gap)
            centre = last + expected_step * gap
            score = (now - centre) / spread
            history = _Judged(self, t, judged, centre, spread, score)
            fell = started & self.cumulative & (self.value[:, t] < last_value - _EPS)
            flagged_h = history.flagged(
                limits.history_z, limits.history_z_typo, limits.fit, LOWER_BAR
            )
            # Peers: a value with no earlier one, against its town's villages that report one.
            level_ok = has & (self.points | (self.value[:, t] > 0))
            town_level, town_level_spread, level_n = _group_stats(now, self.group, level_ok)
            level_spread = np.maximum(np.nan_to_num(town_level_spread), floor_of["peers_floor"])
            first = level_ok & np.isnan(last) & (level_n >= limits.peers_min_peers)
            peers = _Judged(
                self, t, first, town_level, level_spread, (now - town_level) / level_spread
            )
            flagged_p = peers.flagged(
                limits.peers_z, limits.peers_z_typo, limits.fit, LOWER_BAR_PEERS
            )
            for check, judged_by, cells, at_least in (
                ("history", history, flagged_h & ~fell, None),
                ("stock_fell", history, fell, last_value),  # a running total: not below
                ("peers", peers, flagged_p, None),
            ):
                if cells.any():
                    found.append(judged_by.frame(cells, check, at_least))
            # A value flagged against its town is still the village's own earlier value: a
            # village twice its town's size is judged against itself in the years after.
            keep = has & ~(flagged_h | fell)
            changes[:, t] = np.where(keep & judged, step, np.nan)
            residuals[:, t] = np.where(keep & judged & has_town, step - town_step, np.nan)
            last = np.where(keep, now, last)
            last_value = np.where(keep, self.value[:, t], last_value)
            last_year = np.where(keep, year, last_year)
        if not found:
            return pd.DataFrame(columns=["pair", "t", "check", "typo", "factor", *_RANGE])
        return pd.concat(found, ignore_index=True)


def _numbered(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for whole numbers: where they span no more than a
    few times their count (indicator × village pairs, years), by a table of the span rather
    than a sort of millions."""
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span > 4 * len(keys):
        return np.unique(keys, return_inverse=True)
    present = np.zeros(span, dtype=bool)
    present[keys - low] = True
    number = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, number[keys - low]


_RANGE = ["expected", "expected_low", "expected_high", "score"]


def _floors(limits: Thresholds) -> list[tuple[str, dict[str, float]]]:
    return [
        ("history_floor", limits.history_floor),
        ("history_default", limits.history_default),
        ("peers_floor", limits.peers_floor),
    ]


def _row_median(table: np.ndarray) -> np.ndarray:
    """Each row's median of its numbers (NaN where it has none): ``np.nanmedian`` along rows,
    by one sort of the whole table rather than a masked pass per row."""
    if table.shape[1] == 0:
        return np.full(table.shape[0], np.nan)
    ordered = np.sort(table, axis=1)  # NaN last
    n = np.sum(~np.isnan(table), axis=1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(n // 2, 0)[:, None], axis=1)[:, 0]
    return np.where(n > 0, (low + high) / 2, np.nan)


def _group_stats(
    values: np.ndarray, groups: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's group median, robust spread (1.4826 × MAD) and count, over the rows in
    ``mask``; NaN (count 0) for a group with none."""
    series = pd.Series(values[mask])
    by = groups[mask]
    median = series.groupby(by).median()
    centre = median.reindex(groups).to_numpy()
    mad = (series - median.reindex(by).to_numpy()).abs().groupby(by).median()
    spread = _MAD_SIGMA * mad.reindex(groups).to_numpy()
    count = series.groupby(by).size().reindex(groups, fill_value=0).to_numpy()
    return centre, spread, count


@dataclass
class _Judged:
    """One check of one year: for each pair judged, the expected value (scaled), the spread
    and the score."""

    grid: _Grid
    t: int
    judged: np.ndarray
    centre: np.ndarray
    spread: np.ndarray
    score: np.ndarray

    def __post_init__(self) -> None:
        self.typo = np.full(len(self.judged), "", dtype=object)
        self.factor = np.zeros(len(self.judged))

    def flagged(self, z: float, z_typo: float, fit: float, lower: list[str]) -> np.ndarray:
        """Pairs ``z`` spreads or more off (``z_typo`` where a typo of ``lower`` explains the
        value), by at least the unit's minimum change; their typo, where one explains them, is
        kept."""
        grid, value = self.grid, self.grid.value[:, self.t]
        score = np.where(self.judged, np.abs(self.score), 0.0)
        expected = grid.unscaled(self.centre)
        moved = np.abs(value - expected) >= grid.floor - _EPS
        candidates = np.flatnonzero((score >= z_typo) & moved)
        # Only the candidates have a typo: looked up among theirs, not the whole object array.
        lowered = np.zeros(len(self.judged), dtype=bool)
        if len(candidates):
            typo, factor = _typos(grid, candidates, value, self.centre, self.spread, fit)
            self.typo[candidates], self.factor[candidates] = typo, factor
            lowered[candidates] = np.isin(typo, lower)
        return (score >= z) & moved | lowered

    def frame(
        self, cells: np.ndarray, check: str, at_least: np.ndarray | None = None
    ) -> pd.DataFrame:
        """The flagged pairs of ``cells`` with the range expected (within two spreads, and
        not below ``at_least``), in values."""
        rows = np.flatnonzero(cells)
        centre, spread = self.centre[rows], self.spread[rows]
        expected = self.grid.unscaled(centre, rows)
        low = self.grid.unscaled(centre - 2 * spread, rows)
        high = self.grid.unscaled(centre + 2 * spread, rows)
        if at_least is not None:
            expected, low = np.maximum(expected, at_least[rows]), np.maximum(low, at_least[rows])
            high = np.maximum(high, low)
        return pd.DataFrame(
            {
                "pair": rows,
                "t": self.t,
                "check": check,
                "typo": self.typo[rows],
                "factor": self.factor[rows],
                "expected": expected,
                "expected_low": low,
                "expected_high": high,
                "score": np.round(self.score[rows], 2),
            }
        )


def _typos(
    grid: _Grid,
    rows: np.ndarray,
    value: np.ndarray,
    centre: np.ndarray,
    spread: np.ndarray,
    fit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For each pair of ``rows``, the typo whose undoing lands within ``fit`` spreads of the
    expected value (the closest one; '' where none), and its factor for a slip of scale."""
    values, centres, spreads = value[rows], centre[rows], spread[rows]
    expected = np.maximum(grid.unscaled(centre), _EPS)

    def closeness(repaired: np.ndarray) -> np.ndarray:
        return np.abs(grid.scaled(repaired, rows) - centres) / spreads

    best = np.full(len(rows), np.inf)
    typo = np.full(len(rows), "", dtype=object)
    factor = np.zeros(len(rows))
    slips = [(f, kind, np.ones(len(rows), dtype=bool)) for f, kind in _RATIO_TYPOS]
    slips.append((_YUAN_FOR_WAN, "yuan_for_wan", grid.per_wan[rows]))
    logged = ~grid.points[rows]
    for times, kind, applies in slips:
        repaired = values / times
        whole = ~grid.integer[rows] | (np.abs(repaired - np.round(repaired)) < _EPS)
        near = closeness(repaired)
        # A slip of scale also fits where undoing it lands within a factor of two of the
        # expected value: 213300 where about 30 万元 was expected is 元 typed for 万元.
        within_two = logged & (np.abs(np.log(np.maximum(repaired, _EPS) / expected[rows])) <= _LOG2)
        near = np.where(within_two, np.minimum(near, fit), near)
        better = applies & whole & (near <= fit) & (near < best)
        best = np.where(better, near, best)
        typo = np.where(better, kind, typo)
        factor = np.where(better, times if times >= 1 else 1 / times, factor)
    # A whole number ten times too large is a digit too many (3400 for 340), not a decimal.
    integer = grid.integer[rows]
    typo = np.where(integer & (typo == "decimal_up"), "extra_digit", typo)
    typo = np.where(integer & (typo == "decimal_down"), "dropped_digit", typo)
    scale = typo != ""
    # Digit slips need the digits: taken apart for these candidates only.
    typed = [_typed(v, whole) for v, whole in zip(values, integer, strict=True)]
    for kind, repairs in (
        ("swapped_digits", _swapped),
        ("extra_digit", _without_one),
        ("dropped_digit", _with_one_more),
    ):
        nearest = _nearest([repairs(text) for text in typed], centres, spreads, rows, grid)
        # A digit slip is named only where no slip of scale explains the value.
        better = (nearest <= fit) & (nearest < best) & ~scale
        best = np.where(better, nearest, best)
        typo = np.where(better, kind, typo)
        factor = np.where(better, 0.0, factor)
    return typo, factor


def _typed(value: float, whole: bool) -> str:
    """The digits a clerk typed for ``value``: 345, 89.6, 0.25."""
    if whole:
        return f"{value:.0f}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _nearest(
    texts: list[list[str]], centres: np.ndarray, spreads: np.ndarray, rows: np.ndarray, grid: _Grid
) -> np.ndarray:
    """For each candidate, the fewest spreads any of its ``texts``, read as a number, lies from
    its centre (inf where it has none): every candidate's repairs scaled at once."""
    counts = np.array([len(repairs) for repairs in texts], dtype=np.int64)
    owner = np.repeat(np.arange(len(texts)), counts)
    repaired = np.array([float(t) for repairs in texts for t in repairs], dtype=float)
    off = np.abs(grid.scaled(repaired, rows[owner]) - centres[owner]) / spreads[owner]
    nearest = np.full(len(texts), np.inf)
    np.minimum.at(nearest, owner, off)
    return nearest


def _swapped(text: str) -> list[str]:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    out = []
    for i, j in combinations(digits, 2):
        if text[i] != text[j]:
            chars = list(text)
            chars[i], chars[j] = chars[j], chars[i]
            if chars[0] != "0" or chars[1:2] == ["."]:  # nobody types a leading zero
                out.append("".join(chars))
    return out


def _without_one(text: str) -> list[str]:
    out = [text[:i] + text[i + 1 :] for i, ch in enumerate(text) if ch.isdigit()]
    return [t for t in out if any(ch.isdigit() for ch in t) and not t.endswith(".")]


def _with_one_more(text: str) -> list[str]:
    return [text[:i] + d + text[i:] for i in range(len(text) + 1) for d in "0123456789"]


def _flags(
    grid: _Grid,
    found: pd.DataFrame,
    frame: pd.DataFrame,
    registry: pd.DataFrame,
    catalog: Catalog,
    limits: Thresholds,
) -> pd.DataFrame:
    """The flags as :data:`FLAG_COLUMNS`, with their messages."""
    if found.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    pair, t = found["pair"].to_numpy(), found["t"].to_numpy()
    source = _with_places(frame.iloc[grid.at[pair, t]])
    names = dict(zip(registry["code"], registry["short_name"], strict=True))
    towns = dict(zip(registry["code"], registry["town_code"], strict=True))
    flags = found.assign(
        village_code=grid.village[pair],
        indicator=grid.indicator[pair],
        year=grid.years[t],
        value=grid.value[pair, t],
        file=source["file"].to_numpy(),
        sheet=source["sheet"].to_numpy(),
        row=source["row"].to_numpy(dtype="int64"),
        column=source["column"].to_numpy(),
    )
    flags["village"] = flags["village_code"].map(names).fillna(flags["village_code"])
    flags["town_code"] = flags["village_code"].map(towns).fillna(flags["village_code"].str[:9])
    earlier = [_earlier(grid, p, y, limits.years_quoted) for p, y in zip(pair, t, strict=True)]
    flags["earlier"] = [
        "；".join(f"{year}年 {_figure(v, catalog[i], 'zh', bare=True)}" for year, v in items)
        for items, i in zip(earlier, flags["indicator"], strict=True)
    ]
    messages = [
        _message(item, catalog, items)
        for item, items in zip(flags.itertuples(index=False), earlier, strict=True)
    ]
    flags["message_zh"] = [zh for zh, _ in messages]
    flags["message_en"] = [en for _, en in messages]
    return (
        flags[FLAG_COLUMNS]
        .sort_values(["village_code", "year", "indicator"], kind="stable")
        .reset_index(drop=True)
    )


@lru_cache(maxsize=1 << 16)
def _figure(value: float, ind: Indicator, lang: str, *, bare: bool = False) -> str:
    """:func:`numbers.figure` (``bare``: :func:`numbers.number`), kept: a flag quotes the
    village's earlier years, and thousands of flags quote the same few figures."""
    return numbers.number(value, ind, lang) if bare else numbers.figure(value, ind, lang)


def _with_unit(text: str, unit: str, lang: str) -> str:
    """A typed value with its unit, in the unit it was typed in: 8.96%, 1.5万元 / 1.5 10k yuan."""
    if lang == "zh" or unit == "%":
        return f"{text}{labels.unit_word(unit, 'zh')}"
    return f"{text} {labels.unit_header(unit, lang)}"


def _earlier(grid: _Grid, pair: int, t: int, n: int) -> list[tuple[int, float]]:
    """The latest ``n`` earlier years' values of a pair."""
    years = np.flatnonzero(~np.isnan(grid.value[pair, :t]))[-n:]
    return [(int(grid.years[y]), float(grid.value[pair, y])) for y in years]


def _message(item, catalog: Catalog, earlier: list[tuple[int, float]]) -> tuple[str, str]:
    """What a clerk is told: the value, the typo or check, the earlier years, the range."""
    ind = catalog[item.indicator]
    # The value as typed (8.96, not 9 at the indicator's decimals): the clerk looks for it.
    typed = _typed(item.value, ind.integer)
    factor = f"{item.factor:g}"
    what = f"review.typo.{item.typo}" if item.typo else f"review.check.{item.check}"

    def said(lang: str) -> str:
        if item.check == "peers":
            basis = labels.label(
                "review.basis_peers", lang, median=_figure(item.expected, ind, lang)
            )
        elif earlier:
            basis = labels.label("review.earlier_sep", lang).join(
                labels.label("review.earlier", lang, year=y, figure=_figure(v, ind, lang))
                for y, v in earlier
            )
        else:
            basis = labels.label("review.no_earlier", lang)
        return labels.label(
            "review.message",
            lang,
            village=item.village,
            year=item.year,
            indicator=ind.zh if lang == "zh" else ind.en,
            value=_with_unit(typed, ind.unit, lang),
            what=labels.label(what, lang, factor=factor),
            basis=basis,
            low=_figure(item.expected_low, ind, lang),
            high=_figure(item.expected_high, ind, lang),
        )

    return said("zh"), said("en")
