"""The rare-character case of issue 31: the bundled sample with two village names written with
characters outside the Basic Multilingual Plane that the house font lacks (CJK Extension B).

竹村村 becomes 竹𣵦村 (U+23D66, spelled （氵甸）) and 八角村 becomes 八𠮷村 (U+20BB7, spelled （土口）):
in the registry, the workbooks (``.xlsx``), the targets, the published figures and the map
layers the real character; in the GBK population CSV, which cannot hold it, the component
form a clerk writes (竹（氵甸）村委会), as ``analysis/core/rare_characters.csv`` spells it.

:func:`rare_sample` makes the whole raw folder at test time (for builds); running this script
writes the three files the ingest tests read into ``tests/data/rare_names/`` (committed):

    .venv/bin/python tests/data/make_rare_names.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE.parents[1] / "data" / "raw"
OUT = HERE / "rare_names"
FIXED = dt.datetime(2020, 1, 1, 0, 0, 0)

#: The sample's names and what they become: the real characters, and the component forms.
RENAMES = {"竹村": "竹\U00023d66", "八角": "八\U00020bb7"}
COMPONENT_FORMS = {"竹村": "竹（氵甸）", "八角": "八（土口）"}
#: The population table: GBK, so its names are written in component form.
GBK_CSV = "户数人口_2014-2019.csv"
#: The files :func:`main` keeps for the ingest tests.
KEPT = ("villages.csv", "民生工作台账_2019.xlsx", GBK_CSV)
#: Codes of the renamed villages, by their new short names.
CODES = {"竹\U00023d66村": "360722103200", "八\U00020bb7村": "360722103205"}


def _renamed(text: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        text = text.replace(old, new)
    return text


def _rename_workbook(path: Path) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(old in cell.value for old in RENAMES):
                    cell.value = _renamed(cell.value, RENAMES)
    workbook.properties.created = workbook.properties.modified = FIXED
    workbook.save(path)


def _rename_geopackage(path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    layers = [name for name, _ in pyogrio.list_layers(path)]
    frames = {layer: gpd.read_file(path, layer=layer) for layer in layers}
    path.unlink()
    for layer, frame in frames.items():
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(
                    lambda v: _renamed(v, RENAMES) if isinstance(v, str) else v
                )
        frame.to_file(path, layer=layer, driver="GPKG")


def rare_sample(dest: Path | str) -> Path:
    """Copy ``data/raw`` to ``dest`` with the two villages renamed; returns ``dest``."""
    dest = Path(dest)
    shutil.copytree(RAW, dest)
    for path in sorted(dest.rglob("*")):
        if path.name == GBK_CSV:
            text = path.read_bytes().decode("gbk")
            path.write_bytes(_renamed(text, COMPONENT_FORMS).encode("gbk"))
        elif path.suffix in (".csv", ".geojson"):
            path.write_text(_renamed(path.read_text("utf-8"), RENAMES), "utf-8", newline="")
        elif path.suffix == ".xlsx":
            _rename_workbook(path)
        elif path.suffix == ".gpkg":
            _rename_geopackage(path)
    return dest


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sample = rare_sample(Path(tmp) / "raw")
        OUT.mkdir(exist_ok=True)
        for name in KEPT:
            shutil.copyfile(sample / name, OUT / name)
    print(f"wrote {', '.join(KEPT)} to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
