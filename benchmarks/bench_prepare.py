"""Benchmark: ``minsheng prepare`` on a synthetic province of 17,000 villages and six years.

Goals (issue 17): at most 60 s and under 4 GiB peak memory on 2 cores; and the data set itself
written by ``minsheng sample OUT --villages 17000`` in a minute or less. The raw data set is
generated once with that command, timed, and cached in ``benchmarks/out/`` (gitignored);
``--fresh`` writes it again. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_prepare.py [--villages 17000] [--fresh] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis.pipeline.prepare import prepare  # noqa: E402

#: The venv's console scripts, next to the interpreter running this file.
BIN = Path(sys.executable).parent


def peak_mib() -> float:
    """Peak resident memory of this process and its children, MiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=17_000)
    parser.add_argument("--fresh", action="store_true", help="write the raw data set again")
    parser.add_argument("--profile", action="store_true", help="print the 25 slowest functions")
    args = parser.parse_args()

    raw = HERE / "out" / f"raw_{args.villages}"
    if args.fresh or not (raw / "SAMPLE").exists():
        shutil.rmtree(raw, ignore_errors=True)
        command = [BIN / "minsheng", "sample", raw, "--villages", args.villages, "--quiet"]
        started = time.perf_counter()
        subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        print(f"sample: {seconds:.1f} s wall  (goal <= 60)  {' '.join(map(str, command))}")
    else:
        print(f"sample: reused {raw} (--fresh to write and time it again)")
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
        f"{result.summary['problems']['error']} errors  (prepare({raw}, {out}))"
    )
    # CPU time says how much work it was when other programs share the two cores.
    print(f"seconds: {seconds:.1f} wall, {cpu:.1f} CPU  (goal <= 60)")
    print(f"peak memory: {peak_mib() / 1024:.2f} GiB  (goal < 4)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
