"""The outputs of an executed notebook as HTML, written directly for the kinds our notebooks make.

nbconvert's ``HTMLExporter`` (template ``basic``) renders a whole Jinja template, validates the
notebook once per preprocessor, then parses and re-serialises its own result with BeautifulSoup:
most of a page's export time. Our notebooks only display HTML, so :func:`render` writes the
template's own markup for code cells whose outputs are HTML, PNG, plain text or plain streams,
and returns ``None`` for anything else (markdown, raw, widgets, other types, colour codes…),
which the caller hands to nbconvert. tests/runs/test_fast_export.py holds both to the same
document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

#: The alt text nbconvert gives an image that has none.
NO_ALT = "No description has been provided for this image"
#: The display types written here, in nbconvert's order of preference among them.
_PREFERRED = ("text/html", "image/png", "text/plain")
_AREA = '\n<div class="output_area">\n\n'
_IMG = re.compile(r"""<img(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
#: An attribute of a tag, its value skipped; as in HTML, one may follow a quoted value unspaced.
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>"'=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


class _Unsupported(Exception):
    """A cell or output this module does not write exactly as nbconvert would."""


def render(nb: nbformat.NotebookNode) -> str | None:
    """The body nbconvert's basic template writes for ``nb`` (inputs and prompts excluded),
    or ``None`` when ``nb`` holds a cell or output written here differently or not at all."""
    if nb.get("metadata", {}).get("widgets") is not None:
        return None
    ids = [cell.get("id") for cell in nb.get("cells", [])]
    # nbconvert gives a missing or repeated id a random new one: no page to compare with.
    if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
        return None
    try:
        body = "".join(_cell(cell) for cell in nb.cells)
    except _Unsupported:
        return None
    return body + "\n\n" if body else ""


def add_missing_alt(html: str) -> str:
    """Every ``<img>`` without an alt attribute given nbconvert's :data:`NO_ALT`."""
    return _IMG.sub(_with_alt, html)


def _with_alt(match: re.Match[str]) -> str:
    tag = match.group(0)
    if any(name.lower() == "alt" for name in _ATTRIBUTE.findall(tag[4:-1])):
        return tag
    end = 2 if tag.endswith("/>") and tag[-3] in " \t\n\"'" else 1
    return f'{tag[:-end]} alt="{NO_ALT}"{tag[-end:]}'


def _cell(cell: Mapping) -> str:
    if cell.get("cell_type") != "code":
        raise _Unsupported
    tags = "".join(escape(f" celltag_{tag}") for tag in cell.get("metadata", {}).get("tags", []))
    anchor = escape(f"cell-id={cell['id']}")
    head = f'<div id="{anchor}" class="cell border-box-sizing code_cell rendered{tags}">\n'
    outputs = cell.get("outputs", [])
    if not outputs:
        return head + "\n</div>\n"
    body = "".join(_output(output, cell) for output in outputs)
    return (
        f'{head}\n<div class="output_wrapper">\n<div class="output">\n{body}'
        "\n</div>\n</div>\n\n</div>\n"
    )


def _output(output: Mapping, cell: Mapping) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text")
        name = output.get("name")
        if name not in ("stdout", "stderr") or not isinstance(text, str) or "\x1b" in text:
            raise _Unsupported  # colour codes: nbconvert's ansi2html turns them into spans
        return (
            f'{_AREA}<div class="output_subarea output_stream output_{name} output_text">\n'
            f"<pre>{escape(text)}</pre>\n</div>\n</div>\n"
        )
    if kind not in ("display_data", "execute_result"):
        raise _Unsupported
    data = output.get("data", {})
    if not data or not set(data) <= set(_PREFERRED):
        raise _Unsupported
    mime = next(m for m in _PREFERRED if m in data)
    value = data[mime]
    if not isinstance(value, str):
        raise _Unsupported
    extra = "output_execute_result" if kind == "execute_result" else ""
    metadata = output.get("metadata", {})
    if mime == "text/html":
        if metadata.get("text/html", {}).get("isolated"):
            raise _Unsupported  # nbconvert puts it in an iframe
        return (
            f'{_AREA}\n<div class="output_html rendered_html output_subarea {extra}">'
            f"{value}</div>\n\n</div>\n"
        )
    if mime == "text/plain":
        inner = f"\n<pre>{escape(value)}</pre>\n"
        return (
            f'{_AREA}\n\n<div class="output_text output_subarea {extra}">{inner}</div>\n\n</div>\n'
        )
    image = _png(value, metadata, cell)
    return f'{_AREA}\n\n<div class="output_png output_subarea {extra}">{image}</div>\n\n</div>\n'


def _png(value: str, metadata: Mapping, cell: Mapping) -> str:
    if "image/png" in metadata.get("filenames", {}):
        raise _Unsupported

    def get(key: str) -> object:
        own = metadata.get("image/png", {}).get(key)
        return metadata.get(key) if own is None else own

    attributes = [f'<img src="data:image/png;base64,{escape(value)}"']
    for key in ("width", "height"):
        if get(key) is not None:
            attributes.append(f"{key}={escape(str(get(key)))}")
    if get("unconfined"):
        attributes.append('class="unconfined"')
    alt = get("alt") or cell.get("metadata", {}).get("alt")
    attributes.append(f'alt="{escape(str(NO_ALT if alt is None else alt))}"')
    return "\n" + "\n".join(attributes) + "\n>\n"
