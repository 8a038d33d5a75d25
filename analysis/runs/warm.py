"""Warm kernels: notebooks run on a kept-alive kernel, each in a fresh namespace.

Starting a kernel and importing geopandas, matplotlib and statsmodels costs seconds per
notebook; a :class:`WarmKernel` pays it once per worker process. The ``minsheng-warm`` papermill
engine runs a notebook on one, so papermill's parameter injection, error cells and metadata
stay exactly those of a plain papermill run.
"""

from __future__ import annotations

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from analysis.translators import register_translator

#: Imports every report needs; done once per kernel instead of once per village. Those only
#: some pages use (mapclassify, statsmodels) too: imported later, they would sit outside the
#: frozen objects and every collection after them would scan them (0.08 s each).
WARM_UP_CODE = """\
import analysis.reporting.sections, analysis.geo.maps, analysis.core.trends, analysis.reporting.charts, analysis.reporting.explore
import geopandas, statsmodels.api, matplotlib, mapclassify
analysis.core.style.use_house_style()
import gc
gc.collect()
gc.freeze()  # the imported modules never become garbage; %reset's collections skip them
"""
#: Run (silently) before each notebook on a warm kernel: a fresh namespace, no figures left from
#: the last one (in-process: :meth:`analysis.runs.inprocess.NotebookShell.start_notebook`).
RESET_CODE = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"


class _WarmClient(PapermillNotebookClient):
    """papermill's client on a kernel and connection it does not own: resets the namespace
    first and leaves both open for the next notebook."""

    def __init__(self, nb_man, warm: WarmKernel, **kwargs):
        super().__init__(nb_man, km=warm.km, **kwargs)
        self.kc = warm.kc  # set before execute(), so nbclient opens no connection of its own

    def papermill_execute_cells(self):
        self.wait_for_reply(self.kc.execute(RESET_CODE, silent=True, store_history=False))
        super().papermill_execute_cells()


class WarmKernel:
    """A kernel started once, warmed up with the heavy imports, reused for many notebooks."""

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        # The kernel's "running over TCP without encryption" warning repeats for every worker;
        # loopback-only kernels are the documented setup, so keep its log to errors. No input
        # history either: nobody recalls a report's cells, and writing it costs every cell.
        run_sync(self.km.start_kernel)(
            cwd=cwd,
            extra_arguments=["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"],
        )
        self.runs = 0
        # One connection for the kernel's whole life: opening one per notebook costs ~0.2 s.
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        reply = run_sync(self.kc.execute_interactive)(WARM_UP_CODE, silent=True, timeout=120)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel warm-up failed: {reply['content'].get('evalue')}")

    @property
    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel; safe to call twice (a finalizer and atexit may both call it)."""
        from jupyter_core.utils import run_sync

        self.kc.stop_channels()
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
        client = _WarmClient(
            nb_man,
            warm,
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

register_translator()
