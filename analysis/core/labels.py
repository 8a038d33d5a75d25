"""Every word a reader sees, in Chinese and English, in one place.

Pages, charts, maps, the written summary, the Word document and the officials' workbook take
their headings, page titles, column headers, status words, units and source lines from here,
so one thing is called by one name everywhere. Each word has a stable key and a Chinese and an
English form:

* :func:`label` — the word in the page's language: ``label("heading.key_figures", "en")``.
* :func:`glossed` — the same, with the English after the Chinese on a Chinese page
  (主要指标 Key figures): the house style for headings, navigation and page furniture, so an
  English reader finds their way around a Chinese page.
* :func:`indicator_name`, :func:`indicator_label`, :func:`unit_word`, :func:`unit_header` —
  indicators and units, from the catalog's names.

The narrative's sentence templates live beside the code that fills them
(:mod:`analysis.reporting.narrative.wording`); the words they share with pages and tables
(section names, status words, units) come from here.
"""

from __future__ import annotations

from analysis.core.catalog import Indicator
from analysis.core.words import WORDS
from analysis.errors import ParameterError

LANGS = ("zh", "en")
#: Where a legend entry's bracketed words begin, in either language: they go on a line of their
#: own (:func:`analysis.geo.maps`' legends).
BRACKETS = ("（", " (")

#: The summary's sections (the catalog's categories).
SECTIONS = {
    "base": ("基本情况", "Population"),
    "poverty": ("脱贫攻坚", "Poverty alleviation"),
    "social_security": ("社会保障", "Social security"),
    "environment": ("人居环境", "Living environment"),
    "industry": ("产业发展", "Industry"),
}
#: A target's status (``status_en`` of the projections), in the order a report lists them.
STATUSES = {
    "achieved": ("已达成", "achieved"),
    "on track": ("有望达成", "on track"),
    "acceleration needed": ("需加速", "acceleration needed"),
    "deteriorating": ("倒退", "deteriorating"),
    "insufficient data": ("数据不足", "insufficient data"),
    "no target": ("无目标", "no target"),
    "not assessed": ("未测算", "not assessed"),
}
#: UN ESCAP's progress categories.
ESCAP = {
    "maintain progress": ("保持", "maintain progress"),
    "accelerate": ("需加速", "accelerate"),
    "reverse trend": ("扭转倒退", "reverse trend"),
}
#: Eurostat's progress bands.
EUROSTAT = {
    "achieved": ("已达成", "achieved"),
    "on track": ("进展顺利", "on track"),
    "acceleration needed": ("需加速", "acceleration needed"),
    "limited progress": ("进展有限", "limited progress"),
    "deterioration": ("倒退", "deterioration"),
}
#: The projection models.
MODELS = {
    "linear": ("线性趋势", "linear trend"),
    "log-linear": ("对数线性（固定增长率）", "log-linear (constant growth rate)"),
    "drift": ("年均变化外推", "drift (mean yearly change)"),
    "log-drift": ("年均增长率外推", "log-drift (mean growth rate)"),
    "logit-linear": ("logit线性（有界比率）", "logit-linear (bounded rate)"),
    "logit-drift": ("logit年均变化外推", "logit-drift (bounded rate)"),
    "damped ETS": ("阻尼趋势指数平滑", "damped-trend exponential smoothing"),
}
#: A published figure checked against the data (the reconciliation's ``status``).
RECONCILIATION = {
    "match": ("一致", "match"),
    "rounding": ("一致（四舍五入）", "match (rounded)"),
    "differs": ("不一致", "differs"),
    "not checked": ("未核对", "not checked"),
}
#: Why a published figure was not checked (the reconciliation's ``reason``).
NOT_CHECKED = {
    "no number": ("原文为文字表述，没有具体数字", "stated in words, without a figure"),
    "no indicator": ("没有对应的指标，数据中无此项", "no indicator in the data holds it"),
    "no data": ("数据中缺少此值", "the data has no value for it"),
    "no target": ("目标表中没有此目标", "not in the targets table"),
}

#: Units: the Chinese word a document writes, the English word for one and for many (empty
#: where English names the thing counted instead, e.g. 3 workshops), and the English word in a
#: table header. English has no 万: a 万元 figure is written in yuan.
UNITS: dict[str, tuple[str, str, str, str]] = {
    "户": ("户", "household", "households", "households"),
    "人": ("人", "person", "people", "people"),
    "人次": ("人次", "visit", "visits", "visits"),
    "元": ("元", "yuan", "yuan", "yuan"),
    "万元": ("万元", "yuan", "yuan", "10k yuan"),
    "亩": ("亩", "mu", "mu", "mu"),
    "km": ("公里", "km", "km", "km"),
    "%": ("%", "%", "%", "%"),
    "个": ("个", "", "", "number"),
    "座": ("座", "", "", "number"),
    "条": ("条", "", "", "number"),
    "栋": ("栋", "", "", "number"),
    "座/百户": ("座/百户", "per 100 households", "per 100 households", "per 100 households"),
    # units of the published document's own figures (published_figures.csv)
    "份": ("份", "copy", "copies", "copies"),
    "件": ("件", "item", "items", "items"),
    "项": ("项", "item", "items", "items"),
    "个/村": ("个/村", "per village", "per village", "per village"),
}

#: Every word, by key: the groups above under ``section.``, ``status.``, ``escap.``,
#: ``eurostat.``, ``model.``, ``reconciliation.`` and ``not_checked.``, and the words themselves.
LABELS: dict[str, tuple[str, str]] = {
    **{f"section.{k}": v for k, v in SECTIONS.items()},
    **{f"status.{k}": v for k, v in STATUSES.items()},
    **{f"escap.{k}": v for k, v in ESCAP.items()},
    **{f"eurostat.{k}": v for k, v in EUROSTAT.items()},
    **{f"model.{k}": v for k, v in MODELS.items()},
    **{f"reconciliation.{k}": v for k, v in RECONCILIATION.items()},
    **{f"not_checked.{k}": v for k, v in NOT_CHECKED.items()},
    **WORDS,
}

#: The Chinese words by id, for code that stores them in tables (trends' ``status_zh``).
SECTION_ZH = {k: zh for k, (zh, _) in SECTIONS.items()}
SECTION_EN = {k: en for k, (_, en) in SECTIONS.items()}
STATUS_ZH = {k: zh for k, (zh, _) in STATUSES.items()}
MODEL_ZH = {k: zh for k, (zh, _) in MODELS.items()}
ESCAP_ZH = {k: zh for k, (zh, _) in ESCAP.items()}
EUROSTAT_ZH = {k: zh for k, (zh, _) in EUROSTAT.items()}


def check_lang(lang: str) -> str:
    """``lang`` itself when it is one of :data:`LANGS`; a :class:`ParameterError` otherwise."""
    if lang not in LANGS:
        raise ParameterError(
            f"语言只能是 {' / '.join(LANGS)} / lang must be one of {LANGS}, got {lang!r}"
        )
    return lang


def label(key: str, lang: str = "zh", **fields: object) -> str:
    """The word ``key`` in ``lang``; ``fields`` fill its placeholders (``{year}``), if given.

    >>> label("heading.key_figures", "en")
    'Key figures'
    >>> label("title.index", "zh", place="大桥镇", year=2019)
    '大桥镇2019年民生工作报告目录'
    """
    zh, en = LABELS[key]
    text = en if check_lang(lang) == "en" else zh
    return text.format(**fields) if fields else text


def forms(key: str, lang: str = "zh", **fields: object) -> list[str]:
    """The word in the page's language, then its English gloss on a Chinese page."""
    shown = ("zh", "en") if check_lang(lang) == "zh" else ("en",)
    return [label(key, form, **fields) for form in shown]


def glossed(key: str, lang: str = "zh", sep: str = " ", **fields: object) -> str:
    """On a Chinese page the Chinese word then its English (主要指标 Key figures); else English."""
    return sep.join(forms(key, lang, **fields))


def indicator_name(ind: Indicator, lang: str = "zh") -> str:
    """The indicator's name from the catalog: 医疗保险参保率 / medical insurance participation rate."""
    return ind.en if check_lang(lang) == "en" else ind.zh


def unit_header(unit: str, lang: str = "zh") -> str:
    """A unit as a table header or axis writes it: 万元 / 10k yuan."""
    if check_lang(lang) == "zh":
        return unit
    return UNITS[unit][3] if unit in UNITS else unit


def indicator_label(ind: Indicator, lang: str = "zh") -> str:
    """A table header: 医疗保险参保率(%) / medical reimbursement amount (10k yuan)."""
    if check_lang(lang) == "zh":
        return ind.label_zh
    return f"{ind.en} ({unit_header(ind.unit, lang)})"


def unit_self(kind: object, lang: str = "zh") -> str:
    """How a page names its own unit, by the registry's ``kind``: 本村 for a 村委会, 本社区 for
    a 居委会; 本村 where the kind is not known."""
    key = f"self.{kind}"
    return label(key if key in WORDS else "self.村委会", lang)


def unit_word(unit: str, lang: str = "zh", *, one: bool = False) -> str:
    """The unit after a number: 公里 for km in Chinese; household / households in English.

    ``one`` chooses the English singular. An empty English word means the unit has no English
    noun (个, 座, 栋): the sentence names what is counted.
    """
    if unit not in UNITS:
        return unit
    zh, singular, plural, _ = UNITS[unit]
    if check_lang(lang) == "zh":
        return zh
    return singular if one else plural
