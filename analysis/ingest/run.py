"""One validation run: what every checker reads (catalog, registry) and writes (the ledger,
the values and totals rows the tables yielded)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.core.catalog import Catalog
from analysis.ingest.ledger import Ledger
from analysis.ingest.registry import Registry


@dataclass
class Run:
    """One validation run: catalog, registry, ledger, and what the tables yielded."""

    catalog: Catalog
    registry: Registry
    ledger: Ledger
    values: list[pd.DataFrame] = field(default_factory=list)
    totals: list[pd.DataFrame] = field(default_factory=list)
    sheet_villages: list[pd.DataFrame] = field(default_factory=list)
