"""Maps are kept by what they are drawn from (:class:`analysis.reporting.page_maps.MapDrawing`):
a kept map's picture and words are those drawing it afresh gives, and it is not drawn again."""

from __future__ import annotations

import dataclasses

import pytest

from analysis import config
from analysis.pipeline.store import Tables
from analysis.reporting import index_page, kept, page_maps, pictures, print_documents, sections

YEAR = config.DEFAULT_YEAR
QINGGUANG = "360722103203"

# A map's drawing digested in another process: a picture one kernel kept must be found by all.
DRAWING_DIGEST = f"""
import sys
sys.path.insert(0, {str(config.PROJECT_DIR)!r})
from analysis.pipeline.store import load_tables
from analysis.reporting import page_maps, pictures
tables = load_tables(sys.argv[1])
print(pictures.drawing_key(page_maps.sanitation_drawing(tables, {YEAR})))
"""


def _drawings(tables: Tables) -> list[tuple[page_maps.MapDrawing, str]]:
    """Each map of the pages, with the language it is drawn in."""
    return [
        (page_maps.corridor_drawing(tables), "zh"),
        (page_maps.sanitation_drawing(tables, YEAR), "zh"),
        (page_maps.sanitary_rate_drawing(tables, YEAR, lang="en"), "en"),
        (page_maps.locator_drawing(tables, QINGGUANG), "zh"),
    ]


def _shown(monkeypatch, shown, lang: str) -> str:
    """The HTML ``sections.show`` displays for ``shown``."""
    out = []
    monkeypatch.setattr(sections, "display", lambda html: out.append(html.data))
    sections.show(shown, lang=lang)
    return out[0]


def test_a_map_shown_from_its_drawing_is_the_figure_shown_and_is_kept_as_drawn(
    tables, tmp_path, monkeypatch
):
    drawings = _drawings(tables)
    assert all(d is not None for d, _ in drawings)
    from_figures = [_shown(monkeypatch, d.draw(), lang) for d, lang in drawings]
    assert [_shown(monkeypatch, d, lang) for d, lang in drawings] == from_figures

    pictures.keep_pictures(tmp_path)
    assert [_shown(monkeypatch, d, lang) for d, lang in drawings] == from_figures
    # A PNG and its words (alternative text and size) per map.
    assert len(list(tmp_path.glob("*.png"))) == len(list(tmp_path.glob("*.json"))) == 4

    def never(self):
        raise AssertionError("a kept map is not drawn")

    monkeypatch.setattr(page_maps.MapDrawing, "draw", never)
    pictures.keep_pictures(tmp_path)
    shown = [_shown(monkeypatch, d, lang) for d, lang in reversed(drawings)]
    assert shown == from_figures[::-1]


def test_a_maps_digest_is_the_same_in_another_process_and_changes_with_its_inputs(
    prepared_sample, tables, printed_in_a_new_process
):
    here = pictures.drawing_key(page_maps.sanitation_drawing(tables, YEAR))
    assert printed_in_a_new_process(DRAWING_DIGEST, prepared_sample) == here

    indicators = tables.indicators.copy()
    row = indicators.index[indicators["indicator"] == "toilets_upgraded"][0]
    indicators.loc[row, "value"] += 1
    one_more = dataclasses.replace(tables, indicators=indicators)
    assert pictures.drawing_key(page_maps.sanitation_drawing(one_more, YEAR)) != here
    assert pictures.drawing_key(page_maps.sanitation_drawing(tables, YEAR - 1)) != here
    assert pictures.drawing_key(page_maps.sanitation_drawing(tables, YEAR, lang="en")) != here


@pytest.mark.slow
def test_a_map_whose_png_is_kept_but_not_its_svg_is_drawn_for_the_svg_alone_the_same(
    prepared_sample, tmp_path, top_documents
):
    year_dir = tmp_path / "reports"
    first = top_documents(prepared_sample, year_dir)
    folder = year_dir / pictures.PICTURES_DIR / "township"
    for kept_svg in folder.glob("*.svg"):
        kept_svg.unlink()
    for written in (year_dir / index_page.MAPS_DIR).glob("*.svg"):
        written.unlink()
    assert top_documents(prepared_sample, year_dir) == first


@pytest.mark.slow
def test_a_town_s_documents_keep_its_page_s_maps_as_the_page_draws_them(
    prepared_sample, tables, tmp_path, monkeypatch
):
    drawings = _drawings(tables)[:2]  # the town page's maps, in the documents' language
    drawings.append((page_maps.sanitary_rate_drawing(tables, YEAR), "zh"))
    drawn = [_shown(monkeypatch, d, lang) for d, lang in drawings]
    county = tmp_path / "county"
    print_documents.write_documents(prepared_sample, county, YEAR, "zh")
    assert not kept.pages_dir(county).exists()  # a county's page shows maps of its own

    year_dir = tmp_path / "town"
    print_documents.write_documents(prepared_sample, year_dir, YEAR, "zh", page_maps_kept=True)

    def never(self):
        raise AssertionError("a map the documents kept for the page is not drawn again")

    monkeypatch.setattr(page_maps.MapDrawing, "draw", never)
    pictures.keep_pictures(kept.pages_dir(year_dir))
    assert [_shown(monkeypatch, d, lang) for d, lang in drawings] == drawn
