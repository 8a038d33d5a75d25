"""One house style for figures: Chinese fonts that need no system install, colours, sizes; and
the canvas pages are drawn on, which keeps text metrics and outlines from one figure to the next."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

FONT_FAMILY = "Noto Sans SC"

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
def use_house_style() -> None:
    """Register the Chinese font and set matplotlib defaults; safe to call many times."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
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
        key = (s, _font_key(prop), self.dpi)
        found = _METRICS.get(key)
        if found is None:
            if len(_METRICS) >= _MEMO_SIZE:
                _METRICS.clear()
            found = _METRICS[key] = super().get_text_width_height_descent(s, prop, ismath)
        return found


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


@cache
def measuring_renderer(dpi: float) -> RendererAgg:
    """A renderer for measuring texts only (it draws on one pixel), one per resolution."""
    return _MemoRendererAgg(1, 1, dpi)
