"""Tables as the pages show them: text left, figures right, short words never broken, names
escaped."""

from __future__ import annotations

import re

import pandas as pd

from analysis.reporting.sections import table_html


def _cells(html: str) -> dict[str, str]:
    """Each cell's text → its class ('' for none)."""
    return {
        text: kind or "" for kind, text in re.findall(r'<td(?: class="(\w+)")?>(.*?)</td>', html)
    }


def test_figures_are_right_aligned_and_short_words_never_break():
    table = pd.DataFrame(
        {
            "指标": ["医疗保险参保率（城乡居民基本医疗保险）", "蔬菜大棚面积"],
            "2019": ["86.4%", "2,400"],
            "变化": ["提高1.4个百分点", "—"],
            "状态": ["有望达成", "需加速"],
        }
    )
    cells = _cells(table_html(table))
    assert cells["86.4%"] == cells["2,400"] == cells["—"] == "num"
    assert cells["有望达成"] == cells["需加速"] == "word"
    # Longer text wraps as text does: a name, a change in words.
    assert cells["医疗保险参保率（城乡居民基本医疗保险）"] == cells["提高1.4个百分点"] == ""


def test_a_name_is_text_in_a_table():
    html = table_html(pd.DataFrame({"村": ["<script>alert(1)</script>"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_map_opens_full_size_by_a_link_to_itself_with_no_script():
    from analysis.reporting.publish import PAGE_CSS
    from analysis.reporting.sections import map_html

    html = map_html(b"\x89PNG-bytes", 'a "map" <of> 大桥镇', 640, 480, "zh")
    figure_id = re.search(r'<figure class="map" id="([^"]+)"', html).group(1)
    assert f'<a href="#{figure_id}"' in html  # a tap makes the figure the page's target
    assert (
        f'class="map-close" href="#{figure_id}-spot"' in html and f'id="{figure_id}-spot"' in html
    )
    assert "<script" not in html and "onclick" not in html
    assert 'alt="a &quot;map&quot; &lt;of&gt; 大桥镇"' in html
    assert "figure.map:target" in PAGE_CSS  # CSS alone opens it
    assert map_html(b"\x89PNG-bytes", "x", 1, 1) == map_html(b"\x89PNG-bytes", "x", 1, 1)
    assert figure_id not in map_html(b"\x89PNG-other", "x", 1, 1)
