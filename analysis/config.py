"""Paths and defaults, in one place. Every other module takes paths as arguments."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

RAW_DIR = PROJECT_DIR / "data" / "raw"
PROCESSED_DIR = PROJECT_DIR / "data" / "processed"
REPORTS_DIR = PROJECT_DIR / "reports"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
CATALOG_PATH = PACKAGE_DIR / "core" / "indicators.yaml"

# ../shared holds the project's reference data (seed document, real boundaries) beside the repo.
SHARED_DIR = Path(os.environ.get("MINSHENG_SHARED", PROJECT_DIR.parent / "shared"))

#: The sample township: 大桥镇, 信丰县, 赣州市, 江西省.
SAMPLE_TOWN_CODE = "360722103"
SAMPLE_TOWN_NAME = "大桥镇"
SAMPLE_COUNTY_NAME = "信丰县"

DEFAULT_YEAR = 2019
TARGET_YEAR = 2020
FIRST_YEAR = 2000
LAST_YEAR = 2035

#: Storage CRS (CGCS2000 geographic) and measuring CRS (CGCS2000 / 3-degree GK CM 114E, Ganzhou).
STORAGE_CRS = "EPSG:4490"
MEASURE_CRS = "EPSG:4547"

#: File names inside data/raw/ for the registry and the published figures.
REGISTRY_FILE = "villages.csv"
PUBLISHED_FILE = "published_figures.csv"
TARGETS_FILE = "targets_2020.csv"

#: Marker shown on every page built from the synthetic sample.
SAMPLE_MARKER_FILE = "SAMPLE"
SAMPLE_LABEL_ZH = "示例数据"
