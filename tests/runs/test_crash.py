"""A notebook that crashes its worker process (in-process, no kernel stands between the two)
costs its own page, not the build: the page says what happened, the other pages are built."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from analysis import config
from analysis.runs import execute, executors, jobs, runner

pytestmark = pytest.mark.slow

CRASHING = "360722103203"  # 青光村
OTHERS = ["360722103001", "360722103002"]


@pytest.fixture
def crashing_notebooks(tmp_path) -> Path:
    """The report notebooks, the village one crashing the process for one village (reading
    address 0, as a broken C library would)."""
    folder = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, folder)
    path = folder / jobs.VILLAGE_NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    first = next(
        c
        for c in nb.cells
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    )
    first.source = (
        f"import ctypes, faulthandler\nif village_code == {CRASHING!r}:\n"
        # Quietly: pytest's fault handler, inherited by a forked worker, would dump every stack.
        "    faulthandler.disable()\n    ctypes.string_at(0)\n" + first.source
    )
    nbformat.write(nb, path)
    return folder


def _build_and_check(notebooks: Path, processed: Path, tmp_path: Path, **route) -> None:
    """Build the crashing village and two others on ``route`` (workers, or a scheduler)."""
    result = runner.build(
        config.RAW_DIR,
        tmp_path / "reports",
        processed_dir=processed,
        notebooks_dir=notebooks,
        villages=[CRASHING, *OTHERS],
        progress=False,
        **route,
    )
    by_key = {r.key: r for r in result.results}
    assert not by_key[CRASHING].ok and by_key[CRASHING].error == execute.CRASHED
    assert all(by_key[code].ok for code in OTHERS)
    page = tmp_path / "reports" / "2019" / "villages" / f"{CRASHING}.html"
    html = page.read_text(encoding="utf-8")
    assert "工作进程意外退出" in html and "--executor warm" in html


def test_a_notebook_crashing_its_pool_worker_fails_its_page_only(
    crashing_notebooks, processed_copy, tmp_path
):
    _build_and_check(crashing_notebooks, processed_copy, tmp_path, workers=2)


def test_a_notebook_crashing_its_dask_worker_fails_its_page_only(
    crashing_notebooks, processed_copy, tmp_path
):
    with executors.local_workers(2, port=0) as address:
        _build_and_check(crashing_notebooks, processed_copy, tmp_path, scheduler=address)
