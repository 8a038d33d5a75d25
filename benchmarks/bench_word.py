"""Benchmark: the Word summary and print maps from kept pictures (issue 26).

Times :func:`analysis.reporting.print_documents.write_documents` for the whole data set of a
prepared folder, every picture kept by a first call (the case of a rebuild where only numbers
changed), and :func:`analysis.reporting.narrative.write_docx` within it: wall and CPU seconds,
median of ``--runs``. CPU seconds are the figure to compare on a shared machine. Prints
figures, asserts nothing.

    .venv/bin/python benchmarks/bench_word.py PROCESSED_DIR [--runs 9] [--word path/to/word.py]

``--word`` times another ``word.py`` in place of the package's (e.g. one from ``git show
REV:analysis/reporting/narrative/word.py``), to compare two versions in the same conditions.
The documents are written to ``benchmarks/out/word/`` (gitignored).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis import config  # noqa: E402
from analysis.reporting import narrative, print_documents  # noqa: E402


def _median(label: str, seconds: list[float]) -> None:
    runs = ", ".join(f"{s:.3f}" for s in seconds)
    print(f"{label:<24} median {statistics.median(seconds):.3f} s  ({runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("processed", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--word", type=Path, help="another word.py to time in the package's place")
    args = parser.parse_args()

    write_docx = narrative.write_docx
    if args.word:
        spec = importlib.util.spec_from_file_location("word_compared", args.word)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        write_docx = module.write_docx
    wall: list[float] = []
    cpu: list[float] = []

    def timed(*positional, **keywords):
        start, start_cpu = time.perf_counter(), time.process_time()
        written = write_docx(*positional, **keywords)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        return written

    print_documents.narrative.write_docx = timed
    year = config.DEFAULT_YEAR
    out = HERE / "out" / "word"
    shutil.rmtree(out, ignore_errors=True)
    year_dir = out / str(year)
    year_dir.mkdir(parents=True)
    print_documents.write_documents(args.processed, year_dir, year, "zh")  # keeps the pictures
    wall.clear()
    cpu.clear()
    whole: list[float] = []
    whole_cpu: list[float] = []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        print_documents.write_documents(args.processed, year_dir, year, "zh")
        whole.append(time.perf_counter() - start)
        whole_cpu.append(time.process_time() - start_cpu)
    print(f"word.py: {args.word or 'the package'}")
    _median("write_documents wall", whole)
    _median("write_documents CPU", whole_cpu)
    _median("write_docx wall", wall)
    _median("write_docx CPU", cpu)
    summary = next(year_dir.rglob("*.docx"))
    print(f"{summary.relative_to(out)}: {summary.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
