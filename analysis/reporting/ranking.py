"""Villages ranked within their town: the town page's ranking and each village's own rank.

Only rates are ranked (参保率, 卫生厕所普及率): a village's totals (households, areas, roads)
follow its size, so ranking them would rank the villages by size. Ties share a rank (two
firsts, then a third); a village without a figure for the year is not ranked and not counted.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import numbers
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import indicator_label, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting.tables import self_word

MISSING = numbers.MISSING
#: Digits of a town code: the first digits of each of its villages' codes.
TOWN_DIGITS = 9


def rank_indicators(catalog: Catalog | None = None) -> list[Indicator]:
    """The indicators villages are ranked on: the catalog's rates, in catalog order."""
    return [ind for ind in (catalog or default_catalog()) if ind.kind == "rate"]


def village_ranks(
    tables: Tables, year: int, *, catalog: Catalog | None = None
) -> dict[str, pd.DataFrame]:
    """Each ranked indicator's figures for ``year`` by village code, with the village's rank
    within its town (1 = best) and the number of its town's villages ranked (columns value,
    rank, ranked)."""
    return ranks_of(tables.indicators, year, catalog=catalog)


def ranks_of(
    indicators: pd.DataFrame, year: int, *, catalog: Catalog | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`village_ranks` from the indicators table alone (what the build fingerprints a
    village page's rank by)."""
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


def ranking_table(
    tables: Tables, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The town page's ranking: each village's rates for ``year`` and its rank in its town."""
    ranks = village_ranks(tables, year, catalog=catalog)
    villages = tables.villages.sort_values("code")
    codes = villages["code"].astype(str).tolist()
    shown = {label("column.village_name", lang): villages["name"].astype(str).tolist()}
    for ind in rank_indicators(catalog):
        frame = ranks[ind.id]
        if frame.empty:
            continue
        shown[indicator_label(ind, lang)] = [
            numbers.number(frame["value"].get(code), ind, lang, context="column") for code in codes
        ]
        shown[label("column.rank", lang, name=indicator_name(ind, lang))] = [
            f"{frame.at[code, 'rank']:.0f}" if code in frame.index else MISSING for code in codes
        ]
    return pd.DataFrame(shown)


def village_rank_table(
    tables: Tables, code: str, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """A village's rates for ``year`` and its rank in its town: 在本镇9个村中排第3."""
    code = str(code)
    # The same for every village of the town: a warm worker's pages of one town rank it once.
    ranks = (
        tables.derived(f"village_ranks {year}", lambda t: village_ranks(t, year))
        if catalog is None
        else village_ranks(tables, year, catalog=catalog)
    )
    rows = []
    for ind in rank_indicators(catalog):
        frame = ranks[ind.id]
        if code not in frame.index:
            continue
        rank = label(
            "rank.of", lang, n=int(frame.at[code, "ranked"]), rank=int(frame.at[code, "rank"])
        )
        rows.append(
            (
                indicator_label(ind, lang),
                numbers.number(frame.at[code, "value"], ind, lang, context="column"),
                rank,
            )
        )
    columns = [label("column.indicator", lang), self_word(tables, code, lang)]
    return pd.DataFrame(rows, columns=[*columns, label("column.rank_in_town", lang)])
