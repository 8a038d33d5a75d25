"""What the report notebooks call, under the one name they import (``from analysis import report``).

The functions live in :mod:`analysis.reporting` (sections, tables, figures),
:mod:`analysis.core.labels` (words) and :mod:`analysis.pipeline.store` (loading); this module
only gathers them, so notebooks written against earlier versions keep working.
"""

from analysis.core.labels import glossed, label
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting.figures import (
    corridor_figure,
    locator_figure,
    sanitary_rate_figure,
    sanitation_figure,
    target_figure,
    toilets_per_100_households,
)
from analysis.reporting.sections import (
    heading,
    paragraph,
    section_heading,
    show,
    show_summary,
    show_table,
    show_target_table,
    show_village_paragraph,
    township_title,
    village_title,
)
from analysis.reporting.tables import (
    key_figures,
    quarantine_table,
    reconciliation_table,
    target_table,
    validation_overview,
    village_history,
    village_projects,
    village_vs_township,
)

__all__ = [
    "Tables",
    "corridor_figure",
    "glossed",
    "heading",
    "key_figures",
    "label",
    "load_tables",
    "locator_figure",
    "paragraph",
    "quarantine_table",
    "reconciliation_table",
    "sanitary_rate_figure",
    "sanitation_figure",
    "section_heading",
    "show",
    "show_summary",
    "show_table",
    "show_target_table",
    "show_village_paragraph",
    "target_figure",
    "target_table",
    "toilets_per_100_households",
    "township_title",
    "validation_overview",
    "village_history",
    "village_projects",
    "village_title",
    "village_vs_township",
]
