"""The ledger: every problem found and the state of every row read, then the accounting.

Modelled on an error handler that collects every failure and reports once at the end: the
checkers call :meth:`Ledger.add` and mark rows; nothing is raised for bad data.

What "a row" is
---------------
A row is one physical row of a sheet (Excel row, CSV record, or feature of a layer), counted
from Excel row 1, title rows included. Every row read ends in exactly one of three states:

``structural``
    not data: a title or note row, the header, a blank row, a 合计/小计/总计 totals row (checked
    against the villages, never ingested as one). Each is listed with its reason.
``quarantined``
    nothing from the row was ingested, because its keys are unusable (village unknown or blank,
    year missing or out of range) or the sheet itself cannot be used (no header, no key column).
``accepted``
    the row's village and year are known and its values went in, ``full`` when every value was
    accepted and ``partial`` when one or more cells were quarantined (bad value, conflicting
    duplicate, cross-field rule) while the other cells of the row were kept.

For every file and sheet the summary states ``rows_read == rows_accepted + rows_quarantined +
rows_structural`` (with ``rows_accepted = rows_accepted_full + rows_accepted_partial``) and
checks it. Where the rows were also counted by a pass independent of the parser that read the
values (``rows_counted``: a CSV's physical lines by the strict record count; a scanned sheet's
used rows), the check requires ``rows_read == rows_counted`` too, so a parser that swallowed or
split rows cannot balance the books. Cells are accounted the same way: ``cells_read`` (figures given in accepted rows
under known indicator columns; blanks and missing markers such as ``—`` are not figures)
``== cells_accepted + cells_quarantined + cells_duplicate``, where ``cells_duplicate`` are
identical repeats kept once. Figures in a column whose header is not in the catalog are counted
as ``cells_unmapped``: the column is reported once (``unknown_column``) rather than every row
being marked partial for it. A file that cannot be opened at all (empty, truncated, unknown
encoding) reads 0 rows and gets one file-level error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.labels import label
from analysis.ingest.cells import cell_text
from analysis.ingest.rules import RULES, Effect, Severity

PROBLEM_COLUMNS = [
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "rule",
    "severity",
    "message_zh",
    "message_en",
    "village_code",
    "village",
]
VALUE_COLUMNS = ["village_code", "year", "indicator", "value", "source", "row"]
#: The severities whose problems make the data not ok.
BLOCKING = {severity.value for severity in Severity if severity.blocks}


@dataclass
class Ledger:
    """Problem records and the state of every row read, per file and sheet."""

    problems: list[dict] = field(default_factory=list)
    sheets: dict[tuple[str, str], dict] = field(default_factory=dict)
    rows: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def add(
        self,
        rule: str,
        file: str,
        sheet: str = "",
        row: int = 0,
        column: str = "",
        value: object = "",
        *,
        village_code: str | None = None,
        **fields: object,
    ) -> None:
        """Record one problem of ``rule`` (an id of :data:`~analysis.ingest.rules.RULES`),
        worded from the rule's templates; a rule that keeps its row out quarantines the row.

        ``village_code`` is the village of the problem's row where the checker knows it; else
        :func:`~analysis.ingest.registry.place_villages` names it while the file is read.
        ``rule_id`` among ``fields`` records the problem under another id (a catalog cross
        rule's, worded by ``cross_rule``)."""
        own = RULES[rule]
        text = cell_text(value)
        fields = {"value": text, "hint_zh": "", "hint_en": "", **fields}
        where_zh = f"「{file}」" + (f"工作表「{sheet}」" if sheet else "")
        where_zh += (f"第 {row} 行" if row else "") + (f" {column} 列" if column else "")
        where_en = file + (f" [{sheet}]" if sheet else "")
        where_en += (f" row {row}" if row else "") + (f" column {column}" if column else "")
        self.problems.append(
            {
                "file": file,
                "sheet": sheet,
                "row": int(row),
                "column": column,
                "value": text,
                "rule": fields.pop("rule_id", rule),
                "severity": own.severity.value,
                "message_zh": f"{where_zh}：{own.message_zh.format(**fields)}".strip(),
                "message_en": f"{where_en}: {own.message_en.format(**fields)}".strip(),
                **({} if village_code is None else {"village_code": village_code}),
            }
        )
        rows = self.rows.get((file, sheet))
        if own.quarantines is Effect.ROW and rows is not None and int(row) in rows.index:
            rows.loc[int(row), ["status", "reason"]] = ["quarantined", rule]

    def open_sheet(
        self, file: str, sheet: str, kind: str, n_rows: int, **info: object
    ) -> pd.DataFrame:
        """Start the row states of a sheet: every row structural/blank until classified."""
        key = (file, sheet)
        self.sheets[key] = {"file": file, "sheet": sheet, "kind": kind, **info}
        rows = pd.DataFrame(
            {"status": "structural", "reason": "blank"},
            index=pd.RangeIndex(1, n_rows + 1, name="row"),
        )
        self.rows[key] = rows
        return rows

    def note_file(self, file: str, kind: str) -> None:
        """List a file whose rows are not read (documentation, unknown or unreadable)."""
        self.sheets[(file, "")] = {"file": file, "sheet": "", "kind": kind}
        self.rows[(file, "")] = pd.DataFrame(columns=["status", "reason"])

    def merge(self, other: Ledger) -> None:
        """Add what ``other`` recorded, as if it had been recorded here: problems after these,
        sheets and row states by their key (a later file's wins, as when recorded here)."""
        self.problems.extend(other.problems)
        self.sheets.update(other.sheets)
        self.rows.update(other.rows)

    def count(self, file: str, sheet: str, counter: str, n: int = 1) -> None:
        """Add ``n`` to a sheet's cell counter (``cells_read``, ``cells_quarantined`` …)."""
        info = self.sheets[(file, sheet)]
        info[counter] = info.get(counter, 0) + n

    def problems_frame(self) -> pd.DataFrame:
        """Every problem as a PROBLEM_COLUMNS frame: errors first, then by place. A problem
        of no village's row has ``village_code`` and ``village`` empty."""
        unplaced = {"village_code": "", "village": ""}
        frame = pd.DataFrame([unplaced | p for p in self.problems], columns=PROBLEM_COLUMNS)
        frame = frame.astype({"row": "int64"})
        order = frame["severity"].map({severity.value: i for i, severity in enumerate(Severity)})
        frame = frame.assign(_order=order).sort_values(
            ["_order", "file", "sheet", "row", "column", "rule"], kind="stable"
        )
        return frame.drop(columns="_order").reset_index(drop=True)


ROW_DEFINITION = (
    "A row is one physical row of a sheet (Excel row / CSV line / layer feature), title rows "
    "included. rows_read = rows_accepted + rows_quarantined + rows_structural, and where "
    "rows_counted is given (counted apart from the parser: CSV lines, scanned sheets' used "
    "rows) rows_read = rows_counted; rows_accepted = "
    "rows_accepted_full + rows_accepted_partial (partial: some cells quarantined, the rest "
    "kept). Structural rows (title, header, blank, totals, note) are listed with their reason. "
    "cells_read (figures given in accepted rows; blanks and missing markers such as — not "
    "counted) = cells_accepted + cells_quarantined + cells_duplicate (identical repeats kept "
    "once); figures under an unknown column are cells_unmapped. Severity 'error' means "
    "something was not ingested; 'warning' means ingested but worth a look; 'review' means "
    "ingested, a value its history or its town makes implausible, to be corrected or confirmed "
    "with a written explanation (核实说明)."
)


def summarise(ledger: Ledger, problems: pd.DataFrame) -> dict:
    """Per file and sheet: rows read and where each went, with the accounting check."""
    blocking = problems["severity"].isin(BLOCKING)
    cell_errors = problems[blocking & (problems["row"] > 0) & (problems["column"] != "")]
    # The rows of each sheet with a cell rejected: a sheet's accepted rows are looked up among
    # them at once, not one by one (a province accepts hundreds of thousands).
    partial_rows: dict[tuple[str, str], set[int]] = {}
    for file, sheet, row in zip(
        cell_errors["file"], cell_errors["sheet"], cell_errors["row"], strict=True
    ):
        partial_rows.setdefault((file, sheet), set()).add(int(row))
    entries = []
    all_ok = True
    for key in sorted(ledger.sheets):
        info = dict(ledger.sheets[key])
        rows = ledger.rows[key]
        status = rows["status"]
        accepted_rows = rows.index[status == "accepted"]
        rejected = partial_rows.get(key)
        partial = int(np.isin(accepted_rows, sorted(rejected)).sum()) if rejected else 0
        structural = rows[status == "structural"]
        entry = {
            **info,
            "rows_read": len(rows),
            "rows_accepted": len(accepted_rows),
            "rows_accepted_full": int(len(accepted_rows) - partial),
            "rows_accepted_partial": int(partial),
            "rows_quarantined": int((status == "quarantined").sum()),
            "rows_structural": len(structural),
            "structural": [
                {"row": int(r), "reason": str(reason)} for r, reason in structural["reason"].items()
            ],
        }
        if info.get("kind") == "village_table":
            read = int(info.get("cells_read", 0))
            entry["cells_read"] = read
            entry["cells_quarantined"] = int(info.get("cells_quarantined", 0))
            entry["cells_duplicate"] = int(info.get("cells_duplicate", 0))
            entry["cells_unmapped"] = int(info.get("cells_unmapped", 0))
            entry["cells_accepted"] = read - entry["cells_quarantined"] - entry["cells_duplicate"]
        entry["check"] = (
            entry["rows_read"]
            == (entry["rows_accepted"] + entry["rows_quarantined"] + entry["rows_structural"])
            and entry.get("rows_counted", entry["rows_read"]) == entry["rows_read"]
        )
        all_ok &= entry["check"]
        entries.append(entry)
    totals = {
        name: int(sum(e[name] for e in entries))
        for name in (
            "rows_read",
            "rows_accepted",
            "rows_accepted_full",
            "rows_accepted_partial",
            "rows_quarantined",
            "rows_structural",
        )
    }
    return {
        "definition": ROW_DEFINITION,
        "files": entries,
        "totals": totals,
        "problems": {
            **{s.value: int((problems["severity"] == s.value).sum()) for s in Severity},
            "by_rule": {k: int(v) for k, v in sorted(problems["rule"].value_counts().items())},
        },
        "accounting_ok": bool(all_ok),
        "ok": bool(all_ok and not blocking.any()),
    }


def format_problems(problems: pd.DataFrame, summary: dict, *, lang: str = "zh") -> str:
    """A plain-text report for the terminal: per-file counts, then every problem."""
    lines = []
    for entry in summary["files"]:
        if entry.get("kind") == "documentation":
            continue
        where = entry["file"] + (f"#{entry['sheet']}" if entry["sheet"] else "")
        lines.append(
            f"{where}: 读入 {entry['rows_read']} 行 = 接受 {entry['rows_accepted']}"
            f"（部分 {entry['rows_accepted_partial']}）+ 隔离 {entry['rows_quarantined']}"
            f" + 结构行 {entry['rows_structural']}" + ("" if entry["check"] else "  ✗ 不平衡")
        )
    message = "message_zh" if lang == "zh" else "message_en"
    if len(problems):
        lines.append("")
        for item in problems.itertuples(index=False):
            mark = label(f"severity.{item.severity}")
            lines.append(f"[{mark} {item.rule}] {getattr(item, message)}")
    counts = summary["problems"]
    lines.append("")
    lines.append(
        f"错误 {counts['error']} 条，提示 {counts['warning']} 条，待核实 {counts['review']} 条 / "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['review']} to confirm"
    )
    return "\n".join(lines)
