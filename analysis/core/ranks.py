"""Villages ranked within their town on the catalog's rates, by the figures of one year.

Only rates are ranked (参保率, 卫生厕所普及率): a village's totals (households, areas, roads)
follow its size, so ranking them would rank the villages by size. Ties share a rank (two
firsts, then a third); a village without a figure for the year is not ranked and not counted.
The town page's ranking and each village's rank (:mod:`analysis.reporting.ranking`) and the
fingerprint of a village's page (:mod:`analysis.reporting.reads`) are made of these ranks.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.catalog import Catalog, Indicator, default_catalog

#: Digits of a town code: the first digits of each of its villages' codes.
TOWN_DIGITS = 9


def rank_indicators(catalog: Catalog | None = None) -> list[Indicator]:
    """The indicators villages are ranked on: the catalog's rates, in catalog order."""
    return [ind for ind in (catalog or default_catalog()) if ind.kind == "rate"]


def ranks_of(
    indicators: pd.DataFrame, year: int, *, catalog: Catalog | None = None
) -> dict[str, pd.DataFrame]:
    """Each ranked indicator's figures for ``year`` by village code, with the village's rank
    within its town (1 = best) and the number of its town's villages ranked (columns value,
    rank, ranked)."""
    rows = indicators[(indicators["year"] == year) & indicators["value"].notna()]
    ranks = {}
    for ind in rank_indicators(catalog):
        own = rows[rows["indicator"] == ind.id].drop_duplicates("village_code")
        values = pd.Series(
            own["value"].astype(float).to_numpy(), index=own["village_code"].astype(str)
        )
        town = pd.Series(values.index.str[:TOWN_DIGITS], index=values.index)
        ranks[ind.id] = pd.DataFrame(
            {
                "value": values,
                "rank": values.groupby(town).rank(ascending=ind.direction == "lower", method="min"),
                "ranked": values.groupby(town).transform("size"),
            }
        )
    return ranks
