"""One house style for figures: Chinese fonts that need no system install, colours, sizes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

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
