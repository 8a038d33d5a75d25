"""Notebooks are committed clean (no outputs), parameterised, thin, and papermill can read them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import nbformat
import pytest

from analysis import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
MAX_CELL_LINES = 8  # past this, the logic belongs in analysis/


def test_the_design_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert {
        "01_prepare.ipynb",
        "10_township.ipynb",
        "20_village.ipynb",
        "90_explore.ipynb",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], (
                f"{path.name}: a cell has outputs; clear them before committing"
            )
            assert cell.execution_count is None, f"{path.name}: execution counts are committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_a_parameters_cell_and_kernelspec(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata["kernelspec"]["name"] == "python3"
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_stay_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if ln.strip()]
            assert len(lines) <= MAX_CELL_LINES, (
                f"{path.name}: move this cell's logic into analysis/"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_words_come_from_labels(path):
    """Headings are label keys (report.section_heading("key_figures", lang)), not literals, so
    an English build is English; parameter comments may stay bilingual."""
    cjk = re.compile(r"[\u3400-\u9fff]")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not cjk.search(node.value), f"{path.name}: {node.value!r}"


def test_help_notebook_lists_every_parameter_with_its_meaning():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "--help-notebook",
            str(config.NOTEBOOKS_DIR / "20_village.ipynb"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in ("village_code", "year", "lang", "processed_dir", "raw_dir"):
        assert name in result.stdout
    assert "村代码" in result.stdout


def test_injected_chinese_parameters_stay_readable():
    """papermill would write \\u escapes; our translator (a papermill entry point) keeps Chinese."""
    # Importing papermill loads the entry point that registers the translator.
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(config.NOTEBOOKS_DIR / "20_village.ipynb"))
    out = parameterize_notebook(nb, {"village_name": "青光村", "quote": 'a "b"\n'})
    injected = next(c for c in out.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'village_name = "青光村"' in injected.source
    namespace: dict = {}
    exec(injected.source, namespace)
    assert namespace["quote"] == 'a "b"\n'
