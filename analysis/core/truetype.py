"""TrueType copies of the house font, for PDFs whose text stays editable.

The house font (Noto Sans SC from a PyPI wheel) has PostScript (CFF) outlines. matplotlib's
Type 42 PDF output declares every embedded font TrueType, so a CFF font lands in a PDF under the
wrong type (poppler: "Mismatch between font type and embedded font file") and some editors
refuse it; Type 3, the other choice, turns each character into a drawing nobody can edit. So
a print map gets a small TrueType copy holding only its own characters: subset with fontTools
and its outlines converted to quadratic curves (``Cu2QuPen``, within a thousandth of an em),
about a second for a map. The copy keeps the font's PostScript name, NotoSansSC-Regular, so a
designer's editor finds the real font by it.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

from analysis.core.style import FONT_FAMILY, font_path
from analysis.iorw import atomic_write_with

#: Most a converted curve may stray from the original, in font units (1,000 to the em).
_MAX_ERROR = 1.0
#: Where the copies go: a folder of the machine's temporary directory, shared by the processes
#: of a build (a copy is named by its characters, so two processes write the same file).
FONT_DIR = Path(tempfile.gettempdir()) / "minsheng-truetype"
#: Families this process has registered with matplotlib, by the characters they hold.
_REGISTERED: dict[str, str] = {}


def truetype_family(text: str) -> str:
    """The family name of a TrueType copy of the house font holding the characters of
    ``text``, registered with matplotlib (once per set of characters in a process)."""
    from matplotlib import font_manager

    # matplotlib measures "lp" for the height of every line of text.
    chars = "".join(sorted(set(text + "lp") - {"\n"}))
    # Named by the characters and the font file's size, so a new release of the font is cut anew.
    source = f"{font_path().stat().st_size}:{chars}"
    key = hashlib.sha256(source.encode()).hexdigest()[:12]
    if key not in _REGISTERED:
        family = f"{FONT_FAMILY} TrueType {key}"
        path = FONT_DIR / f"{key}.ttf"
        if not path.exists():
            font = _truetype_subset(chars, family)
            atomic_write_with(path, lambda tmp: font.save(str(tmp)))
        font_manager.fontManager.addfont(str(path))
        _REGISTERED[key] = family
    return _REGISTERED[key]


def _truetype_subset(chars: str, family: str) -> TTFont:
    """The house font cut to ``chars``, with quadratic (glyf) outlines and family ``family``."""
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    font = TTFont(str(font_path()), lazy=True)
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)

    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        # TrueType contours run the other way round from PostScript ones.
        glyphs[name].draw(Cu2QuPen(pen, _MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None
    font.sfntVersion = "\0\1\0\0"
    font["head"].glyphDataFormat = 0
    names = font["name"]
    for name_id in (1, 4, 16):
        names.removeNames(nameID=name_id)
    names.setName(family, 1, 3, 1, 0x409)
    names.setName(family, 4, 3, 1, 0x409)
    return font
