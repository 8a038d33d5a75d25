"""What the report notebooks call, under the one name they import (``from analysis import report``).

The functions live in :mod:`analysis.reporting` (sections, tables, figures),
:mod:`analysis.core.labels` (words) and :mod:`analysis.pipeline.store` (loading); this module
only gathers them, so notebooks written against earlier versions keep working.
"""

from analysis.core.labels import glossed, label
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting.indicator_charts import chart_indicators, indicator_chart
from analysis.reporting.page_maps import (
    corridor_drawing,
    corridor_figure,
    locator_drawing,
    locator_figure,
    sanitary_rate_drawing,
    sanitary_rate_figure,
    sanitation_drawing,
    sanitation_figure,
    toilets_per_100_households,
)
from analysis.reporting.pictures import keep_pictures
from analysis.reporting.ranking import ranking_table, village_rank_table
from analysis.reporting.review import show_review_notes
from analysis.reporting.sections import (
    area_title,
    heading,
    paragraph,
    section_heading,
    show,
    show_appendix,
    show_summary,
    show_table,
    show_target_charts,
    show_target_table,
    show_top,
    show_trend_charts,
    show_village_paragraph,
    show_village_projects,
    village_title,
)
from analysis.reporting.tables import (
    area_history,
    key_figures,
    quarantine_table,
    reconciliation_table,
    target_table,
    validation_overview,
    village_history,
    village_projects,
    village_vs_area,
)

__all__ = [
    "Tables",
    "area_history",
    "area_title",
    "chart_indicators",
    "corridor_drawing",
    "corridor_figure",
    "glossed",
    "heading",
    "indicator_chart",
    "keep_pictures",
    "key_figures",
    "label",
    "load_tables",
    "locator_drawing",
    "locator_figure",
    "paragraph",
    "quarantine_table",
    "ranking_table",
    "reconciliation_table",
    "sanitary_rate_drawing",
    "sanitary_rate_figure",
    "sanitation_drawing",
    "sanitation_figure",
    "section_heading",
    "show",
    "show_appendix",
    "show_review_notes",
    "show_summary",
    "show_table",
    "show_target_charts",
    "show_target_table",
    "show_top",
    "show_trend_charts",
    "show_village_paragraph",
    "show_village_projects",
    "target_table",
    "toilets_per_100_households",
    "validation_overview",
    "village_history",
    "village_projects",
    "village_rank_table",
    "village_title",
    "village_vs_area",
]
