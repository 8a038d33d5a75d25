"""Our pages' HTML is written directly, and it is the document nbconvert would have written.

The executed notebooks of a built county (its county, town and village pages: all three of
our report notebooks) are exported both ways; BeautifulSoup, which nbconvert's exporter ends
with, parses and writes each, and the two must be the same text.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from analysis.reporting import notebook_html, publish

pytestmark = pytest.mark.slow


def _same_document(html: str) -> str:
    return BeautifulSoup(html, "html.parser").decode()


def _nbconvert_body(nb: nbformat.NotebookNode) -> str:
    body, _ = publish._exporter().from_notebook_node(nb)
    return publish.without_scripts(body)


def _executed(year_dir: Path) -> dict[str, list[Path]]:
    paths = sorted((year_dir / "notebooks").glob("*.ipynb"))
    return {
        "county": [p for p in paths if p.stem == "county"],
        "town": [p for p in paths if len(p.stem) == 9],
        "village": [p for p in paths if len(p.stem) == 12][:6],
    }


def test_every_page_kind_is_written_directly_as_nbconvert_writes_it(county):
    _, year_dir, result = county
    assert result.ok, [(r.key, r.error) for r in result.failed]
    executed = _executed(year_dir)
    assert all(executed.values()), {kind: len(paths) for kind, paths in executed.items()}
    for kind, paths in executed.items():
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            direct = notebook_html.render(nb)
            assert direct is not None, f"{kind} {path.name} went to nbconvert"
            assert "<img" in direct and "output_html rendered_html" in direct, path.name
            assert _same_document(publish.notebook_body(nb)) == _same_document(
                _nbconvert_body(nb)
            ), f"{kind} {path.name}"


def test_the_published_page_is_the_direct_body(county):
    """What the build wrote is the direct export of the notebook it executed."""
    _, year_dir, _ = county
    path = _executed(year_dir)["village"][0]
    nb = nbformat.read(path, as_version=4)
    page = (year_dir / "villages" / f"{path.stem}.html").read_text(encoding="utf-8")
    assert publish.notebook_body(nb) in page
