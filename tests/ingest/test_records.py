"""The strict record count (analysis/records.py) on real-shaped CSVs and against csv.reader."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from analysis.ingest import records
from analysis.ingest.records import count_records, sniff_delimiter

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "tests" / "data" / "forms"
POPULATION = "户数人口_2014-2019.csv"


def csv_rows(text: str, delimiter: str = ",") -> list[tuple[list[str], int]]:
    """csv.reader's rows (non-strict) with the physical line each ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(row, reader.line_num) for row in reader]


def rules(count) -> list[tuple[str, int, int]]:
    return [(p.rule, p.line, p.end_line) for p in count.problems]


# --- the sample and the issue-12 cases ----------------------------------------------------------


def test_sample_population_csv_is_clean_and_agrees_with_csv():
    data = (ROOT / "data" / "raw" / POPULATION).read_bytes()
    count = count_records(data, "gbk")
    assert count.ok
    assert (count.lines, len(count.records), count.width) == (55, 55, 4)
    assert [r.line for r in count.records] == list(range(1, 56))
    assert len(csv_rows(data.decode("gbk"))) == 55


def test_unclosed_quote_is_found_with_the_lines_it_swallowed():
    data = (FORMS / "unclosed_quote" / POPULATION).read_bytes()
    count = count_records(data, "gbk")
    # csv (non-strict) and this pass agree on 48 records, but 55 physical lines were sent:
    assert len(csv_rows(data.decode("gbk"))) == len(count.records) == 48
    assert count.lines == 55
    assert rules(count) == [("unclosed_quote", 48, 55)]
    swallowing = count.records[47]
    assert (swallowing.line, swallowing.end_line, swallowing.cells) == (48, 55, 1)
    assert count.record_at(52) is swallowing
    assert "7 further line(s)" in count.problems[0].detail


def test_unquoted_thousands_separator_is_an_extra_cell():
    data = (FORMS / "extra_cell" / POPULATION).read_bytes()
    count = count_records(data, "gbk")
    assert len(count.records) == 55 and count.width == 4
    assert rules(count) == [("extra_cells", 53, 53)]
    problem = count.problems[0]
    assert (problem.record, problem.column) == (52, 4)
    assert count.records[52].used == 5


def test_excel_padded_rows_count_used_cells_not_commas():
    # Excel pads every row of a CSV export to the used range: the title has trailing commas,
    # and a shifted row still has as many commas as the others. Used cells tell them apart.
    text = (
        "大桥镇户数人口（示例）,,,,\r\n"
        "村名,年度,户数,人口,\r\n"
        "青光村,2019,614,2119,\r\n"
        "竹村村,2019,721,2,579\r\n"
        "合计,,,,\r\n"
    )
    count = count_records(text.encode("gbk"), "gbk")
    assert [r.cells for r in count.records] == [5, 5, 5, 5, 5]
    assert [r.used for r in count.records] == [1, 4, 4, 5, 1]
    assert rules(count) == [("extra_cells", 4, 4)]


def test_the_width_can_be_given():
    count = count_records(b"a,b,c\r\n1,2,3\r\n4,5,6\r\n", "utf-8", width=2)
    assert [p.line for p in count.problems] == [1, 2, 3]
    assert count_records(b"a,b,c\r\n1,2,3\r\n", "utf-8", width=3).ok


# --- quoting ------------------------------------------------------------------------------------


def test_a_multiline_note_is_one_record_and_not_a_problem():
    text = '村名,备注\r\n青光村,"第一行\r\n第二行"\r\n竹村村,无\r\n'
    count = count_records(text.encode(), "utf-8")
    assert count.ok
    assert [(r.line, r.end_line) for r in count.records] == [(1, 1), (2, 3), (4, 4)]
    assert count.lines == 4
    assert [end for _, end in csv_rows(text)] == [r.end_line for r in count.records]


def test_a_quote_closed_many_lines_later_is_reported():
    text = '村名,户数\r\n"青光村,614\r\n竹村村,721\r\n新圩",885\r\n老圩,864\r\n'
    count = count_records(text.encode(), "utf-8")
    assert rules(count) == [("quote_spans_lines", 2, 4)]
    assert len(count.records) == 3 == len(csv_rows(text))


def test_text_after_a_closing_quote_is_a_stray_quote():
    text = '村名,户数\r\n"青光"村,614\r\n'
    count = count_records(text.encode(), "utf-8")
    assert rules(count) == [("stray_quote", 2, 2)]
    assert count.records[1].cells == 2
    assert csv_rows(text)[1][0] == ["青光村", "614"]  # what csv silently makes of it


def test_doubled_quotes_and_quoted_delimiters():
    text = '名称,说明\r\n"青光村","他说""好"",行"\r\n"a,b",\r\n'
    count = count_records(text.encode(), "utf-8")
    assert count.ok
    assert [(r.cells, r.used) for r in count.records] == [(2, 2), (2, 2), (2, 1)]


def test_a_quote_inside_an_unquoted_cell_is_literal():
    count = count_records('管径,长度\r\n12"管,5\r\n'.encode(), "utf-8")
    assert count.ok and count.records[1].cells == 2


def test_an_unclosed_quote_on_the_last_line_without_a_line_break():
    count = count_records(b'a,b\n1,"2', "utf-8")
    assert rules(count) == [("unclosed_quote", 2, 2)]
    assert count.lines == 2


# --- lines, encodings, delimiters ---------------------------------------------------------------


def test_a_file_without_quotes_is_counted_in_blocks_as_line_by_line(monkeypatch):
    # The lines are counted on arrays, a few lines at a time here; a quote in the file is
    # followed across the lines it opens: both give the same records.
    monkeypatch.setattr(records, "_BLOCK", 5)
    text = "a,b,c\r\n1,2\r\r\n\u3000, ,\n4,5,6,7\n  \t"
    count = count_records(text.encode(), "utf-8")
    assert count.lines == 6
    expected = [(1, 3, 3), (2, 2, 2), (3, 0, 0), (4, 3, 0), (5, 4, 4), (6, 1, 0)]
    assert [(r.line, r.cells, r.used) for r in count.records] == expected
    by_line = count_records((text + '\n"x"').encode(), "utf-8")
    assert tuple(count.records) == by_line.records[:6] and by_line.lines == 7


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_breaks_blank_lines_and_a_missing_final_break(newline):
    text = newline.join(["a,b", "", "   ", "1,2", "3,4"])  # no final line break
    count = count_records(text.encode(), "utf-8")
    assert count.lines == 5
    assert [(r.line, r.cells, r.used) for r in count.records] == [
        (1, 2, 2),
        (2, 0, 0),
        (3, 1, 0),
        (4, 2, 2),
        (5, 2, 2),
    ]
    assert [len(row) for row, _ in csv_rows(text)] == [r.cells for r in count.records]
    assert count_records((text + newline).encode(), "utf-8").lines == 5


def test_empty_input():
    count = count_records(b"", "utf-8")
    assert (count.lines, count.records, count.problems) == (0, (), ())


def test_bom_is_skipped_and_tabs_are_sniffed():
    text = "村名\t户数\r\n青光村\t614\r\n"
    count = count_records(text.encode("utf-16"), "utf-16")
    assert count.delimiter == "\t" and count.ok
    assert [r.cells for r in count.records] == [2, 2]
    assert count_records(b"\xef\xbb\xbfa,b\r\n", "utf-8-sig").records[0].cells == 2
    assert sniff_delimiter("a,b\tc,d") == ","


def test_gbk_bytes_behind_a_utf8_bom_do_not_decode_as_utf8():
    data = (FORMS / "bom_gbk" / POPULATION).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        count_records(data, "utf-8-sig")
    assert count_records(data[3:], "gbk").ok


# --- against csv.reader on random well- and ill-formed files ------------------------------------


def _random_csv(rng: random.Random) -> str:
    pieces = ["青光村", "614", "", " ", "a,b", '他说"好"', "第一行\n第二行", "x\r\ny", "2,119"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rng.choice(["\r\n", "\n"]))
    for _ in range(rng.randint(0, 12)):
        writer.writerow([rng.choice(pieces) for _ in range(rng.randint(0, 5))])
    text = out.getvalue()
    if text and rng.random() < 0.3:  # damage it: a quote or a delimiter somewhere
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice(['"', ",", "\n"]) + text[at:]
    return text


def test_quoted_cells_blank_or_not():
    # A doubled quote is content; a quoted cell of spaces is blank; a quoted tab is a space.
    count = count_records(b'a,b\r\n"""",\r\n" ",""\r\n"x,y"\r\n', "utf-8")
    assert [(r.cells, r.used) for r in count.records] == [(2, 2), (2, 1), (2, 0), (1, 1)]
    tabs = count_records(b'a\tb\r\n"\t"\t" "\r\n"x\ty"\tz\r\n', "utf-8")
    assert [(r.cells, r.used) for r in tabs.records] == [(2, 2), (2, 0), (2, 2)]


@pytest.mark.parametrize("seed", range(300))
def test_records_cells_and_lines_agree_with_csv_reader(seed, monkeypatch):
    if seed % 2:  # a few lines at a time: a quoted cell may run over the end of a block
        monkeypatch.setattr(records, "_BLOCK", random.Random(-seed).randint(1, 40))
    text = _random_csv(random.Random(seed))
    count = count_records(text.encode(), "utf-8", delimiter=",")
    rows = csv_rows(text)
    assert len(count.records) == len(rows)
    assert [r.cells for r in count.records] == [len(row) for row, _ in rows]
    assert [r.end_line for r in count.records] == [end for _, end in rows]
    assert all(
        r.used == max((i + 1 for i, c in enumerate(row) if c.strip()), default=0)
        for r, (row, _) in zip(count.records, rows, strict=True)
    )
