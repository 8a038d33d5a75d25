"""A build publishes only validated data, or says on every page that it did not (issue 12)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import cli, config
from analysis.errors import ValidationFailed
from analysis.runs import jobs, runner

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def raw_with_errors(tmp_path: Path) -> Path:
    """The sample plus one CSV with a negative count and conflicting duplicates."""
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    shutil.copy(DATA / "bad" / "negative_count.csv", raw)
    return raw


def test_a_build_on_data_with_errors_runs_no_notebook_and_exits_1(
    raw_with_errors, tmp_path, capsys
):
    out = tmp_path / "reports"
    code = cli.main(
        [
            "build",
            "--data",
            str(raw_with_errors),
            "--out",
            str(out),
            "--processed",
            str(tmp_path / "processed"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "数据检查未通过" in err and "negative_value" in err
    assert str(tmp_path / "processed" / "quarantine.csv") in err
    assert not list(out.rglob("*.html"))


def _build_qingguang(raw: Path, tmp_path: Path, **kwargs) -> runner.BuildResult:
    """青光村 and its town, into ``tmp_path/reports`` (tables in ``tmp_path/p``)."""
    return runner.build(
        raw,
        tmp_path / "reports",
        processed_dir=tmp_path / "p",
        villages=["360722103203"],
        progress=False,
        workers=1,
        **kwargs,
    )


def test_accepted_errors_are_stated_on_every_page(raw_with_errors, tmp_path):
    with pytest.raises(ValidationFailed):
        _build_qingguang(raw_with_errors, tmp_path)
    result = _build_qingguang(raw_with_errors, tmp_path, accept_errors=True)
    errors = json.loads((tmp_path / "p" / "summary.json").read_text("utf-8"))["problems"]["error"]
    year_dir = tmp_path / "reports" / "2019"
    pages = sorted(year_dir.rglob("*.html"))
    assert result.ok and len(pages) >= 3  # index, township, the village
    problems = (year_dir / "problems.html").read_text(encoding="utf-8")
    assert "negative_count.csv" in problems
    import docx

    word = "\n".join(p.text for p in docx.Document(year_dir / "summary.docx").paragraphs)
    assert f"本报告所用数据有 {errors} 处错误未经更正" in word
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if page.name == "problems.html":
            continue
        assert f"本报告所用数据有 {errors} 处错误未经更正" in html, page
        depth = "../" if page.parent != year_dir else ""
        assert f'href="{depth}problems.html"' in html, page


def test_reports_built_before_refused_data_say_on_every_page_that_they_were_not_updated(
    tmp_path,
):
    """A correction that fails validation builds nothing; the reports already there stay, and
    the index and every page say they still show the earlier data, until a build succeeds
    again, which gives the pages it reuses back as they were built."""
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    assert _build_qingguang(raw, tmp_path).ok
    year_dir = tmp_path / "reports" / "2019"
    built = {page: page.read_bytes() for page in year_dir.rglob("*.html")}
    village = year_dir / "villages" / "360722103203.html"
    assert village in built and year_dir / "township.html" in built
    shutil.copy(DATA / "bad" / "negative_count.csv", raw)
    with pytest.raises(ValidationFailed):
        _build_qingguang(raw, tmp_path)
    errors = json.loads((tmp_path / "p" / "summary.json").read_text("utf-8"))["problems"]["error"]
    notice = f"检查原始数据未通过（{errors} 处错误），本目录中的报告没有更新"
    for page in built:
        if page.name == "problems.html":  # now the refused data's problems
            continue
        html = page.read_text(encoding="utf-8")
        up = "../" * (len(page.relative_to(year_dir).parts) - 1)
        assert notice in html and 'class="refused" role="alert"' in html, page
        assert f'href="{up}problems.html">问题清单' in html, page
    assert "negative_count.csv" in (year_dir / "problems.html").read_text(encoding="utf-8")

    (raw / "negative_count.csv").unlink()
    assert _build_qingguang(raw, tmp_path).ok
    assert all('class="refused"' not in p.read_text(encoding="utf-8") for p in built)
    assert village.read_bytes() == built[village]  # reused, as it was built
    assert "negative_count.csv" not in (year_dir / "problems.html").read_text(encoding="utf-8")


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(FileNotFoundError):
            for task in Path(f"/proc/{parent}/task").iterdir():
                children = (task / "children").read_text().split()
                for child in map(int, children):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree in /proc")
@pytest.mark.parametrize(
    ("executor", "processes"), [("inprocess", 2), ("warm", 4)], ids=["in-process", "kernels"]
)
def test_workers_and_kernels_die_with_a_killed_build(tmp_path, processed_copy, executor, processes):
    """Two pool workers (each with its kernel, on the warm executor) outlive no killed build."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis.cli",
            "build",
            "--out",
            str(tmp_path / "reports"),
            "--processed",
            str(processed_copy),
            "--workers",
            "2",
            "--executor",
            executor,
            "--quiet",
            "--force",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    cache = tmp_path / "reports" / "2019" / jobs.CACHE_FILE
    try:
        deadline = time.monotonic() + 120
        while not cache.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cache.exists(), "the build wrote no page in 120 s"
        # A worker starts its kernel with its first page: the other may still be on the
        # documents, which need none.
        while len(_descendants(process.pid)) < processes and time.monotonic() < deadline:
            time.sleep(0.2)
        tree = _descendants(process.pid)
        assert len(tree) >= processes, tree
        os.kill(process.pid, signal.SIGKILL)  # the main process only, as the OOM killer would
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert not [p for p in tree if _alive(p)], "processes outlived the killed build"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
