"""Encoded pictures kept between builds, under a digest of what they are drawn from.

A document job draws dozens of charts and three maps at print resolution and writes each map
as PDF and SVG: most of its time. When one village's figure changes, most of these pictures
are what they were. A :class:`PictureCache` keeps each encoding (PNG at a resolution, PDF,
SVG, and a map's alternative text) under the SHA-256 of everything the picture is drawn from
(a chart's series and words, :class:`~analysis.reporting.indicator_charts.Fan`; a map's layers,
values and words, :class:`~analysis.reporting.page_maps.MapDrawing`; or a figure as matplotlib
pickles it) and of what else drawing reads: the package's code, the versions of the drawing
libraries, the rcParams and the fonts installed. A picture whose inputs differ in any value
has another digest and is drawn afresh; one whose inputs are the same in all of these draws
the same pixels, so its kept bytes are what drawing it again would give.

Pages keep their target and trend charts (SVG) the same way (:func:`keep_pictures`,
:func:`page_svg`), in one folder all pages of a year share (:mod:`analysis.reporting.kept`).

The digest is computed without unpickling anything: a pickler that writes the few objects
whose pickles are not the same from one process to the next (dictionaries keyed by ``id()``,
sets of strings, classes defined inside functions) in a canonical form.
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import pickle
import pickletools
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import TransformNode

from analysis.core.style import (
    FALLBACK_FONTS,
    PageCanvas,
    fallback_families,
    font_path,
    rare_characters,
    use_house_style,
)
from analysis.core.truetype import FONT_DIR
from analysis.geo import maps
from analysis.iorw import atomic_write_bytes
from analysis.reporting.charts import release
from analysis.reporting.kept import PICTURES_DIR
from analysis.reporting.reads import reads
from analysis.version import code_fingerprint

__all__ = [
    "PICTURES_DIR",
    "Drawable",
    "PictureCache",
    "digest",
    "drawing_key",
    "encode_png",
    "keep_pictures",
    "page_map",
    "page_picture_name",
    "page_svg",
    "png_bytes",
]


def png_bytes(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG at ``dpi``, encoded for a page: RGB where the figure is opaque (a
    quarter fewer bytes to compress than RGBA), :func:`encode_png`."""
    fig.set_dpi(dpi)
    canvas = PageCanvas(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return encode_png(rgba[..., :3] if rgba[..., 3].min() == 255 else rgba)


#: zlib's level for a PNG: here both faster and smaller than the default 6.
_PNG_LEVEL = 3


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels: np.ndarray) -> bytes:
    """``pixels`` (height × width × 3 or 4 bytes: RGB or RGBA) as a PNG, its rows unfiltered.

    A chart or map is runs of flat colour, which zlib packs well as they are: the filter
    Pillow picks for each row (the one of five whose bytes sum least) makes a file a sixth
    larger, in three times the time, at 300 dpi for print."""
    height, width, channels = pixels.shape
    rows = np.zeros((height, width * channels + 1), dtype=np.uint8)  # filter byte 0: none
    rows[:, 1:] = pixels.reshape(height, -1)
    colour_type = {3: 2, 4: 6}[channels]  # truecolour, with alpha
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows, _PNG_LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _local_class(qualname: str) -> None:
    """Stands in the digest for a class defined inside a function (geopandas' collections),
    which pickle cannot name; never called, as nothing digested is unpickled."""
    raise TypeError(f"{qualname} is not unpickled")


class _CanonicalPickler(pickle.Pickler):
    """A pickler whose bytes depend only on what a figure holds, not on the process."""

    def reducer_override(self, obj: object) -> object:
        cls = type(obj)
        if isinstance(obj, TransformNode):
            # Parents are keyed by id(); their order of insertion is the figure's own.
            state = obj.__getstate__()
            state["_parents"] = list(state["_parents"].values())
            return copyreg.__newobj__, (cls,), state
        if cls is set or cls is frozenset:
            # A set of strings iterates in an order salted per process.
            return cls, (sorted(obj, key=repr),)
        if "<locals>" in cls.__qualname__:
            return _local_class, (f"{cls.__module__}.{cls.__qualname__}",), obj.__getstate__()
        return NotImplemented


#: The distributions whose versions can change a picture drawn from the same inputs.
_DRAWING_LIBRARIES = (
    "matplotlib",
    "pillow",
    "numpy",
    "pandas",
    "geopandas",
    "shapely",
    "pyproj",
    "mapclassify",
    "pylopdf-fonts-zh-cn",  # the house font
)


@functools.cache
def _surroundings() -> bytes:
    """What drawing reads besides the figure and is fixed for this process: the package's
    code (the house style, the encoders), the libraries' versions and the fonts installed."""
    # Not the house font, which is registered when the house style is first used (before or
    # after this is first called): its package's version stands for it. Nor the copies of it
    # cut for PDFs, registered as a process saves its first PDF: they are its own glyphs. Nor
    # the fallback fonts, which only pictures with rare characters use (:func:`_rare_fonts`).
    fallbacks = {path.resolve() for path in FALLBACK_FONTS.values()}
    fonts = sorted(
        (font.fname, os.stat(font.fname).st_size)
        for font in matplotlib.font_manager.fontManager.ttflist
        if os.path.exists(font.fname)
        and Path(font.fname).parent != FONT_DIR
        and Path(font.fname) != font_path()
        and Path(font.fname).resolve() not in fallbacks
    )
    # The libraries a map's drawing goes through: its classes (mapclassify), its shapes.
    libraries = {name: importlib.metadata.version(name) for name in _DRAWING_LIBRARIES}
    return repr((code_fingerprint(), libraries, fonts)).encode()


#: The UTF-8 of an ideograph the house font may lack (Extension A, the last additions to the
#: main block, the compatibility ideographs, planes 2 and 3): a quick look for candidates before
#: a pickle's strings are read one by one (its binary data may hold such bytes by chance).
_MAYBE_RARE = re.compile(
    rb"\xf0[\xa0-\xbf][\x80-\xbf]{2}|\xe3[\x90-\xbf][\x80-\xbf]|\xe4[\x80-\xb6][\x80-\xbf]"
    rb"|\xe9[\xbe\xbf][\x80-\xbf]|\xef[\xa4-\xab][\x80-\xbf]"
)


def _rare_fonts(pickled: bytes) -> bytes:
    """What a picture with rare ideographs (:func:`~analysis.core.style.rare_characters`) is
    drawn with besides: the fallback fonts installed, or none (then the names are spelled out
    by their components). Empty for a picture without any, whose digest is then what it was
    before there were fallback fonts."""
    candidates = "".join(match.decode() for match in _MAYBE_RARE.findall(pickled))
    if not rare_characters(candidates):
        return b""
    rare = sorted(
        {
            char
            for opcode, arg, _ in pickletools.genops(pickled)
            if isinstance(arg, str) and "UNICODE" in opcode.name
            for char in rare_characters(arg)
        }
    )
    if not rare:
        return b""
    fonts = [(f, os.stat(FALLBACK_FONTS[f]).st_size) for f in fallback_families()]
    return repr((rare, fonts)).encode()


#: rcParams that no picture's pixels depend on.
_NOT_DRAWING = frozenset({"backend", "interactive"})


def digest(drawn: object) -> str:
    """SHA-256 of what a picture is drawn from: a figure, or all the inputs of a function that
    makes one (:class:`analysis.reporting.indicator_charts.Fan`). Take a figure's before it is
    first drawn, as drawing leaves measurements behind that a kept picture's figure never gets."""
    buffer = io.BytesIO()
    _CanonicalPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(drawn)
    digest = hashlib.sha256(_surroundings())
    # rcParams are read at drawing time (antialiasing, hatch widths, savefig settings); the
    # backend and interactive mode are not (pictures are saved through Agg), and differ between
    # a process running notebooks (inline) and one writing documents.
    drawn_with = {k: v for k, v in matplotlib.rcParams.items() if k not in _NOT_DRAWING}
    digest.update(repr(sorted(drawn_with.items())).encode())
    digest.update(buffer.getvalue())
    digest.update(_rare_fonts(buffer.getvalue()))
    return digest.hexdigest()


class PictureCache:
    """One document job's pictures in ``folder``, encoded once and kept for the next build.

    A picture is named by the :func:`digest` of what it is drawn from and its encoding. :meth:`prune`
    removes the pictures this job did not ask for, so the folder holds only the current
    document's.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.drawn = 0
        self.reused = 0

    def _encoded(self, name: str, draw: Callable[[], bytes]) -> bytes:
        """The bytes ``draw()`` gives, from the folder when they were kept under ``name``."""
        self.used.add(name)
        kept = self.folder / name
        if kept.exists():
            self.reused += 1
            # Dated by its last use: the pages' folder is pruned by it (kept.prune_pages).
            os.utime(kept)
            return kept.read_bytes()
        data = draw()
        # Two processes may draw the same picture at once: each writes its own temporary and
        # renames it into place, and both hold the same bytes, so either rename is right.
        atomic_write_bytes(kept, data)
        self.drawn += 1
        return data

    def png(self, key: str, dpi: int, figure: Callable[[], Figure]) -> bytes:
        """:func:`png_bytes` at ``dpi`` of the figure ``figure()`` makes, whose :func:`digest`
        is ``key``, kept; ``figure`` is not called for a kept one."""
        return self._encoded(_png_name(key, dpi), lambda: png_bytes(figure(), dpi=dpi))

    def described(
        self, key: str, lang: str, figure: Callable[[], Figure], describe: Callable[[Figure], str]
    ) -> tuple[str, tuple[float, float]]:
        """What the picture of ``figure()`` (whose :func:`digest` is ``key``) shows, in
        ``lang`` by ``describe`` (its alternative text), and its size, inches: kept beside its
        encodings, so that ``figure`` is not called for a kept one."""

        def draw() -> bytes:
            drawn = figure()
            width, height = (float(x) for x in drawn.get_size_inches())
            about = {"alt": describe(drawn), "size": [width, height]}
            return json.dumps(about, ensure_ascii=False).encode()

        about = json.loads(self._encoded(f"{key}-{lang}.json", draw))
        return about["alt"], tuple(about["size"])

    def save(self, figure: Callable[[], Figure], key: str, path: Path) -> Path:
        """:func:`analysis.geo.maps.save_figure` of the figure ``figure()`` makes (whose
        :func:`digest` is ``key``) to ``path``, PDF or SVG set on a real A4 or A3 page, kept;
        ``figure`` is not called for a kept one, and a file that already holds these bytes is
        not written again."""

        def draw() -> bytes:
            maps.save_figure(figure(), path, paper=True)
            return path.read_bytes()

        data = self._encoded(f"{key}{path.suffix.lower()}", draw)
        if not path.exists() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        return path

    def prune(self) -> None:
        """Remove what this job did not use: the pictures of figures that are no more."""
        if not self.folder.exists():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used and path.is_file():
                path.unlink()


class Drawable(Protocol):
    """What a chart is drawn from (:class:`analysis.reporting.indicator_charts.Fan`, ``Trend``):
    all of it, so that its :func:`digest` names the picture."""

    def draw(self) -> Figure: ...


#: The pages' pictures of the notebook running in this process, or None to draw every one.
_pages: PictureCache | None = None


@reads()
def keep_pictures(folder: str | Path | None) -> None:
    """Keep the pictures of the page this process draws next in ``folder``
    (:func:`analysis.reporting.kept.pages_dir`), or draw every one afresh (None).

    A page notebook calls it once, at its top, with its ``pictures_dir`` parameter: a warm
    worker runs notebook after notebook, and each sets this afresh, so no notebook keeps
    pictures where the one before it did. An analyst's notebook leaves it at None.
    """
    global _pages
    _pages = None if folder is None else PictureCache(Path(folder))


def page_svg(drawn: Drawable) -> bytes:
    """The chart ``drawn.draw()`` makes as a page shows it: SVG with its text kept as text
    (:func:`analysis.geo.maps.svg_bytes`), which for a chart is a third of the bytes of a PNG
    at 100 dpi and a quarter less work to make, as no text is rasterised. Read from the pages'
    folder where it is kept (:func:`keep_pictures`), and then not drawn at all. A drawn
    chart's panel figure is handed back (:func:`analysis.reporting.charts.release`)."""

    def draw() -> bytes:
        figure = drawn.draw()
        svg = maps.svg_bytes(figure)
        release(figure)
        return svg

    if _pages is None:
        return draw()
    return _pages._encoded(page_picture_name(drawn), draw)


def _png_name(key: str, dpi: int) -> str:
    return f"{key}-{dpi}.png"


def page_map(
    drawn: Drawable, dpi: int, lang: str, describe: Callable[[Figure], str]
) -> tuple[bytes, str, tuple[float, float]]:
    """The PNG of the map ``drawn.draw()`` makes as a page shows it, what it shows (its
    alternative text in ``lang``, by ``describe``) and its size, inches; read from the pages'
    folder where they are kept (:func:`keep_pictures`), and the map then not drawn at all."""
    figure = functools.cache(drawn.draw)  # drawn once, and only for what is not kept
    if _pages is None:
        drawing = figure()
        shown = png_bytes(drawing, dpi=dpi), describe(drawing), tuple(drawing.get_size_inches())
    else:
        key = drawing_key(drawn)
        alt, size = _pages.described(key, lang, figure, describe)
        shown = _pages.png(key, dpi, figure), alt, size
    if figure.cache_info().currsize:
        maps.release_locator(figure())  # a locator's town is drawn on again for the next
    return shown


def page_picture_name(drawn: Drawable) -> str:
    """The name a page's chart of ``drawn`` is kept under: the :func:`digest` of what it is
    drawn from."""
    return f"{drawing_key(drawn)}.svg"


def drawing_key(drawn: Drawable) -> str:
    """The :func:`digest` of what a chart or map is drawn from, as it will be drawn: taken
    under the house style's rcParams and fonts, so that it is the same in every process,
    whether or not anything was drawn before it there."""
    use_house_style()
    return digest(drawn)
