"""Benchmark: CPU seconds of one page's notebook cells (a village's or the town's), warm.

Runs the page notebook's cells in this process as a warm kernel would (after two runs to warm the process),
``--runs`` times, and prints the median CPU time; ``--profile`` adds a cProfile of one more
run. ``--repo`` runs another checkout's notebook and code on the same tables, so two versions
can be measured alternately under the same load. Figures are drawn and encoded; displays go
nowhere. Prints seconds only; nothing is asserted.

    .venv/bin/minsheng prepare data/raw /tmp/sample-processed
    .venv/bin/python benchmarks/bench_page.py /tmp/sample-processed [--village CODE | --town]
        [--runs 7] [--repo PATH] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VILLAGE_NOTEBOOK = "notebooks/20_village.ipynb"
TOWN_NOTEBOOK = "notebooks/10_township.ipynb"


def page_run(repo: Path, processed: Path, code: str | None):
    """A function running the cells of ``repo``'s village notebook (the town's without a
    village ``code``) in this process."""
    notebook = VILLAGE_NOTEBOOK if code else TOWN_NOTEBOOK
    nb = json.loads((repo / notebook).read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    parameters = f"processed_dir = {str(processed)!r}\n"
    if code:
        parameters += f"village_code = {code!r}\n"

    def run() -> None:
        namespace: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for source in (cells[0], parameters, *cells[1:]):
                exec(source, namespace)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("processed", type=Path, help="a processed folder (minsheng prepare)")
    parser.add_argument("--village", default="360722103203", help="village code (青光村)")
    parser.add_argument("--town", action="store_true", help="the town's page instead")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to run (default: this)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more run")
    args = parser.parse_args()

    repo = args.repo.resolve()
    sys.path.insert(0, str(repo))
    code = None if args.town else args.village
    run = page_run(repo, args.processed.resolve(), code)
    for _ in range(2):
        run()
    seconds = []
    for _ in range(args.runs):
        started = time.process_time()
        run()
        seconds.append(time.process_time() - started)
    print(
        f"{repo}: {'town' if args.town else f'village {args.village}'} page cells, median {statistics.median(seconds):.3f} s "
        f"CPU of {args.runs} warm runs (range {min(seconds):.3f}–{max(seconds):.3f})"
    )
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
