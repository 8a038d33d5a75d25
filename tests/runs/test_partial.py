"""Building some villages keeps the rest of a complete build: index, cache and pages (issue 15)."""

from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.runs import runner

QINGGUANG = "360722103203"


def test_a_one_village_build_keeps_the_index_and_the_cache(tmp_path, processed_copy):
    common = {"processed_dir": processed_copy, "progress": False, "workers": 1}
    out = tmp_path / "reports"
    runner.build(config.RAW_DIR, out, **common)
    codes = pd.read_parquet(processed_copy / "villages.parquet")["code"].tolist()

    for force in (False, True):
        one = runner.build(config.RAW_DIR, out, villages=[QINGGUANG], force=force, **common)
        index = (out / "2019" / "index.html").read_text(encoding="utf-8")
        assert all(f"villages/{code}.html" in index for code in codes), force
        rebuilt = {r.key for r in one.results if not r.cached}
        assert rebuilt == ({"township", QINGGUANG} if force else set())

    again = runner.build(config.RAW_DIR, out, **common)
    assert [r.key for r in again.results if not r.cached] == []
    assert len(again.results) == len(codes) + 1
