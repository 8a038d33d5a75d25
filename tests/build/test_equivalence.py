"""The warm executor gives the outputs plain papermill gives, and forgets each notebook.

A warm kernel runs many notebooks one after another (``%reset -f`` in between); a page must
not depend on which notebook ran before it, nor differ from a fresh-kernel run.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from matplotlib.testing.compare import compare_images

from analysis import config
from analysis.build import execute, jobs
from analysis.pipeline.prepare import ensure_processed

pytestmark = pytest.mark.slow

#: 青光村 shares a two-village target; 莲花山社区 (a 居委会) has no projects.
VILLAGES = ["360722103203", "360722103001"]
#: Memory addresses in reprs ("<object at 0x7f3a…>") differ between processes.
ADDRESS = re.compile(r"0x[0-9a-f]{6,}")
#: Root-mean-square pixel difference (0–255) allowed; rendering is deterministic, so tight.
PNG_TOLERANCE = 0.01


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("processed")
    ensure_processed(config.RAW_DIR, path)
    return path


def scrub(text: str) -> str:
    return ADDRESS.sub("0x…", text)


def assert_same_png(a: str, b: str, folder: Path, where: str) -> None:
    """Equal bytes, or else equal pixels within :data:`PNG_TOLERANCE`."""
    a_bytes, b_bytes = base64.b64decode(a), base64.b64decode(b)
    if a_bytes == b_bytes:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "expected.png").write_bytes(b_bytes)
    (folder / "actual.png").write_bytes(a_bytes)
    difference = compare_images(
        str(folder / "expected.png"), str(folder / "actual.png"), tol=PNG_TOLERANCE
    )
    assert difference is None, f"{where}: {difference}"


def assert_same_outputs(
    actual: nbformat.NotebookNode, expected: nbformat.NotebookNode, folder: Path
) -> None:
    """Cell by cell: the same output types, text and HTML, and images."""
    a_cells = [c for c in actual.cells if c.cell_type == "code"]
    b_cells = [c for c in expected.cells if c.cell_type == "code"]
    assert [c.source for c in a_cells] == [c.source for c in b_cells]
    for i, (a_cell, b_cell) in enumerate(zip(a_cells, b_cells, strict=True)):
        where = f"cell {i + 1} ({a_cell.source.strip().splitlines()[-1][:60]})"
        assert [o.output_type for o in a_cell.outputs] == [o.output_type for o in b_cell.outputs], (
            where
        )
        for j, (a, b) in enumerate(zip(a_cell.outputs, b_cell.outputs, strict=True)):
            here = f"{where}, output {j + 1}"
            if a.output_type == "stream":
                assert (a.name, scrub(a.text)) == (b.name, scrub(b.text)), here
                continue
            assert sorted(a.data) == sorted(b.data), here
            for mime, value in a.data.items():
                if mime == "image/png":
                    assert_same_png(value, b.data[mime], folder / f"{i + 1}-{j + 1}", here)
                elif isinstance(value, str):
                    assert scrub(value) == scrub(b.data[mime]), f"{here}, {mime}"
                else:
                    assert value == b.data[mime], f"{here}, {mime}"


@pytest.mark.parametrize("code", VILLAGES)
def test_warm_kernel_matches_plain_papermill(code, processed, tmp_path):
    """The village twice on the warm kernel (the second run follows itself, the worst case
    for leftovers), then on a fresh kernel: all three agree."""
    source = config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK
    parameters = {
        "village_code": code,
        "processed_dir": str(processed),
        "raw_dir": str(config.RAW_DIR),
    }
    first, second = (
        execute.execute_notebook(source, tmp_path / f"warm{n}.ipynb", parameters, executor="warm")
        for n in (1, 2)
    )
    plain = execute.execute_notebook(
        source, tmp_path / "plain.ipynb", parameters, executor="papermill"
    )
    assert any(
        "data:image/png;base64," in str(o.get("data", {}).get("text/html", ""))
        for c in plain.cells
        for o in c.get("outputs", [])
    ), "the comparison should cover images"
    assert_same_outputs(first, plain, tmp_path / "first")
    assert_same_outputs(second, plain, tmp_path / "second")


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def _stdout_lines(nb: nbformat.NotebookNode) -> list[str]:
    text = "".join(
        o.text
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "stream" and o.name == "stdout"
    )
    return text.splitlines()


def test_warm_kernel_forgets_previous_notebook(tmp_path):
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os\nleft_behind = 'defined by the first notebook'\nprint(os.getpid())",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import os\nprint(os.getpid())\nprint('left_behind' in dir())",
    )
    one = execute.execute_notebook(first, tmp_path / "one.ipynb", {}, executor="warm")
    two = execute.execute_notebook(second, tmp_path / "two.ipynb", {}, executor="warm")
    (pid_one,) = _stdout_lines(one)
    pid_two, seen = _stdout_lines(two)
    assert pid_one == pid_two, "both notebooks should run on the same warm kernel"
    assert seen == "False", "a name from the previous notebook is still defined"
