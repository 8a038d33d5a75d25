"""Pages: escaped, self-contained, with provenance; file names that cannot leave reports/."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.reporting import publish

EVIL = "<script>alert(1)</script>"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _provenance(**kw):
    return publish.Provenance(data_fingerprint="ab" * 32, parameters={"village_code": EVIL}, **kw)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("360722103203", "360722103203"), ("abc_DEF-1", "abc_DEF-1")],
)
def test_safe_filename_keeps_plain_keys(key, expected):
    assert publish.safe_filename(key) == expected


@pytest.mark.parametrize("key", ["../../x", EVIL, "青光村", "a/b", "", ".", "x" * 65])
def test_safe_filename_never_leaves_the_folder(key):
    name = publish.safe_filename(key)
    assert re.fullmatch(r"[0-9A-Za-z_-]+", name)
    assert publish.safe_filename(key) == name  # stable


def test_footer_escapes_parameters_and_marks_sample_data():
    html = _provenance(sample=True).footer_html()
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "示例数据" in html


def test_index_escapes_names_and_marks_failures():
    entries = [
        publish.IndexEntry(
            code="1", name=EVIL, href="villages/1.html", ok=True, figures={"人口": EVIL}
        ),
        publish.IndexEntry(code="2", name="青光村", href="villages/2.html", ok=False, error="boom"),
    ]
    html = publish.index_page("目录", entries, _provenance(), figure_columns=["人口"])
    assert "<script>alert(1)" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert "失败 Failed" in html and "1 个村的报告生成失败" in html


def test_error_page_says_what_failed_and_where():
    html = publish.error_page("青光村", "ValueError: " + EVIL, "cell 3: x = 1", _provenance())
    assert "cell 3: x = 1" in html and "&lt;script&gt;" in html and "<script>alert" not in html


def test_notebook_page_has_no_code_no_external_resource_and_escapes_outputs():
    nb = new_notebook(
        cells=[
            new_code_cell(
                "secret_code_line = 1",
                outputs=[
                    new_output("display_data", data={"text/html": f"<p>{EVIL}</p><b>ok</b>"}),
                    new_output(
                        "display_data",
                        data={
                            "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
                        },
                    ),
                ],
            )
        ]
    )
    nbformat.validate(nb)
    html = publish.notebook_page(nb, "报告", _provenance(sample=True))
    assert "secret_code_line" not in html
    assert "alert(1)" not in html.replace("&lt;script&gt;alert(1)", "")
    assert "<b>ok</b>" in html
    assert 'src="data:image/png;base64,' in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_page_is_lean():
    html = publish.page("t", "<p>x</p>", _provenance())
    assert len(html.encode()) < 10 * 1024


def test_page_furniture_speaks_the_pages_language():
    provenance = _provenance(sample=True, accepted_errors=2)
    zh = publish.page("t", "<p>x</p>", provenance, home="../index.html")
    en = publish.page("t", "<p>x</p>", provenance, home="../index.html", lang="en")
    # A Chinese page glosses its furniture in English; an English page is English only.
    assert 'lang="zh-CN"' in zh and "返回目录 Index" in zh and "数据指纹 Data fingerprint" in zh
    assert "本报告所用数据有 2 处错误" in zh and "2 uncorrected errors" in zh
    assert 'lang="en"' in en and ">Index</a>" in en and "Data fingerprint" in en
    assert "2 uncorrected errors" in en and 'href="../problems.html">Problems</a>' in en
    for html in (en, publish.error_page("t", "boom", "cell 2", provenance, lang="en")):
        assert not re.search(r"[\u3400-\u9fff]", html.replace("示例数据", "")), html
    error = publish.error_page("t", "boom", "cell 2", provenance)
    assert "报告生成失败 / This report could not be built." in error
    assert "重新运行 <code>minsheng build</code>。 / Other reports" in error
