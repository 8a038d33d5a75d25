"""Write the malformed inputs in ``tests/data/bad/`` (and the tricky-but-valid ones in
``tests/data/tricky/``) that the ingest and validation tests read.

The generated files are committed; run this again after changing it:

    .venv/bin/python tests/data/make_bad.py

Every workbook is saved with fixed timestamps, so regenerating gives identical bytes.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import geopandas as gpd  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from shapely.geometry import Point, Polygon  # noqa: E402

from analysis import config  # noqa: E402
from analysis.pipeline.workbook import save_workbook  # noqa: E402
from analysis.tools import sample  # noqa: E402

BAD = HERE / "bad"
TRICKY = HERE / "tricky"
REGISTRY = HERE / "villages.csv"

HEADER = ["村（居）名称", "年度", "户数（户）", "人口（人）", "医疗保险参保率(%)"]
GOOD_ROWS = [
    ["青光村", 2019, 812, 2900, 85.2],
    ["竹村村", 2019, 640, 2301, 86.0],
    ["新圩", 2019, 905, 3188, 87.4],
]


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]], merged=()) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    for sheet_name, cell_range in merged:
        wb[sheet_name].merge_cells(cell_range)
    save_workbook(wb, path)


def write_xls(path: Path, sheet: str, rows: Sequence[Sequence[object]]) -> None:
    """Excel 97-2003 (BIFF8); xlwt is needed only to regenerate this file."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    grid = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            grid.write(r, c, value)
    book.save(str(path))


def with_cell(rows, r: int, c: int, value) -> list[list[object]]:
    """A copy of ``rows`` with one cell replaced (r, c 0-based into ``rows``)."""
    copy = [list(row) for row in rows]
    copy[r][c] = value
    return copy


def table(rows=GOOD_ROWS, header=HEADER) -> list[list[object]]:
    return [list(header), *[list(r) for r in rows]]


# --- the malformed inputs ----------------------------------------------------------------------


def bad_files() -> dict[str, Callable[[Path], None]]:
    """File name → writer. The tests in test_validate.py state what each must report."""
    jobs = {
        "welfare": ["村（居）名称", "年度", "乡村保洁员（人）", "护林员（人）", "公益性岗位（个）"]
    }
    return {
        "empty.csv": lambda p: p.write_bytes(b""),
        "truncated.xlsx": lambda p: (
            write_xlsx(p, {"数据": table()}),
            p.write_bytes(p.read_bytes()[:900]),
        ),
        "renamed_text.xlsx": lambda p: p.write_text("村名,年度\n青光村,2019\n", encoding="utf-8"),
        "undecodable.csv": lambda p: p.write_bytes(
            "村（居）名称,年度\n".encode() + b"\xff\xfe\xff\x80,2019\n"
        ),
        "broken_quote.csv": lambda p: p.write_text(
            '村（居）名称,年度,户数（户）\n"青光村,2019,812\n', encoding="utf-8"
        ),
        "no_header.csv": lambda p: write_csv(p, [["青光", 2019, 812], ["竹村", 2019, 640]]),
        "missing_year_column.csv": lambda p: write_csv(
            p, [["村（居）名称", "户数（户）", "人口（人）"], ["青光村", 812, 2900]]
        ),
        "missing_village_column.xlsx": lambda p: write_xlsx(
            p,
            {"数据": [["年度", "户数（户）", "人口（人）"], [2019, 812, 2900], [2019, 640, 2301]]},
        ),
        "unknown_column.csv": lambda p: write_csv(
            p, table([[*r, 3] for r in GOOD_ROWS], [*HEADER, "医保参加率(%)"])
        ),
        "unit_mismatch.csv": lambda p: write_csv(
            p,
            table(header=["村（居）名称", "年度", "户数（人）", "人口（人）", "医疗保险参保率(%)"]),
        ),
        "unknown_village.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 1, 0, "清光村"))),
        "merged_village.xlsx": lambda p: write_xlsx(
            p,
            {
                "数据": [
                    HEADER,
                    ["青光村", 2017, 800, 2850, 84.0],
                    [None, 2018, 806, 2877, 84.9],
                    [None, 2019, 812, 2900, 85.2],
                ]
            },
            merged=[("数据", "A2:A4")],
        ),
        "blank_year.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 2, 1, ""))),
        "bad_year.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 0, 1, "去年"))),
        "year_out_of_range.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 1, 1, 1999))),
        "negative_count.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 0, 2, -812))),
        "rate_130.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 2, 4, "130%"))),
        "text_in_number.xlsx": lambda p: write_xlsx(
            p, {"社会保障": table(with_cell(GOOD_ROWS, 1, 3, "约2300人"))}
        ),
        "fractional_count.csv": lambda p: write_csv(p, table(with_cell(GOOD_ROWS, 1, 2, 640.5))),
        "unknown_cell_unit.csv": lambda p: write_csv(
            p,
            [
                ["村（居）名称", "年度", "脐橙种植面积（亩）"],
                ["青光村", 2019, "560"],
                ["八角村", 2019, "72公斤"],
            ],
        ),
        "duplicate_conflict.csv": lambda p: write_csv(
            p, table([*GOOD_ROWS, ["青光村委会", 2019, 812, 2950, 85.2]])
        ),
        "duplicate_identical.csv": lambda p: write_csv(
            p, table([*GOOD_ROWS, ["青光", 2019, 812, 2900, 85.2]])
        ),
        "duplicate_column.csv": lambda p: write_csv(
            p,
            [
                ["村（居）名称", "年度", "户数（户）", "总户数"],
                ["青光村", 2019, 812, 812],
                ["竹村村", 2019, 640, 604],
            ],
        ),
        "totals_mismatch.xlsx": lambda p: write_xlsx(
            p,
            {
                "基本情况": [
                    ["大桥镇2019年基本情况"],
                    *table(),
                    ["合计", 2019, 2400, 8389, 86.3],
                ]
            },
        ),
        "cross_rule.csv": lambda p: write_csv(
            p,
            [jobs["welfare"], ["青光村", 2019, 4, 3, 6], ["竹村村", 2019, 3, 2, 5]],
        ),
        "poverty_exit.csv": lambda p: write_csv(
            p,
            [
                ["村（居）名称", "年度", "未脱贫户数（户）", "当年脱贫户数（户）"],
                ["青光村", 2018, 5, 10],
                ["青光村", 2019, 1, 9],
            ],
        ),
        "rate_fraction.xlsx": lambda p: write_xlsx(
            p,
            {
                "社会保障": [
                    ["大桥镇 2019 年社会保障台账"],
                    ["填报单位：大桥镇人民政府"],
                    [],
                    [],
                    HEADER,
                    *[[*r[:4], r[4] / 100] for r in GOOD_ROWS],
                ]
            },
        ),
        "sheet_without_header.xlsx": lambda p: write_xlsx(
            p,
            {
                "数据": table(),
                "草稿": [["青光", 2019, 812], ["竹村", 2019, 640]],
            },
        ),
        "bowtie.geojson": lambda p: _layer(
            p, [Polygon([(115.0, 25.4), (115.02, 25.42), (115.02, 25.4), (115.0, 25.42)])]
        ),
        "hole_outside.geojson": lambda p: _layer(
            p,
            [
                Polygon(
                    [(115.0, 25.4), (115.01, 25.4), (115.01, 25.41), (115.0, 25.41)],
                    [[(115.02, 25.4), (115.03, 25.4), (115.03, 25.41), (115.02, 25.41)]],
                )
            ],
        ),
        "null_geometry.geojson": lambda p: _layer(p, [None]),
        "boundary_unknown_code.geojson": lambda p: _layer(
            p,
            [Point(115.0, 25.4).buffer(0.01), Point(115.05, 25.4).buffer(0.01)],
            code=["360722103203", "360722103999"],
        ),
        "no_crs.shp": lambda p: gpd.GeoDataFrame(
            {"name": ["base"]}, geometry=[Point(115.0, 25.4).buffer(0.01)]
        ).to_file(p, engine="pyogrio"),
        "points_unknown_system.csv": lambda p: write_csv(
            p,
            [
                ["kind", "village_code", "year", "lon", "lat", "coord_sys"],
                ["household_toilet", "360722103203", 2019, 114.93, 25.40, "gcj02"],
                ["household_toilet", "360722103203", 2019, 114.94, 25.41, "火星坐标"],
            ],
        ),
        "points_bad_lon.csv": lambda p: write_csv(
            p,
            [
                ["kind", "village_code", "year", "lon", "lat", "coord_sys"],
                ["sewage_site", "360722103003", 2019, "东经115度", 25.40, "gcj02"],
            ],
        ),
        "points_no_coord_sys.csv": lambda p: write_csv(
            p,
            [
                ["kind", "village_code", "year", "lon", "lat"],
                ["household_toilet", "360722103203", 2019, 114.93, 25.40],
            ],
        ),
        "points_unknown_village.csv": lambda p: write_csv(
            p,
            [
                ["kind", "village_code", "year", "lon", "lat", "coord_sys"],
                ["household_toilet", "360722103299", 2019, 114.93, 25.40, "gcj02"],
                ["household_toilet", "360722103203", 2019, 114.94, 25.41, "GCJ-02"],
            ],
        ),
        "notes.docx": lambda p: p.write_bytes(b"PK\x03\x04 not really a document"),
    }


def _layer(path: Path, geometries, **columns) -> None:
    gdf = gpd.GeoDataFrame(
        {"name": [f"基地{i}" for i in range(len(geometries))], **columns},
        geometry=geometries,
        crs=config.STORAGE_CRS,
    )
    path.write_text(gdf.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")


# --- folders: the other raw tables ---------------------------------------------------------------


def bad_folders() -> dict[str, Callable[[Path], None]]:
    """Folder name → writer, for inputs that are recognised by their file name in a raw folder."""

    def targets(folder: Path) -> None:
        write_csv(
            folder / config.TARGETS_FILE,
            [
                ["范围", "指标", "目标年份", "目标值", "单位", "来源"],
                ["大桥镇", "未脱贫户数", 2020, 0, "户", "F41"],
                ["大桥镇", "幸福指数", 2020, 95, "%", "示例"],
                ["清光村", "脐橙种植面积", 2020, 3000, "亩", "F43"],
                ["大桥镇", "公路硬化工程", 2020, "三", "条", "F44"],
            ],
        )

    def projects(folder: Path) -> None:
        write_xlsx(
            folder / "扶贫项目库_2019.xlsx",
            {
                "项目库": [
                    [
                        "序号",
                        "项目名称",
                        "项目批次",
                        "所在村",
                        "资金规模（万元）",
                        "是否开工",
                        "是否竣工",
                    ],
                    [1, "青光村安全饮水项目", "第二批", "青光村", 23.9, "是", "是"],
                    [2, "某某村道路项目", "第二批", "某某村", 12.0, "是", "否"],
                    [3, "老圩光伏项目", "第三批", "老圩", "五十", "是", "大概"],
                    ["合计", None, None, None, 35.9, None, None],
                ]
            },
        )

    def registry(folder: Path) -> None:
        write_csv(
            folder / config.REGISTRY_FILE,
            [
                ["code", "name", "short_name", "kind", "town_code", "town_name"],
                ["360722103203", "青光村委会", "青光村", "村委会", "360722103", "大桥镇"],
                ["36072210320", "竹村村委会", "竹村村", "村委会", "360722103", "大桥镇"],
                ["360722103203", "青光村委会", "青光村", "村委会", "360722103", "大桥镇"],
            ],
        )

    def across_files(folder: Path) -> None:
        """Population from a GBK CSV, poverty from a workbook: the rule spans the two files."""
        write_csv(folder / "户数人口.csv", table(), "gbk")
        write_xlsx(
            folder / "脱贫攻坚.xlsx",
            {
                "脱贫攻坚": [
                    ["村（居）名称", "年度", "未脱贫户数（户）", "未脱贫人口（人）"],
                    ["青光村", 2019, 2, 3000],
                    ["竹村村", 2019, 1, 2],
                ]
            },
        )

    return {
        "targets_folder": targets,
        "projects_folder": projects,
        "registry_folder": registry,
        "cross_files_folder": across_files,
    }


# --- tricky but valid ----------------------------------------------------------------------------


def tricky_files() -> dict[str, Callable[[Path], None]]:
    """Valid inputs in the forms township offices really send: they must validate clean."""
    rows = table()
    return {
        "utf8.csv": lambda p: write_csv(p, rows),
        "utf8_bom.csv": lambda p: write_csv(p, rows, "utf-8-sig"),
        "gbk.csv": lambda p: write_csv(p, rows, "gbk"),
        # 㙟 (U+365F) is in GB18030 but not in GBK: such a file must be reported as gb18030.
        "gb18030.csv": lambda p: write_csv(p, [["说明：㙟"], *rows], "gb18030"),
        "utf16_tab.txt": lambda p: p.write_bytes(
            "\r\n".join("\t".join(str(c) for c in r) for r in rows).encode("utf-16")
        ),
        "messy_cells.xlsx": lambda p: write_xlsx(
            p,
            {
                "台账": [
                    ["大桥镇各村民生数据（2019年）"],
                    [],
                    [
                        " 村 （居） 名称 ",
                        "年 度",
                        "户数",
                        "人口 (人)",
                        "医保参保率（%）",
                        "产业奖补金额（万元）",
                        "脐橙面积（公顷）",
                        "硬化路里程(公里)",
                        "备注",
                    ],
                    ["青光村委会", "２０１９", "８１２", "2,900", "85.2%", "1.5万", 40, "12.5", ""],
                    ["竹村", "2019年", 640, "2 301", "—", "/", "无", "-", "数据待核"],
                    ["新圩居委会", 2019.0, "905户", 3188, 87.4, "15000元", "", None, ""],
                    ["小计", 2019, 2357, 8389, None, None, None, None, ""],
                    ["填表人：李明    审核人：王芳"],
                ]
            },
        ),
        # The same table as Excel 97-2003: ingest reads it through its marked .xlsx copy.
        "old_excel.xls": lambda p: write_xls(p, "数据", rows),
        "codes_only.csv": lambda p: write_csv(
            p,
            [
                ["村代码", "年份", "户数（户）"],
                ["360722103203", 2019, 812],
                ["360722103200", 2019, 640],
            ],
        ),
    }


def main() -> None:
    for folder in (BAD, TRICKY):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    sample.write_registry(
        REGISTRY, sample.DAQIAO_VILLAGES, config.SAMPLE_TOWN_CODE, config.SAMPLE_TOWN_NAME
    )
    for name, writer in bad_files().items():
        writer(BAD / name)
    for name, writer in bad_folders().items():
        (BAD / name).mkdir()
        writer(BAD / name)
    for name, writer in tricky_files().items():
        writer(TRICKY / name)
    count = len(bad_files()) + len(bad_folders())
    print(f"wrote {count} malformed inputs to {BAD} and {len(tricky_files())} to {TRICKY}")


if __name__ == "__main__":
    main()
