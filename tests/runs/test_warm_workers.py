"""Workers kept between builds (`minsheng workers`): their warm shells serve build after build, and
a worker that loaded other code than the build's refuses its jobs rather than publish pages
made by that code under keys that call them current."""

from __future__ import annotations

import os
import re
import signal

import psutil
import pytest

from analysis import config
from analysis.reporting import index_page
from analysis.runs import execute, jobs, runner

QINGGUANG = "360722103203"
YEAR = config.DEFAULT_YEAR


def test_a_worker_running_other_code_refuses_page_and_document_jobs(
    prepared_sample, tmp_path, monkeypatch
):
    year_dir = tmp_path / str(YEAR)
    planned = jobs.plan_jobs(prepared_sample, YEAR, raw_dir=config.RAW_DIR, villages=[QINGGUANG])
    page = next(job for job in planned if job.key == QINGGUANG)
    (drawn,) = jobs.document_jobs(planned, planned, year_dir)
    docx, _ = index_page.document_paths(year_dir)
    docx.parent.mkdir(parents=True, exist_ok=True)
    docx.write_bytes(b"older summary")
    settings = execute.RunSettings(
        str(config.NOTEBOOKS_DIR), str(year_dir), False, code="the code of a newer minsheng"
    )

    def run(*args, **kwargs):
        raise AssertionError("a refused job runs no notebook")

    monkeypatch.setattr(execute, "execute_notebook", run)
    result = execute.run_job(page, settings)
    assert not result.ok and result.where == "StaleWorkersError"
    assert "重启工作进程" in result.error and "Restart the workers" in result.error
    html = (year_dir / page.html).read_text(encoding="utf-8")
    assert "重启工作进程" in html

    result = execute.run_job(drawn, settings)
    assert not result.ok and "Restart the workers" in result.error
    assert not docx.exists(), "a refused document job leaves no older summary behind"

    current = execute.RunSettings(
        str(config.NOTEBOOKS_DIR), str(year_dir), False, code=execute.LOADED_CODE
    )
    execute._check_code(current)


def _warm_shells(address: str) -> dict[str, int]:
    """Each worker's process id, where its notebook shell is made and warmed up."""
    from distributed import Client

    with Client(address) as client:
        # A lambda: Dask sends it by value, so the workers need not import this test module.
        return client.run(
            lambda: (
                os.getpid() if __import__("analysis.runs.inprocess").runs.inprocess._shell else None
            )
        )


@pytest.mark.slow
def test_minsheng_workers_keep_their_warm_shells_from_build_to_build_and_stop_on_ctrl_c(
    prepared_sample, tmp_path, start_minsheng
):
    workers = start_minsheng("workers", "--workers", "1", "--port", "0")
    try:
        address = None
        while address is None and (line := workers.readline(timeout=180)):
            found = re.search(r"Workers ready: (tcp://\S+)", line)
            address = found and found.group(1)
        assert address, workers.output()
        tree = psutil.Process(workers.pid)
        shells = _warm_shells(address)
        assert len(shells) == 1 and all(shells.values()), "the shell is warmed before any build"

        def build(**kwargs):
            return runner.build(
                config.RAW_DIR,
                tmp_path / "reports",
                processed_dir=tmp_path / "processed",
                villages=[QINGGUANG],
                scheduler=address,
                progress=False,
                **kwargs,
            )

        first = build()
        again = build(force=True)
        assert first.ok and again.ok
        assert not any(r.cached for r in again.results)
        assert _warm_shells(address) == shells, "the second build ran in the same worker"
        processes = tree.children(recursive=True)

        workers.send_signal(signal.SIGINT)
        assert workers.wait(timeout=60) == 0
        assert "workers stopped" in workers.output()
        _, left = psutil.wait_procs(processes, timeout=15)
        assert not left, "a worker outlived Ctrl-C"
    finally:
        if workers.poll() is None:
            workers.kill()


@pytest.mark.parametrize(
    ("workers", "port", "said"),
    [(0, 0, "--workers must be at least 1"), (None, 70000, "--port must be 0–65535")],
)
def test_local_workers_refuse_a_bad_count_or_port_before_starting_anything(workers, port, said):
    from analysis.errors import ParameterError
    from analysis.runs import executors

    with pytest.raises(ParameterError, match=said), executors.local_workers(workers, port):
        pass
