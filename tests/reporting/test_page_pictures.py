"""Pages keep their pictures: a page's target and trend charts are drawn only where what they
are drawn from changed, and a kept picture is the bytes drawing it afresh gives."""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import PIL.Image
import pytest

from analysis import config
from analysis.core import trends
from analysis.core.catalog import default_catalog
from analysis.geo import maps
from analysis.pipeline.store import Tables, path_of
from analysis.reporting import charts, indicator_charts, kept, pictures, sections
from analysis.runs import execute, jobs, runner

YEAR = config.DEFAULT_YEAR
PAGE_NOTEBOOKS = (jobs.COUNTY_NOTEBOOK, jobs.TOWNSHIP_NOTEBOOK, jobs.VILLAGE_NOTEBOOK)

# A trend drawn in another process: its key must not depend on the process, or no page would
# ever find a picture another kernel kept.
TREND_DIGEST = f"""
import sys
sys.path.insert(0, {str(config.PROJECT_DIR)!r})
from analysis.pipeline.store import load_tables
from analysis.reporting import indicator_charts, pictures
tables = load_tables(sys.argv[1])
print(pictures.page_picture_name(next(indicator_charts.trend_inputs(tables, {YEAR}))))
"""


def _drawables(tables: Tables) -> list:
    return [
        *indicator_charts.target_fans(tables, "township"),
        *indicator_charts.trend_inputs(tables, YEAR),
    ]


def test_a_kept_picture_is_the_bytes_drawing_it_afresh_gives(tables, tmp_path, monkeypatch):
    drawables = _drawables(tables)
    assert len(drawables) > 20
    # Afresh: each chart on a new figure, none drawn on a figure drawn on before.
    monkeypatch.setattr(charts, "_RELEASED", {})
    fresh = [maps.svg_bytes(d.draw()) for d in drawables]
    assert not charts._RELEASED

    # As a page draws them: one after another on a figure handed back, kept as drawn.
    pictures.keep_pictures(tmp_path)
    assert [pictures.page_svg(d) for d in drawables] == fresh
    assert len(list(tmp_path.iterdir())) == len(set(fresh))

    # Kept: read, not drawn, in any order.
    def never(self):
        raise AssertionError("a kept picture's chart is not drawn")

    monkeypatch.setattr(indicator_charts.Fan, "draw", never)
    monkeypatch.setattr(indicator_charts.Trend, "draw", never)
    pictures.keep_pictures(tmp_path)
    assert [pictures.page_svg(d) for d in reversed(drawables)] == fresh[::-1]


def test_a_chart_from_its_inputs_is_the_chart_drawn(tables, tmp_path):
    fan = next(indicator_charts.target_fans(tables, "township"))
    trend = next(indicator_charts.trend_inputs(tables, YEAR))
    for drawn in (fan, trend):
        chart = drawn.chart()
        assert tuple(chart.figure.get_size_inches()) == drawn.size
        html = sections.chart_html(chart)
        assert sections.chart_html(drawn) == html
        pictures.keep_pictures(tmp_path)
        assert sections.chart_html(drawn) == html  # drawn and kept
        assert sections.chart_html(drawn) == html  # from the kept picture
        pictures.keep_pictures(None)


def test_a_trend_s_key_changes_with_anything_it_draws(
    tables, prepared_sample, printed_in_a_new_process
):
    trend = next(indicator_charts.trend_inputs(tables, YEAR))
    key = pictures.page_picture_name(trend)
    assert pictures.page_picture_name(next(indicator_charts.trend_inputs(tables, YEAR))) == key
    assert printed_in_a_new_process(TREND_DIGEST, prepared_sample) == key
    series = trend.series.copy()
    series.iloc[0] += 1
    count = next(ind for ind in default_catalog() if ind.kind == "count")
    rate = next(ind for ind in default_catalog() if ind.unit == "%")
    others = [
        dataclasses.replace(trend, series=series),
        dataclasses.replace(trend, title=trend.title + "（全镇）"),
        dataclasses.replace(trend, sample=not trend.sample),
        dataclasses.replace(trend, lang="en"),
        dataclasses.replace(trend, indicator=count if trend.indicator != count else rate),
    ]
    names = {key, *(pictures.page_picture_name(other) for other in others)}
    assert len(names) == 1 + len(others)


def test_a_page_s_chart_is_an_svg_with_its_words_as_text_smaller_than_a_png(tables):
    fan = next(indicator_charts.target_fans(tables, "township"))
    svg = pictures.page_svg(fan)
    png = pictures.png_bytes(fan.draw(), dpi=100)
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert f">{fan.title}</text>".encode() in svg  # not glyphs drawn as paths
    assert b"font-family: 'Noto Sans SC', 'Microsoft YaHei'" in svg
    assert len(svg) < len(png)


def test_a_png_holds_the_figure_s_pixels_as_drawn(tables):
    fan = next(indicator_charts.target_fans(tables, "township"))
    figure = fan.draw()
    png = pictures.png_bytes(figure, dpi=100)
    rgba = np.asarray(figure.canvas.buffer_rgba())
    assert png.startswith(b"\x89PNG") and rgba[..., 3].min() == 255
    assert np.array_equal(np.asarray(PIL.Image.open(io.BytesIO(png))), rgba[..., :3])
    see_through = rgba.copy()
    see_through[::3, ::2, 3] = 7
    read = PIL.Image.open(io.BytesIO(pictures.encode_png(see_through)))
    assert read.mode == "RGBA" and np.array_equal(np.asarray(read), see_through)


class _Counted:
    """A chart that counts its drawings."""

    drawn = 0

    def draw(self):
        type(self).drawn += 1
        figure, (ax,) = charts.panel_figure(1, 1)
        ax.plot([2018, 2019], [1, 2])
        return figure


def test_a_page_notebook_draws_every_picture_unless_given_a_folder(tmp_path):
    for name in PAGE_NOTEBOOKS:
        nb = nbformat.read(config.NOTEBOOKS_DIR / name, as_version=4)
        defaults = {
            node.target.id: node.value.value
            for node in ast.parse(nb.cells[0].source).body
            if isinstance(node, ast.AnnAssign)
        }
        assert "pictures_dir" in defaults and defaults["pictures_dir"] is None, name
        assert "report.keep_pictures(pictures_dir)" in nb.cells[1].source, name
    # The notebook before kept its pictures; this one, given none, draws every one.
    pictures.keep_pictures(tmp_path)
    pictures.keep_pictures(None)
    pictures.page_svg(_Counted())
    pictures.page_svg(_Counted())
    assert _Counted.drawn == 2 and not list(tmp_path.iterdir())


def test_every_page_job_keeps_its_pictures_in_the_year_s_pages_folder(prepared_sample, tmp_path):
    planned = jobs.plan_jobs(prepared_sample, YEAR)
    assert {job.notebook for job in planned} == {jobs.TOWNSHIP_NOTEBOOK, jobs.VILLAGE_NOTEBOOK}
    for job in planned:
        parameters = job.notebook_parameters(tmp_path)
        assert parameters == {**job.parameters, "pictures_dir": str(kept.pages_dir(tmp_path))}
    # Where pictures are kept is not what a page is made of.
    assert "pictures_dir" not in planned[0].parameters


def _picture(folder: Path, name: str, size: int, age: int) -> Path:
    """A picture of ``size`` bytes last used ``age`` seconds ago."""
    path = folder / name
    path.write_bytes(b"p" * size)
    when = path.stat().st_mtime - age
    os.utime(path, (when, when))
    return path


def test_pruning_keeps_what_a_build_used_and_then_the_most_recently_used(tmp_path):
    folder = kept.pages_dir(tmp_path)
    folder.mkdir(parents=True)
    # The first build's pictures: none removed, whatever the cap.
    old = [_picture(folder, f"old{n}.png", 100, age=1000 - n) for n in range(5)]
    assert kept.prune_pages(tmp_path, cap=0) == []
    # A later build used two of them (touched) and drew one; the others are older than the
    # build before ended. A cap of 400 bytes takes the two least recently used.
    marker = folder / ".last-build"
    earlier = marker.stat().st_mtime - 100
    os.utime(marker, (earlier, earlier))
    for path in (old[0], old[3]):
        os.utime(path)
    new = _picture(folder, "new.png", 100, age=0)
    assert kept.prune_pages(tmp_path, cap=400) == [old[1], old[2]]
    assert sorted(folder.iterdir()) == sorted([marker, old[0], old[3], old[4], new])
    # What this build used stays, even beyond the cap.
    os.utime(marker, (earlier, earlier))
    for path in (old[0], old[3], old[4], new):
        os.utime(path)
    assert kept.prune_pages(tmp_path, cap=0) == []


def test_a_rebuild_of_one_page_keeps_the_other_pages_pictures(tmp_path):
    folder = kept.pages_dir(tmp_path)
    folder.mkdir(parents=True)
    others = [_picture(folder, f"page{n}.png", 100, age=500) for n in range(10)]
    kept.prune_pages(tmp_path)
    marker = folder / ".last-build"
    os.utime(marker, (marker.stat().st_mtime - 100,) * 2)
    changed = _picture(folder, "changed.png", 100, age=0)
    assert kept.prune_pages(tmp_path) == []
    assert kept.prune_pages(tmp_path) == []  # and the build after it
    assert all(path.exists() for path in [*others, changed])
    assert kept.prune_pages(tmp_path / "no-such-year") == []


def _page_outputs(processed: Path, out: Path, pictures_dir: Path | None) -> list[str]:
    """The township notebook run on the warm kernel: every output's HTML and text, in order."""
    parameters = {"processed_dir": str(processed), "year": YEAR, "pictures_dir": None}
    if pictures_dir is not None:
        parameters["pictures_dir"] = str(pictures_dir)
    nb = execute.execute_notebook(
        config.NOTEBOOKS_DIR / jobs.TOWNSHIP_NOTEBOOK, out, parameters, executor="warm"
    )
    return [
        str(output.get("data", {}).get("text/html", output.get("text", "")))
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]


@pytest.mark.slow
def test_a_page_from_kept_pictures_is_the_page_drawn_afresh(processed_copy, tmp_path):
    folder = tmp_path / "pictures"
    afresh = _page_outputs(processed_copy, tmp_path / "a.ipynb", None)
    assert sum(html.count("data:image/svg+xml") for html in afresh) > 20
    assert _page_outputs(processed_copy, tmp_path / "b.ipynb", folder) == afresh
    drawn = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert len(drawn) > 20
    assert _page_outputs(processed_copy, tmp_path / "c.ipynb", folder) == afresh
    assert {path.name for path in folder.iterdir()} == set(drawn)

    # One village's figures of an earlier year change: the charts that show them change.
    indicators_path = path_of(processed_copy, "indicators")
    indicators = pd.read_parquet(indicators_path)
    row = indicators.index[
        (indicators["indicator"] == "sanitary_toilet_rate") & (indicators["year"] == YEAR - 2)
    ][0]
    indicators.loc[row, "value"] -= 5
    indicators.to_parquet(indicators_path)
    # The projections and what their charts draw are made from the indicators, as prepare does.
    projections, paths = trends.assess_targets_with_paths(
        indicators, pd.read_parquet(path_of(processed_copy, "targets"))
    )
    projections.to_parquet(path_of(processed_copy, "projections"))
    paths.to_parquet(path_of(processed_copy, "projection_paths"))
    aggregates_path = path_of(processed_copy, "aggregates")
    aggregates = pd.read_parquet(aggregates_path)
    aggregates.loc[
        (aggregates["indicator"] == "households") & (aggregates["year"] == YEAR - 2), "value"
    ] += 1
    aggregates.to_parquet(aggregates_path)
    changed = _page_outputs(processed_copy, tmp_path / "d.ipynb", folder)
    assert changed != afresh
    new = {path.name for path in folder.iterdir()} - set(drawn)
    assert 0 < len(new) < len(drawn)
    assert changed == _page_outputs(processed_copy, tmp_path / "e.ipynb", None)


#: What differs between two builds of the same page: the build time its footer states, to
#: the minute, and the id papermill gives the cell of injected parameters afresh each run.
EACH_BUILD = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|cell-id=[0-9a-f]+")


@pytest.mark.slow
def test_a_build_keeps_the_pages_pictures_and_builds_the_same_pages_from_them(tmp_path):
    def build():
        result = runner.build(
            config.RAW_DIR,
            tmp_path / "reports",
            processed_dir=tmp_path / "processed",
            villages=["360722103203"],
            workers=1,
            force=True,
            progress=False,
        )
        assert result.ok and len(result.results) == 2
        return {
            r.html: EACH_BUILD.sub(b"", (result.out_dir / r.html).read_bytes())
            for r in result.results
        }

    first = build()
    folder = kept.pages_dir(tmp_path / "reports" / str(YEAR))
    names = {path.name for path in folder.iterdir()}
    assert len(names) > 20 and ".last-build" in names
    assert build() == first
    assert {path.name for path in folder.iterdir()} == names
