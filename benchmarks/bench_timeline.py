"""Benchmark: a cold build's timeline, what each process does when: the main process's steps
(imports, prepare, plan, the work beside the pool, the index) and each job on each pool worker
(its warm-up, pages, documents), with the time each worker sat idle.

Issue 28 wants the county sample's cold build in 60 s of wall time on 2 cores; on a shared
machine the wall time says little, while the timeline says where a core waits: before the
pool gets its first job, behind a serial step of the main process, or at the end, when one
worker finishes a long job alone.

    .venv/bin/python benchmarks/bench_timeline.py [--raw build/county/raw] [--workers 2]
        [--out benchmarks/out/timeline] [--log timeline.jsonl] [--jobs]

Runs ``minsheng build``'s own function in this process (as the command does), cold into
``--out``; the steps are timed by wrapping the functions the build calls (nothing in the
package changes). Prints the timeline and its totals, asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

STARTED = time.time()
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis.runs import executors, runner  # noqa: E402

IMPORTED = time.time()
LOG: Path = HERE / "out" / "timeline.jsonl"


def note(name: str, start: float, end: float, cpu: float) -> None:
    """One event, appended by whichever process ran it (a line is written at once)."""
    line = json.dumps({"pid": os.getpid(), "name": name, "start": start, "end": end, "cpu": cpu})
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def timed(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start, cpu = time.time(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            note(
                name(*args, **kwargs) if callable(name) else name,
                start,
                time.time(),
                time.thread_time() - cpu,
            )

    return wrapper


def patch(module, attr: str, name) -> None:
    setattr(module, attr, timed(name, getattr(module, attr)))


#: The steps of the build's own process that a worker may also run, within a job.
STEPS = ("explorer",)


def job_name(job, settings) -> str:
    return executors.job_name(job)


def instrument() -> None:
    """Wrap the steps of a build: in the main process (the runner's calls) and in the pool's
    workers (forked after this, so they run the wrapped functions)."""
    from analysis.reporting import explorer, index_page, kept, problems

    patch(runner, "prepare_tables", "prepare")
    patch(runner, "plan_jobs", "plan")
    patch(runner, "reuse", "reuse")
    patch(runner, "document_jobs", "document_jobs")
    patch(index_page, "write_downloads", "downloads")
    patch(problems, "write_problems_page", "problems")
    patch(explorer, "write_explorer", "explorer")
    patch(index_page, "write_index", "index")
    patch(kept, "prune_pages", "prune")
    patch(executors, "run_job", job_name)
    warm = timed("warm-up", executors.warm_worker)
    # The pool pickles the function by name: the wrapper must be what the name finds.
    warm.__module__, warm.__qualname__ = executors.__name__, "warm_worker"
    executors.warm_worker = warm


def main() -> int:
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "build" / "county" / "raw")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "timeline")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--log", type=Path, default=None, help="keep the events here (JSON lines)")
    parser.add_argument("--jobs", action="store_true", help="print every job, not only totals")
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    LOG = (args.log or args.out / "timeline.jsonl").resolve()
    LOG.unlink(missing_ok=True)
    instrument()
    load = os.getloadavg()
    start = time.time()
    result = runner.build(
        args.raw,
        args.out / "reports",
        year=config.DEFAULT_YEAR,
        workers=args.workers,
        processed_dir=args.out / "processed",
        progress=False,
    )
    end = time.time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    note("build", start, end, 0.0)
    print(
        f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}; "
        f"{len(result.results)} pages, {len(result.documents)} documents, ok={result.ok}"
    )
    print(
        f"process start → imports done {IMPORTED - STARTED:.2f} s (+ interpreter start); "
        f"build() {end - start:.2f} s wall; CPU of the tree {cpu:.1f} s "
        f"(main {own.ru_utime + own.ru_stime:.1f} s)"
    )
    report(LOG, start, args.jobs)
    return 0 if result.ok else 1


def report(log: Path, t0: float, every: bool) -> None:
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    main_pid = os.getpid()
    print("\nmain process (seconds from build() start: start–end, wall, thread CPU)")
    for e in sorted((e for e in events if e["pid"] == main_pid), key=lambda e: e["start"]):
        print(
            f"  {e['name']:16} {e['start'] - t0:7.2f} – {e['end'] - t0:7.2f}"
            f"  {e['end'] - e['start']:7.2f}  {e['cpu']:6.2f}"
        )
    build_end = max(e["end"] for e in events if e["name"] == "build")
    for pid in sorted({e["pid"] for e in events} - {main_pid}):
        # A job's own steps (write_explorer inside its job) are not jobs of their own.
        mine = sorted(
            (e for e in events if e["pid"] == pid and e["name"] not in STEPS),
            key=lambda e: e["start"],
        )
        busy = sum(e["end"] - e["start"] for e in mine)
        first, last = mine[0]["start"] - t0, mine[-1]["end"] - t0
        gaps = [(b["start"] - a["end"], a, b) for a, b in itertools.pairwise(mine)]
        idle = sum(g for g, _, _ in gaps)
        kinds: dict[str, list[tuple[float, float]]] = {}
        for e in mine:
            kind = e["name"].split(":")[0]
            if kind == "page":
                kind = {9: "page:town", 12: "page:village"}.get(len(e["name"]) - 5, e["name"])
            kinds.setdefault(kind, []).append((e["end"] - e["start"], e["cpu"]))
        print(
            f"\nworker {pid}: first job at {first:.2f} s, last ends {last:.2f} s "
            f"(build ends {build_end - t0:.2f}); busy {busy:.1f} s, idle between jobs "
            f"{idle:.1f} s, {len(mine)} jobs"
        )
        for kind, spans in sorted(kinds.items()):
            wall, cpu = (sum(s[i] for s in spans) for i in (0, 1))
            print(f"  {kind:16} {len(spans):4} jobs {wall:7.1f} s wall {cpu:7.1f} s CPU")
        for gap, a, _ in sorted(gaps, key=lambda g: -g[0])[:3]:
            if gap > 0.2:
                print(f"  idle {gap:5.2f} s after {a['name']} (ends {a['end'] - t0:.2f})")
        if every:
            for e in mine:
                print(
                    f"    {e['name']:28} {e['start'] - t0:7.2f} – {e['end'] - t0:7.2f}"
                    f"  {e['cpu']:6.2f}"
                )


if __name__ == "__main__":
    raise SystemExit(main())
