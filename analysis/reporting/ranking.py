"""Villages ranked within their town: the town page's ranking and each village's own rank.

Only rates are ranked (参保率, 卫生厕所普及率): a village's totals (households, areas, roads)
follow its size, so ranking them would rank the villages by size. Ties share a rank (two
firsts, then a third); a village without a figure for the year is not ranked and not counted.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import numbers
from analysis.core.catalog import Catalog
from analysis.core.labels import indicator_label, indicator_name, label
from analysis.core.ranks import rank_indicators, ranks_of
from analysis.pipeline.store import Tables
from analysis.reporting.reads import RANK_IN_TOWN, REGISTRY, REVIEW_FLAGS, VILLAGE_ROWS, reads
from analysis.reporting.review import marked, village_flags
from analysis.reporting.tables import self_word

MISSING = numbers.MISSING


def village_ranks(
    tables: Tables, year: int, *, catalog: Catalog | None = None
) -> dict[str, pd.DataFrame]:
    """Each ranked indicator's figures for ``year`` by village code, with the village's rank
    within its town (1 = best) and the number of its town's villages ranked
    (:func:`analysis.core.ranks.ranks_of`)."""
    return ranks_of(tables.indicators, year, catalog=catalog)


@reads(VILLAGE_ROWS, REGISTRY, REVIEW_FLAGS)
def ranking_table(
    tables: Tables, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The town page's ranking: each village's rates for ``year`` and its rank in its town; a
    rate the review flagged is marked (:mod:`analysis.reporting.review`)."""
    ranks = village_ranks(tables, year, catalog=catalog)
    flags = village_flags(tables)
    villages = tables.villages.sort_values("code")
    codes = villages["code"].astype(str).tolist()
    shown = {label("column.village_name", lang): villages["name"].astype(str).tolist()}
    for ind in rank_indicators(catalog):
        frame = ranks[ind.id]
        if frame.empty:
            continue
        shown[indicator_label(ind, lang)] = [
            marked(
                numbers.number(frame["value"].get(code), ind, lang, context="column"),
                flags.get((code, int(year), ind.id)),
                ind,
                lang,
            )
            for code in codes
        ]
        shown[label("column.rank", lang, name=indicator_name(ind, lang))] = [
            f"{frame.at[code, 'rank']:.0f}" if code in frame.index else MISSING for code in codes
        ]
    return pd.DataFrame(shown)


@reads(RANK_IN_TOWN, REGISTRY)
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
