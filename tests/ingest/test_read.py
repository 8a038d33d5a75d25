"""Readers and normalisation: encodings, headers, cell values, village names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.catalog import default_catalog
from analysis.ingest.cells import (
    column_letter,
    decimals_of,
    find_header_row,
    is_totals_label,
    match_headers,
    parse_cells,
    parse_year,
    suggest_headers,
    unit_factor,
)
from analysis.ingest.read import (
    ReadError,
    detect_encoding,
    read_csv_sheet,
    read_workbook,
    without_quarantined,
)
from analysis.ingest.validate import load_registry, validate

DATA = Path(__file__).parents[1] / "data"
REGISTRY = DATA / "villages.csv"
TABLE = "村（居）名称,年度,户数（户）\n青光村,2019,812\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(REGISTRY)


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TABLE.encode("utf-8"), "utf-8"),
        (TABLE.encode("utf-8-sig"), "utf-8-sig"),
        (TABLE.encode("gbk"), "gbk"),
        (("㙟" + TABLE).encode("gb18030"), "gb18030"),  # 㙟 is in GB18030, not in GBK
        (TABLE.encode("utf-16"), "utf-16"),
        (b"abc,2019\n", "utf-8"),  # plain ASCII is UTF-8
    ],
)
def test_detect_encoding(data, expected):
    assert detect_encoding(data) == expected


def test_undecodable_bytes_are_refused():
    with pytest.raises(ReadError) as caught:
        detect_encoding((DATA / "bad" / "undecodable.csv").read_bytes())
    assert caught.value.rule == "unknown_encoding"


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8.csv", "utf-8"),
        ("utf8_bom.csv", "utf-8-sig"),
        ("gbk.csv", "gbk"),
        ("gb18030.csv", "gb18030"),
        ("utf16_tab.txt", "utf-16"),
    ],
)
def test_csv_files_read_and_report_their_encoding(name, encoding):
    sheet = read_csv_sheet(DATA / "tricky" / name)
    assert sheet.encoding == encoding
    assert "青光村" in set(sheet.cells[0])
    result = validate(DATA / "tricky" / name, registry=REGISTRY)
    entry = next(e for e in result.summary["files"] if e["file"] == name)
    assert entry["encoding"] == encoding
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("empty.csv", "empty_file"),
        ("undecodable.csv", "unknown_encoding"),
    ],
)
def test_unreadable_csv(name, rule):
    with pytest.raises(ReadError) as caught:
        read_csv_sheet(DATA / "bad" / name)
    assert caught.value.rule == rule


def test_a_quote_never_closed_quarantines_the_lines_it_swallows():
    """Issue 12: the broken record is named by its line and left out; the rest is read."""
    sheet = read_csv_sheet(DATA / "bad" / "broken_quote.csv")
    assert [(f.rule, f.row, f.end_row, f.column, f.quarantine) for f in sheet.findings] == [
        ("unclosed_quote", 2, 2, "A", True)
    ]
    assert sheet.rows_counted == len(sheet.cells) == 2
    # The sheet keeps what the parser read (for a marked copy); the checkers see it blank.
    assert sheet.cells.iat[1, 0].startswith("青光村")
    checked = without_quarantined(sheet)
    assert (checked.cells.iloc[1] == "").all()
    assert checked.cells.iat[0, 0] == "村（居）名称"


@pytest.mark.parametrize("name", ["truncated.xlsx", "renamed_text.xlsx"])
def test_unreadable_workbook(name):
    with pytest.raises(ReadError) as caught:
        read_workbook(DATA / "bad" / name)
    assert caught.value.rule == "unreadable_file"


def test_workbook_rows_keep_excel_positions():
    """Blank rows above the header are kept, so row numbers match what Excel shows."""
    (sheet,) = read_workbook(DATA / "bad" / "rate_fraction.xlsx")
    assert find_header_row(sheet.cells, default_catalog()) == 4  # Excel row 5
    assert sheet.cells.iloc[5, 0] == "青光村"


def test_merged_ranges_are_read():
    (sheet,) = read_workbook(DATA / "bad" / "merged_village.xlsx")
    assert sheet.merged == [(1, 0, 3, 0)]


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "role", "indicator", "unit"),
    [
        ("医疗保险参保率(%)", "indicator", "medical_insurance_rate", "%"),
        ("医保参保率（%）", "indicator", "medical_insurance_rate", "%"),
        (" 医保 参保率 ( % ) ", "indicator", "medical_insurance_rate", "%"),
        ("参保率%", None, None, None),
        ("医疗保险参保率%", "indicator", "medical_insurance_rate", "%"),
        ("产业奖补金额（万元）", "indicator", "industry_subsidy_yuan", "万元"),
        ("脐橙面积（公顷）", "indicator", "navel_orange_area_mu", "公顷"),
        ("村（居）名称", "village", None, None),
        ("村（居）委会", "village", None, None),
        ("行政区划代码", "code", None, None),
        ("年 度", "year", None, None),
        ("序号", "seq", None, None),
        ("备 注", "remark", None, None),
        ("幸福指数", None, None, None),
    ],
)
def test_match_headers(header, role, indicator, unit):
    (column,) = match_headers([header], default_catalog())
    assert (column.role, column.indicator) == (role, indicator)
    if indicator:
        assert column.unit == unit


def test_header_row_needs_two_known_cells():
    cells = pd.DataFrame(
        [
            ["大桥镇2019年民生台账（示例）", "", ""],
            ["村（居）名称", "", ""],
            ["村名", "年度", "户数"],
        ],
        dtype=object,
    )
    assert find_header_row(cells, default_catalog()) == 2


def test_unknown_header_suggestions_name_the_catalog():
    assert suggest_headers("医保参加率(%)", default_catalog())[0] == "医疗保险参保率(%)"


# --- cell values ---------------------------------------------------------------------------------


def test_parse_cells_numbers_units_and_missing():
    raw = pd.Series(
        [
            86.0,
            "86%",
            "８６",
            "1,234",
            "1，234.5",
            "335.26万",
            "—",
            "/",
            "无",
            "-",
            "",
            "约50",
            7,
            " 12 ",
        ],
        dtype=object,
    )
    parsed = parse_cells(raw)
    assert list(parsed["state"]) == [
        *["ok"] * 6,
        *["missing"] * 5,
        "text",
        "ok",
        "ok",
    ]
    np.testing.assert_allclose(
        parsed["number"].to_numpy()[[0, 1, 2, 3, 4, 5, 12, 13]],
        [86, 86, 86, 1234, 1234.5, 335.26, 7, 12],
    )
    assert list(parsed["unit"].iloc[[1, 5]]) == ["%", "万"]


@pytest.mark.parametrize(
    ("unit", "canonical", "factor"),
    [
        (None, "万元", 1.0),
        ("元", "万元", 1e-4),
        ("万", "元", 1e4),
        ("万元", "元", 1e4),
        ("公顷", "亩", 15.0),
        ("ha", "亩", 15.0),
        ("公里", "km", 1.0),
        ("米", "km", 1e-3),
        ("％", "%", 1.0),
        ("人", "户", None),
        ("公斤", "亩", None),
    ],
)
def test_unit_factor(unit, canonical, factor):
    assert unit_factor(unit, canonical) == factor


def test_parse_year():
    years, blank = parse_year(
        pd.Series([2019.0, "2019年", "２０１９", "去年", "", "19"], dtype=object)
    )
    assert years.tolist()[:3] == [2019, 2019, 2019]
    assert years.isna().tolist()[3:] == [True, True, True]
    assert blank.tolist() == [False, False, False, False, True, False]


def test_totals_labels():
    labels = pd.Series(
        ["合计", "合 计", "小计", "总计", "全镇合计", "大桥镇", "青光村", 3.0], dtype=object
    )
    assert is_totals_label(labels, {"大桥镇"}).tolist() == [True] * 6 + [False, False]


def test_a_towns_own_totals_label_names_the_town():
    """大桥镇小计 / 大桥 小计 total a town; the town's name alone is a total only where a village
    is written (``extra``), never under 乡镇, where every row names its town."""
    labels = pd.Series(["大桥镇小计", "大桥 小计", "大桥镇合计", "大桥镇", "青光村小计", "小计"])
    under_town = is_totals_label(labels, towns={"大桥镇"}).tolist()
    assert under_town == [True, True, True, False, False, True]
    assert is_totals_label(labels, {"大桥镇"}, towns={"大桥镇"}).tolist()[3] is True


def test_decimals_and_letters():
    assert [decimals_of(x) for x in ("86", "335.26", 118.35, 71.0, "1.50")] == [0, 2, 2, 0, 2]
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


# --- village names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("青光", "360722103203"),
        ("青光村", "360722103203"),
        ("青光村委会", "360722103203"),
        ("青光村民委员会", "360722103203"),
        (" 青光村 ", "360722103203"),
        ("竹村", "360722103200"),
        ("竹村村", "360722103200"),
        ("莲花山社区", "360722103001"),
        ("莲花山社区居委会", "360722103001"),
        ("新圩", "360722103002"),
        ("新圩居委会", "360722103002"),
        ("360722103201", "360722103201"),
    ],
)
def test_village_variants_resolve(registry, name, code):
    assert registry.resolve_name(name) == (code, "ok")


def test_unknown_village_gets_suggestions(registry):
    assert registry.resolve_name("清光村") == (None, "unknown")
    assert registry.suggest("清光村")[0] == "青光村"


def test_same_name_in_two_towns_is_ambiguous():
    """A county can have two 石田村: the name alone cannot say which; the code can."""
    from analysis.ingest.registry import Registry

    table = pd.DataFrame(
        {
            "code": ["360799100200", "360799101200", "360799101201"],
            "name": ["石田村委会", "石田村委会", "石田居委会"],
            "short_name": ["石田村", "石田村", "石田"],
            "kind": ["村委会", "村委会", "居委会"],
            "town_code": ["360799100", "360799101", "360799101"],
            "town_name": ["甲镇", "乙镇", "乙镇"],
        }
    )
    registry = Registry(table)
    assert registry.resolve_name("石田村") == (None, "ambiguous")
    assert registry.resolve_name("石田村委会") == (None, "ambiguous")
    # 石田 is 乙镇's 居委会's short name, but 甲镇's 石田村 is written so too: without a 乡镇
    # column it could be either town's, so it is ambiguous, not the 居委会.
    assert registry.resolve_name("石田") == (None, "ambiguous")
    assert registry.within_town("360799101").resolve_name("石田") == ("360799101201", "ok")
    assert registry.resolve_name("360799101200") == ("360799101200", "ok")


def test_messy_workbook_values(registry):
    """Full-width digits, separators, %, 万, 元 in a 万元 column, hectares, dashes, a 小计 row."""
    result = validate(DATA / "tricky" / "messy_cells.xlsx", registry=registry)
    assert result.ok, result.problems
    values = result.values.set_index(["village_code", "indicator"])["value"]
    assert values[("360722103203", "households")] == 812
    assert values[("360722103203", "population")] == 2900
    assert values[("360722103203", "medical_insurance_rate")] == 85.2
    assert values[("360722103203", "industry_subsidy_yuan")] == 15000  # "1.5万" under 万元
    assert values[("360722103002", "industry_subsidy_yuan")] == 15000  # "15000元"
    assert values[("360722103203", "navel_orange_area_mu")] == 600  # 40 公顷
    assert values[("360722103203", "hardened_road_km")] == 12.5
    assert ("360722103200", "medical_insurance_rate") not in values.index  # "—" is missing
    entry = result.summary["files"][0]
    assert entry["columns_ignored"] == ["I 备注"]
    assert [(s["row"], s["reason"]) for s in entry["structural"]] == [
        (1, "title"),
        (2, "blank"),
        (3, "header"),
        (7, "totals"),
        (8, "note"),
    ]


def test_codes_instead_of_names(registry):
    result = validate(DATA / "tricky" / "codes_only.csv", registry=registry)
    assert result.ok
    assert set(result.values["village_code"]) == {"360722103203", "360722103200"}


def test_cells_of_only_spaces_read_as_empty(tmp_path: Path):
    path = tmp_path / "spaces.csv"
    path.write_text("a,b,c\n   ,\u3000,x y\n\t, 1 ,\xa0\n", encoding="utf-8")
    cells = read_csv_sheet(path, "spaces.csv").cells
    assert cells.iloc[1].tolist() == ["", "", "x y"]
    assert cells.iloc[2].tolist() == ["", " 1 ", ""]


MIXED_CELLS = [2019, 2019.0, "2019年", "２０１９", "", "—", None, float("nan"), "81.6%", "1,234"]
MIXED_CELLS += ["12户", "合计", "小 计", "大桥镇", "abc", True, "  2019 "]


def test_a_column_parses_as_its_cells_do_one_by_one():
    column = pd.Series(MIXED_CELLS * 3, dtype=object, index=range(5, 5 + 3 * len(MIXED_CELLS)))
    parsed, (years, blank) = parse_cells(column), parse_year(column)
    totals = is_totals_label(column, ["大桥镇"])
    for i, value in column.items():
        alone = pd.Series([value], dtype=object)
        assert parsed.loc[i].tolist() == pytest.approx(
            parse_cells(alone).iloc[0].tolist(), nan_ok=True
        )
        one_year, one_blank = parse_year(alone)
        assert (pd.isna(years[i]) and pd.isna(one_year[0])) or years[i] == one_year[0]
        assert blank[i] == one_blank[0]
        assert totals[i] == is_totals_label(alone, ["大桥镇"])[0]


def test_a_registry_without_town_names_resolves_codes():
    from analysis.ingest.registry import Registry

    table = pd.DataFrame(
        {"code": ["360799100200"], "name": ["石田村委会"], "short_name": ["石田村"]}
    )
    registry = Registry(table)
    assert registry.resolve_name("360799100200") == ("360799100200", "ok")
    assert registry.resolve_name("360799100201") == (None, "unknown")
    assert registry.codes == {"360799100200"}


def _grid_cell_by_cell(rows: list[list[object]]) -> pd.DataFrame:
    """:func:`analysis.ingest.read._grid` as it was written before it looked at each column's
    distinct values: every cell tried."""
    width = max((len(r) for r in rows), default=0)
    padded = [
        ["" if isinstance(v, str) and v.isspace() else v for v in r] + [""] * (width - len(r))
        for r in rows
    ]
    grid = pd.DataFrame(padded, dtype=object) if padded else pd.DataFrame(dtype=object)
    return grid.where(grid.notna(), "")


def test_the_grid_is_what_cell_by_cell_makes():
    import datetime
    import random

    from analysis.ingest.read import _grid

    # Spaces of every kind, text around spaces, and values that compare equal across types
    # (1, 1.0, True; 0.0, -0.0, False), which must each stay as read.
    pool = [" ", "\u3000", " \t", "", "a", " a ", 1, 1.0, True, 0, 0.0, -0.0, False]
    pool += [float("nan"), None, datetime.date(2019, 1, 1), "2019", 2019]
    chance = random.Random(1)
    for _ in range(300):
        rows = [
            [chance.choice(pool) for _ in range(chance.randint(0, 6))]
            for _ in range(chance.randint(0, 8))
        ]
        expected, found = _grid_cell_by_cell(rows), _grid(rows)
        pd.testing.assert_frame_equal(found, expected)
        for a, b in zip(found.to_numpy().ravel(), expected.to_numpy().ravel(), strict=True):
            assert type(a) is type(b) and (a == b or (a != a and b != b)), rows
