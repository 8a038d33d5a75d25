"""The HTML pages a build writes: executed notebooks, the index, error pages, provenance.

Pages are self-contained and work offline: no script, style or font is fetched, images are
embedded, and every name or value written into a page is escaped. The page furniture (header,
footer, index, error box) speaks the page's language; a Chinese page glosses it in English
(:func:`analysis.core.labels.glossed`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.glyphs import RARE_IDEOGRAPH, WINDOWS_EXT_B_FONT
from analysis.core.labels import check_lang, forms, glossed, label
from analysis.iorw import atomic_write_text
from analysis.reporting import notebook_html
from analysis.version import __version__

if TYPE_CHECKING:  # nbformat is slow to import; only the notebook export needs it
    import nbformat

#: System fonts that carry Chinese on Windows, macOS and Linux office PCs; no web font.
FONT_STACK = (
    '"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", '
    '"PingFang SC", "WenQuanYi Micro Hei", "SimHei", sans-serif'
)

#: The folder of each level's pages below the year's folder (towns/<code>.html).
PAGE_DIRS = {"town": "towns", "village": "villages"}
#: A target status's cell in the status table of a page and of the Word summary: its fill and
#: its text colour (the text at least 4.5:1 on the fill, WCAG AA).
STATUS_COLOURS = {
    "achieved": ("#cfe8d5", "#14532d"),
    "on track": ("#e6f2cc", "#3d5c0c"),
    "acceleration needed": ("#fde2bd", "#7a3b00"),
    "deteriorating": ("#f6cbc6", "#8b1a12"),
    "insufficient data": ("#e6e6e6", "#333333"),
    "not assessed": ("#e6e6e6", "#333333"),
}

PAGE_CSS = """
:root { color-scheme: light; }
body { font-family: FONTS; margin: 0; color: #222; background: #fff; line-height: 1.55; }
header.ms { background: #1f4e79; color: #fff; padding: .8rem 1.5rem; }
header.ms a { color: #fff; }
header.ms .sample { background: #c0392b; padding: .1rem .5rem; margin-left: .8rem; border-radius: 3px; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.word { white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus-visible { outline: 2px solid #1f4e79; outline-offset: 2px; }
img { max-width: 100%; height: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr));
  gap: 1rem 1.2rem; margin: .6rem 0 1.2rem; }
.charts.small { grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
figure.chart { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.map { margin: 0 0 1rem; } figure.map > a:first-child { display: inline-block; cursor: zoom-in; }
figure.map .map-close { display: none; }
figure.map:target { position: fixed; inset: 0; z-index: 20; margin: 0; padding: 2.6rem .5rem .5rem;
  background: #fff; overflow: auto; }
figure.map:target img { max-width: none; } figure.map:target > a:first-child { cursor: default; }
figure.map:target .map-close { display: block; position: fixed; top: .5rem; right: .8rem;
  background: #1f4e79; color: #fff; padding: .3rem .8rem; border-radius: 3px; text-decoration: none; }
figure.chart summary { cursor: pointer; color: #1f4e79; font-size: .85rem; }
figure.chart table { font-size: .8rem; margin: .3rem 0 .6rem; }
pre { background: #f7f7f7; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
.failed { color: #b03a2e; font-weight: bold; }
.error-box { border: 2px solid #b03a2e; background: #fdf2f0; padding: .8rem 1rem; }
.accepted-errors, .refused { border: 2px solid #b03a2e; background: #fdf2f0; color: #7b241c; padding: .6rem 1rem;
  margin: .6rem 0 1rem; font-weight: bold; }
footer.ms { border-top: 1px solid #ddd; color: #555; font-size: .8rem; padding: .8rem 1.5rem; }
footer.ms dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; margin: 0; }
footer.ms dt { font-weight: bold; } footer.ms dd { margin: 0; word-break: break-all; }
nav.crumbs ol { list-style: none; padding: 0; margin: .2rem 0 .6rem; font-size: .85rem; color: #555; }
nav.crumbs li { display: inline; } nav.crumbs li + li::before { content: " › "; color: #999; }
section.town h3 .meta { font-weight: normal; color: #555; font-size: .9rem; }
th.sortable { cursor: pointer; } th.sortable::after { content: " ⇅"; color: #999; }
section.top { margin-bottom: 1.5rem; } section.top p.lead { margin: .3rem 0; }
dl.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr));
  gap: .6rem; margin: .8rem 0 1rem; }
dl.cards div { border: 1px solid #d0d0d0; border-radius: 4px; padding: .4rem .6rem; }
dl.cards dt { font-size: .85rem; color: #444; } dl.cards dd { margin: 0; }
dl.cards dd.figure { font-size: 1.25rem; font-weight: bold; white-space: nowrap; }
dl.cards dd.change { font-size: .85rem; color: #555; }
dl.cards dd.better { color: #1e6b34; } dl.cards dd.worse { color: #a1281b; }
table.status-grid td { padding: 0; white-space: nowrap; }
table.status-grid td a { display: block; padding: .12rem .55rem; line-height: 1.4; color: inherit; }
table.status-grid td[class] a { text-decoration: none; }
details.status-detail > summary { cursor: pointer; color: #1f4e79; margin: .2rem 0 .6rem; }
STATUS_CSS
@media (max-width: 640px) { main { padding: .6rem .8rem 1.5rem; } header.ms { padding: .6rem .8rem; }
  th, td { white-space: nowrap; } h1 { font-size: 1.3rem; }
  .scroll table { border-collapse: separate; border-spacing: 0;
    border-top: 1px solid #d0d0d0; border-left: 1px solid #d0d0d0; }
  .scroll th, .scroll td { border-width: 0 1px 1px 0; }
  .scroll th:first-child, .scroll td:first-child { position: sticky; left: 0; z-index: 1;
    background: #fff; border-width: 0; box-shadow: inset -1px -1px 0 #d0d0d0; }
  .scroll th:first-child { background: #f2f4f7; }
  dl.cards { grid-template-columns: 1fr 1fr; } }
@page { size: A4; margin: 15mm 12mm; }
@media print { header.ms { background: none; color: #000; } a { color: #000; }
  main { max-width: none; } h2, h3 { break-after: avoid; } img, figure { break-inside: avoid; }
  .charts { display: block; } figure.chart { margin: 0 0 .8rem; }
  .charts.small { display: grid; grid-template-columns: 1fr 1fr; gap: 0 .6rem; }
  tr { break-inside: avoid; } .scroll { overflow: visible; } input { display: none; }
  .map-close { display: none; }
  details::details-content { content-visibility: visible; } summary { list-style: none; } }
"""
#: The font stack of a page with a rare character (CJK Extension A or later, 竹𣵦村), which the
#: fonts above may lack: Windows' SimSun-ExtB, then the fallback fonts the pictures use (Debian's
#: fonts-hanazono), before the generic family. Browsers look for each character along the list.
RARE_FONT_STACK = FONT_STACK.removesuffix("sans-serif") + (
    f'"{WINDOWS_EXT_B_FONT}", "HanaMinB", "HanaMinA", sans-serif'
)
PAGE_CSS = PAGE_CSS.replace(
    "STATUS_CSS\n",
    "".join(
        f"table.status-grid td.s-{status.replace(' ', '-')}, "
        f"table.status-counts td.s-{status.replace(' ', '-')} {{ background: {fill}; color: {ink}; }}\n"
        for status, (fill, ink) in STATUS_COLOURS.items()
    ),
)
RARE_PAGE_CSS = PAGE_CSS.replace("FONTS", RARE_FONT_STACK)
PAGE_CSS = PAGE_CSS.replace("FONTS", FONT_STACK)

#: The index table sorts itself with this inline script: no file is fetched.
SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.classList.add("sortable");
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var asc = th.dataset.dir !== "asc"; th.dataset.dir = asc ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort || a.cells[col].textContent;
        var y = b.cells[col].dataset.sort || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh");
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

#: The index's search box hides the villages (and towns) that do not match: no file is fetched.
SEARCH_SCRIPT = """
document.getElementById("find").addEventListener("input", function (event) {
  var q = event.target.value.trim().toLowerCase();
  document.querySelectorAll("section.town").forEach(function (section) {
    var townHit = q === "" || section.dataset.name.toLowerCase().indexOf(q) >= 0;
    var shown = 0;
    section.querySelectorAll("tbody tr").forEach(function (row) {
      var hit = townHit || row.textContent.toLowerCase().indexOf(q) >= 0;
      row.hidden = !hit; if (hit) { shown += 1; }
    });
    section.hidden = !(townHit || shown > 0);
  });
});
"""

#: The folder of the year's downloads: the officials' workbook and a CSV per table.
DOWNLOADS_DIR = "data"

#: The published problem list, in the year's report folder (see analysis.reporting.problems).
PROBLEMS_PAGE = "problems.html"
#: The explorer, in the year's report folder (see analysis.reporting.explorer).
EXPLORE_PAGE = "explore.html"

_SAFE_NAME = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def scroll_box(table_html: str) -> str:
    """A wide table in its own box that scrolls sideways on a phone (the page never does);
    the box takes keyboard focus, so that it can be scrolled without a mouse (WCAG 2.1.1)."""
    return f'<div class="scroll" tabindex="0">{table_html}</div>'


def safe_filename(key: str) -> str:
    """A file name for ``key`` that cannot leave its folder: itself when plain, else a hash."""
    key = str(key)
    if _SAFE_NAME.match(key):
        return key
    return "v-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class Provenance:
    """What a page was built from, shown in its footer."""

    data_fingerprint: str
    parameters: Mapping[str, object] = field(default_factory=dict)
    version: str = __version__
    built_at: str = field(
        default_factory=lambda: dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    )
    sample: bool = False
    #: Error-level problems the user accepted (``--accept-errors``): every page says so.
    accepted_errors: int = 0

    def banner_html(self, problems_href: str, lang: str = "zh") -> str:
        """The warning every page carries when it was built from data that failed validation."""
        if not self.accepted_errors:
            return ""
        return alert(
            "accepted-errors", "page.accepted_errors", problems_href, lang, n=self.accepted_errors
        )

    def footer_html(self, lang: str = "zh") -> str:
        """The footer: data fingerprint, parameters, version, build time, sample mark."""
        # Folders are shown by name only: a page passed on must not reveal a clerk's disk.
        params = ", ".join(
            f"{k}={Path(str(v)).name if k.endswith('_dir') else v}"
            for k, v in self.parameters.items()
        )
        fingerprint = f"{self.data_fingerprint[:16]} {label('page.fingerprint_note', lang)}"
        items = [
            (glossed("page.fingerprint", lang), fingerprint),
            (glossed("page.parameters", lang), params or "—"),
            (glossed("page.version", lang), self.version),
            (glossed("page.built", lang), self.built_at),
        ]
        if self.sample:
            items.append((glossed("page.data", lang), glossed("page.sample", lang, sep=" / ")))
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in items)
        return f'<footer class="ms"><dl>{rows}</dl></footer>'


#: The ``lang`` attribute of a page, by language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def page(
    title: str,
    body_html: str,
    provenance: Provenance,
    *,
    home: str | None = None,
    crumbs: Sequence[tuple[str, str]] = (),
    script: str = "",
    scripts: Sequence[str] = (),
    extra_css: str = "",
    lang: str = "zh",
) -> str:
    """A complete HTML page around ``body_html`` (which must already be safe HTML).

    ``crumbs`` are the (name, link) of the pages above this one, top first: the breadcrumbs.
    ``scripts`` are script files of the page's own folder, loaded in order at the end of the
    body (the explorer's); ``script`` is one inline script (the index's). A page has one or
    the other.
    """
    check_lang(lang)
    # Pages one folder down (villages/) reach the year's top files through "../".
    top = home.rpartition("/")[0] + "/" if home and "/" in home else ""
    nav = (
        f' · <a href="{escape(home)}">{escape(glossed("page.index", lang))}</a>'
        f' · <a href="{escape(top)}{DOWNLOADS_DIR}/">{escape(glossed("page.downloads", lang))}</a>'
        f' · <a href="{escape(top)}{EXPLORE_PAGE}">{escape(glossed("page.explore", lang))}</a>'
        if home
        else ""
    )
    banner = provenance.banner_html(f"{top}{PROBLEMS_PAGE}", lang)
    badge = (
        f'<span class="sample">{escape(label("page.sample_badge", lang))}</span>'
        if provenance.sample
        else ""
    )
    if script and scripts:
        raise ValueError("a page has an inline script or script files, not both")
    script_tag = f"<script>{script}</script>" if script else ""
    script_tag += "".join(f'<script src="{escape(src)}"></script>' for src in scripts)
    css = (
        RARE_PAGE_CSS
        if RARE_IDEOGRAPH.search(title) or RARE_IDEOGRAPH.search(body_html)
        else PAGE_CSS
    ) + extra_css
    # Only a page that carries our own inline script (the index) may run one; the explorer
    # runs the script files of its own folder, and nothing else.
    script_policy = "'unsafe-inline'" if script else "'self'" if scripts else "'none'"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing on the page may be fetched from the network.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"img-src data:; style-src 'unsafe-inline'; script-src {script_policy}\">"
        f"<title>{escape(title)}</title><style>{css}</style></head><body>"
        f'<header class="ms">{escape(glossed("page.site", lang))}{badge}{nav}</header>'
        f"<main>{_breadcrumbs(crumbs, title)}{banner}{body_html}</main>{provenance.footer_html(lang)}{script_tag}</body></html>\n"
    )


def _breadcrumbs(crumbs: Sequence[tuple[str, str]], title: str) -> str:
    if not crumbs:
        return ""
    links = "".join(
        f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for name, href in crumbs
    )
    return (
        f'<nav class="crumbs" aria-label="breadcrumb"><ol>{links}'
        f'<li aria-current="page">{escape(title)}</li></ol></nav>'
    )


@functools.cache
def _exporter():
    """One exporter per process: building its templates costs more than a page's export."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


#: A script element, from its start tag to its end tag or, unclosed, to the end of the text.
_SCRIPT = re.compile(r"<script\b.*?(?:</script\b[^>]*>|\Z)", re.S | re.I)


def without_scripts(html: str) -> str:
    """``html`` with every script element removed, again until none is left: removing one
    must not join the text around it into another."""
    while True:
        cleaned = _SCRIPT.sub("", html)
        if cleaned == html:
            return cleaned
        html = cleaned


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """The outputs (no code) of an executed notebook as HTML, images embedded, each with an
    alt text.

    Our notebooks' outputs are written directly (:mod:`analysis.reporting.notebook_html`);
    any other notebook goes through nbconvert's basic template, as an analyst's own would.
    Outputs are HTML our own code wrote with every value escaped; as a second line of defence
    any script is removed here and the page's Content-Security-Policy forbids running one.
    """
    body = notebook_html.render(nb)
    if body is None:
        body, _ = _exporter().from_notebook_node(nb)
    return without_scripts(notebook_html.add_missing_alt(body))


def notebook_page(
    nb: nbformat.NotebookNode,
    title: str,
    provenance: Provenance,
    *,
    home: str | None = None,
    crumbs: Sequence[tuple[str, str]] = (),
    lang: str = "zh",
) -> str:
    """The page of an executed notebook: its outputs, without code, in the page frame."""
    return page(title, notebook_body(nb), provenance, home=home, crumbs=crumbs, lang=lang)


def error_page(
    title: str,
    error: str,
    where: str,
    provenance: Provenance,
    *,
    home: str | None = None,
    crumbs: Sequence[tuple[str, str]] = (),
    lang: str = "zh",
) -> str:
    """The page shown in place of a report whose notebook failed: what failed and where."""
    # The command is markup: the sentence is escaped first, then the command put in.
    others = escape(glossed("page.others", lang, sep=" / "))
    body = (
        f"<h1>{escape(title)}</h1>"
        f'<div class="error-box"><p class="failed">{escape(glossed("page.failed", lang, sep=" / "))}</p>'
        f"<p>{escape(glossed('page.where', lang))}: {escape(where)}</p>"
        f"<pre>{escape(error)}</pre>"
        f"<p>{others.format(command='<code>minsheng build</code>')}</p></div>"
    )
    return page(title, body, provenance, home=home, crumbs=crumbs, lang=lang)


@dataclass
class IndexEntry:
    """One row of the index: a village report, its key figures and its state."""

    code: str
    name: str
    href: str
    ok: bool
    figures: Mapping[str, str] = field(default_factory=dict)  # column → text shown
    sort_values: Mapping[str, float] = field(default_factory=dict)  # column → number to sort by
    status: str = ""
    error: str = ""
    town: str = ""  # the village's town code, under which the index lists it


@dataclass
class TownEntry:
    """A town of the index tree: its page, the state of that page and its target statuses."""

    code: str
    name: str
    href: str
    ok: bool
    status: str = ""


def _sort_key(value: float | None) -> str:
    """A number the index's sort script reads with parseFloat ('3,035' would read as 3)."""
    return "" if value is None or value != value else repr(float(value))


def _village_table(entries: Sequence[IndexEntry], figure_columns: Sequence[str], lang: str) -> str:
    header = "".join(
        f"<th>{escape(c)}</th>"
        for c in (
            glossed("column.code", lang),
            glossed("column.village_name", lang),
            *figure_columns,
            glossed("column.targets", lang),
            glossed("column.report", lang),
        )
    )
    view, failed_word = glossed("index.view", lang), glossed("index.failed", lang)
    rows = []
    for e in entries:
        figures = "".join(
            f'<td class="num" data-sort="{_sort_key(e.sort_values.get(c))}">'
            f"{escape(str(e.figures.get(c, '—')))}</td>"
            for c in figure_columns
        )
        if e.ok:
            state = f'<a href="{escape(e.href)}">{escape(view)}</a>'
        else:
            state = f'<a class="failed" href="{escape(e.href)}">{escape(failed_word)}</a>'
        rows.append(
            f"<tr><td>{escape(e.code)}</td><td>{escape(e.name)}</td>{figures}"
            f"<td>{escape(e.status)}</td><td>{state}</td></tr>"
        )
    return scroll_box(
        f'<table class="sortable"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def index_page(
    title: str,
    entries: Sequence[IndexEntry],
    provenance: Provenance,
    *,
    county: bool = False,
    top_ok: bool = True,
    towns: Sequence[TownEntry] = (),
    figure_columns: Sequence[str] = (),
    extra_links: Sequence[tuple[str, str]] = (),
    lang: str = "zh",
) -> str:
    """``index.html``: the tree of pages — the top page (``county.html`` where the data set
    has several towns, else ``township.html``), each town and every village with its key
    figures and target status, sortable and searchable."""
    failed_word = glossed("index.failed", lang)
    failed_note = "".join(
        f'<p class="failed">{escape(glossed(key, lang, sep=" / ", n=n))}</p>'
        for key, n in (
            ("index.failures", sum(not e.ok for e in entries)),
            ("index.failures_other", sum(not t.ok for t in towns) + (not top_ok)),
        )
        if n
    )
    top_state = "" if top_ok else f' <span class="failed">{escape(failed_word)}</span>'
    top_href, top_key = (
        ("county.html", "index.county") if county else ("township.html", "index.township")
    )
    links = "".join(
        f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for text, href in extra_links
    )
    search = (
        f'<p><label>{escape(glossed("index.search", lang))} <input type="search" id="find" '
        f'placeholder="{escape(label("index.search_hint", lang))}"></label></p>'
    )
    if towns:
        sections = []
        for town in towns:
            mine = [e for e in entries if e.town == town.code]
            state = "" if town.ok else f' <span class="failed">{escape(failed_word)}</span>'
            status = f" · {escape(town.status)}" if town.status else ""
            count = label("index.town_villages", lang, n=len(mine))
            sections.append(
                f'<section class="town" data-name="{escape(town.name)} {escape(town.code)}">'
                f'<h3><a href="{escape(town.href)}">{escape(town.name)}</a>{state}'
                f'<span class="meta"> {escape(town.code)} · {escape(count)}{status}</span></h3>'
                f"{_village_table(mine, figure_columns, lang) if mine else ''}</section>"
            )
        heading = glossed("index.towns_villages", lang)
        villages = f"<h2>{escape(heading)}</h2>{search}{''.join(sections)}"
    else:
        table = _village_table(entries, figure_columns, lang)
        villages = (
            f"<h2>{escape(glossed('index.villages', lang))}</h2>{search}"
            f'<section class="town" data-name="">{table}</section>'
        )
    body = (
        f"<h1>{escape(title)}</h1>{failed_note}"
        f'<ul><li><a href="{escape(top_href)}">{escape(glossed(top_key, lang))}</a>'
        f"{top_state}</li>{links}</ul>{villages}"
    )
    return page(title, body, provenance, script=SORT_SCRIPT + SEARCH_SCRIPT, lang=lang)


def write_page(path: Path, html: str) -> Path:
    return atomic_write_text(path, html)


def up_to_year(html: str) -> str:
    """The way from a page (its path under the year's folder, as the build writes it:
    ``villages/x.html``) up to the year's folder, where the index and problem list are."""
    return "../" * html.count("/")


def alert(kind: str, key: str, problems_href: str, lang: str, **fields: object) -> str:
    """A warning across the top of a page, in its language (and English), with a link to the
    problem list."""
    first, *gloss = forms(key, lang, **fields)
    link = f'<a href="{escape(problems_href)}">{escape(glossed("page.problems", lang))}</a>'
    english = "".join(f"<br>{escape(text)}" for text in gloss)
    return f'<div class="{kind}" role="alert">{escape(first)} {link}{english}</div>'


#: The notice :func:`mark_refused` puts on a page, found again to be replaced.
_REFUSED = re.compile(r'<div class="refused" role="alert">.*?</div>', re.S)


def mark_refused(year_dir: Path, page: str, errors: int, when: str, lang: str = "zh") -> Path:
    """Say at the top of ``page`` of ``year_dir`` (the index or a page built before) that newer
    raw data failed validation and the reports were not updated: the pages already built stay,
    and without this they would pass for the data as it is now. :func:`clear_refused` takes
    it off."""
    problems = f"{up_to_year(page)}{PROBLEMS_PAGE}"
    notice = alert("refused", "page.refused", problems, lang, n=errors, when=when)
    path = year_dir / page
    html = _REFUSED.sub("", path.read_text(encoding="utf-8"))
    return write_page(path, html.replace("<main>", f"<main>{notice}", 1))


def clear_refused(path: Path) -> bool:
    """Take :func:`mark_refused`'s notice off the page at ``path``, which is then the page as it
    was built; False where it had none (the page is not written)."""
    html = path.read_text(encoding="utf-8")
    cleared = _REFUSED.sub("", html, count=1)
    if cleared == html:
        return False
    write_page(path, cleared)
    return True
