"""Benchmark: reading a raw folder's sheets as validation does (``read_workbook``,
``read_csv_sheet``), step by step, against reading the same files with python-calamine and
pandas and nothing else (the raw read of ``bench_prepare.py``).

CPU seconds (``time.process_time``), so that other programs on the machine count little; the
raw read is timed before and after, and the ratio is to their mean. Prints figures, asserts
nothing. The folder defaults to the province of ``bench_prepare.py`` (write it with that script
first).

    .venv/bin/python benchmarks/bench_read.py [RAW] [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench_prepare import read_raw  # noqa: E402

from analysis.ingest import bounded_xlsx, read  # noqa: E402

#: The steps timed, by module: each function is wrapped while the folder is read.
STEPS = {
    bounded_xlsx: ["_first_pass", "calamine_sheets", "make_sheet"],
    read: ["read_workbook_bounded", "_grid", "_hidden", "_parse_lines", "count_records"],
}


def read_folder(raw: Path) -> tuple[float, Counter[str]]:
    """CPU seconds of reading every sheet of ``raw`` as validation does, and of each step."""
    spent: Counter[str] = Counter()
    originals = {
        (module, name): getattr(module, name) for module, names in STEPS.items() for name in names
    }

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - started

        return wrapper

    for (module, name), function in originals.items():
        setattr(module, name, timed(name, function))
    files = sorted(p for p in raw.rglob("*") if p.suffix.lower() in {".xlsx", ".csv"})
    started = time.process_time()
    try:
        for path in files:
            if path.suffix.lower() == ".xlsx":
                read.read_workbook(path, path.name)
            else:
                read.read_csv_sheet(path, path.name)
    finally:
        for (module, name), function in originals.items():
            setattr(module, name, function)
    return time.process_time() - started, spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", nargs="?", type=Path, default=HERE / "out" / "raw_17000")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not args.raw.is_dir():
        print(f"no folder {args.raw}: write it with benchmarks/bench_prepare.py first")
        return 1
    for _ in range(args.repeat):
        _, before, _ = read_raw(args.raw)
        cpu, spent = read_folder(args.raw)
        _, after, _ = read_raw(args.raw)
        raw = (before + after) / 2
        print(f"raw read (calamine + pandas): {raw:.2f} s CPU")
        print(f"validation's reading: {cpu:.2f} s CPU ({cpu / raw:.2f}x the raw read)")
        for name, seconds in spent.most_common():
            print(f"  {name:24s} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
