"""Pictures kept between builds: a figure's digest holds every value it draws and nothing of
the process that drew it, and documents written from kept pictures are those written afresh."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from analysis import config
from analysis.core.trends import assess
from analysis.pipeline.store import load_tables, path_of
from analysis.reporting import indicator_charts, pictures
from analysis.reporting.charts import fan_chart

YEARS = range(2014, 2020)
HISTORY = [120, 80, 55, 30, 18, 10]

# The same chart drawn in a new process: its digest must not depend on the process (ids, the
# salt of string hashes), or no picture would ever be found again. New processes, since one
# that has drawn pages before hands out their charts' grids again, caches and all.
CHART_DIGEST = """
import sys
sys.path.insert(0, {project!r})
import pandas as pd
from analysis.core.style import use_house_style
from analysis.core.trends import assess
from analysis.reporting.charts import fan_chart
from analysis.reporting.pictures import drawing_key
use_house_style()
history = pd.Series({values}, index=range(2014, 2020), dtype=float)
result = assess(history, 0, 2020, base_year=2014, direction="lower", bounds=(0, None))
print(drawing_key(fan_chart(history, result, title="未脱贫户数", unit="户")))
"""


def _chart(values=HISTORY):
    history = pd.Series(values, index=YEARS, dtype=float)
    result = assess(history, 0, 2020, base_year=2014, direction="lower", bounds=(0, None))
    return fan_chart(history, result, title="未脱贫户数", unit="户")


def test_a_figures_digest_is_the_same_in_another_process_and_changes_with_one_value(
    printed_in_a_new_process,
):
    def digest_of(values: list[int]) -> str:
        script = CHART_DIGEST.format(project=str(config.PROJECT_DIR), values=values)
        return printed_in_a_new_process(script)

    first, second = (digest_of(HISTORY) for _ in range(2))
    assert first == second
    assert digest_of([*HISTORY[:-1], 11]) != first


def test_a_kept_picture_is_read_not_drawn_and_one_no_longer_asked_for_is_removed(tmp_path):
    chart, other = _chart(), _chart([*HISTORY[:-1], 11])
    # Taken once: a chart made again may come on a grid drawn before, whose caches differ.
    key = pictures.digest(chart)
    first = pictures.PictureCache(tmp_path)
    png = first.png(key, 100, lambda: chart)
    first.png(pictures.digest(other), 100, lambda: other)
    assert (first.drawn, first.reused) == (2, 0) and len(list(tmp_path.iterdir())) == 2

    again = pictures.PictureCache(tmp_path)

    def never_drawn():
        raise AssertionError("a kept picture's figure is not made")

    assert again.png(key, 100, never_drawn) == png
    # Another resolution is another picture.
    again.png(key, 50, _chart)
    assert (again.drawn, again.reused) == (1, 1)
    again.prune()
    assert len(list(tmp_path.iterdir())) == 2  # the 100 and 50 dpi pictures of the chart


def test_a_fans_digest_covers_every_input_it_is_drawn_from(prepared_sample):
    tables = load_tables(prepared_sample)
    fan = next(indicator_charts.target_fans(tables, "township"))
    key = pictures.digest(fan)
    assert pictures.digest(next(indicator_charts.target_fans(tables, "township"))) == key
    series = fan.series.copy()
    series.iloc[-1] += 1
    others = [
        dataclasses.replace(fan, series=series),
        dataclasses.replace(fan, title=fan.title + "（全镇）"),
        dataclasses.replace(fan, sample=not fan.sample),
        dataclasses.replace(fan, lang="en"),
        dataclasses.replace(fan, line=dataclasses.replace(fan.line, target=fan.line.target + 1)),
    ]
    assert len({key, *(pictures.digest(other) for other in others)}) == 1 + len(others)


@pytest.mark.slow
def test_documents_from_kept_pictures_are_those_drawn_afresh_after_a_change(
    processed_copy, tmp_path, monkeypatch, top_documents
):
    counts = []
    prune = pictures.PictureCache.prune

    def counted(self):
        counts.append((self.drawn, self.reused))
        prune(self)

    monkeypatch.setattr(pictures.PictureCache, "prune", counted)
    year_dir = tmp_path / "reports"
    first = top_documents(processed_copy, year_dir)
    drawn = counts[-1][0]
    assert drawn > 10 and counts[-1][1] == 0
    assert top_documents(processed_copy, year_dir) == first and counts[-1] == (0, drawn)

    # One village's latest sanitation figure changes: the maps and chart that show it change.
    indicators_path = path_of(processed_copy, "indicators")
    indicators = pd.read_parquet(indicators_path)
    rows = indicators.index[
        (indicators["indicator"] == "sanitary_toilet_rate")
        & (indicators["year"] == config.DEFAULT_YEAR)
    ]
    indicators.loc[rows[0], "value"] -= 5
    indicators.to_parquet(indicators_path)
    changed = top_documents(processed_copy, year_dir)
    assert 0 < counts[-1][0] < drawn
    assert changed != first
    fresh = top_documents(processed_copy, tmp_path / "fresh")
    assert counts[-1] == (drawn, 0)
    assert changed == fresh
    assert sorted(p.name for p in (year_dir / pictures.PICTURES_DIR / "township").iterdir()) == (
        sorted(p.name for p in (tmp_path / "fresh" / pictures.PICTURES_DIR / "township").iterdir())
    )
    shutil.rmtree(tmp_path / "fresh")
