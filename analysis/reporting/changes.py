"""What the pages say of the boundary changes (区划调整): a village's own history (formed from
which units, which years are their combined or estimated figures), a town's changes of a year,
and how many units of a county changed. The series themselves are restated in the pipeline
(:mod:`analysis.pipeline.restate`); this only words them."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.core.catalog import Catalog
from analysis.core.labels import indicator_label, label
from analysis.pipeline.store import Tables


def village_change_lines(tables: Tables, code: str, lang: str = "zh") -> list[str]:
    """Each change that formed the village, as its page says it (2017年由原竹村、下坪村合并设立；
    2014—2016年数据为两村合计); none for a village no change formed."""
    changes = tables.changes
    if changes.empty:
        return []
    mine = changes[changes["new_code"] == str(code)]
    restated = tables.restated
    lines = []
    for (year, kind), group in mine.groupby(["year", "kind"], sort=True):
        parts = list(dict.fromkeys(group["old_name"]))
        before = (
            restated[(restated["village_code"] == str(code)) & (restated["year"] < year)]["year"]
            if not restated.empty
            else pd.Series(dtype="int64")
        )
        first, last = (int(before.min()), int(before.max())) if len(before) else (year, year)
        count = len(parts)
        fields = {
            "year": int(year),
            "parts": _joined(parts, lang),
            "first": first,
            "last": last,
            "count": label(f"change.count.{count}", lang) if 2 <= count <= 9 else count,
            "town": group["old_town"].iat[0],
        }
        lines.append(label(f"change.formed_{kind}", lang, **fields))
    return lines


def town_change_lines(tables: Tables, year: int | None = None, lang: str = "zh") -> list[str]:
    """The changes of the town's (or county's) units, of ``year`` or of every year."""
    changes = tables.changes
    if changes.empty:
        return []
    codes = set(tables.villages["code"].astype(str))
    shown = changes[
        changes["new_code"].isin(codes) | changes["old_code"].str[:9].isin({c[:9] for c in codes})
    ]
    if year is not None:
        shown = shown[shown["year"] == year]
    lines = []
    for (when, kind), group in shown.groupby(["year", "kind"], sort=True):
        if kind in ("recode", "move"):
            for item in group.itertuples(index=False):
                lines.append(
                    label(
                        f"change.town_line_{kind}",
                        lang,
                        year=int(when),
                        old=item.old_name,
                        old_code=item.old_code,
                        new_code=item.new_code,
                        from_town=item.old_town,
                        to_town=item.new_town,
                    )
                )
            continue
        # A merger's old units into one new, a split's one old into its new ones: a line each.
        olds = group.groupby("new_name", sort=False)["old_name"].agg(lambda n: _joined(n, lang))
        for old, news in olds.groupby(olds, sort=False):
            lines.append(
                label(
                    "change.town_line",
                    lang,
                    year=int(when),
                    old=old,
                    kind=label(f"change.{kind}", lang),
                    new=_joined(news.index, lang),
                )
            )
    return lines


def county_change_line(tables: Tables, lang: str = "zh") -> str:
    """How many units changed, or '' where none did."""
    changes = tables.changes
    if changes.empty:
        return ""
    return label(
        "change.county_count",
        lang,
        count=changes["new_code"].nunique(),
        changes=len(changes[["year", "old_code", "kind"]].drop_duplicates()),
        first=int(changes["year"].min()),
        last=int(changes["year"].max()),
    )


def mark_estimated(
    shown: pd.DataFrame, tables: Tables, code: str, catalog: Catalog, lang: str = "zh"
) -> pd.DataFrame:
    """A village's history table with each figure a split's share estimates marked 估算."""
    restated = tables.restated
    if restated.empty:
        return shown
    mine = restated[(restated["village_code"] == str(code)) & restated["estimated"]]
    if mine.empty:
        return shown
    shown = shown.copy()
    for year, indicator in zip(mine["year"], mine["indicator"], strict=True):
        row = indicator_label(catalog[indicator], lang)
        if row in shown.index and str(year) in shown:
            shown.loc[row, str(year)] = label(
                "change.estimated", lang, figure=shown.loc[row, str(year)]
            )
    return shown


def _joined(names: Iterable[str], lang: str) -> str:
    """Names in a line, each once: 原竹村、下坪村 (原竹村, 下坪村 in English)."""
    return label("change.joiner", lang).join(dict.fromkeys(names))
