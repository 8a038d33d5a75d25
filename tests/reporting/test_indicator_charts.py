"""One chart per indicator (analysis.reporting.indicator_charts): its alt text and its table of
figures, the page's grid of charts (sections), the town's history table and trend charts."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterable

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import config
from analysis.core import trends
from analysis.core.catalog import default_catalog
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import charts, sections
from analysis.reporting.indicator_charts import (
    Chart,
    chart_indicators,
    indicator_chart,
    target_charts,
    target_fans,
    trend_charts,
    trend_indicators,
)
from analysis.reporting.tables import area_history, page_order, scope_rows, target_table

YEAR = 2019
QINGGUANG = "360722103203"


@pytest.fixture(scope="module")
def tables(prepared_sample) -> Tables:
    return load_tables(prepared_sample, config.RAW_DIR)


def _drawn(charts_: Iterable[Chart]) -> list[Chart]:
    """Take the charts one at a time as a page does, handing each figure back when done."""
    taken = []
    for chart in charts_:
        assert isinstance(chart.figure, Figure) and len(chart.figure.axes) == 1
        taken.append(chart)
        charts.release(chart.figure)
    return taken


def test_one_chart_per_target_in_the_order_of_the_target_table(tables):
    drawn = _drawn(target_charts(tables, "township"))
    table = target_table(tables, "township")
    assert len(drawn) == len(table) == len(chart_indicators(tables, "township")) == 10
    assert [c.indicator for c in drawn] == chart_indicators(tables, "township")
    names = [default_catalog()[c.indicator].zh for c in drawn]
    assert [cell.split("（")[0] for cell in table["指标"]] == names


def test_alt_text_states_what_the_chart_shows_with_its_latest_value_and_target(tables):
    alt = {c.indicator: c.alt for c in _drawn(target_charts(tables, "township"))}
    assert alt["vegetable_greenhouse_area_mu"] == (
        "蔬菜大棚面积：2014–2019年实际值与2020年预测，2019年为457.85亩，目标500.00亩"
    )
    # A plan is not extrapolated: its works done of planned, in the place of a projection.
    assert (
        alt["sewage_sites"]
        == "生活污水处理村点：2014–2019年实际值，2019年为2个，2020年计划3个，已完成2个"
    )
    english = {c.indicator: c.alt for c in _drawn(target_charts(tables, "township", lang="en"))}
    assert english["vegetable_greenhouse_area_mu"] == (
        "vegetable greenhouse area: observed 2014–2019 and projected to 2020; 457.85 mu in 2019, "
        "target 500.00 mu"
    )
    assert not any(
        re.search(r"[\u3400-\u9fff]", text)
        for key, text in english.items()
        if key != "navel_orange_area_mu"
    )  # fmt: skip  (its villages' names)


def test_a_chart_s_table_holds_the_figures_of_the_target_table(tables):
    (chart,) = [
        c for c in _drawn(target_charts(tables, "township"))
        if c.indicator == "vegetable_greenhouse_area_mu"
    ]  # fmt: skip
    data = chart.data.set_index("年度")
    assert list(data.columns) == ["实际值", "预测值", "区间", "目标"]
    assert list(data.index) == [str(y) for y in range(2014, 2021)]
    assert data.at["2019", "实际值"] == "457.85" and data.at["2019", "预测值"] == "—"
    assert data.at["2020", "实际值"] == "—" and data.at["2020", "目标"] == "500.00"
    row = target_table(tables, "township").set_index("指标").loc["蔬菜大棚面积"]
    # The same number, written by the one formatter, as in the target table beside it.
    assert f"{data.at['2020', '预测值']}亩" == row["预测值"]
    assert row["区间"].startswith(data.at["2020", "区间"])
    assert chart.caption == "蔬菜大棚面积(亩)：数据"


def test_a_village_s_shared_target_is_charted_under_the_villages_names(tables):
    town = tables.town_of(QINGGUANG)
    drawn = _drawn(target_charts(town, QINGGUANG))
    shared = [c for c in drawn if c.indicator == "navel_orange_area_mu"]
    assert len(shared) == 1
    assert shared[0].alt.startswith("脐橙种植面积（青光村、竹村村）：")
    # Last, as in the village's target table: its own targets first.
    assert drawn[-1] is shared[0]


def test_indicator_chart_is_the_one_figure_of_one_target(tables):
    figure = indicator_chart(tables, "township", "medical_insurance_rate", lang="en")
    assert isinstance(figure, Figure) and len(figure.axes) == 1
    title = figure.axes[0].get_title(loc="left")
    assert title.replace("\n", "") == "medical insurance participation rate"
    charts.release(figure)
    with pytest.raises(KeyError):
        indicator_chart(tables, "township", "households")


def test_chart_html_embeds_the_image_with_its_alt_text_escaped_and_its_table():
    figure, (ax,) = charts.panel_figure(1, 1)
    ax.plot([2018, 2019], [1, 2])
    ax.set_title("<script>村</script>")
    data = pd.DataFrame({"年度": ["2019"], "实际值": ["<b>2</b>"]})
    chart = Chart("households", figure, 'a "quoted" <script>x</script>', "cap & tion", data)
    html = sections.chart_html(chart)
    assert html.startswith('<figure class="chart"><img src="data:image/svg+xml;base64,')
    # The chart's own words are text in the SVG, escaped as XML.
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html)[1]).decode("utf-8")
    assert "&lt;script&gt;村&lt;/script&gt;" in svg and "<script>" not in svg
    assert 'alt="a &quot;quoted&quot; &lt;script&gt;x&lt;/script&gt;"' in html
    assert "<script>" not in html and "<b>" not in html
    assert "<summary>cap &amp; tion</summary>" in html and "&lt;b&gt;2&lt;/b&gt;" in html
    width, height = (round(x * 100) for x in charts.PANEL_SIZE)
    assert f'width="{width}" height="{height}"' in html
    # Encoded, the figure is handed back: the next chart is drawn on it.
    assert charts.panel_figure(1, 1)[0] is figure


def test_trend_charts_cover_the_indicators_without_a_target(tables):
    targeted = set(chart_indicators(tables, "township"))
    shown = trend_indicators(tables, YEAR)
    assert shown and not targeted & set(shown)
    assert "households" in shown and "vegetable_greenhouse_area_mu" not in shown
    drawn = {c.indicator: c for c in _drawn(trend_charts(tables, YEAR))}
    assert list(drawn) == shown
    assert drawn["households"].alt == "户数：2014–2019年实际值，2019年为7040户"
    # Up to the report year only.
    assert drawn["households"].data["年度"].tolist() == [str(y) for y in range(2014, 2020)]
    earlier = {c.indicator: c for c in _drawn(trend_charts(tables, 2018))}
    assert earlier["households"].alt == "户数：2014–2018年实际值，2018年为6997户"


def test_township_history_has_a_row_for_every_catalog_indicator(tables):
    history = area_history(tables, YEAR)
    assert len(history) == len(default_catalog().ids)
    assert list(history.columns) == [str(y) for y in range(2014, 2020)]
    # The one formatter: 元 whole, no grouping; 亩 to two decimals at most.
    assert history.at["产业奖补金额(元)", "2019"] == "190,905"
    assert history.at["蔬菜大棚面积(亩)", "2019"] == "457.85"
    assert list(area_history(tables, 2018).columns)[-1] == "2018"
    # An indicator with no figure at all still has its row, empty.
    without = tables.area[tables.area["indicator"] != "workshops"]
    trimmed = area_history(dataclasses.replace(tables, area=without), YEAR)
    assert set(trimmed.loc["扶贫车间(个)"]) == {"—"}


# --- the fan charts read the projections prepare made ---------------------------------------------


@pytest.mark.parametrize("scope", ["township", QINGGUANG])
def test_a_fan_draws_the_series_and_projection_prepare_assessed(tables, scope):
    rows = page_order(scope_rows(tables.projections, scope))
    rows = rows[rows["target"].notna()]
    fans = list(target_fans(tables, scope))
    assert len(fans) == len(rows) > 0
    for fan, row_scope in zip(fans, rows["scope"].astype(str), strict=True):
        ind = fan.indicator
        series = trends.scope_series(tables.indicators, row_scope, ind.id).dropna()
        pd.testing.assert_series_equal(fan.series, series, check_names=False)
        made = trends.assess(
            series,
            fan.line.target,
            fan.line.target_year,
            base_year=None,
            direction=ind.direction,
            kind=ind.kind,
            bounds=ind.bounds,
            cumulative=ind.cumulative,
            plan=ind.plan,
            flow=ind.flow,
        )
        assert repr(fan.line) == repr(charts.FanLine.of(made))  # NaN equals NaN in a repr


def test_a_page_projects_nothing_itself(tables, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a page projected a series again")

    monkeypatch.setattr(trends.projection, "project_arrays", refuse)
    monkeypatch.setattr(trends.batch, "fit_batch", refuse)
    assert [fan.draw() for fan in target_fans(tables, "township")]
    assert [fan.draw() for fan in target_fans(tables, QINGGUANG)]


def test_a_fan_changes_with_the_projection_it_reads(tables):
    first = next(fan for fan in target_fans(tables, "township") if fan.projected)
    paths = tables.projection_paths.assign(projected=tables.projection_paths["projected"] + 1)
    moved = dataclasses.replace(tables, projection_paths=paths, _derived={}, _handed=())
    again = next(fan for fan in target_fans(moved, "township") if fan.indicator == first.indicator)
    assert list(again.path["projected"]) == [p + 1 for p in first.path["projected"]]
