"""Explanations (核实说明) that confirm review flags, and the review's place in validation.

A review flag (:mod:`analysis.ingest.review`) names a value a clerk should correct or confirm.
It is confirmed by a written explanation given for that very figure: a row of the file
``核实说明.csv`` (or ``.xlsx``) in the raw folder, or the 核实说明 cell of a marked workbook's
问题清单 filled in and returned. An explanation names the village (村（居）名称 or 村代码, with
乡镇 where names repeat), the year, the indicator and the value (数值) it explains; it confirms
the flag only while the data hold that value, so a figure corrected later is reviewed afresh.

An unconfirmed flag is a problem of severity ``review`` (never blocking); a confirmed one is not
a problem at all, and its explanation stays with the figure (the processed ``review`` table).
A bad explanation row (an unknown village or indicator, a value the data do not hold) is a
warning naming it.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.core.catalog import Catalog, normalise_header
from analysis.core.labels import indicator_name, label
from analysis.ingest.cells import cell_text, key_index
from analysis.ingest.ledger import Ledger
from analysis.ingest.read import Sheet
from analysis.ingest.registry import Registry
from analysis.ingest.review import FLAG_COLUMNS, review

#: The file of explanations in a raw folder (``.csv`` or ``.xlsx``), and its columns.
STEM = "核实说明"
COLUMNS_ZH = ["乡镇", "村（居）名称", "村代码", "年度", "指标", "数值", "核实说明"]

#: The explanation column's header, in the file and in a marked workbook's 问题清单.
EXPLANATION_HEADER = label("column.explanation", "zh")

#: The columns of the review table: the flags, and whether each is confirmed and how.
REVIEW_COLUMNS = [*FLAG_COLUMNS, "confirmed", "explanation"]

EXPLANATION_COLUMNS = [
    "village_code",
    "year",
    "indicator",
    "value",
    "explanation",
    "file",
    "sheet",
    "row",
]

#: The review's rule of each of its checks.
RULE_OF_CHECK = {check: f"review_{check}" for check in ("history", "peers", "stock_fell")}

_ROLES = {"乡镇": "town", "村代码": "code", "年度": "year", "指标": "indicator", "数值": "value"}


def is_explanations(name: str) -> bool:
    """Whether a raw folder's file is the explanations file."""
    return name.rsplit(".", 1)[0] == STEM


def read_explanations(
    sheets: list[Sheet], registry: Registry, catalog: Catalog, ledger: Ledger
) -> pd.DataFrame:
    """The explanation rows of the explanations file's sheets (:data:`EXPLANATION_COLUMNS`); a
    row naming a village or indicator not known is a warning in ``ledger`` and left out."""
    found = [_read_sheet(sheet, registry, catalog, ledger) for sheet in sheets]
    found = [frame for frame in found if len(frame)]
    if not found:
        return pd.DataFrame(columns=EXPLANATION_COLUMNS)
    return pd.concat(found, ignore_index=True)


def _header_roles(row: pd.Series) -> dict[str, int]:
    keys = key_index()
    roles: dict[str, int] = {}
    for index, text in enumerate(row):
        folded = normalise_header(cell_text(text))
        if folded == normalise_header(EXPLANATION_HEADER):
            roles["explanation"] = index
            continue
        role = _ROLES.get(folded) or keys.get(folded)
        if role in {"village", "code", "town", "year", "indicator", "value"}:
            roles.setdefault(role, index)
    return roles


def _read_sheet(sheet: Sheet, registry: Registry, catalog: Catalog, ledger: Ledger) -> pd.DataFrame:
    cells = sheet.cells
    if cells.empty:
        return pd.DataFrame(columns=EXPLANATION_COLUMNS)
    roles = _header_roles(cells.iloc[0])
    headers = catalog.header_index()
    rows = []
    for i in range(1, len(cells)):
        line = cells.iloc[i]
        text = {role: cell_text(line.iloc[index]).strip() for role, index in roles.items()}
        if not any(text.values()):
            continue
        row = i + 1
        explanation = text.get("explanation", "")
        named = text.get("code") or text.get("village", "")
        missing = [
            (zh, en)
            for zh, en, given in (
                ("村（居）名称或村代码", "the village", named),
                ("年度", "the year", text.get("year", "")),
                ("指标", "the indicator", text.get("indicator", "")),
                ("数值", "the value", text.get("value", "")),
                ("核实说明", "the explanation", explanation),
            )
            if not given
        ]
        year, value = _number(text.get("year", "")), _number(text.get("value", ""))
        if year is not None and not year.is_integer():
            year = None
        if year is None and text.get("year"):
            missing.append(("有效的年度", "a valid year"))
        if value is None and text.get("value"):
            missing.append(("有效的数值", "a valid number"))
        if missing:
            ledger.add(
                "explanation_incomplete",
                sheet.file,
                sheet.name,
                row,
                missing_zh="、".join(zh for zh, _ in missing),
                missing_en=", ".join(en for _, en in missing),
            )
            continue
        town = text.get("town", "")
        scope = registry
        if town and not text.get("code"):
            town_code, status = registry.resolve_unit(town, "town")
            scope = registry.within_town(town_code) if status == "ok" else registry
        code, status = scope.resolve_name(named)
        if status != "ok":
            hint_zh = "（重名，请加乡镇）" if status == "ambiguous" else ""
            hint_en = (
                " (two villages share the name: add the 乡镇)" if status == "ambiguous" else ""
            )
            ledger.add(
                "explanation_unknown_village",
                sheet.file,
                sheet.name,
                row,
                "",
                named,
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
            continue
        indicator = headers.get(normalise_header(text["indicator"]))
        if indicator is None:
            ledger.add(
                "explanation_unknown_indicator", sheet.file, sheet.name, row, "", text["indicator"]
            )
            continue
        rows.append((code, int(year), indicator, value, explanation, sheet.file, sheet.name, row))
    return pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)


#: An explanation written in a returned marked copy's 问题清单: the flagged cell it is for.
PLACED_COLUMNS = [
    "place_sheet",
    "place_row",
    "place_column",
    "value",
    "explanation",
    "file",
    "sheet",
    "row",
]


def read_list_explanations(sheet: Sheet) -> pd.DataFrame:
    """The 核实说明 filled in a returned marked copy's 问题清单 (:mod:`analysis.ingest.mark`):
    each for the cell its row names in this very file (:data:`PLACED_COLUMNS`)."""
    cells = sheet.cells
    wanted = {key: label(f"column.{key}", "zh") for key in ("sheet", "cell", "value")}
    wanted["explanation"] = EXPLANATION_HEADER
    found = []
    for i in range(len(cells)):
        texts = [cell_text(v).strip() for v in cells.iloc[i]]
        if not set(wanted.values()) <= set(texts):
            continue
        at = {key: texts.index(text) for key, text in wanted.items()}
        for j in range(i + 1, len(cells)):
            line = [cell_text(v).strip() for v in cells.iloc[j]]
            explanation = line[at["explanation"]]
            place = re.fullmatch(r"([A-Z]+)(\d+)", line[at["cell"]])
            value = _number(line[at["value"]])
            if explanation and place and value is not None:
                found.append(
                    (
                        line[at["sheet"]],
                        int(place[2]),
                        place[1],
                        value,
                        explanation,
                        sheet.file,
                        sheet.name,
                        j + 1,
                    )
                )
        break
    return pd.DataFrame(found, columns=PLACED_COLUMNS)


def placed(explanations: pd.DataFrame, places: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    """Explanations written for cells (:data:`PLACED_COLUMNS`) as the village, year and
    indicator of the value read from each cell (:data:`EXPLANATION_COLUMNS`); ``places`` are
    the accepted values with their ``file``, ``sheet``, ``row`` and ``column``. One whose cell
    holds no accepted value (emptied, moved, or its row kept out since) is a warning in
    ``ledger``, never dropped unsaid."""
    if explanations.empty:
        return pd.DataFrame(columns=EXPLANATION_COLUMNS)
    cells = places[["village_code", "year", "indicator", "file", "sheet", "row", "column"]]
    at = ["file", "place_sheet", "place_row", "place_column"]
    joined = explanations.merge(
        cells.rename(
            columns={
                "sheet": "place_sheet",
                "row": "place_row",
                "column": "place_column",
            }
        ),
        on=at,
        how="left",
        indicator=True,
    )
    for item in joined[joined["_merge"] == "left_only"].itertuples(index=False):
        ledger.add(
            "explanation_cell_not_accepted",
            item.file,
            item.sheet,
            int(item.row),
            "",
            cell_text(float(item.value)),
            place_sheet=item.place_sheet,
            place_cell=f"{item.place_column}{int(item.place_row)}",
        )
    found = joined[joined["_merge"] == "both"]
    return found[EXPLANATION_COLUMNS].astype({"year": "int64"}).reset_index(drop=True)


def _number(text: str) -> float | None:
    """A figure as typed (1,234 or 1，234); None for anything else, "inf" and "nan" included."""
    try:
        number = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def reviewed(
    values: pd.DataFrame,
    registry: Registry,
    catalog: Catalog,
    explanations: pd.DataFrame,
    ledger: Ledger,
    *,
    thresholds: object = None,
) -> pd.DataFrame:
    """The review of the accepted ``values`` (with their places), each flag confirmed where an
    explanation gives the figure the data hold (:data:`REVIEW_COLUMNS`); the flags not
    confirmed are recorded in ``ledger`` as problems of severity ``review``, and an explanation
    whose figure the data do not hold as a warning."""
    flags = review(values, registry, catalog=catalog, thresholds=thresholds)
    _check_figures(values, explanations, catalog, ledger)
    _check_flagged(values, flags, explanations, registry, catalog, ledger)
    key = ["village_code", "year", "indicator"]
    given = explanations.assign(_given=explanations["value"].round(6)).drop_duplicates(
        [*key, "_given"], keep="last"
    )
    flags = flags.assign(_given=pd.to_numeric(flags["value"]).round(6))
    matched = flags.merge(given[[*key, "_given", "explanation"]], on=[*key, "_given"], how="left")
    matched["confirmed"] = matched["explanation"].notna()
    matched["explanation"] = matched["explanation"].fillna("")
    for flag in matched[~matched["confirmed"]].itertuples(index=False):
        ledger.add(
            RULE_OF_CHECK[flag.check],
            flag.file,
            flag.sheet,
            int(flag.row),
            flag.column,
            flag.value,
            village_code=flag.village_code,
            text_zh=flag.message_zh,
            text_en=flag.message_en,
        )
    return matched[REVIEW_COLUMNS]


def _check_figures(
    values: pd.DataFrame, explanations: pd.DataFrame, catalog: Catalog, ledger: Ledger
) -> None:
    """A warning for each explanation whose figure is not the one the data hold."""
    if explanations.empty:
        return
    key = ["village_code", "year", "indicator"]
    held = values[[*key, "value"]].rename(columns={"value": "held"})
    joined = explanations.merge(held, on=key, how="left")
    wrong = joined[joined["held"].isna() | (joined["held"].round(6) != joined["value"].round(6))]
    for item in wrong.itertuples(index=False):
        found = "—" if pd.isna(item.held) else cell_text(float(item.held))
        ledger.add(
            "explanation_value_not_in_data",
            item.file,
            item.sheet,
            int(item.row),
            "",
            cell_text(float(item.value)),
            found=found,
        )


def _check_flagged(
    values: pd.DataFrame,
    flags: pd.DataFrame,
    explanations: pd.DataFrame,
    registry: Registry,
    catalog: Catalog,
    ledger: Ledger,
) -> None:
    """A warning for each explanation of a figure the data hold that the review no longer
    flags (the data or the thresholds changed since it was written): it confirms nothing, and
    is said so rather than dropped. One whose figure the data do not hold is
    :func:`_check_figures`'s."""
    if explanations.empty:
        return
    key = ["village_code", "year", "indicator"]
    held = values[[*key, "value"]].rename(columns={"value": "held"})
    joined = explanations.merge(held, on=key, how="inner")
    joined = joined[joined["held"].round(6) == joined["value"].round(6)]
    flagged = joined.merge(flags[key].drop_duplicates(), on=key, how="left", indicator=True)
    names = registry.names
    for item in flagged[flagged["_merge"] == "left_only"].itertuples(index=False):
        ind = catalog[item.indicator]
        village = names.get(str(item.village_code), str(item.village_code))
        ledger.add(
            "explanation_not_flagged",
            item.file,
            item.sheet,
            int(item.row),
            "",
            cell_text(float(item.value)),
            **{
                f"what_{lang}": label(
                    "review.of_village",
                    lang,
                    village=village,
                    what=label(
                        "review.figure",
                        lang,
                        year=int(item.year),
                        indicator=indicator_name(ind, lang),
                        figure=cell_text(float(item.value)),
                    ),
                )
                for lang in ("zh", "en")
            },
        )


#: Where the template writes the form.
TEMPLATE_NAME = f"{STEM}.csv"
