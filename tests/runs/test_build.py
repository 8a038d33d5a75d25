"""``minsheng build`` end to end: the pages, the cache, failures, interruption, escaping."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import config
from analysis.pipeline.store import load_tables
from analysis.reporting import index_page
from analysis.reporting.indicator_charts import chart_indicators, trend_indicators
from analysis.runs import execute, jobs, runner

pytestmark = pytest.mark.slow

CODES = pd.read_csv(config.RAW_DIR / config.REGISTRY_FILE, dtype=str)["code"].tolist()
QINGGUANG = "360722103203"


def _temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob(".*.tmp*")]


@pytest.fixture(scope="module")
def built(tmp_path_factory, prepared_sample):
    """The whole sample, built once for this module."""
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(prepared_sample, root / "processed")
    result = runner.build(
        config.RAW_DIR,
        root / "reports",
        processed_dir=root / "processed",
        progress=False,
        workers=1,
    )
    return root, result


def test_build_writes_index_township_and_every_village(built):
    root, result = built
    year_dir = root / "reports" / "2019"
    pages = sorted(p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*.html"))
    assert pages == sorted(
        [
            "explore.html",
            "index.html",
            "problems.html",
            "township.html",
            *[f"villages/{code}.html" for code in CODES],
        ]
    )
    assert result.ok, [(r.key, r.error) for r in result.failed]
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    for code in CODES:
        assert f'href="villages/{code}.html"' in index
    assert "青光村委会" in index


def test_every_title_names_the_town_and_no_footer_shows_a_local_path(built):
    root, _ = built
    year_dir = root / "reports" / "2019"
    for page in year_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert "大桥镇" in title, (page.name, title)
        footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
        for local in (str(root), str(config.PROJECT_DIR), str(Path.home())):
            assert local not in footer, (page.name, footer)
        assert "processed_dir=processed" in footer or page.name in (
            "index.html",
            "problems.html",
            "explore.html",
        )


def test_pages_carry_provenance_and_the_sample_label(built):
    root, _ = built
    page = (root / "reports" / "2019" / "villages" / f"{QINGGUANG}.html").read_text(
        encoding="utf-8"
    )
    assert "数据指纹 Data fingerprint" in page and "示例数据" in page
    assert f"village_code={QINGGUANG}" in page
    assert "青光村委会 2019年民生工作报告" in page
    # No code cells, no inline font or script fetched, lean besides images.
    assert "report.load_tables" not in page
    without_images = len(page.encode()) - sum(
        len(m) for m in __import__("re").findall(r'src="data:image/[a-z+]+;base64,[^"]*"', page)
    )
    assert without_images < 60 * 1024


def test_nothing_changed_means_nothing_rebuilt(built):
    root, _ = built
    started = time.perf_counter()
    again = runner.build(
        config.RAW_DIR,
        root / "reports",
        processed_dir=root / "processed",
        progress=False,
        workers=1,
    )
    assert all(r.cached for r in again.results)
    assert not again.prepared
    assert time.perf_counter() - started < 10


def test_force_rebuilds_the_chosen_village(tmp_path, processed_copy):
    common = {
        "processed_dir": processed_copy,
        "progress": False,
        "workers": 1,
        "villages": [QINGGUANG],
    }
    runner.build(config.RAW_DIR, tmp_path / "reports", **common)
    again = runner.build(config.RAW_DIR, tmp_path / "reports", force=True, **common)
    assert again.prepared and not any(r.cached for r in again.results)


def _failing_notebooks(tmp_path: Path, failing_code: str) -> Path:
    """The report notebooks, with the village notebook made to fail for one village."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    path = notebooks / jobs.VILLAGE_NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(
        2,
        nbformat.v4.new_code_cell(
            f'if village_code == "{failing_code}":\n    raise ValueError("数据有误：测试用的故障")'
        ),
    )
    nbformat.write(nb, path)
    return notebooks


def test_a_failing_village_does_not_stop_the_others(tmp_path, processed_copy):
    failing, fine = CODES[0], QINGGUANG
    result = runner.build(
        config.RAW_DIR,
        tmp_path / "reports",
        processed_dir=processed_copy,
        notebooks_dir=_failing_notebooks(tmp_path, failing),
        villages=[failing, fine],
        progress=False,
        workers=1,
    )
    assert [r.key for r in result.failed] == [failing]
    failure = result.failed[0]
    assert "ValueError" in failure.error and "测试用的故障" in failure.error
    assert failure.where.startswith("单元格 cell 3")
    year_dir = tmp_path / "reports" / "2019"
    page = (year_dir / "villages" / f"{failing}.html").read_text(encoding="utf-8")
    assert "报告生成失败" in page and "测试用的故障" in page and "单元格 cell 3" in page
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert "失败 Failed" in index and "1 个村的报告生成失败" in index
    assert (year_dir / "villages" / f"{fine}.html").exists()
    # The failure is not cached: the next build tries that village again, and only it.
    again = runner.build(
        config.RAW_DIR,
        tmp_path / "reports",
        processed_dir=processed_copy,
        notebooks_dir=tmp_path / "notebooks",
        villages=[failing, fine],
        progress=False,
        workers=1,
    )
    assert {r.key: r.cached for r in again.results} == {
        "township": True,
        failing: False,
        fine: True,
    }


def test_cli_exits_1_when_a_village_failed(tmp_path, monkeypatch, capsys):
    from analysis import cli

    failed = jobs.JobResult(
        key=QINGGUANG, title="青光村", html="v.html", ok=False, error="E", where="cell 2"
    )
    fake = jobs.BuildResult(year=2019, out_dir=tmp_path, index=tmp_path / "i", results=[failed])
    monkeypatch.setattr(runner, "build", lambda *a, **k: fake)
    assert cli.main(["build", "--quiet"]) == 1
    assert "FAILED 360722103203" in capsys.readouterr().err


def test_unknown_village_code_is_a_clear_error(tmp_path, capsys):
    from analysis import cli

    code = cli.main(
        [
            "build",
            "--out",
            str(tmp_path / "r"),
            "--processed",
            str(tmp_path / "p"),
            "--village",
            "999999999999",
            "--quiet",
        ]
    )
    assert code == 2
    assert "999999999999" in capsys.readouterr().err


#: A few villages are enough to interrupt a build in the middle.
#: Enough that the interrupt, sent once two pages are written, finds most still to build.
INTERRUPTED_VILLAGES = CODES[:10]


def _start_build(tmp_path: Path) -> subprocess.Popen:
    villages = [arg for code in INTERRUPTED_VILLAGES for arg in ("--village", code)]
    # Ctrl-C's own handler, set in the child: a test run started in the background by a shell
    # (`make test &`) inherits SIGINT ignored, and Python then keeps it ignored.
    cli = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from analysis.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            cli,
            "build",
            "--out",
            str(tmp_path / "reports"),
            "--processed",
            str(tmp_path / "processed"),
            "--workers",
            "1",
            "--quiet",
            *villages,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches the kernels too
    )


def _wait_for_pages(cache: Path, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cache.exists():
            try:
                if len(json.loads(cache.read_text(encoding="utf-8"))) >= count:
                    return
            except json.JSONDecodeError:
                pass
        time.sleep(0.2)
    raise TimeoutError(f"build did not write {count} pages in {timeout} s")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_an_interrupted_build_finishes_when_run_again(tmp_path, processed_copy, sig):
    process = _start_build(tmp_path)
    try:
        _wait_for_pages(tmp_path / "reports" / "2019" / jobs.CACHE_FILE, 2)
    finally:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=60)
        finally:
            # Whatever is left of the group (a kernel after Ctrl-C) must not outlive the test.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    interrupted = json.loads(
        (tmp_path / "reports" / "2019" / jobs.CACHE_FILE).read_text(encoding="utf-8")
    )
    assert 2 <= len(interrupted) < len(INTERRUPTED_VILLAGES) + 1
    result = runner.build(
        config.RAW_DIR,
        tmp_path / "reports",
        processed_dir=processed_copy,
        villages=INTERRUPTED_VILLAGES,
        progress=False,
        workers=1,
    )
    assert result.ok
    assert sum(r.cached for r in result.results) >= 2
    assert not _temporaries(tmp_path / "reports", processed_copy)
    pages = list((tmp_path / "reports" / "2019").rglob("*.html"))
    assert len(pages) == len(INTERRUPTED_VILLAGES) + 4  # index, township, problems, explorer


def test_hostile_names_are_escaped_and_paths_stay_inside(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    registry = pd.read_csv(raw / config.REGISTRY_FILE, dtype=str)
    registry.loc[registry["code"] == QINGGUANG, "name"] = "<script>alert(1)</script>"
    registry.loc[registry["code"] == QINGGUANG, "short_name"] = "../../x"
    registry.to_csv(raw / config.REGISTRY_FILE, index=False)
    # The workbooks still say 青光村, which the renamed registry no longer knows: published
    # only because the errors are accepted, and every page says so.
    result = runner.build(
        raw,
        tmp_path / "reports",
        processed_dir=tmp_path / "processed",
        villages=[QINGGUANG],
        progress=False,
        workers=1,
        accept_errors=True,
    )
    year_dir = tmp_path / "reports" / "2019"
    for page in year_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (year_dir / "index.html").read_text(
        encoding="utf-8"
    )
    outside = [p for p in tmp_path.parent.rglob("x") if tmp_path not in p.parents]
    assert not outside
    assert {p.name for p in (year_dir / "villages").iterdir()} == {f"{QINGGUANG}.html"}
    assert result.ok, [(r.key, r.error) for r in result.failed]


def test_plain_papermill_runs_the_village_notebook(tmp_path, processed_copy):
    """As any papermill user would run it (README): the CLI, one parameter on the command line."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(config.NOTEBOOKS_DIR / jobs.VILLAGE_NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            "-p",
            "village_code",
            QINGGUANG,
            "-p",
            "processed_dir",
            str(processed_copy),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "青光村委会" in text and "image/png" in text


def test_executed_notebooks_warn_of_no_missing_glyph_or_error(built):
    """Figures drawn inside the kernels: a missing Chinese glyph would show as a warning there."""
    root, _ = built
    executed = sorted((root / "reports" / "2019" / "notebooks").glob("*.ipynb"))
    assert len(executed) == len(CODES) + 1
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "") if output.get("output_type") == "stream" else ""
                assert "missing from font" not in text and "Glyph" not in text, (path.name, text)
                assert output.get("output_type") != "error", (path.name, output.get("evalue"))


def test_prepare_notebook_runs_through_papermill_and_shows_the_checks(tmp_path):
    output = tmp_path / "01.ipynb"
    nb = execute.execute_notebook(
        config.NOTEBOOKS_DIR / jobs.PREPARE_NOTEBOOK,
        output,
        {"processed_dir": str(tmp_path / "processed")},
        executor="papermill",
    )
    html = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "民生工作台账_2019.xlsx" in html and "没有被隔离的行" in html
    assert (tmp_path / "processed" / "indicators.parquet").exists()


def test_explore_notebook_runs_with_its_widgets(tmp_path, processed_copy):
    nb = execute.execute_notebook(
        config.NOTEBOOKS_DIR / "90_explore.ipynb",
        tmp_path / "90.ipynb",
        {"processed_dir": str(processed_copy)},
        executor="papermill",
    )
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert any("医疗保险参保率" in o.get("data", {}).get("text/html", "") for o in outputs)
    # The explorer page's own charts, as JupyterLab draws them without a network.
    charts = [
        o["data"]["application/vnd.vegalite.v5+json"]
        for o in outputs
        if "application/vnd.vegalite.v5+json" in o.get("data", {})
    ]
    assert len(charts) == 2 and charts[0]["datasets"]["series"]


def test_build_writes_the_summary_and_print_maps(built):
    root, _ = built
    year_dir = root / "reports" / "2019"
    import docx

    text = "\n".join(p.text for p in docx.Document(year_dir / index_page.SUMMARY_DOCX).paragraphs)
    assert "示例数据" in text and "335.26万元" in text
    for name in ("corridor", "sanitation"):
        assert (year_dir / index_page.MAPS_DIR / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        svg = (year_dir / index_page.MAPS_DIR / f"{name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "<image" not in svg  # vector text and shapes, no raster
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="summary.docx"' in index and 'href="maps/corridor.pdf"' in index


def test_pages_show_one_chart_per_target_with_alt_text_tables_and_ranks(built):
    """Each target's chart is its own image with alt text and a table of its figures; the
    township page has the history, the trend charts and the ranking, a village page its rank."""
    root, _ = built
    year_dir = root / "reports" / "2019"
    tables = load_tables(root / "processed", config.RAW_DIR)
    area = (year_dir / "township.html").read_text(encoding="utf-8")
    village = (year_dir / "villages" / f"{QINGGUANG}.html").read_text(encoding="utf-8")
    # The page keeps each image's attributes in the order sections._img writes them.
    chart_alt = re.compile(
        r'<figure class="chart"><img src="data:image/svg\+xml;[^"]*" alt="([^"]+)"'
    )
    figures = chart_alt.findall(village)
    assert len(figures) == len(chart_indicators(tables.town_of(QINGGUANG), QINGGUANG)) == 6
    assert all(re.search(r"2019年为\S+，目标\S+", alt) for alt in figures), figures
    assert village.count("<details>") == 6
    assert re.search(r"在本镇9个村中排第\d", village)
    charted = len(chart_indicators(tables, "township")) + len(trend_indicators(tables, 2019))
    assert area.count('<figure class="chart">') == len(chart_alt.findall(area)) == charted
    assert not any("No description" in alt for alt in chart_alt.findall(area))
    # The maps too: every image on a page says what it shows.
    for page in (area, village):
        assert "No description" not in page
    assert re.search(r'alt="地图：2019年各村卫生厕所普及率。图例：[^"]+"', area)
    assert re.search(r'alt="地图：青光村位置[^"]*"', village)
    assert "历年指标" in area and "各村排名" in area
