"""papermill integration: parameters that keep Chinese readable, and warm kernels.

papermill writes string parameters through ``unicode_escape``, so an injected cell reads
``village_name = "\\u9752\\u5149\\u6751"``. This module registers a Python translator that writes
``village_name = "青光村"`` instead. It is loaded through the ``papermill.engine`` entry point,
so the plain ``papermill`` command picks it up too once the package is installed.
"""

from __future__ import annotations

import json

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.translators import PythonTranslator, papermill_translators


class UnicodePythonTranslator(PythonTranslator):
    """papermill's Python translator, with non-ASCII strings left as they are."""

    @classmethod
    def translate_escaped_str(cls, str_val):
        if isinstance(str_val, str):
            # A JSON string with ensure_ascii=False is also a valid Python string literal.
            return json.dumps(str_val, ensure_ascii=False)
        return super().translate_escaped_str(str_val)


def register_translator() -> None:
    papermill_translators.register("python", UnicodePythonTranslator)
    papermill_translators.register("python3", UnicodePythonTranslator)


class MinshengEngine(NBClientEngine):
    """papermill's default engine; registering it is how the translator gets installed."""


register_translator()


# --- warm kernels -------------------------------------------------------------------------------

#: Imports every report needs; done once per kernel instead of once per village.
WARM_UP_CODE = """\
import analysis.report, analysis.maps, analysis.trends, analysis.charts, analysis.explore
import geopandas, statsmodels.api, matplotlib
analysis.style.use_house_style()
"""
#: Run (silently) before each notebook: a fresh namespace, no figures left from the last one.
RESET_CODE = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"


class _WarmClient(PapermillNotebookClient):
    """papermill's client on a kernel it does not own: resets the namespace first and
    releases its own channels afterwards (the kernel lives on for the next notebook)."""

    def papermill_execute_cells(self):
        self.wait_for_reply(self.kc.execute(RESET_CODE, silent=True, store_history=False))
        super().papermill_execute_cells()

    def execute(self, **kwargs):
        try:
            return super().execute(**kwargs)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None


class WarmKernel:
    """A kernel started once, warmed up with the heavy imports, reused for many notebooks."""

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        # The kernel's "running over TCP without encryption" warning repeats for every worker;
        # loopback-only kernels are the documented setup, so keep its log to errors.
        run_sync(self.km.start_kernel)(cwd=cwd, extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self.runs = 0
        client = self.km.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=60)
            reply = run_sync(client.execute_interactive)(WARM_UP_CODE, silent=True, timeout=120)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"kernel warm-up failed: {reply['content'].get('evalue')}")
        finally:
            client.stop_channels()

    @property
    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel; safe to call twice (a finalizer and atexit may both call it)."""
        from jupyter_core.utils import run_sync

        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)


class WarmEngine(NBClientEngine):
    """papermill engine that runs notebooks on a :class:`WarmKernel` passed as ``warm=``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        warm: WarmKernel | None = None,
        **kwargs,
    ):
        if warm is None:
            raise ValueError("the minsheng-warm engine needs warm=WarmKernel(...)")
        kwargs.pop("input_path", None)
        client = _WarmClient(
            nb_man,
            km=warm.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        warm.runs += 1
        return client.execute()


papermill_engines.register("minsheng-warm", WarmEngine)
