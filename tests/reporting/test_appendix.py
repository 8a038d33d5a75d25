"""The appendix of a county's or town's page: the ESCAP/Eurostat measures, the models and the
published figures not checked move there from the body, none lost (issue 28)."""

from __future__ import annotations

from analysis.core.labels import label
from analysis.reporting import appendix
from analysis.reporting.tables import reconciliation_table, target_table

NOT_CHECKED = label("reconciliation.not checked")


def test_the_unchecked_figures_leave_the_body_for_the_appendix(tables):
    check = label("column.check")
    body = reconciliation_table(tables, checked=True)
    unchecked = appendix.unchecked_table(tables)
    assert NOT_CHECKED not in set(body[check])
    assert set(unchecked[check]) == {NOT_CHECKED}
    # Nothing lost: the two together are every published figure.
    assert len(body) + len(unchecked) == len(reconciliation_table(tables))
    assert len(unchecked) == (tables.reconciliation["status"] == "not checked").sum()


def test_the_supporting_measures_leave_the_target_table_for_the_appendix(tables):
    columns = {label("column.escap"), label("column.eurostat")}
    full = target_table(tables, "township")
    body = appendix.body_target_table(tables, "township")
    assert columns <= set(full.columns) and not columns & set(body.columns)
    assert len(body) == len(full)
    supporting = appendix.supporting_table(tables)
    assert columns <= set(supporting.columns)
    own = tables.projections[tables.projections["row_type"] == "target"]
    assert len(supporting) == len(own)
    # Named by their places, never by their codes.
    assert not supporting[label("column.indicator")].str.contains(r"\d{12}").any()


def test_each_projected_target_states_its_model_and_back_test(tables):
    models = appendix.model_table(tables)
    own = tables.projections[tables.projections["row_type"] == "target"]
    assert len(models) == own["model"].notna().sum() > 0
    assert models[label("column.model")].str.len().gt(0).all()
