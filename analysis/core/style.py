"""One house style for figures: Chinese fonts that need no system install, colours, sizes; and
the canvas pages are drawn on, which keeps text metrics and outlines from one figure to the next.

Fonts are a chain: a text holding a rare ideograph the house font lacks (竹𣵦村, CJK Extension
B) gets Hanazono Mincho (HanaMinA, HanaMinB: Extensions A to F, Debian's ``fonts-hanazono``)
after its own family, and matplotlib draws each character in the first font that has it. Other
texts keep the house font alone, so their pictures and digests are what they were. Where no
font of the chain has a character that :mod:`analysis.core.glyphs` spells by its components,
the picture shows the component form (竹（氵甸）村), never an empty box.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterable
from functools import cache, lru_cache, partial
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from analysis.core.glyphs import TABLE, component_forms, spelled_out

FONT_FAMILY = "Noto Sans SC"
#: The fonts the house font falls back to for what it lacks, by family, where Debian's
#: ``fonts-hanazono`` puts them: HanaMinA (the BMP, Extension A), HanaMinB (Extensions B to F).
FALLBACK_FONTS = {
    "HanaMinA": Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    "HanaMinB": Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
}
#: What to install for them, as the build's notice names it.
FALLBACK_PACKAGE = "HanaMinA/HanaMinB (apt-get install fonts-hanazono)"

#: Colours used across maps and charts (colour-blind safe where they encode data).
COLORS = {
    "ink": "#222222",
    "muted": "#777777",
    "road": "#c0392b",
    "corridor": "#f5b7b1",
    "greenhouse": "#1e8449",
    "orange": "#e67e22",
    "village_edge": "#555555",
    "village_fill": "#f4f1ea",
    "neighbour_fill": "#e8e8e8",
    "highlight": "#2e86c1",
    "history": "#1f4e79",
    "projection": "#2e86c1",
    "target": "#c0392b",
}


@cache
def font_path() -> Path:
    """The bundled Noto Sans SC (SIL OFL 1.1) from the ``pylopdf-fonts-zh-cn`` wheel."""
    import pylopdf_fonts_zh_cn

    path = Path(pylopdf_fonts_zh_cn.__file__).with_name("NotoSansSC-Regular.otf")
    if not path.exists():
        raise FileNotFoundError(f"Chinese font not found at {path}; reinstall pylopdf-fonts-zh-cn")
    return path


@cache
def fallback_families() -> tuple[str, ...]:
    """The fallback fonts installed on this machine, registered with matplotlib."""
    from matplotlib import font_manager

    found = []
    for family, path in FALLBACK_FONTS.items():
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            # Hanazono declares weight 500: as 400, a normal text finds it without a warning.
            entry = font_manager.fontManager.ttflist[-1]
            font_manager.fontManager.ttflist[-1] = dataclasses.replace(entry, weight=400)
            found.append(family)
    return tuple(found)


@cache
def use_house_style() -> None:
    """Register the Chinese fonts and set matplotlib defaults; safe to call many times."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    _spell_out_rare()
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            # Figures lay themselves out to fit (fixed margins, maps sized to their content):
            # cropping at save time would measure every text on them again.
            "savefig.bbox": "standard",
            # Titles sit at a fixed height over the axes, so drawing one never measures the
            # tick labels to see whether they are in the way.
            "axes.titley": 1.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 13,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "svg.fonttype": "path",
        }
    )


# --- characters the house font lacks -----------------------------------------------------

#: Where a CJK ideograph's code point may lie: Extension A, the main block, the compatibility
#: ideographs, and planes 2 and 3 (Extensions B to I).
_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


@cache
def _charmap(path: Path) -> frozenset[int]:
    """The code points of the font file at ``path``."""
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(path)).get_charmap())


def house_charmap() -> frozenset[int]:
    """The code points the house font has."""
    return _charmap(font_path())


@lru_cache(maxsize=4096)
def rare_characters(text: str) -> tuple[str, ...]:
    """The distinct ideographs of ``text`` the house font lacks, in order (𣵦 in 竹𣵦村).

    Kept by text: every Chinese label of every picture asks, and a page's labels repeat."""
    house = house_charmap()
    return tuple(
        dict.fromkeys(
            c
            for c in text
            if ord(c) not in house and any(lo <= ord(c) <= hi for lo, hi in _IDEOGRAPHS)
        )
    )


def missing_characters(text: str) -> list[str]:
    """The distinct rare characters of ``text`` that no font of the chain draws, in order."""
    use_house_style()
    found = [_charmap(FALLBACK_FONTS[family]) for family in fallback_families()]
    return [c for c in rare_characters(text) if not any(ord(c) in codes for codes in found)]


def drawable(text: str) -> str:
    """``text`` as a picture can show it: each character that no font of the chain has and the
    equivalence table spells, in its component form (竹𣵦村 → 竹（氵甸）村)."""
    if text.isascii():
        return text
    forms = component_forms()
    spellings = {ord(c): spelled_out(c) for c in missing_characters(text) if c in forms}
    return text.translate(spellings) if spellings else text


def glyph_notice(names: Iterable[str]) -> str | None:
    """What a build tells about the rare characters of ``names`` that no installed font has, in
    Chinese and English, one line each: the character, its code point, the names it is in, and
    the font to install (or, where the table has no spelling, where to add one). None when every
    character can be drawn."""
    from analysis.core.labels import label

    where: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        for char in missing_characters(name):
            where.setdefault(char, []).append(name)
    if not where:
        return None
    lines = []
    for char, found in where.items():
        spelled = char in component_forms()
        fields = {
            "char": char,
            "code": f"U+{ord(char):04X}",
            "names": "、".join(found),
            "font": FALLBACK_PACKAGE,
            "spelled": drawable(found[0]) if spelled else "",
            "table": f"analysis/core/{TABLE.name}",
        }
        key = "glyphs.spelled" if spelled else "glyphs.unspelled"
        lines += [label(key, "zh", **fields), label(key, "en", **fields)]
    return "\n".join(lines)


def _fit_fonts(text: Text) -> None:
    """Give a text with rare characters the fallback fonts after its own (per glyph, the first
    that has it), and spell out those no font has. Texts without any are left as they are, so
    their pictures, and the digests they are kept under, are what they were."""
    content = text.get_text()
    if content.isascii() or not rare_characters(content):
        return
    shown = drawable(content)
    if shown != content:
        _ORIGINAL_SETTERS["set_text"](text, shown)
    # While a text is made its string is set before its fonts, which then fit again.
    fonts = getattr(text, "_fontproperties", None)
    if fonts is not None and rare_characters(shown):
        family = list(fonts.get_family())
        fonts.set_family(family + [f for f in fallback_families() if f not in family])


#: matplotlib's own setters of a text's string and fonts, wrapped by :func:`_spell_out_rare`.
_ORIGINAL_SETTERS: dict[str, Callable] = {}


def _spell_out_rare() -> None:
    """Fit the fonts of every text a figure is given (:func:`_fit_fonts`): tick labels, titles,
    legends and map labels all go through these setters, so names are handled in one place."""
    for name in ("set_text", "set_fontproperties", "set_fontfamily"):
        original = getattr(Text, name)
        _ORIGINAL_SETTERS[name] = original

        def fitted(self: Text, value: object, _original: Callable = original) -> None:
            _original(self, value)
            _fit_fonts(self)

        fitted.__doc__ = original.__doc__
        setattr(Text, name, fitted)


# --- drawing many pages in one process -------------------------------------------------------

#: Entries kept by each memo below before it starts again (a county's names and numbers fit).
_MEMO_SIZE = 8192


def _font_key(prop: FontProperties) -> tuple:
    """What a text's size and outline depend on besides the text itself."""
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        matplotlib.rcParams["text.hinting"],
        matplotlib.rcParams["text.hinting_factor"],
    )


class _MemoTextToPath(TextToPath):
    """Outlines of plain texts, kept for the process: a map's haloed labels are drawn as paths,
    and every page of a town draws the same village names."""

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[tuple, tuple[np.ndarray, list]] = {}

    def get_text_path(self, prop, s, ismath=False, **kwargs):
        # Font features and language (matplotlib passes both, usually None) change the shapes.
        if ismath or any(value is not None for value in kwargs.values()):
            return super().get_text_path(prop, s, ismath, **kwargs)
        key = (_font_key(prop), s)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            verts, codes = super().get_text_path(prop, s)
            found = self._memo[key] = (np.asarray(verts, dtype=float).reshape(-1, 2), codes)
        return found[0].copy(), list(found[1])


_TEXT_TO_PATH = _MemoTextToPath()
#: (text, font, dpi) → width, height, descent in pixels, for every renderer of the process.
_METRICS: dict[tuple, tuple[float, float, float]] = {}


def _measured(key: tuple, measure: Callable[[], tuple[float, float, float]]) -> tuple:
    """A text's metrics from the process-wide memo, measured once (the memo cleared when full)."""
    found = _METRICS.get(key)
    if found is None:
        if len(_METRICS) >= _MEMO_SIZE:
            _METRICS.clear()
        found = _METRICS[key] = measure()
    return found


class _MemoRendererAgg(RendererAgg):
    """matplotlib's Agg renderer, with text metrics and outlines kept across figures.

    matplotlib keeps a text's metrics per renderer, that is per figure; tick labels, legend
    entries, titles and names repeat from one village's page to the next."""

    def __init__(self, width, height, dpi) -> None:
        super().__init__(width, height, dpi)
        self._text2path = _TEXT_TO_PATH

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        measure = partial(super().get_text_width_height_descent, s, prop, ismath)
        return _measured((s, _font_key(prop), self.dpi), measure)


class PageCanvas(FigureCanvasAgg):
    """The Agg canvas page images are drawn on: the same pixels as matplotlib's own, with the
    process-wide text metrics and outlines of :class:`_MemoRendererAgg`."""

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if getattr(self, "_memo_key", None) != key:
            self.renderer = _MemoRendererAgg(width, height, self.figure.dpi)
            self._memo_key = key
        return self.renderer


class _MemoRendererSVG(RendererSVG):
    """matplotlib's SVG renderer, with text metrics and outlines kept across figures as
    :class:`_MemoRendererAgg` keeps them: every chart of a page is a new SVG renderer, and the
    same tick labels, legends and sources were measured again for each."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._text2path = _TEXT_TO_PATH

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        # Measured by outlines in points, whatever the figure's resolution.
        measure = partial(super().get_text_width_height_descent, s, prop, ismath)
        return _measured((s, _font_key(prop), "svg"), measure)


class SvgCanvas(FigureCanvasSVG):
    """The SVG canvas pictures are written on: matplotlib's own ``print_svg``, drawn through
    :class:`_MemoRendererSVG`. Give a figure one for the time of a ``savefig`` in SVG."""

    def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, **_ignored) -> None:
        # savefig passes the keywords of every backend (dpi, colours, orientation): the figure
        # already holds them, as matplotlib's own print_svg takes them.
        # Written as text, then encoded at once: through a codecs writer, each of the SVG's
        # tens of thousands of small writes was encoded on its own.
        text = io.StringIO()
        dpi = self.figure.dpi
        self.figure.dpi = 72
        width, height = self.figure.get_size_inches()
        svg = _MemoRendererSVG(width * 72, height * 72, text, image_dpi=dpi, metadata=metadata)
        renderer = MixedModeRenderer(
            self.figure, width, height, dpi, svg, bbox_inches_restore=bbox_inches_restore
        )
        self.figure.draw(renderer)
        renderer.finalize()
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            unicode = cbook.file_requires_unicode(fh)
            fh.write(text.getvalue() if unicode else text.getvalue().encode("utf-8"))


@cache
def measuring_renderer(dpi: float) -> RendererAgg:
    """A renderer for measuring texts only (it draws on one pixel), one per resolution."""
    return _MemoRendererAgg(1, 1, dpi)
