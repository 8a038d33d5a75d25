"""Benchmark: ``minsheng prepare`` on a synthetic province of 17,000 villages and six years, fresh
and with nothing changed, against the time of reading the same raw files; and an incremental
prepare after one raw file changed.

Goals (issue 33): a fresh prepare at most 5x the time of reading every raw file and nothing
else (python-calamine for the workbooks, pandas for the CSV), measured in the same run; a
prepare with nothing changed at most 0.5x; under 4 GiB peak memory; and the data set itself
written by ``minsheng sample OUT --villages 17000`` in a minute or less. The machine is shared,
so the raw read is timed before and after the fresh prepare and the ratios are to their mean;
``--repeat`` does it all again. CPU seconds include the worker processes a prepare forks to use
the second core (``--profile`` profiles this process alone). The raw data set is generated once with that command, timed,
and cached in ``benchmarks/out/`` (gitignored); ``--fresh`` writes it again. Prints figures,
asserts nothing.

The incremental line uses a smaller set (``--incremental-villages``, 3,000 by default): a copy of
it is prepared once, one figure of its last 民生工作台账 workbook is changed, and then it is
prepared again into the same folder (only that file read) and from scratch into another; the two
folders are compared byte for byte.

    .venv/bin/python benchmarks/bench_prepare.py [--villages 17000] [--fresh] [--profile]
        [--repeat 1] [--incremental-villages 3000]
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


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended: a
    prepare reads and writes on worker processes it forks, whose time counts too."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def peak_gib() -> tuple[float, float]:
    """Peak resident memory of this process, and of the largest of its children, GiB (Linux
    reports KiB). Workers run beside this process: at worst their sum is held at once (less,
    since a fork shares the pages it does not write)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024**2, children / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=17_000)
    parser.add_argument("--fresh", action="store_true", help="write the raw data set again")
    parser.add_argument("--profile", action="store_true", help="print the 25 slowest functions")
    parser.add_argument("--repeat", type=int, default=1, help="times the province is measured")
    parser.add_argument(
        "--incremental-villages",
        type=int,
        default=3_000,
        help="villages of the set the incremental prepare is measured on (0: not measured)",
    )
    args = parser.parse_args()

    raw = sample(args.villages, args.fresh)
    out = HERE / "out" / f"processed_{args.villages}"
    for _ in range(args.repeat):
        province(raw, out, args.villages, args.profile)
    if args.incremental_villages:
        incremental(args.incremental_villages, args.fresh)
    return 0


def read_raw(raw: Path) -> tuple[float, float, int]:
    """(wall, CPU) seconds of reading every workbook (python-calamine, each sheet's values) and
    CSV (pandas) of the raw folder and nothing else; and how many files that was."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    files = sorted(p for p in raw.rglob("*") if p.suffix.lower() in {".xlsx", ".csv"})
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for path in files:
        if path.suffix.lower() == ".xlsx":
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
        else:
            try:
                pd.read_csv(path, encoding="utf-8-sig")
            except UnicodeDecodeError:  # the sample writes the 户数人口 CSV in GBK, as offices do
                pd.read_csv(path, encoding="gb18030")
    return time.perf_counter() - started, cpu_seconds() - cpu_started, len(files)


def province(raw: Path, out: Path, villages: int, profile: bool) -> None:
    """The raw read, a fresh prepare, the raw read again and a prepare with nothing changed,
    with the ratios of the prepares to the mean raw read."""
    shutil.rmtree(out, ignore_errors=True)
    read_wall, read_cpu, n_files = read_raw(raw)
    profiler = cProfile.Profile(time.process_time) if profile else None
    started, cpu_started = time.perf_counter(), cpu_seconds()
    if profiler:
        profiler.enable()
    result = prepare(raw, out)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    again_wall, again_cpu, _ = read_raw(raw)
    same_wall, same_cpu = timed_prepare(raw, out)
    read_wall, read_cpu = (read_wall + again_wall) / 2, (read_cpu + again_cpu) / 2
    totals = result.summary["totals"]
    print(
        f"prepare: {villages} villages, {totals['rows_read']} rows read, "
        f"{totals['rows_accepted']} accepted, {totals['rows_quarantined']} quarantined, "
        f"{result.summary['problems']['error']} errors  (prepare({raw}, {out}))"
    )
    # CPU time says how much work it was when other programs share the two cores.
    print(
        f"raw read ({n_files} files, calamine + pandas): {read_wall:.2f} s wall, "
        f"{read_cpu:.2f} s CPU  (mean of {read_wall * 2 - again_wall:.2f} before and "
        f"{again_wall:.2f} after the fresh prepare, wall)"
    )
    print(
        f"fresh prepare: {seconds:.1f} s wall, {cpu:.1f} s CPU; ratio to the raw read "
        f"{seconds / read_wall:.1f}x wall, {cpu / read_cpu:.1f}x CPU  (goal <= 5x)"
    )
    print(
        f"nothing-changed prepare: {same_wall:.2f} s wall, {same_cpu:.2f} s CPU; ratio to the "
        f"raw read {same_wall / read_wall:.2f}x wall, {same_cpu / read_cpu:.2f}x CPU  "
        "(goal <= 0.5x)"
    )
    own, child = peak_gib()
    print(f"peak memory: {own:.2f} GiB, largest child process {child:.2f} GiB  (goal < 4)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def sample(villages: int, fresh: bool) -> Path:
    """The synthetic raw set of ``villages`` villages in ``benchmarks/out/``, written (and timed)
    when absent or asked for."""
    raw = HERE / "out" / f"raw_{villages}"
    if fresh or not (raw / "SAMPLE").exists():
        shutil.rmtree(raw, ignore_errors=True)
        command = [BIN / "minsheng", "sample", raw, "--villages", villages, "--quiet"]
        started = time.perf_counter()
        subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        print(f"sample: {seconds:.1f} s wall  (goal <= 60)  {' '.join(map(str, command))}")
    else:
        print(f"sample: reused {raw} (--fresh to write and time it again)")
    return raw


def change_one_figure(raw: Path) -> str:
    """Add 1 to the first figure of the last village row of the last 民生工作台账 workbook's
    first sheet; where it was changed."""
    from openpyxl import load_workbook

    path = max(raw.glob("民生工作台账_*.xlsx"))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for cell in sheet[sheet.max_row - 1]:
        if isinstance(cell.value, int | float) and cell.column > 3:
            cell.value += 1
            book.save(path)
            return f"{path.name} {sheet.title}!{cell.coordinate}"
    raise SystemExit(f"no figure to change in {path.name}")


def timed_prepare(raw: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one prepare."""
    started, cpu_started = time.perf_counter(), cpu_seconds()
    prepare(raw, out)
    return time.perf_counter() - started, cpu_seconds() - cpu_started


def tables(folder: Path) -> dict[str, bytes]:
    """Every file of a processed folder but its hidden cache, by relative path."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in files
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def incremental(villages: int, fresh: bool) -> None:
    """Full against incremental prepare after one raw file changed, on a copy of the set."""
    work = HERE / "out" / f"incremental_{villages}"
    shutil.rmtree(work, ignore_errors=True)
    raw = Path(shutil.copytree(sample(villages, fresh), work / "raw"))
    kept, scratch = work / "processed", work / "from_scratch"
    timed_prepare(raw, kept)  # keeps every file's part
    where = change_one_figure(raw)
    inc_wall, inc_cpu = timed_prepare(raw, kept)
    full_wall, full_cpu = timed_prepare(raw, scratch)
    same = tables(kept) == tables(scratch)
    print(
        f"incremental prepare (one file changed), {villages} villages, {where}: "
        f"full {full_wall:.1f} s wall / {full_cpu:.1f} s CPU, incremental {inc_wall:.1f} s wall / "
        f"{inc_cpu:.1f} s CPU, ratio {full_cpu / inc_cpu:.1f}x (CPU); "
        f"processed folders identical: {'yes' if same else 'NO'}"
    )
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
