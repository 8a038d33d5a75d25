"""Fan chart (analysis.reporting.charts) and status table (analysis.reporting.tables)."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, MaxNLocator

from analysis.core.catalog import default_catalog
from analysis.core.labels import MODELS, indicator_name, label
from analysis.core.trends import assess, assess_targets, project
from analysis.reporting import charts
from analysis.reporting.charts import PANEL_SIZE, fan_chart, panel_figure, trend_chart
from analysis.reporting.tables import status_headers, status_table

YEARS = range(2014, 2020)


def render(figure: Figure) -> None:
    """Draw to PNG with every warning an error, so a missing glyph fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure.savefig(io.BytesIO(), format="png")


def all_text(figure: Figure) -> str:
    texts = [t.get_text() for t in figure.findobj(match=lambda a: hasattr(a, "get_text"))]
    return "\n".join(texts)


def test_fan_chart_renders_chinese_without_missing_glyphs():
    history = pd.Series([120, 80, 55, 30, 18, 10], index=YEARS, dtype=float)
    result = assess(history, 0, 2020, base_year=2014, direction="lower", bounds=(0, None))
    figure = fan_chart(
        history, result, title="大桥镇未脱贫户数与2020年目标", unit="户", sample=True
    )
    assert isinstance(figure, Figure)
    render(figure)
    text = all_text(figure)
    assert "大桥镇未脱贫户数与2020年目标" in text
    assert "示例数据" in text
    assert "80%预测区间" in text
    assert "2020年目标 0户" in text
    assert "来源：" in text and "线性趋势" in text


def test_fan_chart_rate_with_projection_and_explicit_target():
    history = pd.Series([90, 92, 94, 95.5, 96.8, 97.6], index=YEARS, dtype=float)
    result = project(history, 2021, kind="rate")
    figure = fan_chart(
        history, result, title="医疗保险参保率", unit="%", target=99.0, target_year=2021
    )
    render(figure)
    assert "示例数据" not in all_text(figure)
    assert "2021年目标 99.0%" in all_text(figure)


def test_fan_chart_short_series_shows_the_reason():
    history = pd.Series([3.0, 4.0], index=[2018, 2019])
    figure = fan_chart(history, project(history, 2020, kind="count"), title="公厕", unit="座")
    render(figure)
    assert "只有2个年度数据点" in all_text(figure)


def test_fan_chart_of_a_plan_draws_no_line_and_counts_the_works():
    history = pd.Series([0, 0, 0, 1, 1, 2], index=YEARS, dtype=float)
    result = assess(history, 3, 2020, base_year=None, direction="higher", plan=True)
    figure = fan_chart(history, result, title="生活污水处理村点", unit="个")
    render(figure)
    text = all_text(figure)
    assert "计划类目标：2020年计划3个，已完成2个，不作趋势外推" in text
    assert "预测值" not in text and "无法预测" not in text
    assert len(figure.axes[0].lines) == 3  # history, the target line and its star


def test_fan_chart_draws_into_a_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    history = pd.Series([1, 2, 3, 4, 5, 6], index=YEARS, dtype=float)
    returned = fan_chart(
        history, project(history, 2020, kind="count"), title="甲", unit="个", ax=axes[1]
    )
    assert returned is figure
    render(figure)


def test_status_table_has_chinese_headers():
    tidy = pd.DataFrame(
        [
            (code, year, "poor_households_remaining", float(value - 3 * (year - 2014)))
            for code, value in (("360722103201", 20), ("360722103202", 16))
            for year in YEARS
        ],
        columns=["village_code", "year", "indicator", "value"],
    )
    targets = pd.DataFrame(
        {
            "scope": ["township", "360722103201"],
            "indicator": "poor_households_remaining",
            "target_year": 2020,
            "target_value": 0.0,
            "source": "总结",
        }
    )
    result = assess_targets(tidy, targets)
    table = status_table(result[result["row_type"] == "target"])
    assert list(table.columns) == status_headers("zh")
    # The latest value stands beside target and projection; what is still to go beside them.
    assert status_headers("zh") == [
        "指标",
        "最新值",
        "目标",
        "预测值",
        "区间",
        "达成概率",
        "尚差（年均需）",
        "ESCAP",
        "Eurostat",
        "状态",
    ]
    assert table["指标"].tolist() == ["未脱贫户数", "未脱贫户数（360722103201）"]
    # 20 and 16, 3 fewer a year each: 5 and 1 households left in 2019, 6 in the township.
    assert table["最新值"].tolist() == ["6户（2019年）", "5户（2019年）"]
    assert table["尚差（年均需）"].tolist() == ["6户（年均6户）", "5户（年均5户）"]
    assert table["目标"].tolist() == ["0户", "0户"]
    assert set(table["状态"]) <= {"已达成", "有望达成", "需加速", "倒退"}
    assert table["达成概率"].str.endswith("%").all()
    # A township count brought to zero is each village's target too.
    villages = status_table(result[result["row_type"] == "village"])
    assert set(villages["目标"]) == {"0户"}
    assert set(villages["状态"]) <= {"已达成", "有望达成", "需加速", "倒退"}
    assert villages["达成概率"].str.endswith("%").all()


def test_fan_chart_in_english():
    history = pd.Series([90, 92, 94, 95.5, 96.8, 97.6], index=YEARS, dtype=float)
    result = assess(history, 99.0, 2021, base_year=2014, direction="higher", kind="rate")
    figure = fan_chart(history, result, title="medical insurance", unit="%", sample=True, lang="en")
    render(figure)
    text = all_text(figure)
    assert "2021 target 99.0%" in text and "Observed" in text and "Source: " in text
    # English throughout, the sample mark included.
    assert "Sample" in text and not re.search(r"[\u3400-\u9fff]", text), text


def _extent(artist, renderer):
    return artist.get_window_extent(renderer)


def test_panels_keep_their_source_lines_apart_and_inside_the_figure():
    # The longest source line the charts write: a bounded rate with its model and error.
    history = pd.Series([90, 92, 94, 95.5, 96.8, 97.6], index=YEARS, dtype=float)
    result = project(history, 2020, kind="rate")
    figure, axes = panel_figure(1, 2)
    source = "各村年度报表汇总（示例数据）"
    for ax in axes:
        fan_chart(
            history, result, title="医疗保险参保率", unit="%", ax=ax, sample=True, source=source
        )
    render(figure)
    renderer = FigureCanvasAgg(figure).get_renderer()
    notes = [next(t for t in ax.texts if source in t.get_text()) for ax in axes]
    left, right = (_extent(note, renderer) for note in notes)
    assert left.x1 < axes[1].get_window_extent(renderer).x0
    assert right.x1 <= figure.bbox.x1
    # Broken into lines, never shortened: the text of a panel wide enough for one line.
    _, (wide,) = panel_figure(1, 1, panel=(30.0, 4.0))
    fan_chart(history, result, title="医疗保险参保率", unit="%", ax=wide, source=source)
    (one_line,) = [t.get_text() for t in wide.texts if source in t.get_text()]
    assert "\n" in notes[0].get_text() and "\n" not in one_line
    assert notes[0].get_text().replace("\n", "") == one_line


def test_panel_figure_makes_axes_only_for_the_panels_asked_for():
    figure, axes = panel_figure(2, 2, count=3)
    assert len(figure.axes) == len(axes) == 3
    assert figure.get_size_inches().tolist() == [2 * PANEL_SIZE[0], 2 * PANEL_SIZE[1]]
    # A fixed layout: nothing is solved again at drawing time.
    assert figure.get_layout_engine() is None


def test_fan_chart_ticks_are_those_of_the_plain_locators_within_the_view():
    history = pd.Series([120, 80, 55, 30, 18, 10], index=YEARS, dtype=float)
    figure = fan_chart(history, project(history, 2020, kind="count"), title="甲", unit="户")
    render(figure)
    ax = figure.axes[0]
    for axis, plain in ((ax.xaxis, MaxNLocator(integer=True)), (ax.yaxis, AutoLocator())):
        low, high = sorted(axis.get_view_interval())
        expected = plain.tick_values(low, high)
        assert list(axis.get_majorticklocs()) == [t for t in expected if low <= t <= high]


def _pixels(figure: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_a_released_grid_is_drawn_on_again_exactly_as_a_new_one(monkeypatch):
    monkeypatch.setattr(charts, "_RELEASED", {})
    short = pd.Series([3.0, 4.0], index=[2018, 2019])
    falling = pd.Series([120, 80, 55, 30, 18, 10], index=YEARS, dtype=float)
    rising = pd.Series([90, 92, 94, 95.5, 96.8, 97.6], index=YEARS, dtype=float)

    def draw(axes, first, second):
        fan_chart(first, project(first, 2020, kind="count"), title="甲", unit="座", ax=axes[0])
        fan_chart(second, project(second, 2021, kind="rate"), title="乙", unit="%", ax=axes[1],
                  target=99.0, target_year=2021, sample=True)  # fmt: skip

    used, axes = panel_figure(1, 2)
    draw(axes, short, falling)  # a reason text, a legend, a sample mark to take off
    _pixels(used)
    charts.release(used)
    again, axes = panel_figure(1, 2)
    assert again is used
    draw(axes, falling, rising)
    monkeypatch.setattr(charts, "_RELEASED", {})
    new, axes = panel_figure(1, 2)
    assert new is not used
    draw(axes, falling, rising)
    np.testing.assert_array_equal(_pixels(again), _pixels(new))
    assert "只有2个年度数据点" not in all_text(again)


def test_only_grids_of_the_same_shape_are_reused_and_other_figures_are_not_kept(monkeypatch):
    monkeypatch.setattr(charts, "_RELEASED", {})
    grid, _ = panel_figure(2, 2, count=3)
    charts.release(grid)
    assert panel_figure(2, 2, count=4)[0] is not grid
    assert panel_figure(2, 2, count=3)[0] is grid
    charts.release(Figure())
    margins = tuple(sorted(charts.PANEL_MARGINS.items()))
    assert {(2, 2, 3, PANEL_SIZE, margins): []} == charts._RELEASED


# --- one chart per figure: every text in its own room, against baselines ----------------------

BASELINE_DPI = 70


def _png(figure: Figure):
    """What the ``baseline`` fixture saves (tests/conftest.py, shared with the maps')."""
    return lambda path: figure.savefig(path, dpi=BASELINE_DPI)


def _greenhouse_chart(**kwargs) -> Figure:
    history = pd.Series([200, 260, 300, 350, 390, 420], index=YEARS, dtype=float)
    result = assess(
        history, 500, 2020, base_year=2014, direction="higher", kind="area", cumulative=True
    )
    return fan_chart(history, result, unit="亩", **{"title": "蔬菜大棚面积", **kwargs})


def test_fan_chart_baseline(baseline):
    baseline(_png(_greenhouse_chart(sample=True)), "fan_chart")


def test_trend_chart_baseline(baseline):
    history = pd.Series([0, 0, 0, 1, 2, 2], index=YEARS, dtype=float)
    figure = trend_chart(history, title="扶贫车间", unit="个", integer=True, sample=True)
    baseline(_png(figure), "trend_chart")


def _boxes(figure: Figure) -> dict:
    """The drawn extents of a one-chart figure's title, sample mark, legend, source and axes."""
    render(figure)
    renderer = FigureCanvasAgg(figure).get_renderer()
    (ax,) = figure.axes
    (mark,) = [t for t in ax.texts if t.get_text() in ("示例数据", "Sample")]
    (source,) = [t for t in ax.texts if t.get_text().startswith(("资料来源", "Source"))]
    legend = ax.get_legend()
    return {
        "title": _extent(ax._left_title, renderer),
        "mark": _extent(mark, renderer),
        "legend": None if legend is None else _extent(legend, renderer),
        "source": _extent(source, renderer),
        # The plot and the year axis under it: ticks and the 年份 label.
        "plot": ax.get_window_extent(renderer),
        "years": ax.xaxis.get_tightbbox(renderer),
    }


def _inside(box, figure: Figure) -> bool:
    outer = figure.bbox
    return outer.x0 <= box.x0 and box.x1 <= outer.x1 and outer.y0 <= box.y0 and box.y1 <= outer.y1


def _assert_laid_out(figure: Figure, where: str) -> None:
    """Nothing overlaps: the title keeps clear of the sample mark; the legend sits under the
    year axis, outside the plot (so it covers no target line); the source line under that."""
    box = _boxes(figure)
    assert not box["title"].overlaps(box["mark"]), where
    above = box["legend"] if box["legend"] is not None else box["years"]
    if box["legend"] is not None:
        assert box["legend"].y1 < box["years"].y0, where
        assert box["legend"].y1 < box["plot"].y0, where
    assert box["source"].y1 < above.y0, where
    for name in ("title", "mark", "source", "legend", "years"):
        if box[name] is not None:
            assert _inside(box[name], figure), f"{where}: {name} leaves the figure"


#: A page's fan chart and the Word summary's, drawn at its printed size.
LAYOUTS = pytest.mark.parametrize(
    "layout", [charts.PAGE_LAYOUT, charts.PRINT_LAYOUT], ids=["page", "print"]
)


@LAYOUTS
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_indicator_s_fan_chart_keeps_title_mark_legend_and_source_apart(lang, layout):
    # A rate's projection writes the longest source line (model, error, interval).
    rates = pd.Series([90, 92, 94, 95.5, 96.8, 97.6], index=YEARS, dtype=float)
    rate = assess(rates, 99.0, 2020, base_year=2014, direction="higher", kind="rate")
    # A target shared by several villages is titled with their names.
    shared = label("join.scoped", lang, name=indicator_name(default_catalog()["navel_orange_area_mu"], lang),
                   scope=label("join.names", lang).join(["青光村", "竹村村", "大桥村", "八角村", "新塘村"]))  # fmt: skip
    names = [(ind.id, indicator_name(ind, lang)) for ind in default_catalog()]
    for where, name in [*names, ("shared", shared)]:
        figure = fan_chart(rates, rate, title=name, unit="%", sample=True, lang=lang, layout=layout)
        _assert_laid_out(figure, f"{where} ({lang})")
        charts.release(figure)


def _source_lines(figure: Figure) -> list[str]:
    (ax,) = figure.axes
    (source,) = [t for t in ax.texts if t.get_text().startswith(("资料来源", "Source"))]
    return source.get_text().split("\n")


@LAYOUTS
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_source_line_breaks_between_clauses_never_inside_one(lang, layout):
    """Each model's source line (the longest the charts write) breaks after a clause's comma or
    semicolon, never after 模型： nor at the space before the error's figure; and the plan's."""
    history = pd.Series([80.0, 82.5, 84.1, 85.6, 86.9, 88.2], index=YEARS)
    plan = charts.FanLine(
        True, (), 2019, 88.2, 0.8, None, 0.0, "", "", 1234.0, 2020, done=567.0, tracking="plan"
    )
    lines = [plan] + [
        charts.FanLine(
            True, ((2020, 89.0, 88.1, 90.2),), 2019, 88.2, 0.8, model, 1.23, "", "", 92.0, 2020
        )
        for model in MODELS
    ]
    for line in lines:
        unit = "户" if line.tracking == "plan" else "%"
        figure = charts.fan_line_chart(
            history, line, title="医疗保险参保率", unit=unit, lang=lang, layout=layout
        )
        broken = _source_lines(figure)
        charts.release(figure)
        assert all(re.search(r"(；|，|; |, )$", text) for text in broken[:-1]), broken


def test_a_clause_is_broken_only_where_it_is_longer_than_a_line():
    text = "资料来源：各村年度报表汇总；模型：线性趋势，回测平均绝对误差 1,234户"
    assert charts._fit_lines(text, 130, 10, clauses=True).split("\n") == [
        "资料来源：各村年度报表汇总；",
        "模型：线性趋势，",
        "回测平均绝对误差 1,234户",
    ]
    # Without clauses (a title), or a clause wider than the line: after a space too.
    text = "模型：线性趋势，回测平均绝对误差 1,234户"
    assert (
        charts._fit_lines(text, 175, 10, clauses=True)
        == "模型：线性趋势，\n回测平均绝对误差 1,234户"
    )
    assert charts._fit_lines(text, 175, 10) == "模型：线性趋势，回测平均绝对误差 \n1,234户"
    assert charts._fit_lines("回测平均绝对误差 1,234户", 60, 10, clauses=True) == (
        "回测平均绝对误差 \n1,234户"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_indicator_s_trend_chart_keeps_title_mark_and_source_apart(lang):
    history = pd.Series([26, 30, 38, 46, 51, 56], index=YEARS, dtype=float)
    for ind in default_catalog():
        figure = trend_chart(
            history, title=indicator_name(ind, lang), unit=ind.unit, sample=True, lang=lang
        )
        _assert_laid_out(figure, f"{ind.id} ({lang})")
        charts.release(figure)


def test_the_legend_never_covers_the_target_line():
    # The target at the top of the plot, where loc="best" used to put the legend.
    figure = _greenhouse_chart(sample=True)
    render(figure)
    renderer = FigureCanvasAgg(figure).get_renderer()
    (ax,) = figure.axes
    legend = _extent(ax.get_legend(), renderer)
    target_line = next(line for line in ax.lines if line.get_linestyle() == ":")
    assert not legend.overlaps(_extent(target_line, renderer))
    assert legend.y1 < ax.get_window_extent(renderer).y0


def test_a_trend_chart_of_a_count_has_whole_number_ticks():
    history = pd.Series([0, 0, 0, 1, 2, 2], index=YEARS, dtype=float)
    figure = trend_chart(history, title="扶贫车间", unit="个", integer=True)
    render(figure)
    ticks = figure.axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    assert figure.axes[0].get_legend() is None
