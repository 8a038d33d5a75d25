"""Every word a reader sees (analysis.core.labels): both languages, one accessor."""

from __future__ import annotations

import re
import string

import pytest

from analysis import config
from analysis.core import labels, trends
from analysis.core.catalog import default_catalog
from analysis.errors import ParameterError

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: Placeholders a language may leave out: the command only the Chinese sentence names.
ONE_SIDED = {"page.others": {"command"}}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(labels.LABELS))
def test_every_word_has_both_forms_with_the_same_placeholders(key):
    zh, en = labels.LABELS[key]
    assert zh and en, key
    assert fields(zh) ^ fields(en) <= ONE_SIDED.get(key, set()), key
    # English is English: the one Chinese word allowed is the sample mark every page carries.
    assert not CJK.search(en.replace(config.SAMPLE_LABEL_ZH, "")), key


def test_label_and_glossed():
    assert labels.label("heading.key_figures", "zh") == "主要指标"
    assert labels.label("heading.key_figures", "en") == "Key figures"
    assert labels.glossed("heading.key_figures", "zh") == "主要指标 Key figures"
    assert labels.glossed("heading.key_figures", "en") == "Key figures"
    assert labels.glossed("index.failures", "zh", sep=" / ", n=2) == (
        "2 个村的报告生成失败 / 2 village report(s) failed."
    )
    assert (
        labels.label("title.index", "zh", place="大桥镇", year=2019)
        == "大桥镇2019年民生工作报告目录"
    )
    with pytest.raises(ParameterError, match="lang"):
        labels.label("heading.key_figures", "fr")
    with pytest.raises(KeyError):
        labels.label("heading.no_such_heading", "zh")


def test_the_catalog_has_words_in_both_languages():
    catalog = default_catalog()
    for ind in catalog:
        assert f"section.{ind.category}" in labels.LABELS, ind.id
        assert ind.unit in labels.UNITS, ind.id
        assert not CJK.search(labels.indicator_label(ind, "en")), ind.id
    ind = catalog["medical_reimbursement_wan"]
    assert labels.indicator_label(ind, "zh") == "医疗报销金额(万元)"
    assert labels.indicator_label(ind, "en") == "medical reimbursement amount (10k yuan)"
    assert labels.unit_word("km", "zh") == "公里"
    assert labels.unit_word("户", "en", one=True) == "household"


def test_trends_keeps_its_status_names():
    # The projections table stores status_zh; its words are the labels' own.
    assert trends.STATUS_ZH is labels.STATUS_ZH
    assert trends.STATUS_ZH["on track"] == labels.label("status.on track", "zh") == "有望达成"
    assert trends.MODEL_ZH["linear"] == "线性趋势"
    assert set(trends.ESCAP_ZH) == set(labels.ESCAP)
    assert set(trends.EUROSTAT_ZH) == set(labels.EUROSTAT)
