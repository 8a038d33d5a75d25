"""Building on a Dask cluster: a real two-worker LocalCluster on loopback, as `--scheduler` uses."""

from __future__ import annotations

import pytest

from analysis import config
from analysis.runs import runner

#: A hung worker must fail the test within this many seconds, not hold the suite.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

#: Two of the nine villages: all nine take minutes on two cores, and the route is the same.
VILLAGES = ["360722103203", "360722103205"]


def test_build_on_local_dask_cluster(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        result = runner.build(
            config.RAW_DIR,
            tmp_path / "reports",
            processed_dir=tmp_path / "processed",
            villages=VILLAGES,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
        # The scheduler runs in this process; its task prefixes outlive the finished tasks.
        prefixes = list(cluster.scheduler.task_prefixes)

    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    assert sorted(r.key for r in result.results) == sorted(["township", *VILLAGES])
    assert not any(r.cached for r in result.results)
    assert any(p.startswith("minsheng") for p in prefixes), "the jobs did not run on Dask"
    year_dir = tmp_path / "reports" / str(config.DEFAULT_YEAR)
    pages = [year_dir / "index.html", year_dir / "township.html"]
    pages += [year_dir / "villages" / f"{code}.html" for code in VILLAGES]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "报告生成失败" not in html, page.name
        assert "</html>" in html, page.name
    index = pages[0].read_text(encoding="utf-8")
    assert index.count('href="villages/') == len(VILLAGES)
    for code in VILLAGES:
        assert f'href="villages/{code}.html"' in index
        assert "<img" in (year_dir / "villages" / f"{code}.html").read_text(encoding="utf-8")
