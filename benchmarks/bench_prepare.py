"""Benchmark: ``prepare`` on a synthetic county of 3,500 villages and six years.

Goal: at most 30 s and 2 GiB peak memory on 2 cores. The raw data set is generated once and
cached in ``benchmarks/out/`` (gitignored); delete it to regenerate.

    .venv/bin/python benchmarks/bench_prepare.py [--villages 3500] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis.pipeline.prepare import prepare  # noqa: E402
from analysis.tools import sample  # noqa: E402


def peak_mib() -> float:
    """Peak resident memory of this process and its children, MiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=3500)
    parser.add_argument("--profile", action="store_true", help="print the 25 slowest functions")
    args = parser.parse_args()

    raw = HERE / "out" / f"raw_{args.villages}"
    if not (raw / "SAMPLE").exists():
        started = time.perf_counter()
        shutil.rmtree(raw, ignore_errors=True)
        sample.write_sample(raw, sample.synthetic_villages(args.villages), published=None)
        print(f"generated {raw} in {time.perf_counter() - started:.1f} s")
    out = HERE / "out" / f"processed_{args.villages}"
    shutil.rmtree(out, ignore_errors=True)

    profiler = cProfile.Profile() if args.profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = prepare(raw, out)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    totals = result.summary["totals"]
    print(
        f"prepare: {args.villages} villages, {totals['rows_read']} rows read, "
        f"{totals['rows_accepted']} accepted, {totals['rows_quarantined']} quarantined, "
        f"{result.summary['problems']['error']} errors"
    )
    # CPU time says how much work it was when other programs share the two cores.
    print(f"seconds: {seconds:.1f} wall, {cpu:.1f} CPU  (goal <= 30)")
    print(f"peak memory: {peak_mib():.0f} MiB  (goal <= 2048)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
