"""The direct export of a notebook's outputs: what it writes itself and what it leaves to
nbconvert, the alt texts and the removal of scripts."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

from analysis.reporting import notebook_html, publish

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
HTML = '<h2>青光村</h2><table><tr><td class="num">1,234</td></tr></table><img alt="图" src="data:image/png;base64,AA==">'
#: nbconvert's exporter as publish makes it, kept from before a test spies on it.
NBCONVERT = publish._exporter


@pytest.fixture
def exports(monkeypatch) -> list[str]:
    """Records each export nbconvert makes for :func:`publish.notebook_body`."""
    made: list[str] = []
    real = NBCONVERT()

    class Spy:
        def from_notebook_node(self, nb):
            body, resources = real.from_notebook_node(nb)
            made.append(body)
            return body, resources

    monkeypatch.setattr(publish, "_exporter", Spy)
    return made


def _document(html: str) -> str:
    return BeautifulSoup(html, "html.parser").decode()


def _nbconvert(nb) -> str:
    return publish.without_scripts(NBCONVERT().from_notebook_node(nb)[0])


def _ours(*outputs) -> list:
    """Cells as papermill leaves our report notebooks: tagged ones without outputs (one tag
    to escape), then a code cell per output."""
    cells = [
        new_code_cell("village_code = '1'", metadata={"tags": ["parameters"]}),
        new_code_cell("x = 1", metadata={"tags": ["injected-parameters", "a<b"]}),
    ]
    return cells + [new_code_cell("show()", outputs=[o]) for o in outputs]


WRITTEN_HERE = {
    "html": new_output("display_data", data={"text/html": HTML, "text/plain": "<x>"}),
    "execute_result": new_output(
        "execute_result", data={"text/html": "<b>1</b>", "text/plain": "1"}, execution_count=4
    ),
    "plain text": new_output("display_data", data={"text/plain": "1 < 2 & 'x'"}),
    "png": new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
    "png with sizes and alt": new_output(
        "display_data",
        data={"image/png": PNG},
        metadata={
            "image/png": {"width": 30, "height": 20},
            "alt": 'a "fan" chart',
            "unconfined": True,
        },
    ),
    "stdout": new_output("stream", name="stdout", text="printed <b>\n"),
    "stderr": new_output("stream", name="stderr", text="warned\n"),
}


@pytest.mark.parametrize("kind", WRITTEN_HERE)
def test_our_kinds_of_output_are_written_here_as_nbconvert_writes_them(kind, exports):
    nb = new_notebook(cells=_ours(WRITTEN_HERE[kind]))
    body = publish.notebook_body(nb)
    assert exports == [], "went to nbconvert"
    assert _document(body) == _document(_nbconvert(nb))


def test_a_whole_page_of_our_outputs_and_an_empty_notebook_are_written_here(exports):
    nb = new_notebook(cells=_ours(*WRITTEN_HERE.values()))
    assert _document(publish.notebook_body(nb)) == _document(_nbconvert(nb))
    empty = new_notebook()
    assert publish.notebook_body(empty) == _nbconvert(empty) == ""
    assert exports == []


def _with_cell(cell):
    nb = new_notebook(cells=_ours(WRITTEN_HERE["html"]))
    nb.cells.append(cell)
    return nb


ERROR = new_output(
    "error", ename="ValueError", evalue="boom", traceback=["\x1b[0;31mValueError\x1b[0m: boom"]
)
LEFT_TO_NBCONVERT = {
    "markdown cell": _with_cell(new_markdown_cell("# 标题\n\n*x*")),
    "raw cell": _with_cell(new_raw_cell("<b>raw</b>")),
    "unknown mime type": _with_cell(
        new_code_cell(outputs=[new_output("display_data", data={"application/json": {"a": 1}})])
    ),
    "svg beside html": _with_cell(
        new_code_cell(
            outputs=[
                new_output(
                    "display_data", data={"image/svg+xml": "<svg></svg>", "text/html": "<b>x</b>"}
                )
            ]
        )
    ),
    "error output": _with_cell(new_code_cell(outputs=[ERROR])),
    "coloured stream": _with_cell(
        new_code_cell(outputs=[new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m\n")])
    ),
    "isolated html": _with_cell(
        new_code_cell(
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": "<b>x</b>"},
                    metadata={"text/html": {"isolated": True}},
                )
            ]
        )
    ),
    "png written to a file": _with_cell(
        new_code_cell(
            outputs=[
                new_output(
                    "display_data",
                    data={"image/png": PNG},
                    metadata={"filenames": {"image/png": "x.png"}},
                )
            ]
        )
    ),
}


@pytest.mark.parametrize("kind", LEFT_TO_NBCONVERT)
@pytest.mark.filterwarnings("ignore:Your element with mimetype")  # nbconvert's, on JSON
def test_anything_else_goes_to_nbconvert(kind, exports):
    nb = LEFT_TO_NBCONVERT[kind]
    assert notebook_html.render(nb) is None
    body = publish.notebook_body(nb)
    assert len(exports) == 1
    assert body == publish.without_scripts(exports[0])


def test_a_notebook_with_widget_state_or_without_cell_ids_goes_to_nbconvert(exports):
    widgets = new_notebook(cells=_ours(WRITTEN_HERE["html"]))
    widgets.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    # nbconvert gives a missing or a repeated cell id a random one.
    no_id = new_notebook(cells=_ours(WRITTEN_HERE["html"]))
    del no_id.cells[1]["id"]
    twice = new_notebook(cells=_ours(WRITTEN_HERE["html"]))
    twice.cells[1]["id"] = twice.cells[0]["id"]
    for nb in (widgets, no_id, twice):
        assert notebook_html.render(nb) is None


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<img src="a.png">', f'<img src="a.png" alt="{notebook_html.NO_ALT}">'),
        ("<IMG SRC=a.png />", f'<IMG SRC=a.png  alt="{notebook_html.NO_ALT}"/>'),
        (
            '<img title="alt=x" src="a">',
            f'<img title="alt=x" src="a" alt="{notebook_html.NO_ALT}">',
        ),
        ('<img src="a" alt="">', '<img src="a" alt="">'),
        ('<img src="a"alt="b">', '<img src="a"alt="b">'),
        ("<img src=alt>", f'<img src=alt alt="{notebook_html.NO_ALT}">'),
        ('<img\nalt="图"\nsrc="data:,x>y">', '<img\nalt="图"\nsrc="data:,x>y">'),
        ("<imgx src=a>", "<imgx src=a>"),
    ],
)
def test_an_image_without_alt_text_gets_nbconverts(tag, expected):
    assert notebook_html.add_missing_alt(f"<p>{tag}</p>") == f"<p>{expected}</p>"


def test_images_in_our_html_get_alt_text_as_nbconvert_gives_it(exports):
    html = '<img src="data:image/png;base64,AA=="><img alt="有" src="data:image/png;base64,AA==">'
    nb = new_notebook(cells=_ours(new_output("display_data", data={"text/html": html})))
    body = publish.notebook_body(nb)
    assert exports == []
    assert body.count(f'alt="{notebook_html.NO_ALT}"') == 1 and 'alt="有"' in body
    assert _document(body) == _document(_nbconvert(nb))


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT type='text/javascript'>alert(1)</SCRIPT >",
        "<script>alert(1)</script\n>",
        "<scr<script>x</script>ipt>alert(1)</script>",
        "<svg><script href='x'>alert(1)</script></svg>",
        "<script>alert(1)",
    ],
)
def test_no_script_survives_either_path(html, exports):
    ours = new_notebook(
        cells=_ours(new_output("display_data", data={"text/html": f"<p>{html}</p>ok"}))
    )
    body = publish.notebook_body(ours)
    assert "<script" not in body.lower() and "alert(1)" not in body
    assert exports == []
    # Markdown goes to nbconvert, whose renderer may keep a script's text, as text.
    assert "<script" not in publish.notebook_body(_with_cell(new_markdown_cell(html))).lower()
    assert len(exports) == 1
