"""Fixtures shared across the test suite."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis import config
from analysis.pipeline.prepare import ensure_processed

# --------------------------------------------------------------------------------------------
# ../shared reference data (tests marked @pytest.mark.shared)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's reference data folder; skips when absent, fails if it is required.

    A user's clone has no ../shared, so its tests skip there; CI sets MINSHENG_REQUIRE_SHARED=1
    so that a missing folder cannot silently skip them.
    """
    path = Path(config.SHARED_DIR)
    if not path.is_dir():
        message = (
            f"needs the project's reference data (seed facts, real codes and boundaries) at "
            f"{path}, which sits beside the repository in CI but not in a user's clone; "
            "set MINSHENG_SHARED to its path to run this test"
        )
        if os.environ.get("MINSHENG_REQUIRE_SHARED") == "1":
            pytest.fail(f"MINSHENG_REQUIRE_SHARED=1 but {message}")
        pytest.skip(message)
    return path


# --------------------------------------------------------------------------------------------
# The sample's processed tables, prepared once per test process and copied where a test writes.


@pytest.fixture(scope="session")
def prepared_sample(tmp_path_factory) -> Path:
    """Processed tables of the committed sample (data/raw), prepared once per session."""

    processed = tmp_path_factory.mktemp("prepared") / "processed"
    ensure_processed(config.RAW_DIR, processed)
    return processed


@pytest.fixture
def processed_copy(prepared_sample: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared sample tables, current for data/raw (not re-prepared)."""
    import shutil

    target = tmp_path / "processed"
    shutil.copytree(prepared_sample, target)
    return target


# --------------------------------------------------------------------------------------------
# Figures against baselines, as geopandas' tests/test_plotting.py compares its plots.

#: RMS difference (compare_images' 0-255 scale) allowed. Measured on the sanitation map: a rerun
#: gives 0.0; one household dot fewer (and its legend count) 1.38; one village name changed 2.9;
#: one title character 4.0; no north arrow 7.9; another colormap 8.2. 1.0 catches all of those
#: while letting sub-pixel anti-aliasing differences pass (matplotlib's wheels bundle FreeType
#: and the font comes from a pinned wheel, so text renders the same on every machine).
BASELINE_TOLERANCE = 1.0


@pytest.fixture
def baseline(request, tmp_path) -> Callable[[Callable[[Path], object], str], None]:
    """``baseline(save, name)``: ``save(path)`` writes a PNG, which must match
    ``baseline/<name>.png`` beside the test module. With ``MINSHENG_REGEN_BASELINES=1`` the PNG
    becomes the baseline instead: look at every image before committing it."""
    from matplotlib.testing.compare import compare_images

    folder = Path(request.node.path).parent / "baseline"

    def check(save: Callable[[Path], object], name: str) -> None:
        actual = tmp_path / f"{name}.png"
        save(actual)
        expected = folder / f"{name}.png"
        if os.environ.get("MINSHENG_REGEN_BASELINES") == "1":
            folder.mkdir(exist_ok=True)
            shutil.copyfile(actual, expected)
            return
        if not expected.exists():
            pytest.fail(f"no baseline {expected}; create it with MINSHENG_REGEN_BASELINES=1")
        difference = compare_images(str(expected), str(actual), tol=BASELINE_TOLERANCE)
        assert difference is None, difference

    return check


def _page_tables(document) -> tuple[list, list]:
    """A Word summary's tables on its first page (the top, for a leader: before its first page
    break) and after it (the detail); all are the detail's where there is no break."""
    from docx.oxml.ns import qn
    from docx.table import Table

    first: list = []
    rest: list = []
    broken = False
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p") and child.xpath('.//w:br[@w:type="page"]'):
            broken = True
        elif child.tag == qn("w:tbl"):
            (rest if broken else first).append(Table(child, document._body))
    return (first, rest) if broken else ([], first)


@pytest.fixture(scope="session")
def page_tables() -> Callable:
    """(first page's tables, the detail's tables) of a Word summary (:func:`_page_tables`)."""
    return _page_tables


def _rowless_tables(page: str) -> list[str]:
    """The tables of a page with a header and no row under it (the start of each)."""
    found = []
    for table in re.findall(r"<table.*?</table>", page, re.S):
        body = re.search(r"<tbody>(.*?)</tbody>", table, re.S)
        rows = re.findall(r"<tr", body.group(1)) if body else re.findall(r"<tr", table)[1:]
        if not rows:
            found.append(table[:200])
    return found


def _multiplied_charts(page: str) -> tuple[int, list[str]]:
    """How many SVG charts a page holds, and the texts of those whose value axis is written
    under an offset multiplier ("1e6", "×10⁶") rather than in its unit."""
    texts = [
        " ".join(re.findall(r"<text[^>]*>(.*?)</text>", base64.b64decode(data).decode(), re.S))
        for data in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)
    ]
    return len(texts), [t for t in texts if _MULTIPLIER.search(t)]


_MULTIPLIER = re.compile(r"\b1e[+\-]?\d|×\s*10|\\times")


def _sentence_shapes(page: str) -> Counter:
    """How often each template sentence stands in a page's top and summary: what is left of a
    sentence once its figures and place names are taken out."""
    parts = re.findall(
        r'<section class="(?:top|minsheng-summary)"[^>]*>(.*?)</section>', page, re.S
    )
    text = html.unescape(re.sub(r"<[^>]+>", "\n", "".join(parts)))
    return Counter(
        re.sub(r"[\d.,%–]+|[^，。；（）\n]*?(村|镇|乡|县|园)", "#", s.strip())
        for s in re.split(r"(?<=。)|\n", text)
        if s.strip().endswith("。")
    )


@pytest.fixture(scope="session")
def page_checks() -> SimpleNamespace:
    """Issue 28's checks of a built page's HTML: ``rowless`` (:func:`_rowless_tables`),
    ``multiplied`` (:func:`_multiplied_charts`), ``sentence_shapes`` (:func:`_sentence_shapes`)."""
    return SimpleNamespace(
        rowless=_rowless_tables, multiplied=_multiplied_charts, sentence_shapes=_sentence_shapes
    )
