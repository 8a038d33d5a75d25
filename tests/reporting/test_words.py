"""One place for every word and one formatter for every number, across pages, text and Word."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import docx
import pytest

from analysis import config
from analysis.core import labels, numbers
from analysis.core.catalog import default_catalog
from analysis.pipeline.store import load_tables
from analysis.reporting import narrative, tables
from analysis.reporting.narrative import wording

YEAR = 2019
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: The modules that put words in front of a reader; their words must come from labels (the
#: narrative's sentence templates, in their own module, aside).
SPEAKING = [
    *(
        p
        for p in sorted((config.PACKAGE_DIR / "reporting").rglob("*.py"))
        if p.name != "wording.py"
    ),
    config.PACKAGE_DIR / "geo" / "maps.py",
]
#: Chinese that is not a word for the reader: unit ids (keys of the unit table) and font names.
NOT_WORDS = {
    *labels.UNITS,
    narrative.BODY_FONT_ZH,
    narrative.HEADING_FONT_ZH,
    narrative.TITLE_FONT_ZH,
    *narrative.FONT_FALLBACKS.values(),
}


def _literals(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("path", SPEAKING, ids=lambda p: p.name)
def test_words_come_from_labels(path):
    inline = [
        f"{path.name}:{line}: {text!r}"
        for line, text in _literals(path)
        if CJK.search(text) and text not in NOT_WORDS
    ]
    assert not inline, "words belong in analysis/core/labels.py:\n" + "\n".join(inline)


@pytest.fixture(scope="module")
def sample(prepared_sample):
    return load_tables(prepared_sample, config.RAW_DIR)


@pytest.fixture(scope="module")
def word_rows(sample, tmp_path_factory, page_tables) -> dict[str, list[str]]:
    """The Word document's key figures table: indicator header → the row's cells."""
    path = narrative.write_docx(tmp_path_factory.mktemp("docx") / "s.docx", YEAR, sample)
    figures = page_tables(docx.Document(str(path)))[1][0]
    return {row.cells[1].text: [c.text for c in row.cells] for row in figures.rows[1:]}


def _stated(lang: str) -> set[str]:
    """The indicators the summary's figure sentences name."""
    return {
        name
        for sentences in wording.TEMPLATES[lang].values()
        for sentence in sentences
        for alternatives in sentence.clauses
        for template in alternatives
        for _, name, _, _ in string.Formatter().parse(template)
        if name and name != "year"
    }


def test_every_township_figure_reads_the_same_on_the_page_in_the_text_and_in_word(
    sample, word_rows
):
    catalog = default_catalog()
    page = tables.key_figures(sample.area, YEAR)  # the township page's table
    text = narrative.summary(YEAR, sample).to_text()
    now = tables.values(sample.area, YEAR)
    assert len(page) == len(now) == len(catalog)  # every 2019 township figure is on the page
    names = {labels.indicator_label(ind, "zh"): ind for ind in catalog}
    in_text = 0
    for row in page.itertuples(index=False):
        cells = list(row)
        ind = names[cells[1]]
        assert word_rows[cells[1]] == cells, ind.id  # Word: the same row, cell for cell
        # The table's column as GB/T 15835 sets a table (7,040; 86.0); the text as the
        # document writes the same figure (7040户; 86%).
        assert cells[3] == numbers.number(now[ind.id], ind, "zh", context="column")
        if ind.id not in _stated("zh"):
            continue
        # The text states the figure with its unit, and its change: the same figures.
        assert numbers.figure(now[ind.id], ind, "zh") in text, (ind.id, cells)
        change = cells[4]
        if change not in ("—", labels.label("change.same", "zh")):
            before = tables.values(sample.area, YEAR - 1)[ind.id]
            written = numbers.change(now[ind.id] - before, ind, "zh")
            assert written in text, (ind.id, cells)
            column = numbers.change(now[ind.id] - before, ind, "zh", unit=False, context="column")
            assert change.endswith(column), (ind.id, cells)
        in_text += 1
    assert in_text == len(catalog) - 2  # all but households and population, not in the text


def test_an_english_page_is_english_but_for_names(sample):
    code = "360722103203"
    shown = [
        tables.key_figures(sample.area, YEAR, lang="en"),
        tables.village_history(sample, code, lang="en").reset_index(),
        tables.village_vs_area(sample, code, YEAR, lang="en"),
        tables.village_projects(sample, code, lang="en"),
        tables.target_table(sample, code, lang="en"),
        tables.reconciliation_table(sample, lang="en"),
    ]
    names = {*sample.villages["name"], *sample.villages["short_name"]}
    for table in shown:
        assert not any(CJK.search(str(c)) for c in table.columns), list(table.columns)
    # Cells are English too, but for names, project and batch names, and the document's quotes.
    words = shown[0].to_numpy().ravel().tolist() + shown[4].to_numpy().ravel().tolist()
    for cell in words:
        for name in sorted(names, key=len, reverse=True):
            cell = str(cell).replace(name, "")
        assert not CJK.search(cell), cell
