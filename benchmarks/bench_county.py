"""Benchmark: the county sample's build (信丰县: 1 county, 17 towns, 312 villages, 330 pages), per
page and per level, against the 大桥镇 sample's pages in the same run.

Issue 14's goal: a county builds within the same per-page cost as a town's pages; issue 28's: the
county sample's cold build in 60 s of wall time or less (printed with its figure). Each sample is
built cold by ``minsheng build`` (wall time and CPU seconds of the whole process tree); then
each level's pages are timed two ways:

- in the build: the seconds the page's cells took in the build's worker (papermill's own
  timestamps in the executed notebook), for every page of the level;
- in-process: wall and CPU seconds of re-running a few executed notebooks of the level, cells
  and HTML export, in this process once it is warm (as ``bench_build.py`` measures a page).

Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_county.py [--workers N] [--pages 8]

Both samples are built in ``benchmarks/out/levels/`` (gitignored), the county written there
fresh by ``minsheng sample --county``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_build import BIN, Run, built_reused, cell_seconds  # noqa: E402

from analysis import config  # noqa: E402
from analysis.reporting import publish  # noqa: E402

OUT = HERE / "out" / "levels"
YEAR = config.DEFAULT_YEAR
#: Issue 28's goal: the county sample's cold build (prepare included), seconds of wall time.
COUNTY_GOAL_S = 60.0
#: A page's level by its executed notebook's name: county.ipynb, <9 digits>, <12 digits>.
LEVEL_OF = {"county": "county", "township": "town"}


def level_of(stem: str) -> str:
    if stem in LEVEL_OF:
        return LEVEL_OF[stem]
    return {9: "town", 12: "village"}.get(len(stem), "other")


def build(raw: Path, work: Path, workers: int | None) -> tuple[Run, int]:
    """A cold build of ``raw`` into ``work``: the run and the pages it built."""
    shutil.rmtree(work, ignore_errors=True)
    cmd = [BIN / "minsheng", "build", "--data", raw, "--processed", work / "processed"]
    cmd += ["--out", work / "reports", "--year", YEAR, "--quiet"]
    if workers:
        cmd += ["--workers", workers]
    run = Run(*cmd, check=False)
    built, _ = built_reused(run, work)
    return run, built


def executed(work: Path) -> dict[str, list[Path]]:
    """The executed notebooks of a build, by level."""
    found: dict[str, list[Path]] = {}
    for path in sorted((work / "reports" / str(YEAR) / "notebooks").glob("*.ipynb")):
        found.setdefault(level_of(path.stem), []).append(path)
    return found


def in_process(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one executed notebook's cells and its HTML export, here."""
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    wall, cpu = time.perf_counter(), time.process_time()
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells:
            exec(source, namespace)
    publish.notebook_page(nb, path.stem, publish.Provenance(data_fingerprint=""))
    return time.perf_counter() - wall, time.process_time() - cpu


def level_lines(work: Path, pages: int) -> list[tuple[str, int, float, float, float]]:
    """(level, pages, median seconds in the build, median in-process wall and CPU)."""
    by_level = executed(work)
    # Two pages first, unmeasured: a build's warm worker has imported and drawn before.
    for path in [*by_level.get("village", []), *by_level.get("town", [])][:2]:
        in_process(path)
    lines = []
    for level in ("county", "town", "village"):
        paths = by_level.get(level, [])
        if not paths:
            continue
        in_build = [sum(s for _, s in cell_seconds(p)) for p in paths]
        step = max(1, len(paths) // pages)
        timed = [in_process(p) for p in paths[::step][:pages]]
        lines.append(
            (
                level,
                len(paths),
                statistics.median(in_build),
                statistics.median(w for w, _ in timed),
                statistics.median(c for _, c in timed),
            )
        )
    return lines


def report(name: str, run: Run, built: int, lines: list, goal: float | None = None) -> None:
    print(f"\n{name}: {built} pages built cold")
    print(
        f"  whole build: {run.seconds:7.1f} s wall, {run.cpu_seconds:7.1f} s CPU  "
        f"= {run.seconds / built:.2f} s wall and {run.cpu_seconds / built:.2f} s CPU a page"
    )
    if goal is not None:
        met = "met" if run.seconds <= goal else "not met"
        print(f"  goal: a cold build in {goal:.0f} s wall or less: {met}")
    print("  level    pages  in build s/page  in-process wall s/page  in-process CPU s/page")
    for level, count, in_build, wall, cpu in lines:
        print(f"  {level:8} {count:5}  {in_build:15.2f}  {wall:22.2f}  {cpu:21.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="build workers (default: auto)")
    parser.add_argument("--pages", type=int, default=8, help="pages a level timed in-process")
    args = parser.parse_args()

    county_raw = OUT / "county-raw"
    shutil.rmtree(county_raw, ignore_errors=True)
    Run(BIN / "minsheng", "sample", county_raw, "--county", "--quiet")
    results = {}
    for name, raw in (("大桥镇 sample", config.RAW_DIR), ("信丰县 county sample", county_raw)):
        work = OUT / ("town" if raw == config.RAW_DIR else "county")
        run, built = build(raw, work, args.workers)
        results[name] = (run, built, level_lines(work, args.pages))
    for name, (run, built, lines) in results.items():
        report(name, run, built, lines, COUNTY_GOAL_S if "county" in name else None)
    (town_run, town_built, town_lines), (county_run, county_built, county_lines) = results.values()
    ratio = (county_run.cpu_seconds / county_built) / (town_run.cpu_seconds / town_built)
    print("\ncounty sample / 大桥镇 sample:")
    print(f"  whole build's CPU a page (prepare and start-up included): {ratio:.2f}")
    town_cpu = {line[0]: line[4] for line in town_lines}
    for level, _, _, _, cpu in county_lines:
        if level in town_cpu:
            print(f"  in-process CPU a {level} page: {cpu / town_cpu[level]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
