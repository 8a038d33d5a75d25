"""In-process notebooks: a notebook's cells run in this worker process's own IPython shell.

A warm kernel (:mod:`analysis.runs.warm`) still pays the kernel protocol on every cell and
every output: each message serialised, signed, sent over ZeroMQ and parsed on both sides, by
two processes. Here the cells run in an IPython shell inside the process that builds the page,
and each output goes straight into the notebook the way nbclient writes it: the same output
types, stream text merged the same way, ``execute_result`` with its count, ``error`` with its
traceback. papermill still injects the parameters, marks the failed cell and times each cell,
so executed notebooks and pages are those of a kernel run (tests/runs/test_equivalence.py).

Two things a kernel gives that this does not: an execution timeout, and a crash inside a cell
(a segfault in a C library) ending only the kernel: here it ends the worker process, and the
executors report that job as crashed (:func:`analysis.runs.execute.crashed`).
"""

from __future__ import annotations

import builtins
import getpass
import io
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import nbformat
from ipykernel.ipkernel import IPythonKernel
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import StdinNotImplementedError
from IPython.core.interactiveshell import InteractiveShell
from nbclient.exceptions import CellExecutionError
from papermill.engines import Engine, papermill_engines
from traitlets import Type
from traitlets.config import Config

from analysis.runs.warm import WARM_UP_CODE
from analysis.translators import register_translator

#: nbclient's tag for a cell expected to fail: the notebook goes on after it.
_RAISES = "raises-exception"


def _output(output_type: str, **fields) -> nbformat.NotebookNode:
    """An output as ``nbformat.v4.new_output`` makes it, without checking it against the schema
    on its own: papermill checks the whole notebook when it writes it, and a check an output
    costs more than a kept chart's display."""
    return nbformat.from_dict({"output_type": output_type, **fields})


class _CellOutputs:
    """The outputs of the cell now running, as nbclient would have written them."""

    def __init__(self, displays: dict[str, list], count: int | None = None) -> None:
        self.outputs: list = []
        #: The cell's execution count, which its result carries.
        self.count = count
        #: The notebook's outputs shown with a display id, by id: an update rewrites them all,
        #: in whichever cell they are, as nbclient does.
        self.displays = displays
        #: Only the thread running the cell writes into it; other threads' prints (a progress
        #: line, a library's warning) go where they went before.
        self.thread: int | None = None

    def stream(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text  # nbclient appends to the previous stream output of that name
        else:
            self.outputs.append(_output("stream", name=name, text=text))

    def display(self, data: dict, metadata: dict | None, display_id: str | None) -> None:
        output = _output("display_data", data=data, metadata=metadata or {})
        if display_id:
            self.displays.setdefault(display_id, []).append(output)
        self.outputs.append(output)

    def update(self, data: dict, metadata: dict | None, display_id: str | None) -> None:
        for output in self.displays.get(display_id, []):
            output.data, output.metadata = data, metadata or {}

    def result(self, data: dict, metadata: dict) -> None:
        self.outputs.append(
            _output("execute_result", data=data, metadata=metadata, execution_count=self.count)
        )

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        self.outputs.append(_output("error", ename=ename, evalue=evalue, traceback=traceback))

    def clear(self) -> None:
        self.outputs.clear()


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: the running cell's text becomes its
    stream output; any other thread's text goes to the stream it replaced."""

    def __init__(self, name: str, cell: _CellOutputs, replaced) -> None:
        self.name, self.cell, self.replaced = name, cell, replaced

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if threading.get_ident() == self.cell.thread:
            if text:
                self.cell.stream(self.name, text)
        else:
            self.replaced.write(text)
        return len(text)


def _refuse(name: str) -> Callable[..., str]:
    """``input`` or ``getpass`` as a kernel without a front end's stdin has them."""

    def refuse(*args, **kwargs) -> str:
        raise StdinNotImplementedError(
            f"{name} was called, but this frontend does not support input requests."
        )

    return refuse


class _Publisher(DisplayPublisher):
    """``display()``: a ``display_data`` output of the running cell."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False) -> None:
        cell = self.shell.cell
        display_id = (transient or {}).get("display_id")
        if threading.get_ident() != cell.thread:  # outside a cell: printed, as IPython does
            super().publish(data, metadata, source, transient=transient, update=update)
        elif update:
            cell.update(data, metadata, display_id)
        else:
            cell.display(data, metadata, display_id)

    def clear_output(self, wait: bool = False) -> None:
        if threading.get_ident() == self.shell.cell.thread:
            self.shell.cell.clear()


class _ResultHook(DisplayHook):
    """A cell's last expression: an ``execute_result``, numbered as the kernel numbers it."""

    def start_displayhook(self) -> None:
        pass

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell.cell.result(format_dict, md_dict or {})

    def finish_displayhook(self) -> None:
        pass

    def flush(self) -> None:
        """Forget the results kept for ``_``, ``_1``, ``Out``, as IPython's flush does, without
        its full garbage collection: Python's own collector frees what a notebook left, and
        the two full collections of ``%reset -f`` cost a page with kept pictures an eighth of
        its time (benchmarks/bench_build.py, per-page CPU)."""
        for n in range(1, self.prompt_count + 1):
            self.shell.user_ns_hidden.pop(f"_{n}", None)
            self.shell.user_ns.pop(f"_{n}", None)
        self.shell.user_ns.get("_oh", {}).clear()
        self._, self.__, self.___ = "", "", ""
        if "_" not in builtins.__dict__:
            self.shell.user_ns.update({"_": self._, "__": self.__, "___": self.___})


class NotebookShell(InteractiveShell):
    """An IPython shell whose displays, results, prints and errors become notebook outputs."""

    display_pub_class = Type(_Publisher)
    displayhook_class = Type(_ResultHook)

    def __init__(self, **kwargs) -> None:
        self.displays: dict[str, list] = {}
        self.cell = _CellOutputs(self.displays)
        super().__init__(**kwargs)

    def init_sys_modules(self) -> None:
        """Leave ``sys.modules['__main__']`` to the worker: its process pool and Dask find
        their own functions there (as an embedded IPython does)."""

    def enable_gui(self, gui=None) -> None:
        """No event loop to hook: the inline backend only displays figures (as in a kernel)."""

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        self.cell.error(etype.__name__, str(evalue), stb)

    def run_code_cell(self, source: str) -> tuple[list, bool]:
        """Run one cell; its outputs, and whether it raised."""
        cell = self.cell = _CellOutputs(self.displays, self.execution_count)
        cell.thread = threading.get_ident()
        stdout, stderr = sys.stdout, sys.stderr
        asked = builtins.input, getpass.getpass
        sys.stdout = _Stream("stdout", cell, stdout)
        sys.stderr = _Stream("stderr", cell, stderr)
        # As a kernel that nbclient runs: nobody is there to answer (a worker would wait).
        builtins.input, getpass.getpass = _refuse("raw_input"), _refuse("getpass")
        try:
            result = self.run_cell(source, store_history=True)
        finally:
            sys.stdout, sys.stderr = stdout, stderr
            builtins.input, getpass.getpass = asked
            cell.thread = None
        if isinstance(result.error_in_exec, KeyboardInterrupt):
            # Ctrl-C on the build: IPython made it the cell's error, the build must stop.
            raise KeyboardInterrupt
        return cell.outputs, not result.success

    def start_notebook(self) -> None:
        """What ``%reset -f`` gives each notebook on a warm kernel (a namespace and outputs of
        its own, no figure left open), without the magic's full garbage collection."""
        self.reset(new_session=False)
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close("all")
        self.execution_count = 1
        self.displays.clear()

    def run_quietly(self, source: str) -> None:
        """Run set-up code (the imports); raise if it failed, since no page can be right
        after it."""
        outputs, failed = self.run_code_cell(source)
        if failed:
            error = next(o for o in outputs if o.output_type == "error")
            raise RuntimeError(f"in-process set-up failed: {error.ename}: {error.evalue}")


_shell: NotebookShell | None = None


def available() -> bool:
    """False inside Jupyter or IPython, whose own shell owns ``display()`` in this process."""
    return _shell is not None or not InteractiveShell.initialized()


def shell() -> NotebookShell:
    """This process's notebook shell, made and warmed up (the heavy imports, the inline
    matplotlib backend a kernel starts with) on first use."""
    global _shell
    if _shell is None:
        if not available():
            raise RuntimeError("the in-process engine cannot run inside another IPython shell")
        # No input history, as on the warm kernel: nobody recalls a report's cells.
        made = NotebookShell.instance(config=Config(HistoryManager={"enabled": False}))
        made.enable_matplotlib("inline")
        made.run_quietly(WARM_UP_CODE)
        _shell = made
    return _shell


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class InProcessEngine(Engine):
    """papermill engine running a notebook's cells in this process's :func:`shell`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        notebook_shell = shell()
        notebook_shell.start_notebook()
        for index, cell in enumerate(nb_man.nb.cells):
            try:
                nb_man.cell_start(cell, index)
                cls._execute_cell(notebook_shell, cell)
            except CellExecutionError as ex:
                nb_man.cell_exception(cell, cell_index=index, exception=ex)
                break
            finally:
                nb_man.cell_complete(cell, cell_index=index)
        nb_man.nb.metadata["language_info"] = dict(IPythonKernel.language_info)
        return nb_man.nb

    @staticmethod
    def _execute_cell(notebook_shell: NotebookShell, cell) -> None:
        """One cell as nbclient runs it: code cells with a source only, outputs replaced,
        timing recorded, an error raised unless the cell is tagged to raise."""
        if cell.cell_type != "code" or not cell.source.strip():
            return
        cell.outputs = []
        started = _now()
        count = notebook_shell.execution_count
        outputs, failed = notebook_shell.run_code_cell(cell.source)
        finished = _now()
        cell.execution_count = count
        cell.outputs = outputs
        cell.metadata["execution"] = {
            "iopub.execute_input": started,
            "iopub.status.busy": started,
            "iopub.status.idle": finished,
            "shell.execute_reply": finished,
        }
        if failed and _RAISES not in cell.metadata.get("tags", []):
            error = next((o for o in outputs if o.output_type == "error"), None)
            raise CellExecutionError(
                "\n".join(error.traceback) if error else "",
                error.ename if error else "",
                error.evalue if error else "",
            )


papermill_engines.register("minsheng-inprocess", InProcessEngine)

register_translator()
