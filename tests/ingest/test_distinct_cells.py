"""Each distinct cell judged once: what is judged once must be what every cell would give."""

import numpy as np
import pandas as pd

from analysis.ingest.cells import (
    TotalsLabels,
    cell_text,
    distinct_cells,
    is_totals_label,
    map_text,
    parse_cells,
)
from analysis.ingest.registry import _strip_suffix

MIXED = [1, 1.0, True, 0.0, -0.0, "1", None, np.nan, "a", "a", np.float64(-0.0), 2.5, 2.5]


def test_distinct_cells_keeps_apart_what_is_written_apart():
    values = pd.Series(MIXED, dtype=object)
    codes, distinct = distinct_cells(values)
    # Each cell is its distinct value, of its own type and sign, and equal cells share one.
    assert [repr(v) for v in distinct[codes]] == [repr(v) for v in MIXED]
    assert len(distinct) == len(MIXED) - 2


def test_map_text_is_map_for_every_cell():
    values = pd.Series(MIXED * 3, dtype=object, index=np.arange(39) * 2, name=4)
    pd.testing.assert_series_equal(map_text(values, cell_text), values.map(cell_text))
    assert list(map_text(values, cell_text)[[6, 8]]) == ["0", "-0"]


def test_totals_labels_are_judged_once_as_is_totals_label_judges_them():
    labels = TotalsLabels(["大桥镇"], ["大桥镇"])
    cells = pd.Series(["合计", "大桥镇", "大桥小计", "大桥镇 小计", "青光村", 1.0, "合计", "总 计"])
    said = [True, False, True, True, False, False, True, True]
    for _ in range(2):  # the second time from what the first judged
        assert list(labels.find(cells, named=False)) == said
        assert list(labels.find(cells, named=True)) == [s or i == 1 for i, s in enumerate(said)]
    assert list(is_totals_label(cells, ["大桥镇"], towns=["大桥镇"])) == list(
        labels.find(cells, named=True)
    )


def test_parse_cells_of_a_grid_of_figures_is_that_of_the_same_figures_among_text():
    figures = pd.Series([1.5, np.nan, 0.0, -2.0], dtype=object)
    mixed = pd.Series([1.5, np.nan, 0.0, -2.0, "3万"], dtype=object)
    pd.testing.assert_frame_equal(parse_cells(figures), parse_cells(mixed).iloc[:4])
    assert list(parse_cells(figures)["state"]) == ["ok", "missing", "ok", "ok"]


def test_a_name_loses_its_longest_suffix_that_leaves_a_name():
    assert _strip_suffix("青光村民委员会") == "青光"
    assert _strip_suffix("新圩社区居委会") == "新圩"
    assert _strip_suffix("社区居委会") == "社区"
    assert _strip_suffix("青光村委会") == "青光"
    assert _strip_suffix("村") == "村"
    assert _strip_suffix("青光") == "青光"
