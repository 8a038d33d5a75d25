"""What an office prints besides the pages: the summary as Word, with the maps and the target
charts embedded, and the maps as PDF and SVG, for the whole data set or for one town.

Apart from :mod:`analysis.reporting.index_page` (the index, the downloads), because drawing needs
matplotlib and statsmodels: a build imports this module only when it writes a document, so a
rebuild with nothing to do starts without them.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import charts, indicator_charts, kept, narrative, page_maps, sections
from analysis.reporting.index_page import TOP_KEYS, document_paths
from analysis.reporting.pictures import PICTURES_DIR, PictureCache, drawing_key

#: Resolution of the pictures embedded in the Word summary: what an office printer prints.
PRINT_DPI = 300


def print_fans(tables: Tables, lang: str) -> list[indicator_charts.Fan]:
    """The top page's (or town's) target charts as the Word summary prints them: the page's
    charts, drawn at their printed size with every text 9 pt or more
    (:data:`analysis.reporting.charts.PRINT_LAYOUT`), two to an A4 page."""
    return [
        dataclasses.replace(fan, layout=charts.PRINT_LAYOUT)
        for fan in indicator_charts.target_fans(tables, TOP_KEYS[0], lang=lang)
    ]


def _target_pictures(tables: Tables, lang: str, kept: PictureCache) -> list[narrative.Picture]:
    """The target charts of :func:`print_fans`, one per target with its alternative text (the
    page's), for Word; a chart whose picture is kept is not drawn at all."""
    # Each chart drawn on a figure of its own, as the digest of its inputs promises: not on
    # one figure drawn on again, which keeps something of the chart before it.
    return [
        (kept.png(drawing_key(fan), PRINT_DPI, fan.draw), fan.alt)
        for fan in print_fans(tables, lang)
    ]


def write_documents(
    processed_dir: Path,
    year_dir: Path,
    year: int,
    lang: str,
    town_code: str | None = None,
    accepted_errors: int = 0,
    *,
    page_maps_kept: bool = False,
) -> list[Path]:
    """What an office passes on besides the pages: the summary as Word, with the maps and the
    target charts embedded at print resolution, and the maps as PDF and SVG for print, for the
    whole data set or for one town; the Word document states ``accepted_errors`` as the pages
    do. Each figure is drawn once, by the same functions as the pages', or not at all where
    the build before drew the same figure (:mod:`analysis.reporting.pictures`).

    ``page_maps_kept`` where the page of these tables (a town's, or a one-town data set's top
    page) shows the same maps: their page pictures are then kept here too, from the figures
    drawn for print, and the page's worker finds them rather than drawing each map again (a
    build writes the documents first, :meth:`analysis.runs.jobs.BuildCache.longest_first`)."""
    tables = load_tables(processed_dir, town_code=town_code)
    docx, maps_dir = document_paths(year_dir, town_code)
    kept_here = PictureCache(year_dir / PICTURES_DIR / (town_code or TOP_KEYS[0]))
    pages = PictureCache(kept.pages_dir(year_dir)) if page_maps_kept else None
    drawings = {
        "corridor": page_maps.corridor_drawing(tables, lang=lang),
        "sanitation": page_maps.sanitation_drawing(tables, year, lang=lang),
        "sanitary_rate": page_maps.sanitary_rate_drawing(tables, year, lang=lang),
    }
    # Each map drawn once, and only where one of its pictures is not kept.
    maps_drawn = {
        name: (functools.cache(drawing.draw), drawing_key(drawing))
        for name, drawing in drawings.items()
        if drawing is not None
    }
    # The Word document places each map under its section, as the page does: 卫生厕所普及率 with
    # the sanitation map.
    pictures: dict[str, list] = {"corridor": [], "sanitation": []}
    describe = functools.partial(sections.figure_alt, lang=lang)
    for name, (figure, key) in maps_drawn.items():
        section = "corridor" if name == "corridor" else "sanitation"
        if pages is not None:
            # As the page keeps them (pictures.page_map): its text, then its PNG.
            pages.described(key, lang, figure, describe)
            pages.png(key, sections.PAGE_DPI, figure)
        picture = kept_here.png(key, PRINT_DPI, figure)
        alt, _ = kept_here.described(key, lang, figure, describe)
        pictures[section].append((picture, alt))
    pictures["targets"] = _target_pictures(tables, lang, kept_here)
    written = [
        narrative.write_docx(
            docx, year, tables, lang=lang, accepted_errors=accepted_errors, pictures=pictures
        )
    ]
    for name, (figure, key) in maps_drawn.items():
        for suffix in (".pdf", ".svg"):
            written.append(kept_here.save(figure, key, maps_dir / f"{name}{suffix}"))
    kept_here.prune()
    return written
