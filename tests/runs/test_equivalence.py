"""The in-process and warm executors give the outputs plain papermill gives, and forget each
notebook.

Both run many notebooks one after another in one shell (reset in between); a page must
not depend on which notebook ran before it, nor differ from a fresh-kernel run.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from matplotlib.testing.compare import compare_images

from analysis import config
from analysis.pipeline.prepare import ensure_processed
from analysis.runs import execute, jobs

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


#: The executors that keep one shell for many notebooks.
REUSING = ["inprocess", "warm"]


@pytest.mark.parametrize("executor", REUSING)
@pytest.mark.parametrize("code", VILLAGES)
def test_a_reused_shell_matches_plain_papermill(code, executor, processed, tmp_path):
    """The village twice in one kept shell (the second run follows itself, the worst case
    for leftovers), then on a fresh kernel: all three agree."""
    source = config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK
    parameters = {
        "village_code": code,
        "processed_dir": str(processed),
        "raw_dir": str(config.RAW_DIR),
    }
    first, second = (
        execute.execute_notebook(source, tmp_path / f"kept{n}.ipynb", parameters, executor)
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


@pytest.mark.parametrize("executor", REUSING)
def test_a_reused_shell_forgets_the_previous_notebook(executor, tmp_path):
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os\nleft_behind = 'defined by the first notebook'\nprint(os.getpid())",
        "import matplotlib.pyplot as plt\nplt.figure()\n'a result kept as _'",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import os\nprint(os.getpid())\nprint('left_behind' in dir())",
        "import matplotlib.pyplot as plt\nprint(repr(globals().get('_', '')), len(Out), plt.get_fignums())",
    )
    one = execute.execute_notebook(first, tmp_path / "one.ipynb", {}, executor)
    two = execute.execute_notebook(second, tmp_path / "two.ipynb", {}, executor)
    (pid_one,) = _stdout_lines(one)
    pid_two, seen, results = _stdout_lines(two)
    assert pid_one == pid_two, "both notebooks should run in the same kept shell"
    assert seen == "False", "a name from the previous notebook is still defined"
    assert results == "'' 0 []", "the previous notebook's results or figures are still there"


#: Outputs a report notebook seldom makes but an analyst's may: the in-process shell must
#: write each as a kernel does.
UNUSUAL_CELLS = (
    "print('one')\nprint('two')",
    "import sys\nprint('to stderr', file=sys.stderr)",
    "from IPython.display import HTML, display\ndisplay(HTML('<b>县</b>'))\n6 * 7",
    "'hidden';",
    "handle = display('first', display_id='d')",
    "handle.update('second')\nprint('after the update')",
    "from IPython.display import clear_output\nprint('gone')\nclear_output()\nprint('kept')",
    "1 / 0",
    "print('never run')",
)


def _outputs(nb: nbformat.NotebookNode) -> list[list[tuple]]:
    """Each code cell's count and outputs, in the terms a page or a reader sees."""

    def seen(output) -> tuple:
        if output.output_type == "stream":
            return ("stream", output.name, output.text)
        if output.output_type == "error":
            return ("error", output.ename, output.evalue)
        count = output.get("execution_count")
        return (output.output_type, dict(output.data), count)

    return [
        [c.execution_count, *(seen(o) for o in c.outputs)]
        for c in nb.cells
        if c.cell_type == "code"
    ]


def test_the_in_process_shell_writes_every_kind_of_output_as_a_kernel_does(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    source = _notebook(tmp_path / "unusual.ipynb", *UNUSUAL_CELLS)
    runs = {}
    for executor in ("inprocess", "papermill"):
        with pytest.raises(PapermillExecutionError) as failed:
            execute.execute_notebook(source, tmp_path / f"{executor}.ipynb", {}, executor)
        assert (failed.value.ename, failed.value.exec_count) == ("ZeroDivisionError", 8)
        runs[executor] = nbformat.read(tmp_path / f"{executor}.ipynb", as_version=4)
    assert _outputs(runs["inprocess"]) == _outputs(runs["papermill"])
    assert runs["inprocess"].metadata.language_info == runs["papermill"].metadata.language_info
    nbformat.validate(runs["inprocess"])


def test_a_cell_tagged_to_raise_runs_on_in_process_as_on_a_kernel(tmp_path):
    """nbclient runs on past a cell tagged ``raises-exception``; papermill still reports it."""
    from papermill.exceptions import PapermillExecutionError

    source = _notebook(tmp_path / "tagged.ipynb", "raise ValueError('expected')", "print('on')")
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, source)
    runs = {}
    for executor in ("inprocess", "papermill"):
        with pytest.raises(PapermillExecutionError, match="expected"):
            execute.execute_notebook(source, tmp_path / f"{executor}.ipynb", {}, executor)
        runs[executor] = nbformat.read(tmp_path / f"{executor}.ipynb", as_version=4)
    assert _stdout_lines(runs["inprocess"]) == ["on"]
    assert _outputs(runs["inprocess"]) == _outputs(runs["papermill"])


def test_only_the_cell_s_own_thread_writes_into_its_outputs(tmp_path, capfd):
    """A thread of the build (the downloads writer, a Dask worker's loop) printing while a cell
    runs prints where it did; it does not land on the page."""
    source = _notebook(
        tmp_path / "threads.ipynb",
        "import threading\n"
        "other = threading.Thread(target=print, args=('from another thread',))\n"
        "other.start(); other.join()\n"
        "print('from the cell')",
    )
    ran = execute.execute_notebook(source, tmp_path / "ran.ipynb", {}, "inprocess")
    assert _stdout_lines(ran) == ["from the cell"]
    assert "from another thread" in capfd.readouterr().out


@pytest.mark.parametrize("asks", ["input('县名？')", "import getpass\ngetpass.getpass()"])
def test_a_cell_asking_for_input_fails_in_process_as_on_a_kernel(asks, tmp_path):
    """No one answers a build's notebook: a kernel run by nbclient refuses input, and so must
    a worker, rather than wait on its stdin."""
    from papermill.exceptions import PapermillExecutionError

    source = _notebook(tmp_path / "asks.ipynb", asks, "print('never run')")
    refused = {}
    for executor in ("inprocess", "papermill"):
        with pytest.raises(PapermillExecutionError) as failed:
            execute.execute_notebook(source, tmp_path / f"{executor}.ipynb", {}, executor)
        refused[executor] = (failed.value.ename, failed.value.evalue)
    assert refused["inprocess"] == refused["papermill"]
    assert refused["inprocess"][0] == "StdinNotImplementedError"


#: A build started where an IPython shell already runs (a JupyterLab notebook's kernel).
INSIDE_IPYTHON = """
import os, sys
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.instance()
from analysis.runs import execute
nb = execute.execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]), {}, "inprocess")
print(os.getpid(), nb.cells[0].outputs[0].text.strip())
"""


def test_inside_another_ipython_shell_the_notebook_runs_on_a_warm_kernel(tmp_path):
    source = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    run = subprocess.run(
        [sys.executable, "-c", INSIDE_IPYTHON, str(source), str(tmp_path / "ran.ipynb")],
        capture_output=True,
        text=True,
        check=True,
        cwd=config.PROJECT_DIR,
    )
    shell_pid, notebook_pid = run.stdout.split()
    assert shell_pid != notebook_pid, "the notebook should have run in a kernel of its own"
