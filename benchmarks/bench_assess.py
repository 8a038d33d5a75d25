"""Benchmark: ``trends.assess_targets`` on processed tables, this method against an earlier one.

Times the batch of projections ``prepare`` writes (every target, and every village for the
township-scoped indicators) on the processed folders given, alternating the method of an
earlier commit (``--before``, as in ``bench_coverage.py``) with this one so that both see the
same load, and alternating too the one-series path of this method (``alone``: every village
projected by itself, as before the batch of issue 17) with the batched one (``after``). Prints
seconds only; nothing is asserted.

    .venv/bin/minsheng prepare data/raw /tmp/sample-processed
    .venv/bin/minsheng sample /tmp/s300 --villages 300
    .venv/bin/minsheng prepare /tmp/s300 /tmp/s300-processed
    .venv/bin/python benchmarks/bench_assess.py /tmp/sample-processed /tmp/s300-processed
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_coverage import BEFORE, load_before  # noqa: E402

from analysis.core import trends  # noqa: E402
from analysis.core.trends import batch  # noqa: E402


def alone(indicators: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """``assess_targets`` with the village batch turned off: every village projected alone."""
    batched = batch.village_projections
    batch.village_projections = lambda *args, **kwargs: {}
    try:
        return trends.assess_targets(indicators, targets)
    finally:
        batch.village_projections = batched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("processed", nargs="+", type=Path, help="processed folders")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", default=BEFORE, help="git revision of the earlier method")
    args = parser.parse_args()

    before = load_before(args.before)
    if before is None:
        print(f"(git cannot show {args.before}:analysis/core/trends.py; 'before' not run)")
    methods = [("alone", alone), ("after", trends.assess_targets)]
    if before is not None:
        methods.insert(0, ("before", before.assess_targets))
    for folder in args.processed:
        indicators = pd.read_parquet(folder / "indicators.parquet")
        targets = pd.read_parquet(folder / "targets.parquet")
        seconds: dict[str, list[float]] = {name: [] for name, _ in methods}
        for _ in range(args.runs):
            for name, method in methods:
                started = time.perf_counter()
                rows = len(method(indicators, targets))
                seconds[name].append(time.perf_counter() - started)
        villages = indicators["village_code"].nunique()
        for name, times in seconds.items():
            print(
                f"{folder.name}: {villages} villages, {rows} rows, {name:<6} median "
                f"{statistics.median(times):.3f} s, min {min(times):.3f} s over {args.runs}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
