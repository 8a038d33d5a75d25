"""The sample township (大桥镇) and synthetic counties of any size, for tests and benchmarks.

Everything here is synthetic except: the nine village codes and names of 大桥镇 (国家统计局
统计用区划代码), the 2019 township totals, which equal the published figures in
``published_figures.csv``, and the 2020 targets that the source document states. The files look
like what a township office has: per-year workbooks with Chinese headers spelled differently from
year to year, a title row above the header and a 合计 row below the villages, a GBK-encoded CSV,
a project list, a targets table and schematic geometry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.catalog import Catalog, default_catalog
from analysis.ingest.crosswalk import STEM as CROSSWALK_STEM
from analysis.ingest.explanations import TEMPLATE_NAME as EXPLANATIONS_FILE
from analysis.ingest.registry import Registry
from analysis.iorw import atomic_write_bytes, atomic_write_text
from analysis.pipeline.workbook import append_columns, save_workbook
from analysis.tools.sample_changes import README_NOTE as CHANGES_NOTE
from analysis.tools.sample_changes import make_changes
from analysis.tools.sample_changes import write_crosswalk as write_changes
from analysis.tools.sample_split import cumulative_split, monotone_split, split_total, village_rates
from analysis.tools.template import write_explanations

YEARS = tuple(range(2014, 2020))
DEFAULT_SEED = 20191231
#: openpyxl stamps workbooks with "now"; a fixed stamp keeps regenerated files comparable.
FIXED_TIMESTAMP = dt.datetime(2020, 1, 15, 9, 0, 0)


@dataclass(frozen=True)
class Village:
    code: str
    name: str  # official name as in the statistical division list
    short: str  # the name villagers write: 青光村, 新圩, 莲花山社区
    kind: str  # 村委会 or 居委会
    town_name: str = ""  # the real town's name, where the code is real


#: The nine village-level units of 大桥镇 (town code 360722103), with their real codes.
DAQIAO_VILLAGES = (
    Village("360722103001", "莲花山社区居委会", "莲花山社区", "居委会"),
    Village("360722103002", "新圩居委会", "新圩", "居委会"),
    Village("360722103003", "老圩居委会", "老圩", "居委会"),
    Village("360722103200", "竹村村委会", "竹村村", "村委会"),
    Village("360722103201", "新塘村委会", "新塘村", "村委会"),
    Village("360722103202", "中塅村委会", "中塅村", "村委会"),
    Village("360722103203", "青光村委会", "青光村", "村委会"),
    Village("360722103204", "大桥村委会", "大桥村", "村委会"),
    Village("360722103205", "八角村委会", "八角村", "村委会"),
)
_CODE = {v.short: v.code for v in DAQIAO_VILLAGES}

# --- township paths 2014..2019 -----------------------------------------------------------------
# The 2019 value of an indicator with a published figure is replaced by that figure.
TOWNSHIP_PATHS: dict[str, tuple[float, ...]] = {
    "poor_households_remaining": (412, 318, 205, 96, 31, 7),
    "poor_people_remaining": (1488, 1120, 702, 318, 92, 9),
    "relocated_poor_households": (0, 0, 20, 48, 66, 71),
    "relocated_other_households": (0, 0, 4, 8, 11, 11),
    "industry_subsidy_households": (120, 160, 205, 240, 236, 228),
    "industry_subsidy_yuan": (86400, 118200, 160300, 192800, 196100, 190905),
    "workshops": (0, 0, 0, 1, 2, 2),
    "workshop_employed": (0, 0, 0, 8, 12, 15),
    "village_cleaners": (18, 20, 24, 27, 29, 31),
    "forest_rangers": (8, 10, 14, 19, 22, 25),
    "medical_insurance_rate": (78.2, 79.5, 81.0, 83.1, 84.6, 86),
    "pension_insurance_rate": (80.1, 81.4, 83.0, 84.2, 85.8, 87),
    "medical_reimbursement_visits": (902, 1046, 1197, 1342, 1480, 1544),
    "medical_reimbursement_wan": (181.40, 212.75, 246.10, 280.33, 311.92, 335.26),
    "pension_paid_wan": (152.30, 181.25, 210.60, 239.85, 268.40, 295.56),
    "toilets_upgraded": (20, 35, 48, 70, 85, 62),
    "public_toilets_built": (0, 0, 1, 0, 2, 1),
    "sanitary_toilet_rate": (76.1, 76.8, 77.7, 79.0, 80.6, 81.7),
    "environment_investment_wan": (40.00, 52.00, 66.00, 80.00, 95.00, 101.00),
    "mud_brick_houses_demolished": (30, 45, 80, 120, 90, 60),
    "sewage_sites": (0, 0, 0, 1, 1, 2),
    "road_hardening_works": (2, 3, 2, 4, 3, 2),
    "hardened_road_km": (42.5, 45.8, 49.6, 53.9, 57.2, 61.3),
}

#: Where site-bound figures stand in 大桥镇, per year, by village (others are zero).
SITE_PATHS: dict[str, dict[str, tuple[float, ...]]] = {
    "vegetable_greenhouses": {
        "中塅村": (0, 0, 10, 18, 26, 32),
        "新塘村": (0, 0, 0, 0, 0, 19),
        "青光村": (0, 0, 0, 0, 0, 28),
    },
    "vegetable_greenhouse_area_mu": {
        "中塅村": (0, 0, 40.0, 75.0, 110.0, 145.5),
        "新塘村": (0, 0, 0, 0, 0, 118.35),
        "青光村": (0, 0, 0, 0, 0, 194.0),
    },
    "navel_orange_area_mu": {
        "八角村": (350.0, 460.0, 610.0, 780.0, 950.0, 1080.0),
        "竹村村": (300.0, 420.0, 560.0, 730.0, 890.0, 1020.0),
        "青光村": (120.0, 180.0, 260.0, 350.0, 460.0, 560.0),
        "大桥村": (40.0, 45.0, 50.0, 55.0, 60.0, 65.0),
        "中塅村": (20.0, 25.0, 30.0, 35.0, 40.0, 48.0),
    },
    "workshops": {"新圩": (0, 0, 0, 1, 1, 1), "老圩": (0, 0, 0, 0, 1, 1)},
    "workshop_employed": {"新圩": (0, 0, 0, 8, 7, 9), "老圩": (0, 0, 0, 0, 5, 6)},
    "sewage_sites": {"老圩": (0, 0, 0, 1, 1, 1), "青光村": (0, 0, 0, 0, 0, 1)},
    "public_toilets_built": {"新圩": (0, 0, 1, 0, 1, 0), "老圩": (0, 0, 0, 0, 1, 1)},
    "relocated_poor_households": {
        "新圩": (0, 0, 12, 30, 40, 43),
        "老圩": (0, 0, 8, 18, 26, 28),
    },
    "relocated_other_households": {"新圩": (0, 0, 4, 5, 7, 7), "老圩": (0, 0, 0, 3, 4, 4)},
}

#: The sample's 核实说明 (乡镇, 村, 村代码, 年度, 指标, 数值, 说明): the one figure the review flags
#: in the sample is a true one, confirmed as an office would confirm it. 老圩 is the town seat's
#: residents' committee, with few poor households; its 8 of 2014 stand far below the other
#: villages' 41–76, and a clerk would be asked to confirm it. Stated as a figure, not read from
#: the table: should the generator change it, the explanation no longer applies and the flag
#: comes back (and tests/ingest/test_validate.py's clean sample fails).
SAMPLE_EXPLANATIONS = (
    (
        "大桥镇",
        "老圩",
        "",
        2014,
        "未脱贫户数",
        8,
        "老圩为镇区居委会，建档立卡贫困户少；经入户核实，2014年未脱贫户为8户，数据无误。",
    ),
)

#: 2020 targets: the document's own (with their fact ids) and synthetic ones, labelled so.
SAMPLE_TARGETS = (
    ("大桥镇", "poor_households_remaining", 0, "F41"),
    ("大桥镇", "poor_people_remaining", 0, "F41"),
    ("大桥镇", "vegetable_greenhouse_area_mu", 500, "F42"),
    ("青光村;竹村村", "navel_orange_area_mu", 3000, "F43"),
    ("大桥镇", "road_hardening_works", 3, "F44"),
    ("大桥镇", "sewage_sites", 3, "F45"),
    ("大桥镇", "medical_insurance_rate", 90, "示例（合成）"),
    ("大桥镇", "pension_insurance_rate", 90, "示例（合成）"),
    ("大桥镇", "sanitary_toilet_rate", 85, "示例（合成）"),
    ("大桥镇", "hardened_road_km", 65, "示例（合成）"),
)

#: The project list (扶贫项目库) of 2019: batch, count, total 万元 (F15–F19); 20 of 21 done (F20).
PROJECT_BATCHES = (
    ("2019年大村长扶贫项目", 6, 120.0),
    ("中央财政专项扶贫资金项目（贫困户人居环境改善）", 6, 21.5),
    ("首批统筹整合财政涉农扶贫资金项目", 2, 189.0),
    ("第二批统筹整合财政涉农扶贫资金项目", 6, 156.1),
    ("第三批统筹整合财政涉农扶贫资金项目", 1, 52.0),
)
PROJECT_KINDS = ("村组道路硬化", "安全饮水", "蔬菜大棚", "脐橙基地灌溉", "人居环境改善", "光伏")

#: Workbook sheets and the indicators on each; the header spellings change from year to year,
#: as they do when a clerk copies last year's form and edits it.
SHEETS = {
    "脱贫攻坚": [
        "poor_households_remaining",
        "poor_people_remaining",
        "poverty_exit_households",
        "relocated_poor_households",
        "relocated_other_households",
        "industry_subsidy_households",
        "industry_subsidy_yuan",
        "workshops",
        "workshop_employed",
        "public_welfare_jobs",
        "village_cleaners",
        "forest_rangers",
    ],
    "社会保障": [
        "medical_insurance_rate",
        "pension_insurance_rate",
        "medical_reimbursement_visits",
        "medical_reimbursement_wan",
        "pension_paid_wan",
    ],
    "人居环境": [
        "toilets_upgraded",
        "public_toilets_built",
        "sanitary_toilet_rate",
        "environment_investment_wan",
        "mud_brick_houses_demolished",
        "sewage_sites",
        "road_hardening_works",
        "hardened_road_km",
    ],
    "产业发展": [
        "vegetable_greenhouses",
        "vegetable_greenhouse_area_mu",
        "navel_orange_area_mu",
    ],
}
BASE_INDICATORS = ("households", "population")


def _decimals(indicator_id: str, catalog: Catalog) -> int:
    ind = catalog[indicator_id]
    if ind.integer:
        return 0
    return 2 if ind.unit == "万元" or indicator_id.endswith("_mu") else 1


def generate_figures(
    villages: Sequence[Village],
    years: Sequence[int],
    *,
    seed: int = DEFAULT_SEED,
    catalog: Catalog | None = None,
    township_paths: dict[str, Sequence[float]] | None = None,
    site_paths: dict[str, dict[str, Sequence[float]]] | None = None,
) -> pd.DataFrame:
    """The wide village-year table (one row per village and year, one column per indicator)."""
    catalog = catalog or default_catalog()
    rng = np.random.default_rng(seed)
    n, n_years = len(villages), len(years)
    scale = n / len(DAQIAO_VILLAGES)
    # Counts and areas grow with the number of villages; a rate is a rate at any size.
    paths = township_paths or {
        k: np.array(v) * (1 if catalog[k].kind == "rate" else scale)
        for k, v in TOWNSHIP_PATHS.items()
    }
    sites = site_paths if site_paths is not None else {}
    index = {v.short: i for i, v in enumerate(villages)}

    households_2019 = rng.integers(380, 980, n).astype(float)
    growth = rng.uniform(0.002, 0.012, n)
    households = np.array(
        [np.round(households_2019 / (1 + growth) ** (years[-1] - y)) for y in years]
    )
    population = np.round(households * rng.uniform(3.3, 3.9, n))
    data: dict[str, np.ndarray] = {"households": households, "population": population}

    poor_weights = rng.gamma(2.0, 1.0, n)
    data["poor_households_remaining"] = monotone_split(
        paths["poor_households_remaining"], poor_weights, rng
    )
    # People: every poor household has at least one person; the rest fall where households are.
    hh = data["poor_households_remaining"]
    extra_path = np.asarray(paths["poor_people_remaining"]) - np.asarray(
        paths["poor_households_remaining"]
    )
    people = np.zeros_like(hh)
    for y in range(n_years - 1, -1, -1):
        later = people[y + 1] - hh[y + 1] if y + 1 < n_years else np.zeros(n)
        add = extra_path[y] - later.sum()
        w = (hh[y] > 0) * rng.uniform(0.5, 1.5, n)
        people[y] = hh[y] + later + split_total(add, w, 0)
    data["poor_people_remaining"] = people
    before_first = hh[0] + split_total(
        round(paths["poor_households_remaining"][0] * 0.3), poor_weights, 0
    )
    data["poverty_exit_households"] = np.vstack([before_first - hh[0], hh[:-1] - hh[1:]])

    for ind_id, per_village in sites.items():
        table = np.zeros((n_years, n))
        for short, values in per_village.items():
            table[:, index[short]] = values[-n_years:]
        data[ind_id] = table

    hh_weights = households[-1] / households[-1].sum()
    for ind_id, path in paths.items():
        if ind_id in data:
            continue
        ind = catalog[ind_id]
        if ind.kind == "rate":
            weight = data[ind.weight]
            data[ind_id] = village_rates(path, weight, rng, spread=2.5)
            continue
        decimals = _decimals(ind_id, catalog)
        village_weight = hh_weights * rng.uniform(0.4, 1.6, n)
        year_weights = [village_weight * rng.uniform(0.8, 1.2, n) for _ in path]
        if ind.cumulative:
            data[ind_id] = cumulative_split(path, year_weights, decimals)
        else:
            data[ind_id] = np.array(
                [
                    split_total(total, w, decimals)
                    for total, w in zip(path, year_weights, strict=True)
                ]
            )
    # Public-welfare jobs are the cleaners and rangers plus, in some years, a few other posts.
    data["public_welfare_jobs"] = data["village_cleaners"] + data["forest_rangers"]

    rows = []
    for y_i, year in enumerate(years):
        for v_i, village in enumerate(villages):
            row = {"village_code": village.code, "village": village.short, "year": year}
            for ind_id in (*BASE_INDICATORS, *[i for ids in SHEETS.values() for i in ids]):
                row[ind_id] = float(data[ind_id][y_i, v_i]) if ind_id in data else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


# --- writing the raw files ---------------------------------------------------------------------


#: Which spelling of a header a given year's workbook uses: the catalog name, with the unit in
#: full-width or ASCII brackets, or one of its aliases (deterministic per year).
def _header(indicator_id: str, year: int, catalog: Catalog) -> str:
    ind = catalog[indicator_id]
    choices = [ind.label_zh, f"{ind.zh}（{ind.unit}）", ind.zh if ind.unit != "%" else ind.label_zh]
    choices += [f"{alias}（{ind.unit}）" for alias in ind.aliases[:2]]
    return choices[(year + len(indicator_id)) % len(choices)]


def _cells(values: np.ndarray, indicator_id: str, year: int, catalog: Catalog) -> list[object]:
    """How a clerk typed one indicator's figures: numbers mostly; '86.0%' text for rates in
    some years; a dash where there is no figure."""
    ind = catalog[indicator_id]
    if ind.integer:
        typed = int
    elif ind.kind == "rate" and year in (2015, 2017):
        typed = "{:.1f}%".format
    else:
        typed = float
    return ["—" if math.isnan(value) else typed(value) for value in values.tolist()]


#: The spelling a file with a 乡镇 column writes: the shortest (坪石), shared by villages of
#: different towns, as offices write it.
_SHORTEST = 2


def _village_label(village: Village, year: int) -> str:
    """Village names as written in a given year: 青光, 青光村 or 青光村委会 (the spelling
    ``year`` modulo 3; :data:`_SHORTEST` is the shortest)."""
    variants = (village.short, village.name, village.short.removesuffix("村") or village.short)
    return variants[year % len(variants)]


def _ambiguous(villages: Sequence[Village], *, within_town: bool = False) -> set[str]:
    """The codes of villages some spelling of whose name another village shares (in a real
    county 坪石 is two villages): offices write those in full, and so does the sample.
    ``within_town``: only the shortest spelling shared within the village's own town counts
    (a file with a 乡镇 column resolves names town by town)."""
    if within_town:
        towns: dict[str, list[Village]] = {}
        for v in villages:
            towns.setdefault(v.code[:9], []).append(v)
        return set().union(*(_ambiguous_in(m, (_SHORTEST,)) for m in towns.values()))
    return _ambiguous_in(villages, range(3))


def _ambiguous_in(villages: Sequence[Village], years: Sequence[int]) -> set[str]:
    registry = Registry(
        pd.DataFrame(
            {
                "code": [v.code for v in villages],
                "name": [v.name for v in villages],
                "short_name": [v.short for v in villages],
            }
        )
    )
    return {
        v.code
        for v in villages
        for year in years
        if registry.resolve_name(_village_label(v, year)) != (v.code, "ok")
    }


def _save_workbook(wb, path: Path, rows: dict[str, Iterator[bytes]] | None = None) -> None:
    save_workbook(wb, path, rows, creator="minsheng sample")


def write_year_workbook(
    path: Path,
    table: pd.DataFrame,
    villages: Sequence[Village],
    year: int,
    town_name: str,
    catalog: Catalog,
    ambiguous: set[str] = frozenset(),
    towns: Mapping[str, str] | None = None,
) -> None:
    """One year's 民生工作台账: a sheet per section, title row, header, villages, 合计 row.

    Villages in ``ambiguous`` are written by their full name. With ``towns`` (town code →
    name), a 乡镇 column names each village's town, as a county's form does."""
    from openpyxl import Workbook

    # Write-only, the villages' rows as XML (append_columns): a province's workbook has
    # millions of cells.
    wb = Workbook(write_only=True)
    sheet_rows: dict[str, Iterator[bytes]] = {}
    rows = table[table["year"] == year].set_index("village_code").loc[[v.code for v in villages]]
    spelling = _SHORTEST if towns is not None else year
    labels = [
        village.name if village.code in ambiguous else _village_label(village, spelling)
        for village in villages
    ]
    for sheet_name, ids in SHEETS.items():
        ws = wb.create_sheet(sheet_name)
        ws.append([f"{town_name}{year}年民生工作台账——{sheet_name}（示例数据）"])
        ws.append([f"填报单位：{town_name}人民政府    填报日期：{year + 1}年1月"])
        town_header = ["乡镇"] if towns is not None else []
        headers = [_header(i, year, catalog) for i in ids]
        ws.append(["序号", *town_header, "村（居）名称", "年度", *headers])
        columns = [_cells(rows[i].to_numpy(dtype=float), i, year, catalog) for i in ids]
        totals = []
        for ind_id in ids:
            ind = catalog[ind_id]
            column = rows[ind_id]
            if ind.kind == "rate":
                weight = rows[ind.weight]
                totals.append(round(float((column * weight).sum() / weight.sum()), 1))
            else:
                totals.append(round(float(column.sum()), _decimals(ind_id, catalog)))
        town = [[towns[v.code[:9]] for v in villages] + [""]] if towns is not None else []
        body = [
            [*range(1, len(villages) + 1), ""],
            *town,
            [*labels, "合计"],
            [year] * (len(villages) + 1),
            *([*column, total] for column, total in zip(columns, totals, strict=True)),
        ]
        append_columns(ws, body, first_row=4, rows=sheet_rows)
    _save_workbook(wb, path, sheet_rows)


def correct_one_count(raw: Path | str, code: str, year: int) -> str:
    """Add 1 to one count (a 人次 column of 社会保障) of village ``code`` in the sample's
    workbook of ``year``, and to the sheet's 合计 row, as a clerk's correction would, so the
    totals still add up. For benchmarks and tests of what a change rebuilds; returns what
    was changed."""
    from openpyxl import load_workbook

    raw = Path(raw)
    with (raw / config.REGISTRY_FILE).open(encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    number = codes.index(code) + 1  # the 序号 column follows the registry's order
    path = raw / f"民生工作台账_{year}.xlsx"
    book = load_workbook(path)
    sheet = book["社会保障"]
    rows = list(sheet.iter_rows())
    header = next(row for row in rows if row[0].value == "序号")
    column = next(i for i, cell in enumerate(header) if "人次" in str(cell.value or ""))
    for row in rows:
        if row[0].value == number or row[1].value == "合计":
            row[column].value += 1
    _save_workbook(book, path)
    return f"{path.name} 社会保障!{header[column].value} +1"


def write_population_csv(path: Path, table: pd.DataFrame, villages: Sequence[Village]) -> None:
    """Households and population per village and year, GBK-encoded as old Excel saves CSV."""
    names = {v.code: v.name for v in villages}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["村（居）委会", "年度", "户数（户）", "人口（人）"])
    for row in table.sort_values(["year", "village_code"]).itertuples():
        writer.writerow(
            [names[row.village_code], row.year, int(row.households), int(row.population)]
        )
    atomic_write_bytes(path, out.getvalue().encode("gbk"))


def write_registry(path: Path, villages: Sequence[Village], town_code: str, town_name: str) -> None:
    """The village registry; a village's town is the first nine digits of its code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    counties = {v.code[:6]: COUNTY_NAMES.get(v.code[:6], SYNTHETIC_COUNTY) for v in villages}
    writer.writerow(["code", "name", "short_name", "kind", "town_code", "town_name", "county_name"])
    names = town_names(villages, town_code, town_name)
    for v in villages:
        town = v.code[:9]
        writer.writerow([v.code, v.name, v.short, v.kind, town, names[town], counties[v.code[:6]]])
    atomic_write_text(path, out.getvalue())


def town_names(villages: Sequence[Village], town_code: str, town_name: str) -> dict[str, str]:
    """Town code → name: the villages' own (the county sample's real ones), ``town_name`` for
    ``town_code``, else a synthetic 示例NNN镇."""
    names: dict[str, str] = {}
    for v in villages:
        town = v.code[:9]
        default = town_name if town == town_code else f"示例{town[-3:]}镇"
        names[town] = names.get(town) or v.town_name or default
    return names


def write_targets(
    path: Path, targets: Sequence[tuple[str, str, float, str]], catalog: Catalog
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["范围", "指标", "目标年份", "目标值", "单位", "来源"])
    for scope, ind_id, value, source in targets:
        ind = catalog[ind_id]
        writer.writerow([scope, ind.zh, config.TARGET_YEAR, value, ind.unit, source])
    atomic_write_text(path, out.getvalue())


def write_projects(
    path: Path, villages: Sequence[Village], rng, ambiguous: set[str] = frozenset()
) -> None:
    """The 2019 扶贫项目库: 21 projects in five batches; all started, 20 completed."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目库"
    ws.append(
        ["序号", "项目名称", "项目批次", "所在村", "资金规模（万元）", "是否开工", "是否竣工"]
    )
    number = 0
    for batch, count, total in PROJECT_BATCHES:
        amounts = split_total(total, rng.uniform(0.5, 1.5, count), 1)
        for amount in amounts:
            number += 1
            village = villages[int(rng.integers(0, len(villages)))]
            kind = PROJECT_KINDS[int(rng.integers(0, len(PROJECT_KINDS)))]
            done = "否" if number == 21 else "是"
            ws.append(
                [
                    number,
                    f"{village.short}{kind}项目",
                    batch,
                    village.name if village.code in ambiguous else village.short,
                    float(amount),
                    "是",
                    done,
                ]
            )
    _save_workbook(wb, path)


RAW_README = """# 原始数据 / Raw data — 大桥镇 示例数据 (SYNTHETIC SAMPLE)

**这些数据是合成的示例数据，不是真实统计。 These figures are synthetic.** They were written by
`analysis/sample.py` (fixed seed {seed}) so that Minsheng runs end to end on a fresh clone.

What is real:

- the nine village-level units of 大桥镇 (信丰县, town code 360722103) and their 12-digit codes,
  from the national statistical division codes (国家统计局 统计用区划代码, 2023);
- the 2019 township totals equal the figures published in the township's 2019 livelihood summary
  (`published_figures.csv`, a copy of the project's seed facts with catalog ids added), and the
  2020 targets marked F41–F45 in `targets_2020.csv` are the document's own.

What is synthetic: every village figure, every year before 2019, the targets marked 示例（合成）,
the project names and villages in `扶贫项目库_2019.xlsx` (their counts and totals per batch match
the document), and all geometry in `geo/`, which is schematic (generated shapes near 115.0°E,
25.4°N, not the real boundaries). Every report built from these files says 示例数据.

| file | form |
|---|---|
| `villages.csv` | village registry: code, official name, usual short name, kind |
| `民生工作台账_YYYY.xlsx` | one workbook per year, four sheets, title row, Chinese headers (spelled differently across years), a 合计 row |
| `户数人口_2014-2019.csv` | households and population per village and year, **GBK-encoded** |
| `扶贫项目库_2019.xlsx` | the 2019 poverty-alleviation project list |
| `targets_2020.csv` | 2020 targets |
| `published_figures.csv` | the township's published 2019 figures (source for reconciliation) |
| `核实说明.csv` | the written explanation (核实说明) confirming the one figure the plausibility review flags |
| `geo/` | village polygons, G357, industry bases, sanitation points (GCJ-02, as a phone app records them) |

`data/raw/` is never modified by the code. To use your own data, see the project README.
"""


def write_sample(
    out_dir: Path | str,
    villages: Sequence[Village] = DAQIAO_VILLAGES,
    years: Sequence[int] = YEARS,
    *,
    seed: int = DEFAULT_SEED,
    town_code: str = config.SAMPLE_TOWN_CODE,
    town_name: str = config.SAMPLE_TOWN_NAME,
    published: Path | None = None,
    progress: Callable[[str], None] | None = None,
    boundary_changes: bool = False,
) -> Path:
    """Write a complete raw data set (the form ``data/raw/`` has) into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into; created if needed.
    villages
        The village-level units; defaults to the nine of 大桥镇.
    years
        Years of village data; targets are for ``config.TARGET_YEAR``.
    seed
        Random seed: the same seed gives the same figures.
    published
        The township's published figures; copied beside the data. When given with the nine
        villages of 大桥镇, the final year's township totals equal those figures.
    progress
        Called with a short message after each file.
    boundary_changes
        Add the synthetic boundary changes of :mod:`analysis.tools.sample_changes` (the county
        sample's): the earlier years report the former units, and ``区划调整.csv`` says how.

    Returns
    -------
    Path
        ``out_dir``.
    """
    out = Path(out_dir)
    (out / "geo").mkdir(parents=True, exist_ok=True)
    catalog = default_catalog()
    rng = np.random.default_rng(seed + 1)
    say = progress or (lambda _msg: None)
    is_daqiao = tuple(villages) == DAQIAO_VILLAGES
    paths = None
    if is_daqiao and published is not None:
        paths = {k: list(v) for k, v in TOWNSHIP_PATHS.items()}
        for ind_id, value in published_township_totals(published).items():
            if ind_id in paths:
                paths[ind_id][-1] = value
    table = generate_figures(
        villages,
        years,
        seed=seed,
        catalog=catalog,
        township_paths=paths,
        site_paths=SITE_PATHS if is_daqiao else _synthetic_sites(villages, len(years), rng),
    )
    write_registry(out / config.REGISTRY_FILE, villages, town_code, town_name)
    ambiguous = _ambiguous(villages)
    towns = town_names(villages, town_code, town_name)
    reported, units = table, {year: list(villages) for year in years}
    if boundary_changes:
        changes = make_changes(villages, table, years, catalog)
        reported, units = changes.reported, changes.units
        ambiguous |= {old for old, today in changes.twins.items() if today in ambiguous}
        write_changes(out / f"{CROSSWALK_STEM}.csv", changes)
    for year in years:
        # With several towns, the last year's file has a 乡镇 column, as a county's form does:
        # its names need be unique only within their town, so most are written short.
        by_town = len(towns) > 1 and year == years[-1]
        write_year_workbook(
            out / f"民生工作台账_{year}.xlsx",
            reported,
            units[year],
            year,
            town_name,
            catalog,
            _ambiguous(villages, within_town=True) if by_town else ambiguous,
            towns if by_town else None,
        )
        say(f"民生工作台账_{year}.xlsx")
    named = {v.code: v for v in villages}
    former = {u.code: u for year in years for u in units[year] if u.code not in named}
    write_population_csv(
        out / f"户数人口_{years[0]}-{years[-1]}.csv", reported, [*villages, *former.values()]
    )
    write_projects(out / f"扶贫项目库_{years[-1]}.xlsx", villages, rng, ambiguous)
    targets = SAMPLE_TARGETS if is_daqiao else _synthetic_targets(villages)
    write_targets(out / config.TARGETS_FILE, targets, catalog)
    if published is not None:
        atomic_write_bytes(out / config.PUBLISHED_FILE, Path(published).read_bytes())
    if is_daqiao:
        write_explanations(out / EXPLANATIONS_FILE, SAMPLE_EXPLANATIONS)
    from analysis.tools.sample_geo import write_geometry

    write_geometry(out / "geo", villages, table, rng)
    say("geo/")
    readme = RAW_README.format(seed=seed) + (CHANGES_NOTE if boundary_changes else "")
    atomic_write_text(out / "README.md", readme)
    atomic_write_text(
        out / config.SAMPLE_MARKER_FILE,
        json.dumps(
            {"synthetic": True, "seed": seed, "villages": len(villages)}
            | ({"boundary_changes": "synthetic"} if boundary_changes else {})
        )
        + "\n",
    )
    return out


def published_township_totals(path: Path | str) -> dict[str, float]:
    """Indicator id → value of the single-valued township actuals in a published-figures file."""
    facts = pd.read_csv(path, dtype=str, encoding="utf-8")
    chosen = facts[
        (facts["scope"] == "township")
        & (facts["kind"] == "actual")
        & facts["indicator_id"].notna()
        & ~facts["value"].str.contains(";", na=False)
    ]
    return {row.indicator_id: float(row.value) for row in chosen.itertuples()}


def _synthetic_sites(villages: Sequence[Village], n_years: int, rng) -> dict:
    """Site-bound figures for a synthetic county: bases in about one village in six."""
    n = len(villages)
    sites: dict[str, dict[str, list[float]]] = {}
    ramp = np.linspace(0.3, 1.0, n_years)
    for ind_id, share, size in (
        ("vegetable_greenhouse_area_mu", 6, 150.0),
        ("navel_orange_area_mu", 4, 800.0),
    ):
        chosen = rng.choice(n, size=max(1, n // share), replace=False)
        sites[ind_id] = {
            villages[i].short: list(np.round(ramp * size * rng.uniform(0.5, 1.5), 2))
            for i in chosen
        }
    sites["vegetable_greenhouses"] = {
        short: [round(a / 6.2) for a in areas]
        for short, areas in sites["vegetable_greenhouse_area_mu"].items()
    }
    return sites


def _synthetic_targets(villages: Sequence[Village]) -> list[tuple[str, str, float, str]]:
    """Targets of the whole (全县 where the villages span several towns, else 全镇) and, with
    several towns, each town's own: a rate that applies to its villages and a total that does
    not. Towns are named by name where the sample has their names, else by code."""
    scale = len(villages) / len(DAQIAO_VILLAGES)
    towns: dict[str, list[Village]] = {}
    for v in villages:
        towns.setdefault(v.code[:9], []).append(v)
    whole = "全县" if len(towns) > 1 else "全镇"
    targets = [
        (whole, "poor_households_remaining", 0, "示例（合成）"),
        (whole, "medical_insurance_rate", 90, "示例（合成）"),
        (whole, "sanitary_toilet_rate", 85, "示例（合成）"),
        (whole, "hardened_road_km", round(65 * scale, 1), "示例（合成）"),
    ]
    if len(towns) > 1:
        for code, members in towns.items():
            scope = members[0].town_name or code
            size = len(members) / len(DAQIAO_VILLAGES)
            targets += [
                (scope, "medical_insurance_rate", 92, "示例（合成）"),
                (scope, "hardened_road_km", round(65 * size, 1), "示例（合成）"),
            ]
    return targets


_SYLLABLES = "新老大小上下东西南北石田塘坑岭山水江河桥龙凤竹松梅桃杨柳高长安平和兴富丰乐华光明"


def synthetic_villages(count: int, county_code: str = "360799") -> list[Village]:
    """``count`` villages with well-formed 12-digit codes and distinct synthetic names."""
    villages = []
    # 18 a town as in 信丰县 (312 villages in 17 towns); more where a county's 900 town codes
    # (100–999) would not hold them all at 18.
    per_town = max(18, -(-count // 900))
    for i in range(count):
        town, number = divmod(i, per_town)
        code = f"{county_code}{100 + town:03d}{200 + number:03d}"
        a, b = divmod(i, len(_SYLLABLES))
        first = _SYLLABLES[a % len(_SYLLABLES)]
        second = _SYLLABLES[b]
        suffix = "" if a < len(_SYLLABLES) else str(a // len(_SYLLABLES))
        short = f"{first}{second}{suffix}村"
        villages.append(Village(code, f"{short}委会", short, "村委会"))
    return villages


#: Counties whose real codes the samples use (a synthetic county's code is named by its code).
COUNTY_NAMES = {"360722": "信丰县"}
#: The name of a synthetic sample's county, as its towns are 示例NNN镇.
SYNTHETIC_COUNTY = "示例县"

#: The real codes and names of 信丰县's 312 villages (see realdata/README.md for source and licence).
COUNTY_REGISTRY = Path(__file__).with_name("realdata") / "xinfeng_villages.csv"


def county_villages() -> list[Village]:
    """信丰县's 312 village-level units with their real codes, names and towns."""
    table = pd.read_csv(COUNTY_REGISTRY, dtype=str)
    villages = []
    for code, name, town in zip(table["code"], table["name"], table["town_name"], strict=True):
        if name.endswith("居委会"):
            short, kind = name.removesuffix("居委会"), "居委会"
        elif name.endswith("村委会"):
            short, kind = name.removesuffix("委会"), "村委会"
        else:  # 信丰县工业园虚拟社区
            short, kind = name, "居委会"
        villages.append(Village(code, name, short, kind, town))
    return villages
