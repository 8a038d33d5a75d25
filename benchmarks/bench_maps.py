"""Benchmark: CPU seconds of a map as a page draws it (the figure, then its PNG at 100 dpi).

The locator map is drawn on every village page, so it is the one to keep cheap; the township's
maps are drawn once a build. Prints medians and minima of ``--runs`` passes over the sample's
villages; asserts nothing. It measures the tree it sits in: to compare two trees, put a copy in
the other's ``benchmarks/`` and run the two in turn (not at once: they share the cores).

    .venv/bin/python benchmarks/bench_maps.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis.pipeline.prepare import ensure_processed  # noqa: E402
from analysis.pipeline.store import load_tables  # noqa: E402
from analysis.reporting import page_maps  # noqa: E402
from analysis.reporting.sections import png_bytes  # noqa: E402


def seconds_per_map(draw, items, runs: int) -> list[float]:
    """CPU seconds per map of each pass over ``items``, after one map to warm up."""
    png_bytes(draw(items[0]))
    passes = []
    for _ in range(runs):
        started = time.process_time()
        for item in items:
            png_bytes(draw(item))
        passes.append((time.process_time() - started) / len(items))
    return passes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="passes over the villages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        processed = Path(folder) / "processed"
        ensure_processed(config.RAW_DIR, processed)
        tables = load_tables(processed)
        codes = [str(c) for c in tables.villages["code"]]
        year = config.DEFAULT_YEAR
        maps = {
            "locator": (lambda code: page_maps.locator_figure(tables, code), codes),
            "corridor": (lambda _: page_maps.corridor_figure(tables), [None]),
            "sanitation": (lambda _: page_maps.sanitation_figure(tables, year), [None]),
            "sanitary rate": (lambda _: page_maps.sanitary_rate_figure(tables, year), [None]),
        }
        for name, (draw, items) in maps.items():
            passes = seconds_per_map(draw, items, args.runs)
            print(
                f"{name:14s} CPU s/map: median {statistics.median(passes):.4f}  "
                f"min {min(passes):.4f}  ({len(items)} maps x {args.runs} passes)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
