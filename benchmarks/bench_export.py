"""Benchmark: CPU seconds of a page's HTML export, written directly against through nbconvert.

For each executed notebook in a folder (a build's ``reports/YEAR/notebooks/``), grouped by
level (``county``/``township``, towns by their 9-digit code, villages by their 12-digit code),
times in this process, warm, ``--runs`` times each:

- direct: :func:`analysis.reporting.publish.notebook_page`, the page as a build writes it;
- nbconvert: the same page from nbconvert's basic template, as every page was written before
  the direct export (``publish._exporter``, scripts removed).

It also checks the two bodies are the same document once BeautifulSoup has parsed and written
each, and says which notebooks the direct export left to nbconvert. Prints figures only.

    .venv/bin/python benchmarks/bench_export.py benchmarks/out/build/reports/2019/notebooks
        [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup

from analysis.reporting import notebook_html, publish


def _level(path: Path) -> str:
    if not path.stem.isdigit():
        return path.stem
    return {9: "town", 12: "village"}.get(len(path.stem), "other")


def _nbconvert_page(nb: nbformat.NotebookNode) -> str:
    body, _ = publish._exporter().from_notebook_node(nb)
    return publish.page("t", publish.without_scripts(body), PROVENANCE)


def _direct_page(nb: nbformat.NotebookNode) -> str:
    return publish.notebook_page(nb, "t", PROVENANCE)


PROVENANCE = publish.Provenance(data_fingerprint="")
WAYS: dict[str, Callable[[nbformat.NotebookNode], str]] = {
    "direct": _direct_page,
    "nbconvert": _nbconvert_page,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    levels: dict[str, list[nbformat.NotebookNode]] = {}
    for path in sorted(args.folder.glob("*.ipynb")):
        levels.setdefault(_level(path), []).append(nbformat.read(path, as_version=4))
    if not levels:
        print(f"no executed notebooks in {args.folder}", file=sys.stderr)
        return 1
    notebooks = [nb for nbs in levels.values() for nb in nbs]
    left = sum(notebook_html.render(nb) is None for nb in notebooks)
    differ = sum(
        BeautifulSoup(publish.notebook_body(nb), "html.parser").decode()
        != BeautifulSoup(
            publish.without_scripts(publish._exporter().from_notebook_node(nb)[0]), "html.parser"
        ).decode()
        for nb in notebooks
    )
    print(
        f"{len(notebooks)} notebooks: {left} left to nbconvert; {differ} whose direct body is "
        "not nbconvert's document"
    )
    for level, nbs in levels.items():
        for way, page in WAYS.items():
            seconds = []
            for _ in range(args.runs):
                for nb in nbs:
                    started = time.process_time()
                    page(nb)
                    seconds.append(time.process_time() - started)
            print(
                f"{level:9s} {way:9s} {len(nbs):4d} pages: median "
                f"{statistics.median(seconds) * 1000:7.1f} ms CPU a page (mean "
                f"{statistics.mean(seconds) * 1000:.1f} ms)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
