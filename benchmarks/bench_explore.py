"""Benchmark: the explorer page of the county sample (信丰县: 17 towns, 312 villages, every
indicator, 6 years), issue 30's two figures and what the explorer adds to a build.

- size: every file the page loads or may load (explore.html and explore/: the vendored
  Vega-Lite, our script, the index and every town's data), in bytes, with the library's share;
- first draw: milliseconds from navigation to the first view drawn (the page's
  ``explore-drawn`` performance mark), in headless Chromium opening the page from disk,
  the median of a few loads, each in a fresh profile (so no cache);
- writing: seconds ``write_explorer`` takes from the processed tables (the build runs it beside
  the pages).

Prints figures, asserts nothing. Goals: at most 3 MB, drawn within 1 s.

    .venv/bin/python benchmarks/bench_explore.py [--loads 3]

The county is prepared in ``benchmarks/out/explore/`` (gitignored), written there fresh by
``minsheng sample --county``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
# The browser tests' DevTools driver (tests/reporting/test_browser.py).
sys.path.insert(0, str(ROOT / "tests" / "reporting"))

from analysis import config  # noqa: E402
from analysis.reporting import explorer  # noqa: E402
from analysis.runs import runner  # noqa: E402

OUT = HERE / "out" / "explore"
YEAR = config.DEFAULT_YEAR
BIN = ROOT / ".venv" / "bin"
GOAL_BYTES = 3_000_000
GOAL_MS = 1000.0


def county(work: Path) -> tuple[Path, Path]:
    """The county sample's processed tables and its year folder (the explorer written)."""
    raw = work / "raw"
    if not (raw / "SAMPLE").exists():
        shutil.rmtree(raw, ignore_errors=True)
        subprocess.run([BIN / "minsheng", "sample", raw, "--county", "--quiet"], check=True)
    processed = work / "processed"
    runner.prepare_tables(raw, processed)
    return processed, work / "reports" / str(YEAR)


def first_draw_ms(page: Path) -> float:
    """Milliseconds from navigation to the explorer's first view drawn, in a fresh browser."""
    from test_browser import BROWSER_NAMES, Chromium

    binary = next(b for b in map(shutil.which, BROWSER_NAMES) if b)
    with tempfile.TemporaryDirectory() as profile, Chromium(binary, Path(profile)) as browser:
        browser.open(page)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            marks = browser.evaluate(
                "performance.getEntriesByName('explore-drawn').map(e => e.startTime)"
            )
            if marks:
                return float(marks[0])
            time.sleep(0.02)
    raise TimeoutError("the explorer drew nothing in 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3, help="page loads timed (median)")
    args = parser.parse_args()
    processed, year_dir = county(OUT)
    shutil.rmtree(year_dir, ignore_errors=True)
    started = time.perf_counter()
    explorer.write_explorer(processed, year_dir, YEAR, sample=True)
    seconds = time.perf_counter() - started

    files = [year_dir / explorer.PAGE, *(p for p in (year_dir / explorer.FOLDER).rglob("*"))]
    sizes = {p: p.stat().st_size for p in files if p.is_file()}
    total = sum(sizes.values())
    library = sum(s for p, s in sizes.items() if p.parent.name == "vendor")
    data = sum(s for p, s in sizes.items() if p.parent.name == "data")
    first = sum(s for p, s in sizes.items() if p.parent.name != "data" or p.name == "index.js")
    print("explorer of the county sample (312 villages, 17 towns)")
    print(f"  size, all in:        {total:>10,} bytes  (goal <= {GOAL_BYTES:,})")
    print(f"    Vega-Lite library: {library:>10,} bytes (vega, vega-lite, vega-embed, interpreter)")
    print(
        f"    data:              {data:>10,} bytes ({len([p for p in sizes if p.parent.name == 'data'])} files)"
    )
    print(f"    first view loads:  {first:>10,} bytes (page, library, script, index)")
    print(f"  written in           {seconds:>10.2f} s (write_explorer, from the processed tables)")
    try:
        draws = [first_draw_ms(year_dir / explorer.PAGE) for _ in range(args.loads)]
    except StopIteration:
        print("  first draw:         no Chromium on PATH")
        return
    print(
        f"  first draw:          {statistics.median(draws):>10.0f} ms median of {args.loads} "
        f"(goal <= {GOAL_MS:.0f}; each: {', '.join(f'{d:.0f}' for d in draws)})"
    )


if __name__ == "__main__":
    main()
