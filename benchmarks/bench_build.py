"""Benchmark: ``minsheng build`` on a synthetic county, against the plain papermill route.

Goals (issue 7), on 2 cores: at least 10x faster per village than ``papermill`` then
``jupyter nbconvert``; under 0.2 s per village beyond the notebooks' own compute; a
nothing-changed rebuild under 2 s; peak memory under 4 GiB. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_build.py [--villages 300] [--plain 5] [--workers N] [--profile]

The county is written once by ``minsheng sample`` into ``benchmarks/out/county`` (gitignored)
and reused while its seed and size match. Builds run on a copy of it in
``benchmarks/out/build/``, because one village's figure is changed for the incremental rebuild.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import io
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil  # a dependency of distributed, so always installed with minsheng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis.build import jobs  # noqa: E402
from analysis.tools import sample  # noqa: E402

#: The venv's console scripts, next to the interpreter running this file.
BIN = Path(sys.executable).parent
OUT = HERE / "out"
COUNTY = OUT / "county"
WORK = OUT / "build"
YEAR = config.DEFAULT_YEAR
GIB = 1024**3

GOALS = {
    "speed_up": 10.0,  # times faster per village than the plain route
    "overhead": 0.2,  # seconds per village beyond the notebooks' own compute
    "rebuild": 2.0,  # seconds for a rebuild with nothing changed
    "peak": 4.0,  # GiB, total resident memory of the process tree
}


# --- measuring a command ---------------------------------------------------------------------


class TreeSampler(threading.Thread):
    """Peak summed RSS and CPU seconds of a process and all its descendants.

    ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest single process, not the sum over
    the worker processes and kernels alive at the same time; and kernels orphaned when a pool
    worker exits are never reaped by us, so their CPU time would be missing from RUSAGE_CHILDREN.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.cpu: dict[int, float] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                try:
                    with proc.oneshot():
                        total += proc.memory_info().rss
                        times = proc.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                self.cpu[proc.pid] = times.user + times.system
            self.peak_rss = max(self.peak_rss, total)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def largest_process_rss() -> int:
    """Peak RSS of the largest single descendant reaped so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


class Run:
    """One command's wall time, output, peak tree memory and CPU seconds."""

    def __init__(self, *cmd: object, check: bool = True) -> None:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        self.stdout, self.stderr = proc.communicate()
        self.seconds = time.perf_counter() - started
        sampler.stop()
        self.peak_rss, self.cpu_seconds = sampler.peak_rss, sampler.cpu_seconds
        if check and proc.returncode != 0:
            sys.exit(
                f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{self.stderr[-3000:]}"
            )


def build(raw: Path, workers: int | None) -> Run:
    cmd = [BIN / "minsheng", "build", "--data", raw, "--out", WORK / "reports"]
    cmd += ["--processed", WORK / "processed", "--year", YEAR, "--quiet"]
    if workers:
        cmd += ["--workers", workers]
    # Exit status 1 with a "built N" line means some pages failed: counted, not fatal.
    return Run(*cmd, check=False)


def built_reused(run: Run) -> tuple[int, int]:
    """The CLI's own count: 'built N, reused M from cache'."""
    match = re.search(r"built (\d+), reused (\d+)", run.stdout)
    if not match:
        sys.exit(f"the build did not finish:\n{run.stdout}\n{run.stderr[-3000:]}")
    return int(match[1]), int(match[2])


def build_cache() -> dict:
    return json.loads((WORK / "reports" / str(YEAR) / jobs.CACHE_FILE).read_text("utf-8"))


# --- the notebooks' own compute --------------------------------------------------------------


def cell_seconds(path: Path) -> list[tuple[str, float]]:
    """(last source line, seconds) of each code cell, from the kernel's own timestamps
    (``iopub.execute_input`` → ``shell.execute_reply``, written by nbclient)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        times = cell.get("metadata", {}).get("execution", {})
        if cell["cell_type"] != "code" or "shell.execute_reply" not in times:
            continue
        start = dt.datetime.fromisoformat(times["iopub.execute_input"])
        end = dt.datetime.fromisoformat(times["shell.execute_reply"])
        source = "".join(cell["source"]).strip().splitlines()
        cells.append((source[-1] if source else "", (end - start).total_seconds()))
    return cells


def own_compute(path: Path) -> float:
    return sum(seconds for _, seconds in cell_seconds(path))


def papermill_cell_total(path: Path) -> float:
    """papermill's own per-cell ``duration`` summed: kernel time plus message round trips."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        c["metadata"].get("papermill", {}).get("duration") or 0.0
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )


# --- the data ---------------------------------------------------------------------------------


def ensure_county(villages: int) -> None:
    marker = COUNTY / config.SAMPLE_MARKER_FILE
    wanted = {"seed": sample.DEFAULT_SEED, "villages": villages}
    if marker.exists():
        written = json.loads(marker.read_text(encoding="utf-8"))
        if {k: written.get(k) for k in wanted} == wanted:
            return
    shutil.rmtree(COUNTY, ignore_errors=True)
    run = Run(
        BIN / "minsheng", "sample", COUNTY, "--villages", villages,
        "--seed", sample.DEFAULT_SEED, "--quiet",
    )  # fmt: skip
    print(f"generated {COUNTY} ({villages} villages) in {run.seconds:.1f} s")


def village_codes(raw: Path) -> list[str]:
    with (raw / config.REGISTRY_FILE).open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def change_one_village(raw: Path, code: str) -> str:
    """Add 1 to one count of ``code`` in the latest-year workbook, and to the sheet's 合计 row
    as a clerk would, so the totals check still passes. Returns what was changed."""
    from openpyxl import load_workbook

    number = village_codes(raw).index(code) + 1  # the 序号 column follows registry order
    path = max(raw.glob("民生工作台账_*.xlsx"))
    wb = load_workbook(path)
    ws = wb["社会保障"]
    rows = list(ws.iter_rows())
    header = next(row for row in rows if row[0].value == "序号")
    column = next(i for i, c in enumerate(header) if "人次" in str(c.value or ""))
    changed = [row for row in rows if row[0].value == number or row[1].value == "合计"]
    for row in changed:
        row[column].value += 1
    wb.save(path)
    return f"{path.name} 社会保障!{header[column].value} +1"


# --- the plain route --------------------------------------------------------------------------


def plain_route(codes: list[str], raw: Path) -> list[dict]:
    """papermill CLI, then nbconvert CLI, one village after another, as a user would."""
    folder = WORK / "plain"
    folder.mkdir(parents=True, exist_ok=True)
    notebook = config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK
    timings = []
    for code in codes:
        executed = folder / f"{code}.ipynb"
        # -r, not -p: papermill's -p would turn the 12-digit code into an int.
        papermill = Run(
            BIN / "papermill", notebook, executed, "--no-progress-bar",
            "-r", "village_code", code,
            "-r", "processed_dir", WORK / "processed",
            "-r", "raw_dir", raw,
        )  # fmt: skip
        nbconvert = Run(
            BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed,
            "--output-dir", folder, "--log-level", "WARN",
        )  # fmt: skip
        timings.append(
            {
                "papermill": papermill.seconds,
                "nbconvert": nbconvert.seconds,
                "cpu": papermill.cpu_seconds + nbconvert.cpu_seconds,
                "peak": max(papermill.peak_rss, nbconvert.peak_rss),
                "compute": own_compute(executed),
                "papermill_cells": papermill_cell_total(executed),
            }
        )
    return timings


# --- profile ----------------------------------------------------------------------------------


def profile_village(code: str, raw: Path) -> None:
    """cProfile one village's notebook cells run in this process, then its HTML export.

    The cells run once unprofiled first, so imports and font caches are warm, as in a warm
    kernel; their displays go nowhere (outside a kernel IPython prints them)."""
    import nbformat

    from analysis.reporting import publish

    nb = nbformat.read(config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    parameters = (
        f"village_code = {code!r}\nprocessed_dir = {str(WORK / 'processed')!r}\n"
        f"raw_dir = {str(raw)!r}\n"
    )
    executed = nbformat.read(WORK / "reports" / str(YEAR) / "notebooks" / f"{code}.ipynb", 4)

    def run() -> None:
        namespace: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for source in (cells[0], parameters, *cells[1:]):
                exec(source, namespace)
        publish.notebook_page(executed, code, publish.Provenance(data_fingerprint=""))

    run()
    profiler = cProfile.Profile()
    profiler.runcall(run)
    print(f"\nprofile of village {code}, in-process (cumulative seconds):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


# --- report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=300, help="county size (default 300)")
    parser.add_argument("--plain", type=int, default=5, help="villages run the plain way")
    parser.add_argument("--workers", type=int, default=None, help="build workers (default: cores)")
    parser.add_argument("--profile", action="store_true", help="cProfile one village in-process")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    ensure_county(args.villages)
    shutil.rmtree(WORK, ignore_errors=True)
    raw = WORK / "raw"
    shutil.copytree(COUNTY, raw)
    codes = village_codes(raw)
    workers = args.workers or os.cpu_count() or 1

    cold = build(raw, args.workers)
    cold_counts = built_reused(cold)
    cold_cache = build_cache()
    unchanged = build(raw, args.workers)
    unchanged_counts = built_reused(unchanged)

    target = codes[len(codes) // 2]
    change = change_one_village(raw, target)
    before = build_cache()
    one = build(raw, args.workers)
    one_counts = built_reused(one)
    after = build_cache()
    ran = sorted(k for k in after if after[k] != before.get(k))

    step = max(1, len(codes) // args.plain)
    plain = plain_route(codes[::step][: args.plain], raw)

    # Per village: the cold build's wall time over the county (township page and prepare
    # included); the plain route's mean over its sample.
    executed = WORK / "reports" / str(YEAR) / "notebooks"
    ok_villages = [k for k in codes if cold_cache[k]["ok"]]
    compute = {k: own_compute(executed / f"{k}.ipynb") for k in ok_villages}
    in_job = [cold_cache[k]["result"]["seconds"] - compute[k] for k in ok_villages]
    job_seconds = sum(v["result"]["seconds"] for v in cold_cache.values())
    n = len(codes)
    build_per_village = cold.seconds / n
    plain_per_village = statistics.mean(t["papermill"] + t["nbconvert"] for t in plain)
    plain_compute = statistics.mean(t["compute"] for t in plain)
    build_compute = statistics.mean(compute.values())
    build_cells = statistics.mean(
        papermill_cell_total(executed / f"{k}.ipynb") for k in ok_villages
    )
    speed_up = plain_per_village / build_per_village
    overhead = statistics.median(in_job)
    peak = max(cold.peak_rss, unchanged.peak_rss, one.peak_rss, *(t["peak"] for t in plain))

    print(
        f"\nminsheng build: synthetic county of {n} villages (+ township page), year {YEAR}, "
        f"{workers} workers on {os.cpu_count()} cores; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    print(f"commands: {BIN / 'minsheng'} build --data {raw} --out {WORK / 'reports'} …")
    # Own compute: the kernel's time in the cells; papermill's per-cell durations add the
    # message round trips.
    print(
        f"{'route':<28}{'wall s/village':>15}{'cpu s/village':>15}{'own compute':>13}"
        f"{'papermill cells':>17}"
    )
    print(
        f"{'minsheng build, cold':<28}{build_per_village:>15.2f}{cold.cpu_seconds / n:>15.2f}"
        f"{build_compute:>13.2f}{build_cells:>17.2f}"
    )
    print(
        f"{'papermill + nbconvert CLI':<28}{plain_per_village:>15.2f}"
        f"{statistics.mean(t['cpu'] for t in plain):>15.2f}{plain_compute:>13.2f}"
        f"{statistics.mean(t['papermill_cells'] for t in plain):>17.2f}"
        f"   ({len(plain)} villages: papermill "
        f"{statistics.mean(t['papermill'] for t in plain):.2f} + nbconvert "
        f"{statistics.mean(t['nbconvert'] for t in plain):.2f})"
    )
    print(
        f"speed-up per village:      {speed_up:6.1f}x   goal >= {GOALS['speed_up']:.0f}x  "
        f"{verdict(speed_up >= GOALS['speed_up'])}   (in CPU seconds "
        f"{statistics.mean(t['cpu'] for t in plain) / (cold.cpu_seconds / n):.1f}x)"
    )
    print(
        f"overhead per village:      {overhead:6.2f} s  goal < {GOALS['overhead']} s  "
        f"{verdict(overhead < GOALS['overhead'])}   (median of run_job seconds − own compute; "
        f"mean {statistics.mean(in_job):.2f} s incl. each worker's kernel start; "
        f"plain route {plain_per_village - plain_compute:.2f} s)"
    )
    print(
        f"fixed cost of the cold build: {cold.seconds - job_seconds / workers:.1f} s "
        f"(CLI start, prepare, planning, index: wall − job seconds / workers); "
        f"built {cold_counts[0]}, reused {cold_counts[1]}, "
        f"failed {sum(not v['ok'] for v in cold_cache.values())}"
    )
    print(
        f"nothing-changed rebuild:   {unchanged.seconds:6.2f} s  goal < {GOALS['rebuild']} s  "
        f"{verdict(unchanged.seconds < GOALS['rebuild'])}   "
        f"(built {unchanged_counts[0]}, reused {unchanged_counts[1]})"
    )
    expected = sorted([target, "township"])
    print(
        f"one village changed:       {one.seconds:6.2f} s  ({change}); built {one_counts[0]}, "
        f"reused {one_counts[1]}; ran again: {', '.join(ran)} — "
        f"{'only that village and the township' if ran == expected else 'NOT as expected'}"
    )
    print(
        f"peak memory:               {peak / GIB:6.2f} GiB goal < {GOALS['peak']:.0f} GiB  "
        f"{verdict(peak < GOALS['peak'] * GIB)}   (summed RSS of the process tree; "
        f"largest single process {largest_process_rss() / GIB:.2f} GiB)"
    )

    per_cell: dict[int, list[tuple[str, float]]] = {}
    for code in ok_villages:
        for i, cell in enumerate(cell_seconds(executed / f"{code}.ipynb")):
            per_cell.setdefault(i, []).append(cell)
    # The median is a warm kernel's steady state; the maximum is a kernel's first notebook.
    print("village notebook, kernel seconds per cell in the cold build: median, max, cell")
    for cells in per_cell.values():
        seconds = [s for _, s in cells]
        print(f"  {statistics.median(seconds):6.2f} {max(seconds):6.2f}  {cells[0][0][:70]}")

    if args.profile:
        profile_village(target, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
