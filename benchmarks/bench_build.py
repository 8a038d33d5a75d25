"""Benchmark: ``minsheng build`` on a synthetic county, against the plain papermill route.

Goals (issue 17), on 2 cores: a village page in 0.3 s of CPU or less (warm process); a marginal
cost of 0.25 s a village or less, ``(t_N − t_n) / (N − n)`` between two cold builds; that is
at least 40 times faster than ``papermill`` then ``jupyter nbconvert`` for each village,
measured in the same run; a nothing-changed rebuild under 2 s; a one-village correction
rebuilt in 3 s or less, on a fresh pool, on warm workers kept between builds (``minsheng
workers``) and on a watch (``minsheng build --watch``); peak memory under 4 GiB.
ploomber's figure is measured too when ploomber is installed. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_build.py [--villages 300] [--small 30] [--plain 5]
        [--workers N] [--profile]

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
import importlib.util
import io
import json
import os
import pstats
import re
import resource
import shutil
import signal
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
from analysis.runs import executors, jobs  # noqa: E402
from analysis.tools import sample  # noqa: E402

#: The venv's console scripts, next to the interpreter running this file.
BIN = Path(sys.executable).parent
OUT = HERE / "out"
COUNTY = OUT / "county"
WORK = OUT / "build"
YEAR = config.DEFAULT_YEAR
GIB = 1024**3

GOALS = {
    "page_cpu": 0.3,  # CPU seconds for one village page in a warm process
    "marginal": 0.25,  # seconds of wall time a village, (t_N - t_n) / (N - n)
    "speed_up": 40.0,  # times faster per village than the plain route
    "rebuild": 2.0,  # seconds for a rebuild with nothing changed
    "one_village": 3.0,  # seconds for a rebuild after one village's figure changed
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
        self.kernels: set[int] = set()  # Jupyter kernels among them
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
                    if proc.pid not in self.cpu and "ipykernel_launcher" in " ".join(
                        proc.cmdline()
                    ):
                        self.kernels.add(proc.pid)
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

    @property
    def kernel_cpu_seconds(self) -> float:
        return sum(seconds for pid, seconds in self.cpu.items() if pid in self.kernels)


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
        self.kernel_cpu_seconds = sampler.kernel_cpu_seconds
        if check and proc.returncode != 0:
            sys.exit(
                f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{self.stderr[-3000:]}"
            )


def build(
    raw: Path,
    workers: int | None,
    work: Path = WORK,
    villages: list[str] = (),
    scheduler: str | None = None,
    executor: str = "inprocess",
) -> Run:
    cmd = [BIN / "minsheng", "build", "--data", raw, "--out", work / "reports"]
    cmd += ["--processed", work / "processed", "--year", YEAR, "--quiet", "--executor", executor]
    if workers:
        cmd += ["--workers", workers]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    for code in villages:
        cmd += ["--village", code]
    # Exit status 1 with a "built N" line means some pages failed: counted, not fatal.
    return Run(*cmd, check=False)


def built_reused(run: Run, work: Path = WORK) -> tuple[int, int]:
    """The CLI's own count: 'built N, reused M from cache'."""
    match = re.search(r"built (\d+), reused (\d+)", run.stdout)
    if not match:
        sys.exit(f"the build in {work} did not finish:\n{run.stdout}\n{run.stderr[-3000:]}")
    return int(match[1]), int(match[2])


class Watch:
    """``minsheng build --watch`` on ``raw``: each correction timed from the moment its file is
    written to the moment the watch says the pages are built (noticing the change included)."""

    def __init__(self, raw: Path, workers: int | None) -> None:
        cmd = [BIN / "minsheng", "build", "--watch", "--data", raw, "--out", WORK / "reports"]
        cmd += ["--processed", WORK / "processed", "--year", YEAR]
        cmd += ["--workers", workers] if workers else []
        self.proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Ctrl-C ends a watch: a benchmark started in the background (`make bench &`)
            # ignores it, and its children would inherit that.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: list[str] = []
        self.built()

    def built(self) -> tuple[float, int]:
        """Wait for the next build's line: (seconds it took, pages built)."""
        while line := self.proc.stdout.readline():
            self.lines.append(line)
            found = re.search(r"built (\d+) pages", line)
            if found:
                return time.perf_counter(), int(found[1])
        sys.exit("the watch ended:\n" + "".join(self.lines[-40:]))

    def correct(self, raw: Path, code: str, year: int) -> tuple[float, int, str]:
        """Correct one figure and wait for its pages: (seconds, pages built, what changed)."""
        what = sample.correct_one_count(raw, code, year)
        written = time.perf_counter()
        done, pages = self.built()
        return done - written, pages, what

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)


def build_cache(work: Path = WORK) -> dict:
    return json.loads((work / "reports" / str(YEAR) / jobs.CACHE_FILE).read_text("utf-8"))


# --- the notebooks' own compute --------------------------------------------------------------


def cell_seconds(path: Path) -> list[tuple[str, float]]:
    """(last source line, seconds) of each code cell, from the timestamps of its execution
    (``iopub.execute_input`` → ``shell.execute_reply``, written by nbclient on a kernel and
    by the in-process engine alike)."""
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
    """papermill's own per-cell ``duration`` summed: the cells' time plus, on a kernel, the
    message round trips."""
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


# --- ploomber, when installed -----------------------------------------------------------------


def ploomber_route(codes: list[str], raw: Path, workers: int) -> dict | None:
    """The same village notebook as a ploomber pipeline (one NotebookRunner task a village,
    HTML products, the parallel executor), built cold and again with nothing changed.
    None when ploomber is not installed: it is not a dependency of minsheng."""
    if importlib.util.find_spec("ploomber") is None:
        return None
    folder = WORK / "ploomber"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "run.py"
    # In its own process, so its pool and kernels are timed and sampled like the others.
    script.write_text(
        f"""
import sys
from pathlib import Path
from ploomber import DAG
from ploomber.executors import Parallel
from ploomber.products import File
from ploomber.tasks import NotebookRunner

dag = DAG(executor=Parallel(processes={workers}))
for code in {codes!r}:
    NotebookRunner(
        Path({str(config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK)!r}),
        File(Path({str(folder)!r}) / f"{{code}}.html"),
        dag=dag,
        name=f"village-{{code}}",
        params={{"village_code": code, "processed_dir": {str(WORK / "processed")!r},
                 "raw_dir": {str(raw)!r}}},
        kernelspec_name="python3",
        nbconvert_export_kwargs={{"exclude_input": True}},
        static_analysis="disable",
    )
dag.build(force=len(sys.argv) > 1)
""",
        encoding="utf-8",
    )
    cold = Run(sys.executable, script, "force")
    unchanged = Run(sys.executable, script)
    return {"cold": cold, "unchanged": unchanged, "villages": len(codes)}


# --- per-page CPU and profile -----------------------------------------------------------------


def _village_run(code: str, raw: Path):
    """A function running one village's notebook cells in this process, then its HTML export.

    Displays go nowhere (outside a kernel IPython prints them); the figures are drawn and
    encoded as in a kernel."""
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

    return run


def page_cpu(codes: list[str], raw: Path) -> list[float]:
    """CPU seconds of each village page in this process, after two pages to warm it up (a
    warm kernel has run a page before)."""
    runs = [_village_run(code, raw) for code in codes]
    for run in runs[:2]:
        run()
    seconds = []
    for run in runs[2:]:
        started = time.process_time()
        run()
        seconds.append(time.process_time() - started)
    return seconds


def profile_village(code: str, raw: Path) -> None:
    """cProfile (CPU time) of one village's notebook cells and HTML export, warm."""
    run = _village_run(code, raw)
    run()
    run()
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(run)
    print(f"\nprofile of village {code}, in-process (cumulative CPU seconds):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


# --- report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=300, help="county size N (default 300)")
    parser.add_argument(
        "--small", type=int, default=30, help="villages n of the smaller cold build (default 30)"
    )
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
    n_all, n_small = len(codes), min(args.small, len(codes) - 1)
    workers = args.workers or os.cpu_count() or 1

    # Two cold builds, n villages and all N, each with its own processed folder (prepare in
    # both): their difference is N - n village pages and nothing else.
    small = build(raw, args.workers, WORK / "small", codes[:n_small])
    small_counts = built_reused(small, WORK / "small")
    cold = build(raw, args.workers)
    cold_counts = built_reused(cold)
    cold_cache = build_cache()
    # The same cold build on warm kernels (the default before the in-process engine), in its
    # own folders: the engines compared in one run, on the same machine at the same time.
    on_kernels = build(raw, args.workers, WORK / "kernels", executor="warm")
    built_reused(on_kernels, WORK / "kernels")
    unchanged = build(raw, args.workers)
    unchanged_counts = built_reused(unchanged)

    target = codes[len(codes) // 2]
    change = sample.correct_one_count(raw, target, YEAR)
    before = build_cache()
    one = build(raw, args.workers)
    one_counts = built_reused(one)
    after = build_cache()
    ran = sorted(k for k in after if after[k] != before.get(k))
    # A correction to an earlier year: its town's figure of the report year, which the other
    # villages' pages quote, stays as it was.
    past_change = sample.correct_one_count(raw, target, YEAR - 2)
    past = build(raw, args.workers)
    past_counts = built_reused(past)
    past_ran = sorted(k for k, v in build_cache().items() if v != after.get(k))
    # The same two corrections on workers kept between builds (`minsheng workers`), which
    # have built once before: no kernel to start, nothing left to import.
    with executors.local_workers(args.workers, port=0) as address:
        sample.correct_one_count(raw, codes[0], YEAR - 1)
        built_reused(build(raw, None, scheduler=address))
        warm_change = sample.correct_one_count(raw, target, YEAR)
        warm_one = build(raw, None, scheduler=address)
        warm_counts = built_reused(warm_one)
        warm_past_change = sample.correct_one_count(raw, target, YEAR - 2)
        warm_past = build(raw, None, scheduler=address)
        warm_past_counts = built_reused(warm_past)

    # The same on a watch (`minsheng build --watch`), after a first correction as above.
    watch = Watch(raw, args.workers)
    try:
        watch.correct(raw, codes[0], YEAR - 1)
        watched = watch.correct(raw, target, YEAR)
        watched_past = watch.correct(raw, target, YEAR - 2)
    finally:
        watch.stop()

    step = max(1, len(codes) // args.plain)
    plain_codes = codes[::step][: args.plain]
    plain = plain_route(plain_codes, raw)
    ploomber = ploomber_route(plain_codes, raw, workers)
    pages = page_cpu(codes[:12], raw)

    executed = WORK / "reports" / str(YEAR) / "notebooks"
    ok_villages = [k for k in codes if cold_cache[k]["ok"]]
    compute = {k: own_compute(executed / f"{k}.ipynb") for k in ok_villages}
    in_job = [cold_cache[k]["result"]["seconds"] - compute[k] for k in ok_villages]
    marginal = (cold.seconds - small.seconds) / (n_all - n_small)
    plain_per_village = statistics.mean(t["papermill"] + t["nbconvert"] for t in plain)
    plain_cpu = statistics.mean(t["cpu"] for t in plain)
    speed_up = plain_per_village / marginal
    page = statistics.median(pages)
    built_pages = cold_counts[0]
    kernel_cpu = cold.kernel_cpu_seconds / built_pages
    other_cpu = (cold.cpu_seconds - cold.kernel_cpu_seconds) / built_pages
    peak = max(
        cold.peak_rss, unchanged.peak_rss, one.peak_rss, past.peak_rss, *(t["peak"] for t in plain)
    )

    print(
        f"\nminsheng build: synthetic county of {n_all} villages (+ township page), year {YEAR}, "
        f"{workers} workers on {os.cpu_count()} cores; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    print(f"commands: {BIN / 'minsheng'} build --data {raw} --out {WORK / 'reports'} …")
    print(
        f"per-page CPU:              {page:6.2f} s  goal <= {GOALS['page_cpu']} s  "
        f"{verdict(page <= GOALS['page_cpu'])}   (median of {len(pages)} village pages in this "
        f"process, warm: notebook cells + HTML export; range {min(pages):.2f}–{max(pages):.2f})"
    )
    print(
        f"  in the cold build:       {kernel_cpu + other_cpu:6.2f} CPU-s a page (start-up and "
        f"prepare included; in kernel processes {kernel_cpu:.2f})"
    )
    print(
        f"cold builds:               {small.seconds:6.1f} s for {n_small} villages, "
        f"{cold.seconds:.1f} s for {n_all} (built {small_counts[0]} and {cold_counts[0]} pages)"
    )
    print(
        f"  on warm kernels:         {on_kernels.seconds:6.1f} s for {n_all} villages, "
        f"{on_kernels.cpu_seconds / built_pages:.2f} CPU-s a page "
        f"(--executor warm; in-process ÷ kernels: wall {cold.seconds / on_kernels.seconds:.2f}, "
        f"CPU {cold.cpu_seconds / on_kernels.cpu_seconds:.2f})"
    )
    print(
        f"marginal cost:             {marginal:6.3f} s a village  goal <= {GOALS['marginal']} s  "
        f"{verdict(marginal <= GOALS['marginal'])}   ((t{n_all} − t{n_small}) / "
        f"{n_all - n_small}; {marginal * workers:.2f} core-seconds a village)"
    )
    print(
        f"plain route:               {plain_per_village:6.2f} s a village  ({len(plain)} villages: "
        f"papermill {statistics.mean(t['papermill'] for t in plain):.2f} + nbconvert "
        f"{statistics.mean(t['nbconvert'] for t in plain):.2f}; {plain_cpu:.2f} CPU-s)"
    )
    print(
        f"speed-up per village:      {speed_up:6.1f}x   goal >= {GOALS['speed_up']:.0f}x  "
        f"{verdict(speed_up >= GOALS['speed_up'])}   (plain route ÷ marginal cost)"
    )
    if ploomber is None:
        print("ploomber:                  not installed, skipped (pip install ploomber to compare)")
    else:
        per = ploomber["cold"].seconds / ploomber["villages"]
        print(
            f"ploomber:                  {per:6.2f} s a village  ({ploomber['villages']} villages, "
            f"NotebookRunner tasks, parallel executor, {workers} processes, start-up included; "
            f"nothing changed {ploomber['unchanged'].seconds:.1f} s; "
            f"{per / marginal:.1f}x the marginal cost of minsheng build)"
        )
    print(
        f"overhead per village:      {statistics.median(in_job):6.2f} s  (median of run_job "
        f"seconds − the notebook's own cell seconds; plain route "
        f"{plain_per_village - statistics.mean(t['compute'] for t in plain):.2f} s)"
    )
    print(
        f"nothing-changed rebuild:   {unchanged.seconds:6.2f} s  goal < {GOALS['rebuild']} s  "
        f"{verdict(unchanged.seconds < GOALS['rebuild'])}   "
        f"(built {unchanged_counts[0]}, reused {unchanged_counts[1]})"
    )
    # That village's page and the pages whose figures it changes: its town's and the county's
    # (in a one-town county, the township page); for the report year's figure, also the
    # town's other villages, whose pages set their figure beside the town's.
    top = {"county", "township"} & set(after)
    town_villages = {code for code in codes if code[:9] == target[:9]}
    rebuilds = (
        ("one village changed:      ", one, change, one_counts, ran, town_villages),
        ("  an earlier year's figure:", past, past_change, past_counts, past_ran, {target}),
        ("  on warm workers:         ", warm_one, warm_change, warm_counts, None, town_villages),
        ("  the earlier year, warm:  ", warm_past, warm_past_change, warm_past_counts, None, ()),
    )
    for title, run, what, counts, pages, villages in rebuilds:
        expected = sorted({*villages, target, target[:9], *top})
        if pages is None:  # the same pages as on the pool, checked above
            pages = expected
        print(
            f"{title} {run.seconds:6.2f} s  goal <= {GOALS['one_village']} s  "
            f"{verdict(run.seconds <= GOALS['one_village'])}   ({what}; prepare included); built "
            f"{counts[0]}, reused {counts[1]}: "
            + (
                f"that village{', its town’s villages' if len(villages) > 1 else ''}, its town "
                "and the county, nothing else"
                if pages == expected
                else f"ran {', '.join(pages)}; expected {', '.join(expected)}"
            )
        )
    for title, (seconds, built_pages, what) in (
        ("  on a watch:              ", watched),
        ("  the earlier year, watch: ", watched_past),
    ):
        print(
            f"{title} {seconds:6.2f} s  goal <= {GOALS['one_village']} s  "
            f"{verdict(seconds <= GOALS['one_village'])}   ({what}; from the file written to "
            f"the pages built, noticing the change included); built {built_pages} pages"
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
    print("village notebook, seconds per cell in the cold build: median, max, cell")
    for cells in per_cell.values():
        seconds = [s for _, s in cells]
        print(f"  {statistics.median(seconds):6.2f} {max(seconds):6.2f}  {cells[0][0][:70]}")

    if args.profile:
        profile_village(target, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
