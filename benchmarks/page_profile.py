"""Per-page CPU of village pages in one warm process, and a cProfile of them.

Runs village notebooks' cells in-process, as ``bench_build.py``'s per-page CPU figure does,
over a build folder that ``bench_build.py`` made (its ``processed``, ``raw`` and executed
notebooks; read only)::

    .venv/bin/python benchmarks/page_profile.py --pages 12
    .venv/bin/python benchmarks/page_profile.py --pages 30 --profile 40
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=bench_build.WORK, help="a bench build folder")
    parser.add_argument("--pages", type=int, default=12, help="pages measured, after 2 warm-up")
    parser.add_argument("--profile", type=int, default=0, help="print this many profile lines")
    args = parser.parse_args()
    bench_build.WORK = args.work
    raw = args.work / "raw"
    codes = bench_build.village_codes(raw)[: args.pages + 2]
    if args.profile:
        runs = [bench_build._village_run(code, raw) for code in codes]
        for run in runs[:2]:
            run()
        profiler = cProfile.Profile(time.process_time)
        for run in runs[2:]:
            profiler.runcall(run)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        return 0
    seconds = bench_build.page_cpu(codes, raw)
    print(
        f"{len(seconds)} pages: median {statistics.median(seconds):.3f} s CPU, "
        f"min {min(seconds):.3f}, max {max(seconds):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
