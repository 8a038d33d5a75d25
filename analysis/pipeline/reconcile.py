"""The published figures held against the data: each matched, differing, or not checked."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from analysis.core.catalog import Catalog, default_catalog
from analysis.ingest.cells import decimals_of, unit_factor

RECONCILIATION_COLUMNS = [
    "fact_id",
    "scope",
    "scope_code",
    "year",
    "indicator",
    "unit",
    "published",
    "computed",
    "difference",
    "tolerance",
    "status",
    "quote",
]


def _split(text: str, n: int | None = None) -> list[str]:
    parts = [p.strip() for p in str(text).split(";")]
    return parts if n is None or len(parts) == n else [str(text).strip()] * n


def published_precision(facts: pd.DataFrame) -> pd.Series:
    """Half a unit of the last decimal each fact is written with, refined within the document.

    A figure written ``86`` is known to ±0.5, ``335.26`` to ±0.005. When the same document
    states the same quantity (scope, indicator, year) more precisely elsewhere, the document
    knows it to that precision, so the coarser statement is held to it too: "118 亩" beside
    "118.35 亩" for one base is a disagreement to show, not a rounding to hide.
    """
    decimals = facts["published_text"].map(decimals_of)
    finest = decimals.groupby([facts["scope_code"], facts["indicator"], facts["year"]]).transform(
        "max"
    )
    return 0.5 * 10.0 ** (-finest.astype(float))


def reconcile(
    published: pd.DataFrame,
    indicators: pd.DataFrame,
    township: pd.DataFrame,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Published township figures against the figures computed from the village data.

    Facts of kind ``actual`` with an ``indicator_id`` are compared; a fact with several values
    (``"19;118.35"``, units ``"栋;亩"``, ids ``"a;b"``) becomes one row per value. Township facts
    are compared with the township aggregate, village facts (``scope_code`` a village code, or
    several joined by ``;``) with the sum of those villages' values.

    Parameters
    ----------
    published
        ``published_figures.csv`` as text columns.
    indicators
        Tidy village values.
    township
        Output of :func:`aggregate_township`.
    catalog
        Indicator catalog; default the package's.

    Returns
    -------
    pandas.DataFrame
        RECONCILIATION_COLUMNS. ``status`` is ``match`` when the computed value lies within
        the published precision (``published − tol ≤ computed < published + tol``, see
        :func:`published_precision`), ``differs`` otherwise, ``no data`` when nothing was
        computed.
    """
    catalog = catalog or default_catalog()
    facts = published[
        (published["kind"] == "actual") & (published["indicator_id"].str.strip() != "")
    ]
    records = []
    for fact in facts.itertuples(index=False):
        ids = _split(fact.indicator_id)
        values = _split(fact.value, len(ids))
        units = _split(fact.unit, len(ids))
        for ind_id, text, unit in zip(ids, values, units, strict=True):
            if ind_id not in catalog:
                continue
            factor = unit_factor(unit, catalog[ind_id].unit) or 1.0
            records.append(
                {
                    "fact_id": fact.fact_id,
                    "scope": fact.scope,
                    "scope_code": (getattr(fact, "scope_code", "") or "township").strip(),
                    "year": int(float(fact.year)),
                    "indicator": ind_id,
                    "unit": catalog[ind_id].unit,
                    "published_text": text,
                    "published": float(text) * factor,
                    "factor": factor,
                    "quote": fact.quote,
                }
            )
    if not records:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    table = pd.DataFrame(records)
    table["tolerance"] = published_precision(table) * table["factor"]
    town = township.set_index(["year", "indicator"])["value"]
    village = indicators.set_index(["village_code", "year", "indicator"])["value"]
    computed = []
    for row in table.itertuples(index=False):
        if row.scope_code == "township":
            computed.append(town.get((row.year, row.indicator), np.nan))
        else:
            parts = [
                village.get((code, row.year, row.indicator), np.nan)
                for code in row.scope_code.split(";")
            ]
            computed.append(np.nan if any(pd.isna(parts)) else float(sum(parts)))
    table["computed"] = computed
    table["difference"] = table["computed"] - table["published"]
    table["status"] = [
        "no data" if pd.isna(c) else "match" if _within(c, p, t) else "differs"
        for c, p, t in zip(table["computed"], table["published"], table["tolerance"], strict=True)
    ]
    return table[RECONCILIATION_COLUMNS].reset_index(drop=True)


def _within(computed: float, published: float, tolerance: float) -> bool:
    """``published − tol ≤ computed < published + tol`` in decimal, free of binary float noise."""
    value = Decimal(repr(round(float(computed), 9)))
    centre, tol = Decimal(repr(round(published, 9))), Decimal(repr(round(tolerance, 12)))
    return centre - tol <= value < centre + tol
