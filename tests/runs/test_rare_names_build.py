"""The sample with two Extension B village names (竹𣵦村, 八𠮷村; tests/data/make_rare_names.py)
built end to end (issue 31): with the fallback fonts, no missing-glyph warning at all and every
picture has the characters; without them, the pictures spell the names by their components and
the build says so once, and succeeds."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
from matplotlib.text import Text

from analysis.cli import main
from analysis.core import style
from analysis.geo import maps
from analysis.reporting import pictures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from make_rare_names import rare_sample

pytestmark = pytest.mark.slow

ZHU, BA = "\U00023d66", "\U00020bb7"  # 𣵦 (氵甸), 𠮷 (土口)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return rare_sample(tmp_path_factory.mktemp("rare") / "raw")


def _build(raw: Path, root: Path, monkeypatch, capsys) -> tuple[int, str, list[str], list]:
    """Build the year with the CLI, one job after another in this process; the exit code, what
    it printed to stderr, the texts of every print map and page SVG saved, and the warnings."""
    saved: list[str] = []
    save = maps._save

    def recording(fig, target, kind, dpi):
        saved.extend(t.get_text() for t in fig.findobj(Text))
        save(fig, target, kind, dpi)

    monkeypatch.setattr(maps, "_save", recording)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(
            [
                "build",
                "--data",
                str(raw),
                "--processed",
                str(root / "processed"),
                "--out",
                str(root / "reports"),
                "--year",
                "2019",
                "--workers",
                "1",
                "--quiet",
            ]
        )
    return code, capsys.readouterr().err, saved, caught


@pytest.mark.skipif(
    not style.FALLBACK_FONTS["HanaMinB"].exists(), reason="fonts-hanazono is not installed"
)
def test_with_the_fallback_the_names_are_drawn_with_no_missing_glyph_warning(
    raw, tmp_path, monkeypatch, capsys
):
    code, err, saved, caught = _build(raw, tmp_path, monkeypatch, capsys)
    assert code == 0, err
    glyph_warnings = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert glyph_warnings == []
    assert "U+23D66" not in err and "U+20BB7" not in err
    drawn = " ".join(saved)
    assert f"竹{ZHU}村" in drawn and f"八{BA}村" in drawn and "（氵甸）" not in drawn
    page = (tmp_path / "reports/2019/villages/360722103200.html").read_text("utf-8")
    assert f"竹{ZHU}村" in page and '"SimSun-ExtB", "HanaMinB"' in page
    # A page without a rare character keeps its font stack.
    assert "SimSun-ExtB" not in (tmp_path / "reports/2019/villages/360722103201.html").read_text(
        "utf-8"
    )
    from docx import Document

    document = Document(str(tmp_path / "reports/2019/summary.docx"))
    runs = [r for p in document.paragraphs for r in p.runs if ZHU in r.text]
    assert runs and all(r.text == ZHU for r in runs)
    fonts = {r._r.rPr.rFonts.get(r._r.rPr.rFonts.nsmap["w"].join(["{", "}eastAsia"])) for r in runs}
    assert fonts == {"SimSun-ExtB"}


def test_without_the_fallback_the_pictures_spell_the_names_and_the_build_says_so_once(
    raw, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(style, "fallback_families", lambda: ())
    monkeypatch.setattr(pictures, "fallback_families", lambda: ())
    code, err, saved, caught = _build(raw, tmp_path, monkeypatch, capsys)
    assert code == 0, err
    assert [w for w in caught if "missing from font" in str(w.message)] == []
    drawn = " ".join(saved)
    assert "竹（氵甸）村" in drawn and "八（土口）村" in drawn
    assert ZHU not in drawn and BA not in drawn
    # One message: each character once, in Chinese and in English, with the font to install.
    notice = [line for line in err.splitlines() if "U+" in line]
    assert len(notice) == 4, err
    assert sum("U+23D66" in line for line in notice) == 2
    assert all("fonts-hanazono" in line for line in notice)
    assert notice[0].startswith("提示") and notice[1].startswith("Note")
