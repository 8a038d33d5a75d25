"""The problems page, ``reports/<year>/problems.html``: every problem found in the raw data,
village by village and file by file, printable as the 对照表 a clerk takes from door to door.

It is made from the processed folder's ``quarantine.csv`` (whose ``village_code``/``village``
columns say whose row each problem is on); the words come from :mod:`analysis.ingest.advice`, as
in the marked workbooks, so the page and the workbook a village receives say the same thing.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from analysis.core.labels import glossed, label
from analysis.errors import MissingFileError
from analysis.ingest.advice import cell_ref, expected_text, problem_text, village_label
from analysis.pipeline import store
from analysis.pipeline.reconcile import read_reconciliation
from analysis.pipeline.store import path_of
from analysis.reporting import publish
from analysis.reporting.sections import table_html
from analysis.reporting.tables import reconciliation_rows

#: On screen a list; on paper one village per A4 page, rows never split, with blank columns
#: for what was found at the door and the corrected figure, and a line to sign.
PAGE_STYLE = """
table.check .short { white-space: nowrap; }
table.check td.blank { min-width: 8em; }
td.sev-error { color: #9c0006; background: #ffe1e1; font-weight: bold; }
td.sev-warning { color: #6b4a00; background: #fff2cc; }
td.sev-review { color: #1f3864; background: #deebf7; }
p.sign { margin: 1.2rem 0 0; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  nav.toc { display: none; }
  section.village { break-before: page; }
  nav.toc + section.village { break-before: auto; }
  table.check { width: 100%; font-size: 10pt; }
  table.check thead { display: table-header-group; }
  table.check tr { break-inside: avoid; }
  p.sign { break-before: avoid; }
}
"""


def load_problems(processed_dir: Path | str) -> pd.DataFrame:
    """``quarantine.csv`` as text columns (``row`` as a number), village columns included."""
    path = path_of(processed_dir, "quarantine")
    if not path.exists():
        raise MissingFileError(glossed("problems.missing", sep=" / ", path=path))
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame["row"] = pd.to_numeric(frame["row"]).astype("int64")
    for column in ("village_code", "village"):
        if column not in frame:  # tables prepared before problems carried their village
            frame[column] = ""
    return frame


def _groups(problems: pd.DataFrame, lang: str) -> list[tuple[str, str, pd.DataFrame]]:
    """(label, code, problems) per village: registry villages by code, then names not in the
    registry, then the problems of no village's row."""
    keyed = problems.assign(
        _label=[
            village_label(c, n, lang)
            for c, n in zip(problems["village_code"], problems["village"], strict=True)
        ],
        _order=[
            0 if c else 1 if n else 2
            for c, n in zip(problems["village_code"], problems["village"], strict=True)
        ],
    )
    keyed = keyed.sort_values(
        ["_order", "village_code", "_label", "file", "sheet", "row", "column"], kind="stable"
    )
    return [
        (str(name), str(group["village_code"].iloc[0]), group)
        for (_, _, name), group in keyed.groupby(["_order", "village_code", "_label"], sort=False)
    ]


def _counts(problems: pd.DataFrame) -> tuple[int, int]:
    errors = int((problems["severity"] == "error").sum())
    return errors, len(problems) - errors


def _file_table(problems: pd.DataFrame, lang: str) -> str:
    short = {"number", "cell", "severity"}
    header = "".join(
        f'<th class="short">{escape(label(f"column.{k}", lang))}</th>'
        if k in short
        else f"<th>{escape(label(f'column.{k}', lang))}</th>"
        for k in (
            "number",
            "cell",
            "value",
            "problem",
            "expected",
            "severity",
            "checked",
            "corrected",
        )
    )
    rows = []
    for number, item in enumerate(problems.itertuples(index=False), start=1):
        expected = expected_text(item.rule, lang=lang)
        rows.append(
            f'<tr><td class="short">{number}</td>'
            f'<td class="short">{escape(cell_ref(item.row, item.column, lang))}</td>'
            f"<td>{escape(item.value)}</td><td>{escape(problem_text(item, lang))}</td>"
            f"<td>{escape(expected)}</td>"
            f'<td class="short sev-{escape(item.severity)}">'
            f"{escape(label(f'severity.{item.severity}', lang))}</td>"
            '<td class="blank"></td><td class="blank"></td></tr>'
        )
    return publish.scroll_box(
        f'<table class="check"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _section(number: int, name: str, code: str, group: pd.DataFrame, lang: str) -> str:
    """One village: its counts, a table per file, a line to sign."""
    errors, warnings = _counts(group)
    parts = [
        f'<section class="village" id="v{number}">',
        f"<h2>{escape(name)}" + (f" <small>{escape(code)}</small>" if code else "") + "</h2>",
        f"<p>{escape(glossed('problems.counts', lang, ' / ', errors=errors, warnings=warnings))}</p>",
    ]
    for (file, sheet), of_file in group.groupby(["file", "sheet"], sort=False):
        where = (
            label("problems.file_sheet", lang, file=file, sheet=sheet)
            if sheet
            else label("problems.file", lang, file=file)
        )
        parts.append(f"<h3>{escape(where)}</h3>{_file_table(of_file, lang)}")
    parts.append(f'<p class="sign">{escape(label("problems.sign", lang))}</p></section>')
    return "".join(parts)


def _mismatches(reconciliation: pd.DataFrame, lang: str) -> str:
    """与公开数据不一致: the published figures the data does not bear out, as the township
    page's reconciliation lists them; nothing where every figure checked agrees."""
    differs = reconciliation[reconciliation["status"] == "differs"]
    if differs.empty:
        return ""
    return (
        f"<h2>{escape(glossed('problems.mismatches', lang))}</h2>"
        f"<p>{escape(label('problems.mismatches_note', lang, n=len(differs)))}</p>"
        + table_html(reconciliation_rows(differs, lang=lang))
    )


def problems_body(
    problems: pd.DataFrame,
    title: str,
    lang: str = "zh",
    reconciliation: pd.DataFrame | None = None,
) -> str:
    """The page's HTML (every name and value escaped): the published figures that differ from
    the data (``reconciliation``'s rows), then the raw data's problems: counts, contents, one
    section a village."""
    mismatches = "" if reconciliation is None else _mismatches(reconciliation, lang)
    if problems.empty:
        none = glossed("problems.none_in_raw" if mismatches else "problems.none", lang, " / ")
        return f"<h1>{escape(title)}</h1>{mismatches}<p>{escape(none)}</p>"
    errors, warnings = _counts(problems)
    groups = _groups(problems, lang)
    toc = "".join(
        f'<tr><td><a href="#v{number}">{escape(name)}</a></td><td>{escape(code)}</td>'
        f'<td class="num">{_counts(group)[0]}</td><td class="num">{_counts(group)[1]}</td></tr>'
        for number, (name, code, group) in enumerate(groups, start=1)
    )
    toc_header = "".join(
        f"<th>{escape(glossed(f'column.{k}', lang))}</th>"
        for k in ("village_name", "code", "errors", "warnings")
    )
    summary = glossed(
        "problems.summary", lang, " / ", n=len(problems), errors=errors, warnings=warnings
    )
    note = label("problems.unassigned_note", lang, unassigned=label("problems.unassigned", lang))
    return (
        f"<style>{PAGE_STYLE}</style><h1>{escape(title)}</h1>{mismatches}<p>{escape(summary)}</p>"
        f"<p>{escape(label('problems.how', lang))} <code>minsheng validate --mark</code></p>"
        f"<p>{escape(note)}</p>"
        f'<nav class="toc"><h2>{escape(glossed("problems.by_village", lang))}</h2>'
        + publish.scroll_box(
            f"<table><thead><tr>{toc_header}</tr></thead><tbody>{toc}</tbody></table>"
        )
        + "</nav>"
        + "".join(_section(number, *group, lang) for number, group in enumerate(groups, start=1))
    )


def _town(processed_dir: Path) -> str:
    path = path_of(processed_dir, "villages")
    if not path.exists():
        return ""
    towns = pd.read_parquet(path, columns=["town_name"])["town_name"].unique()
    return str(towns[0]) if len(towns) == 1 else ""


def write_problems_page(
    processed_dir: Path | str, year_dir: Path | str, year: int, sample: bool, lang: str = "zh"
) -> Path:
    """Write ``year_dir/problems.html`` from the processed folder's ``quarantine.csv``.

    Parameters
    ----------
    processed_dir
        The processed folder (``quarantine.csv``; ``reconciliation.csv`` for the published
        figures that differ from the data; ``villages.parquet`` for the town name).
    year_dir
        The year's report folder (``reports/2019``).
    year
        The report year, for the title.
    sample
        Whether the data is the synthetic sample (the page then says 示例数据).
    lang
        The build's language: the page's words, and each problem's message in it. What a
        rule expects is written in Chinese only (the clerks' words, as in the marked workbooks).

    Returns
    -------
    Path
        The page written.

    Raises
    ------
    MissingFileError
        The processed folder has no ``quarantine.csv``.
    """
    processed = Path(processed_dir)
    problems = load_problems(processed)
    title = label("problems.title", lang, town=_town(processed), year=year)
    provenance = publish.Provenance(
        data_fingerprint=store.fingerprint_dir(processed),
        parameters={"year": year},
        sample=sample,
    )
    reconciled = path_of(processed, "reconciliation")
    reconciliation = read_reconciliation(reconciled) if reconciled.exists() else None
    html = publish.page(
        title,
        problems_body(problems, title, lang, reconciliation),
        provenance,
        home="index.html",
        lang=lang,
    )
    return publish.write_page(Path(year_dir) / publish.PROBLEMS_PAGE, html)
