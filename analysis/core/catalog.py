"""The indicator catalog (``indicators.yaml``): the one place an indicator is defined."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import config

KINDS = {"count", "rate", "amount", "area", "length"}
AGGREGATES = {"sum", "weighted_mean", "max"}


@dataclass(frozen=True)
class Indicator:
    """One indicator as the catalog defines it."""

    id: str
    zh: str
    en: str
    unit: str
    kind: str
    aggregate: str
    direction: str
    category: str
    flow: bool
    cumulative: bool = False
    plan: bool = False
    integer: bool = False
    bounds: tuple[float | None, float | None] = (None, None)
    weight: str | None = None
    aliases: tuple[str, ...] = ()
    published: str | None = None

    @property
    def label_zh(self) -> str:
        """Chinese name with unit, as used in table headers: ``医疗保险参保率(%)``."""
        return f"{self.zh}({self.unit})"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


@dataclass(frozen=True)
class CrossRule:
    """A relation between indicators of the same village and year, e.g. a <= b + c."""

    id: str
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    cross_rules: tuple[CrossRule, ...] = field(default=())

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.by_id

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self.by_id[indicator_id]
        except KeyError:
            raise KeyError(f"unknown indicator {indicator_id!r}; not in the catalog") from None

    @property
    def by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for ind in self.indicators}

    @property
    def ids(self) -> list[str]:
        return [ind.id for ind in self.indicators]

    @property
    def order(self) -> dict[str, int]:
        """Indicator id → its place in the catalog, the order tables and pages show them in."""
        return {ind.id: i for i, ind in enumerate(self.indicators)}

    def header_index(self) -> dict[str, str]:
        """Normalised header spelling → indicator id, for every id, name, label and alias."""
        index: dict[str, str] = {}
        for ind in self.indicators:
            for spelling in (ind.id, ind.zh, ind.en, ind.label_zh, *ind.aliases):
                index.setdefault(normalise_header(spelling), ind.id)
        return index


_UNIT_SUFFIX = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]\s*$")


def normalise_header(text: str) -> str:
    """Fold a header for matching: NFKC (full-width → ASCII), drop spaces and a trailing unit.

    ``"参保率（%）"``, ``"参保率 (%)"`` and ``"参保率"`` all give ``"参保率"``.
    """
    folded = unicodedata.normalize("NFKC", str(text)).strip()
    folded = re.sub(r"\s+", "", folded)
    folded = _UNIT_SUFFIX.sub("", folded)
    return folded.lower()


def header_unit(text: str) -> str | None:
    """The unit written in a header's trailing brackets, if any: ``"金额（万元）"`` → ``"万元"``."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    match = re.search(r"[(\[【]([^)\]】]*)[)\]】]$", folded)
    return match.group(1) if match else None


def _indicator(raw: dict) -> Indicator:
    bounds = raw.get("bounds") or [None, None]
    ind = Indicator(
        id=raw["id"],
        zh=raw["zh"],
        en=raw["en"],
        unit=raw["unit"],
        kind=raw["kind"],
        aggregate=raw["aggregate"],
        direction=raw["direction"],
        category=raw["category"],
        flow=bool(raw.get("flow", False)),
        cumulative=bool(raw.get("cumulative", False)),
        plan=bool(raw.get("plan", False)),
        integer=bool(raw.get("integer", False)),
        bounds=(bounds[0], bounds[1]),
        weight=raw.get("weight"),
        aliases=tuple(raw.get("aliases") or ()),
        published=raw.get("published"),
    )
    if ind.kind not in KINDS:
        raise ValueError(f"indicator {ind.id}: kind {ind.kind!r} is not one of {sorted(KINDS)}")
    if ind.aggregate not in AGGREGATES:
        raise ValueError(f"indicator {ind.id}: aggregate {ind.aggregate!r} is not known")
    if ind.aggregate == "weighted_mean" and not ind.weight:
        raise ValueError(f"indicator {ind.id}: a weighted mean needs a weight")
    if ind.direction not in {"higher", "lower"}:
        raise ValueError(f"indicator {ind.id}: direction must be 'higher' or 'lower'")
    # A running total only grows, so its floor is the latest value: that needs a stock at year
    # end (not a within-year flow, not a share) that is better when higher.
    if ind.cumulative and (ind.flow or ind.kind == "rate" or ind.direction != "higher"):
        raise ValueError(
            f"indicator {ind.id}: cumulative needs a stock (flow: false) that is not a rate and "
            "whose direction is 'higher'"
        )
    if ind.plan and ind.kind != "count":
        raise ValueError(f"indicator {ind.id}: a plan counts works, so its kind must be count")
    return ind


def load_catalog(path: Path | str = config.CATALOG_PATH) -> Catalog:
    """Read and check an indicator catalog file."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    indicators = tuple(_indicator(item) for item in raw["indicators"])
    ids = [ind.id for ind in indicators]
    duplicated = {i for i in ids if ids.count(i) > 1}
    if duplicated:
        raise ValueError(f"indicator ids defined twice: {sorted(duplicated)}")
    for ind in indicators:
        if ind.weight and ind.weight not in ids:
            raise ValueError(f"indicator {ind.id}: weight {ind.weight!r} is not an indicator")
    rules = tuple(
        CrossRule(
            id=r["id"],
            left=tuple(r["left"]),
            op=r["op"],
            right=tuple(r["right"]),
            zh=r["zh"],
            en=r["en"],
        )
        for r in raw.get("cross_rules") or ()
    )
    return Catalog(indicators=indicators, cross_rules=rules)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The package's own catalog, read once."""
    return load_catalog(config.CATALOG_PATH)
