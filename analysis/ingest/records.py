"""Count a CSV's records by a strict pass that is independent of the parser reading its values.

Row accounting must be able to fail: if the only count of a file's records comes from the parse
whose values are checked, a quote that swallows seven rows or a number typed ``1,614`` that
pushes a row one cell to the right balances perfectly. :func:`count_records` reads the decoded
text once, physical line by physical line, with the quoting rules Excel and :mod:`csv` use, and
returns every record with the physical lines it spans, its number of cells and of *used* cells
(up to the last non-blank one), and the problems a clerk can act on:

``unclosed_quote``
    a quoted field opened and never closed: everything to the end of the file became one cell;
``quote_spans_lines``
    a quoted field closed only on a later line, and the lines it swallowed hold the delimiter
    (they look like records; a legitimate multi-line note rarely does);
``stray_quote``
    text after a closing quote (``"青光"村``), which :mod:`csv` glues on silently;
``extra_cells``
    more used cells than the table is wide (an unquoted ``2,119`` shifts the row right).

Records are numbered like :func:`csv.reader`'s rows (a blank line is a record with no cells), so
record *i* of a well-formed file is row *i* of the parse, and its ``line`` is what a clerk sees
in a text editor. Only the standard library and numpy are used.

>>> count = count_records('村名,户数\\r\\n青光村,614\\r\\n"新圩,885\\r\\n'.encode("gbk"), "gbk")
>>> [(p.rule, p.line, p.end_line) for p in count.problems]
[('unclosed_quote', 3, 3)]
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload

import numpy as np

__all__ = ["Problem", "Record", "RecordCount", "count_records", "sniff_delimiter"]

_LINE_END = re.compile(r"\r\n|\n|\r")
_LINE_SPLIT = re.compile(r"(\r\n|\n|\r)")
#: Every character str.strip() removes: a cell holding only these is blank.
_SPACES = "".join(c for c in map(chr, range(0x10000)) if c.isspace())
#: Per code point up to the last space (U+3000), and one more for every one above: is it a space?
_IS_SPACE = np.zeros(ord(max(_SPACES)) + 2, dtype=bool)
_IS_SPACE[[ord(c) for c in _SPACES]] = True


class Record(NamedTuple):
    """One record of the file, as the strict pass sees it."""

    index: int  # 0-based, in file order; blank lines are records too (as in csv.reader)
    line: int  # 1-based physical line where the record starts
    end_line: int  # physical line where it ends (> line when a quoted field spans lines)
    cells: int  # cells as written (0 for an empty line)
    used: int  # cells up to and including the last one that is not blank

    @property
    def blank(self) -> bool:
        return self.used == 0

    @property
    def lines(self) -> range:
        return range(self.line, self.end_line + 1)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file's structure, located by physical line."""

    rule: str  # unclosed_quote | quote_spans_lines | stray_quote | extra_cells
    record: int  # Record.index
    line: int  # first physical line concerned
    end_line: int  # last physical line concerned
    column: int | None  # 0-based cell index where it was seen, when it is one cell
    detail: str  # English, for logs; callers word the clerk's message


@dataclass(frozen=True)
class RecordCount:
    """The strict pass's answer for one file."""

    encoding: str
    delimiter: str
    lines: int  # physical lines (a final line without a line break counts)
    width: int  # the table's width in used cells (given, or the most common)
    records: Sequence[Record]  # a tuple, or arrays made records when asked (a file without quotes)
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def record_at(self, line: int) -> Record | None:
        """The record that physical line ``line`` belongs to (None past the end)."""
        lo, hi = 0, len(self.records)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.records[mid].end_line < line:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.records) and self.records[lo].line <= line:
            return self.records[lo]
        return None

    def problem_records(self) -> set[int]:
        """Indexes of the records a problem was found in."""
        return {p.record for p in self.problems}


def sniff_delimiter(text: str) -> str:
    """Tab when the first five lines hold more tabs than commas, else comma."""
    head = _LINE_END.split(text[:4000])[:5]
    return "\t" if sum(x.count("\t") for x in head) > sum(x.count(",") for x in head) else ","


def count_records(
    data: bytes,
    encoding: str,
    *,
    delimiter: str | None = None,
    width: int | None = None,
) -> RecordCount:
    """Count the records of a delimited text file strictly, without pandas or :mod:`csv`.

    Parameters
    ----------
    data
        The file's bytes.
    encoding
        Their encoding, already detected (``utf-8-sig``, ``gbk``, …). A leading BOM is skipped.
    delimiter
        ``","`` or ``"\\t"``; sniffed from the first lines when not given.
    width
        The table's width in cells (the header's used cells). When not given, the most common
        number of used cells among records with at least two is taken (ties: the wider), which
        is the header's width in any file whose rows mostly fit it.

    Returns
    -------
    RecordCount
        Every record with its physical lines and cell counts, and the problems found.

    Raises
    ------
    UnicodeDecodeError
        When ``data`` is not in ``encoding``.
    """
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    d = delimiter or sniff_delimiter(text)
    problems: list[Problem] = []
    records, lines = _count(text, d, problems)
    used = records.used
    if width is None:
        # The most common number of used cells of at least two; ties: the wider.
        counts = np.bincount(used[used >= 2])
        width = int(np.flatnonzero(counts == counts.max())[-1]) if counts.any() else 1
    for i in np.flatnonzero(used > width).tolist():
        r = records[i]
        problems.append(
            Problem(
                "extra_cells",
                r.index,
                r.line,
                r.end_line,
                width,
                f"{r.used} cells used, the table is {width} wide",
            )
        )
    problems.sort(key=lambda p: (p.line, p.rule))
    return RecordCount(encoding, d, lines, width, records, tuple(problems))


def _count(text: str, d: str, problems: list[Problem]) -> tuple[_Records, int]:
    """Records of a text, and its physical lines. Each line is counted on arrays, a block of
    whole lines at a time (code points in numpy), as the record it is when it starts one; a line
    whose quotes are not all closed on it, each at the end of the cell it opened, is where a
    record is read character by character (:func:`_quoted_record`), over as many lines as it
    runs: its lines' own counts are not used."""
    quoted = '"' in text
    blocks: list[tuple[np.ndarray, ...]] = []
    lines = start = 0
    while start < len(text):
        cut = text.find("\n", start + _BLOCK)  # a block ends after a line break, never in one
        stop = len(text) if cut < 0 else cut + 1
        starts, cells, used, simple = _count_block(text[start:stop], d, quoted)
        blocks.append((starts + start, cells, used, simple))
        lines += len(starts)
        start = stop
    if not blocks:
        return _Records(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)), lines
    starts, cells, used, simple = (np.concatenate(c) for c in zip(*blocks, strict=True))
    if simple.all():
        return _Records(cells, used), lines
    # Runs of lines that are records of their own, between the records read one by one.
    number = np.arange(1, lines + 1, dtype=np.int64)
    parts: list[tuple[np.ndarray, ...]] = []
    index = i = 0
    for j in np.flatnonzero(~simple).tolist():
        if j < i:
            continue  # inside the record read before
        parts.append((number[i:j], number[i:j], cells[i:j], used[i:j]))
        index += j - i
        record, _, after = _quoted_record(text, int(starts[j]), j + 1, d, index, problems)
        parts.append(tuple(np.array([x], dtype=np.int64) for x in record[1:]))
        index += 1
        i = after - 1
    parts.append((number[i:], number[i:], cells[i:], used[i:]))
    first, last, cells, used = (np.concatenate(c) for c in zip(*parts, strict=True))
    return _Records(cells, used, first, last), lines


#: Characters of text counted at once by :func:`_count` (~300 MB of arrays).
_BLOCK = 4_000_000


def _count_block(
    text: str, d: str, quoted: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each line of ``text`` as one record: its start, cells and used cells, and whether it is
    a record of its own (``quoted``: its quotes each open at a cell's start and close at its
    end, doubled inside, as Excel writes them; else every line is)."""
    n = len(text)
    chars = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cr, lf = chars == 13, chars == 10
    after_cr = np.zeros(n, dtype=bool)
    after_cr[1:] = cr[:-1]
    ends = np.flatnonzero(cr | (lf & ~after_cr))  # where each line break starts
    crlf = np.zeros(ends.size, dtype=bool)
    inside = ends + 1 < n
    crlf[inside] = lf[ends[inside] + 1] & cr[ends[inside]]
    starts = np.concatenate(([0], ends + 1 + crlf))
    stops = np.concatenate((ends, [n]))
    tail = bool(starts[-1] < n)  # a last line without a line break
    if not tail:
        starts, stops = starts[:-1], stops[:-1]
    is_delimiter = chars == ord(d)
    blank = _IS_SPACE[np.minimum(chars, _IS_SPACE.size - 1)]
    simple = np.ones(starts.size, dtype=bool)
    if quoted:
        is_delimiter, blank, simple = _quotes(chars, starts, stops, cr | lf, is_delimiter, blank)
    delimiters = np.concatenate(([0], np.cumsum(is_delimiter)))
    filled = ~(is_delimiter | blank)
    # The last filled character before each line's end, found among the filled ones.
    filled_at = np.concatenate(([-1], np.flatnonzero(filled)))
    empty = stops == starts
    cells = np.where(empty, 0, delimiters[stops] - delimiters[starts] + 1)
    last = np.where(empty, -1, filled_at[np.searchsorted(filled_at, stops) - 1])
    used = np.where(last >= starts, delimiters[last + 1] - delimiters[starts] + 1, 0)
    return starts.astype(np.int64), cells.astype(np.int64), used.astype(np.int64), simple


def _quotes(
    chars: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    breaks: np.ndarray,
    is_delimiter: np.ndarray,
    blank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a text holding quotes, each line read as if it starts a record: the delimiters that
    separate cells (not those inside quotes), the characters that are no cell's content (white
    space, and the quotes that open and close a cell: of a doubled quote the first is content),
    and whether the line is a record of its own."""
    n = chars.size
    is_quote = chars == 34
    before = np.concatenate(([0], np.cumsum(is_quote, dtype=np.int32)))  # quotes before each
    line_of = np.repeat(np.arange(starts.size, dtype=np.int32), np.diff(np.append(starts, n)))
    # Inside quotes: after an odd number of quotes on its line. A quote inside closes a cell.
    inside = ((before[:-1] - before[starts][line_of]) & 1).astype(bool)
    del line_of
    opens_well = np.ones(n, dtype=bool)  # at a line's start, after a delimiter or a quote
    opens_well[1:] = is_delimiter[:-1] | is_quote[:-1]
    opens_well[starts] = True
    closes_well = np.ones(n, dtype=bool)  # before a delimiter, a quote or the line's end
    closes_well[:-1] = is_delimiter[1:] | is_quote[1:] | breaks[1:]
    wrong = is_quote & np.where(inside, ~closes_well, ~opens_well)
    wrong_before = np.concatenate(([0], np.cumsum(wrong, dtype=np.int32)))
    simple = ((before[stops] - before[starts]) % 2 == 0) & (
        wrong_before[stops] == wrong_before[starts]
    )
    content_quote = np.zeros(n, dtype=bool)
    content_quote[:-1] = is_quote[:-1] & inside[:-1] & is_quote[1:]
    return is_delimiter & ~inside, (blank | is_quote) & ~content_quote, simple


class _Records(Sequence[Record]):
    """The records of a file, kept as arrays and made a :class:`Record` when asked for: a file
    of a million lines is not a million objects. Without ``first``/``last`` lines each record
    is its own line."""

    def __init__(
        self,
        cells: np.ndarray,
        used: np.ndarray,
        first: np.ndarray | None = None,
        last: np.ndarray | None = None,
    ) -> None:
        self.cells, self.used, self.first, self.last = cells, used, first, last
        self._made: dict[int, Record] = {}  # each record asked for is one object

    def __len__(self) -> int:
        return len(self.cells)

    @overload
    def __getitem__(self, i: int) -> Record: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Record, ...]: ...
    def __getitem__(self, i: int | slice) -> Record | tuple[Record, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        index = operator.index(i)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("record index out of range")
        if index not in self._made:
            cells, used = int(self.cells[index]), int(self.used[index])
            line = end = index + 1
            if self.first is not None and self.last is not None:
                line, end = int(self.first[index]), int(self.last[index])
            self._made[index] = Record(index, line, end, cells, used)
        return self._made[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


_FIELD_END: dict[str, re.Pattern[str]] = {}


def _used(blanks) -> int:
    """Number of cells up to the last non-blank one, from per-cell "is blank" flags."""
    used = 0
    for i, blank in enumerate(blanks, start=1):
        if not blank:
            used = i
    return used


def _breaks(chunk: str) -> int:
    return len(_LINE_END.findall(chunk))


def _quoted_record(
    text: str, pos: int, line: int, d: str, index: int, problems: list[Problem]
) -> tuple[Record, int, int]:
    """Parse one record holding at least one quote, from ``pos`` (a record start) on physical
    line ``line``. Returns the record, the position after its line break and the next line."""
    n = len(text)
    start_line = line
    blanks: list[bool] = []
    while True:
        column = len(blanks)
        if pos < n and text[pos] == '"':
            # A quoted field: up to the next quote not doubled.
            open_line, pos = line, pos + 1
            content: list[str] = []
            while True:
                q = text.find('"', pos)
                if q < 0:
                    rest = text[pos:]
                    content.append(rest)
                    line += _breaks(rest)
                    if rest.endswith(("\n", "\r")):
                        line -= 1  # the file's final line break ends the last line
                    swallowed = line - open_line
                    looks = sum(1 for ln in _LINE_END.split(rest)[1:] if d in ln)
                    problems.append(
                        Problem(
                            "unclosed_quote",
                            index,
                            open_line,
                            line,
                            column,
                            f"quote opened on line {open_line} is never closed: {swallowed} "
                            f"further line(s) ({looks} holding the delimiter) became one cell",
                        )
                    )
                    blanks.append(not "".join(content).strip())
                    return Record(index, start_line, line, len(blanks), _used(blanks)), n, line + 1
                chunk = text[pos:q]
                content.append(chunk)
                line += _breaks(chunk)
                if q + 1 < n and text[q + 1] == '"':
                    content.append('"')
                    pos = q + 2
                    continue
                pos = q + 1
                break
            value = "".join(content)
            if line > open_line:
                inner = _LINE_END.split(value)[1:]
                looks = sum(1 for ln in inner if d in ln)
                if looks:
                    problems.append(
                        Problem(
                            "quote_spans_lines",
                            index,
                            open_line,
                            line,
                            column,
                            f"quoted cell runs from line {open_line} to {line}; {looks} of the "
                            "lines inside hold the delimiter (rows swallowed?)",
                        )
                    )
            if pos < n and text[pos] not in (d, "\r", "\n"):
                # Text after the closing quote: csv glues it on; so do we, and say so.
                stop = _field_end(text, pos, d)
                problems.append(
                    Problem(
                        "stray_quote",
                        index,
                        line,
                        line,
                        column,
                        f"text {text[pos:stop][:20]!r} after a closing quote",
                    )
                )
                value += text[pos:stop]
                pos = stop
            blanks.append(not value.strip())
        else:
            stop = _field_end(text, pos, d)
            blanks.append(not text[pos:stop].strip())
            pos = stop
        if pos < n and text[pos] == d:
            pos += 1
            continue
        # A line break or the end of the text ends the record.
        found = _LINE_END.match(text, pos)
        after = found.end() if found else n
        return Record(index, start_line, line, len(blanks), _used(blanks)), after, line + 1


def _field_end(text: str, pos: int, d: str) -> int:
    """Position of the delimiter or line break ending an unquoted field starting at ``pos``."""
    if d not in _FIELD_END:
        _FIELD_END[d] = re.compile(f"[{re.escape(d)}\r\n]")
    found = _FIELD_END[d].search(text, pos)
    return found.start() if found else len(text)
