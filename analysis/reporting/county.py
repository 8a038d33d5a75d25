"""The county page: its towns side by side, ranked and mapped, above the county's own figures.

Written for the analyst of a county office who looks after 16–20 towns: which town is ahead,
which lags, and where the targets are at risk — the county's own targets, and each town's.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import numbers
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import (
    STATUS_ZH,
    indicator_label,
    indicator_name,
    label,
    unit_header,
)
from analysis.geo import maps
from analysis.pipeline.store import Tables
from analysis.reporting.page_maps import MapDrawing, town_shapes, with_target
from analysis.reporting.reads import (
    REGISTRY,
    SCOPE_PROJECTIONS,
    TARGETS,
    TOWNS_FIGURES,
    reads,
)
from analysis.reporting.review import noted_total, pending_of, with_notes

#: The indicators of the town table, and the one the town map shows by default.
TOWN_INDICATORS = (
    "population",
    "poor_households_remaining",
    "medical_insurance_rate",
    "sanitary_toilet_rate",
    "vegetable_greenhouse_area_mu",
)
#: What a town's totals are compared by: per 100 of its households (a total follows the town's
#: size, so only a rate or a figure per household is ranked).
PER_HOUSEHOLDS = 100
HOUSEHOLDS = "households"
#: Decimals of a figure per 100 households (0.1 poor households per 100 is not 0).
PER_HOUSEHOLDS_PLACES = 2
#: Totals shown without a figure per household: the size of a town is no merit.
UNRANKED = ("population", HOUSEHOLDS)
MAP_INDICATOR = "sanitary_toilet_rate"
#: Statuses that call for action, counted per town on the status map.
AT_RISK = (STATUS_ZH["acceleration needed"], STATUS_ZH["deteriorating"])


@reads(REGISTRY)
def county_title(tables: Tables, year: int, lang: str = "zh") -> str:
    return label("title.county", lang, county=tables.place_name(), year=year)


def _town_values(tables: Tables, year: int) -> pd.DataFrame:
    towns = tables.aggregates[
        (tables.aggregates["level"] == "town") & (tables.aggregates["year"] == year)
    ]
    return towns.pivot_table(index=["code", "name"], columns="indicator", values="value")


@reads(TOWNS_FIGURES)
def town_table(
    tables: Tables, year: int, *, catalog: Catalog | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """Each town's key figures for ``year``, ranked among the towns (1 = best) only where the
    ranking is fair: a rate as it is, a total (未脱贫户数, 大棚面积) per 100 households, the total
    itself shown unranked. A town's figure that counts a village value pending review is
    marked 待核实, with a note under the table."""
    catalog = catalog or default_catalog()
    wide = _town_values(tables, year)
    towns = list(
        zip(wide.index.get_level_values("code"), wide.index.get_level_values("name"), strict=True)
    )
    shown = {label("column.town", lang): wide.index.get_level_values("name")}
    towns_figures = tables.aggregates[tables.aggregates["level"] == "town"]
    pending = {code: pending_of(towns_figures, code) for code, _ in towns}
    notes: list[str] = []

    def stated(ind: Indicator, values: pd.Series, places: int | None = None) -> list[str]:
        """The towns' figures of ``ind`` (or made of its totals), each marked where the town's
        total counts a village value pending review."""
        cells = []
        for (code, name), value in zip(towns, values, strict=True):
            text = numbers.number(value, ind, lang, context="column", places=places)
            count = pending[code].get((int(year), ind.id), 0)
            # A figure made of the total (per 100 households) is marked; the note is the total's.
            said = notes if places is None else None
            cells.append(noted_total(text, int(year), ind, count, said, lang, of=str(name)))
        return cells

    def ranked(ind: Indicator, values: pd.Series, name: str, header: str) -> None:
        shown[header] = stated(ind, values, places[header])
        rank = values.rank(ascending=ind.direction == "lower", method="min")
        shown[label("column.rank", lang, name=name)] = [
            "—" if pd.isna(r) else f"{r:.0f}" for r in rank
        ]

    places: dict[str, int | None] = {}
    for ind_id in TOWN_INDICATORS:
        if ind_id not in wide.columns:
            continue
        ind = catalog[ind_id]
        values = wide[ind_id]
        header = indicator_label(ind, lang)
        places[header] = None
        if ind.kind == "rate":
            ranked(ind, values, indicator_name(ind, lang), header)
            continue
        shown[header] = stated(ind, values)
        if ind_id in UNRANKED or HOUSEHOLDS not in wide.columns:
            continue
        name = label("name.per_households", lang, n=PER_HOUSEHOLDS, name=indicator_name(ind, lang))
        header = label("column.with_unit", lang, name=name, unit=unit_header(ind.unit, lang))
        places[header] = PER_HOUSEHOLDS_PLACES
        households = wide[HOUSEHOLDS].where(wide[HOUSEHOLDS] > 0)
        ranked(ind, values / households * PER_HOUSEHOLDS, name, header)
    return with_notes(pd.DataFrame(shown).reset_index(drop=True), notes, lang)


@reads(TOWNS_FIGURES, TARGETS, REGISTRY)
def town_map_drawing(
    tables: Tables,
    year: int,
    indicator: str = MAP_INDICATOR,
    *,
    catalog: Catalog | None = None,
    lang: str = "zh",
) -> MapDrawing | None:
    """A choropleth of the towns for one indicator in ``year``, classes from the towns' own range
    (:func:`analysis.geo.classes.data_classes`); where the county has a target for it, the
    classes split at the target, which the legend states."""
    catalog = catalog or default_catalog()
    shapes = town_shapes(tables)
    if shapes is None:
        return None
    values = _town_values(tables, year).reset_index(level="name", drop=True)
    column = values[indicator] if indicator in values.columns else pd.Series(dtype=float)
    ind = catalog[indicator]
    legend_title = label(
        "map.heading", lang, title=indicator_name(ind, lang), unit=unit_header(ind.unit, lang)
    )
    targets = (
        tables.targets[
            (tables.targets["indicator"] == indicator)
            & tables.targets["scope"].astype(str).isin(county_codes(tables))
        ]
        if len(tables.targets)
        else tables.targets
    )
    legend_title, target = with_target(
        legend_title, targets, ind, lambda _: label("whole.county", lang), lang
    )
    return MapDrawing.of(
        maps.choropleth,
        shapes.assign(value=shapes["code"].map(column)),
        "value",
        scheme=maps.DATA_SCHEME,
        decimals=numbers.decimals(ind),
        title=label("map.towns_title", lang, year=year, name=indicator_name(ind, lang)),
        legend_title=legend_title,
        label_column="name",
        sample=tables.sample,
        lang=lang,
        target=target,
        higher_is_better=ind.direction != "lower",
    )


def town_at_risk(projections: pd.DataFrame, towns: pd.Series) -> pd.Series:
    """How many of each town's own verdicts are 需加速 or 倒退: its targets and the county's
    targets as they apply to it, never its villages' (which would count the town's size)."""
    rows = projections[projections["scope"].astype(str).isin(towns.astype(str))]
    at_risk = rows[rows["status_zh"].isin(AT_RISK)].groupby(rows["scope"].astype(str)).size()
    return towns.astype(str).map(at_risk).fillna(0)


@reads(SCOPE_PROJECTIONS, REGISTRY)
def town_status_drawing(tables: Tables, *, lang: str = "zh") -> MapDrawing | None:
    """How many of each town's own targets are 需加速 or 倒退 (:func:`town_at_risk`), in classes
    from the counts' own range."""
    shapes = town_shapes(tables)
    if shapes is None or tables.projections.empty:
        return None
    counts = town_at_risk(tables.projections, shapes["code"])
    return MapDrawing.of(
        maps.choropleth,
        shapes.assign(at_risk=counts),
        "at_risk",
        scheme=maps.DATA_SCHEME,
        decimals=0,
        title=label("map.at_risk_title", lang),
        legend_title=label("map.at_risk_legend", lang),
        unit=label("unit.items", lang),
        label_column="name",
        cmap="OrRd",
        sample=tables.sample,
        lang=lang,
    )


@reads(TOWNS_FIGURES)
def county_codes(tables: Tables) -> list[str]:
    """The codes of the counties the data covers (one for a county's data set)."""
    units = tables.aggregates
    if units.empty:
        return []
    return sorted(units.loc[units["level"] == "county", "code"].astype(str).unique())
