"""The annual livelihood summary (民生工作总结), written from the processed tables (issue 8).

A township writes the same document by hand every year: section after section of figures, then
a plan for the next year. Here every figure sentence is rendered from the tables, so the text
cannot disagree with the data: a figure that is absent (or NaN) produces no sentence, and a
figure that changes in the raw data changes in the text.

* :func:`summary` — the township summary in the document's own structure (一、脱贫攻坚 …
  五、下一年工作打算), as a :class:`Summary` with text, Markdown and escaped-HTML renderings.
* :func:`village_paragraph` — a short paragraph for one village's report.
* :func:`write_docx` — the summary and its key tables as a Word document.

All wording lives in :data:`TEMPLATES` (the figure sentences) and :data:`PHRASES` (the fixed
words around them); the functions below only choose and fill them.
"""

from __future__ import annotations

import dataclasses
import math
import string
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import config
from analysis.core import trends
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import SECTION_EN, SECTION_ZH
from analysis.iorw import atomic_path
from analysis.pipeline.store import Tables

LANGS = ("zh", "en")
#: The summary's figure sections, in the document's order; the plan section follows them.
CATEGORIES = ("poverty", "social_security", "environment", "industry")
#: A village paragraph states these figures (where present) with their change.
VILLAGE_KEYS = (
    "poor_households_remaining",
    "poor_people_remaining",
    "medical_insurance_rate",
    "pension_insurance_rate",
    "sanitary_toilet_rate",
    "toilets_upgraded",
    "vegetable_greenhouse_area_mu",
    "navel_orange_area_mu",
)
#: A village breakdown names at most this many villages, then says how many more.
BREAKDOWN_LIMIT = 6


@dataclass(frozen=True)
class Sentence:
    """One topic of a section, e.g. 易地扶贫搬迁.

    ``clauses`` are joined by ``sep``; each clause is a tuple of alternative templates. Every
    alternative whose figures are all present and not yet stated is used, in order, so the first
    (the document's full sentence) wins when the data is complete and the shorter ones cover
    whatever is left when it is not. ``{indicator_id}`` renders a figure with its unit,
    ``{indicator_id:noun/nouns}`` the number with an English noun in the right number, and
    ``{year}`` the summary's year. ``breakdown`` names indicators to spell out village by
    village (其中新塘村19栋118.35亩、…). English templates set ``sep`` themselves.
    """

    lead: str
    clauses: tuple[tuple[str, ...], ...]
    sep: str = "；"
    breakdown: tuple[str, ...] = ()


#: The figure sentences of the summary, by language and section (catalog category).
TEMPLATES: dict[str, dict[str, tuple[Sentence, ...]]] = {
    "zh": {
        "poverty": (
            Sentence(
                "",
                (
                    ("{year}年全镇脱贫{poverty_exit_households}",),
                    (
                        "截至年底剩余未脱贫{poor_households_remaining}{poor_people_remaining}",
                        "截至年底剩余未脱贫户{poor_households_remaining}",
                        "截至年底剩余未脱贫人口{poor_people_remaining}",
                    ),
                ),
            ),
            Sentence(
                "易地扶贫搬迁方面，",
                (
                    (
                        "全镇易地扶贫集中安置点{relocated_poor_households}建档立卡贫困户和"
                        "{relocated_other_households}同步搬迁农户已搬迁入住",
                        "全镇易地扶贫集中安置点{relocated_poor_households}建档立卡贫困户已搬迁入住",
                        "全镇{relocated_other_households}同步搬迁农户已搬迁入住",
                    ),
                ),
            ),
            Sentence(
                "产业扶贫方面，",
                (
                    (
                        "全镇共有{industry_subsidy_households}贫困户申报了"
                        "{industry_subsidy_yuan}产业奖补",
                        "全镇共有{industry_subsidy_households}贫困户申报了产业奖补",
                        "全镇申报产业奖补{industry_subsidy_yuan}",
                    ),
                ),
            ),
            Sentence(
                "就业扶贫方面，",
                (
                    (
                        "全镇有{workshops}扶贫车间，带动贫困户就业{workshop_employed}",
                        "全镇有{workshops}扶贫车间",
                        "扶贫车间带动贫困户就业{workshop_employed}",
                    ),
                    (
                        "开发公益性岗位{public_welfare_jobs}，其中安排乡村保洁员"
                        "{village_cleaners}，护林员{forest_rangers}",
                        "开发公益性岗位{public_welfare_jobs}",
                        "安排乡村保洁员{village_cleaners}",
                        "安排护林员{forest_rangers}",
                    ),
                ),
            ),
        ),
        "social_security": (
            Sentence(
                "{year}年，",
                (
                    ("医疗保险参保率为{medical_insurance_rate}",),
                    (
                        "贫困户四道保障线医疗报销{medical_reimbursement_visits}，"
                        "报销资金{medical_reimbursement_wan}",
                        "贫困户四道保障线医疗报销{medical_reimbursement_visits}",
                        "贫困户四道保障线医疗报销资金{medical_reimbursement_wan}",
                    ),
                ),
                sep="，",
            ),
            Sentence(
                "",
                (
                    ("养老保险参保率{pension_insurance_rate}",),
                    ("累计发放养老金{pension_paid_wan}",),
                ),
                sep="，",
            ),
        ),
        "environment": (
            Sentence(
                "推进“厕所革命”，",
                (
                    (
                        "新建、改建卫生户厕所{toilets_upgraded}、乡村公厕{public_toilets_built}",
                        "新建、改建卫生户厕所{toilets_upgraded}",
                        "新建乡村公厕{public_toilets_built}",
                    ),
                    ("全镇卫生厕所普及率达到{sanitary_toilet_rate}",),
                ),
            ),
            Sentence("", (("全年投入{environment_investment_wan}用于农村人居环境整治",),)),
            Sentence(
                "",
                (
                    ("全年拆除土坯房{mud_brick_houses_demolished}",),
                    ("建成农村生活污水处理设施村点{sewage_sites}",),
                ),
            ),
            Sentence(
                "",
                (
                    ("完成公路硬化工程{road_hardening_works}",),
                    ("全镇硬化公路里程达到{hardened_road_km}",),
                ),
            ),
        ),
        "industry": (
            Sentence(
                "蔬菜产业方面，",
                (
                    (
                        "全镇建有蔬菜大棚{vegetable_greenhouses}，共{vegetable_greenhouse_area_mu}",
                        "全镇建有蔬菜大棚{vegetable_greenhouses}",
                        "全镇蔬菜大棚面积{vegetable_greenhouse_area_mu}",
                    ),
                ),
                breakdown=("vegetable_greenhouses", "vegetable_greenhouse_area_mu"),
            ),
            Sentence(
                "脐橙产业方面，",
                (("全镇脐橙种植面积{navel_orange_area_mu}",),),
                breakdown=("navel_orange_area_mu",),
            ),
        ),
    },
    "en": {
        "poverty": (
            Sentence(
                "",
                (
                    ("in {year}, {poverty_exit_households} left poverty",),
                    (
                        "at the end of the year {poor_households_remaining} "
                        "({poor_people_remaining}) remained poor",
                        "at the end of the year {poor_households_remaining} remained poor",
                        "at the end of the year {poor_people_remaining} remained poor",
                    ),
                ),
                sep="; ",
            ),
            Sentence(
                "relocation: ",
                (
                    (
                        "{relocated_poor_households:registered poor household/registered poor "
                        "households} and {relocated_other_households:household/households} "
                        "relocated alongside them moved into the township's resettlement sites",
                        "{relocated_poor_households:registered poor household/registered poor "
                        "households} moved into the township's resettlement sites",
                        "{relocated_other_households:household/households} relocated alongside "
                        "the poor moved into the township's resettlement sites",
                    ),
                ),
            ),
            Sentence(
                "industry support: ",
                (
                    (
                        "{industry_subsidy_households:poor household/poor households} applied "
                        "for {industry_subsidy_yuan} of industry subsidies",
                        "{industry_subsidy_households:poor household/poor households} applied "
                        "for industry subsidies",
                        "industry subsidies of {industry_subsidy_yuan} were applied for",
                    ),
                ),
            ),
            Sentence(
                "employment: ",
                (
                    (
                        "the township's {workshops:poverty-alleviation workshop/poverty-"
                        "alleviation workshops} employed {workshop_employed} from poor households",
                        "the township had {workshops:poverty-alleviation workshop/poverty-"
                        "alleviation workshops}",
                        "poverty-alleviation workshops employed {workshop_employed} from poor "
                        "households",
                    ),
                    (
                        "the township created {public_welfare_jobs:public-welfare job/public-"
                        "welfare jobs}, among them posts for {village_cleaners:village cleaner/"
                        "village cleaners} and {forest_rangers:forest ranger/forest rangers}",
                        "the township created {public_welfare_jobs:public-welfare job/public-"
                        "welfare jobs}",
                        "the township employed {village_cleaners:village cleaner/village cleaners}",
                        "the township employed {forest_rangers:forest ranger/forest rangers}",
                    ),
                ),
                sep="; ",
            ),
        ),
        "social_security": (
            Sentence(
                "in {year}, ",
                (
                    ("medical insurance participation was {medical_insurance_rate}",),
                    (
                        "the four safety lines made {medical_reimbursement_visits:reimbursement/"
                        "reimbursements} of poor households' medical costs, totalling "
                        "{medical_reimbursement_wan}",
                        "the four safety lines made {medical_reimbursement_visits:reimbursement/"
                        "reimbursements} of poor households' medical costs",
                        "the four safety lines reimbursed {medical_reimbursement_wan} of poor "
                        "households' medical costs",
                    ),
                ),
                sep=", ",
            ),
            Sentence(
                "",
                (
                    ("pension insurance participation was {pension_insurance_rate}",),
                    ("pensions paid to date totalled {pension_paid_wan}",),
                ),
                sep=", ",
            ),
        ),
        "environment": (
            Sentence(
                "toilet revolution: ",
                (
                    (
                        "the township built or rebuilt {toilets_upgraded:household sanitary "
                        "toilet/household sanitary toilets} and {public_toilets_built:village "
                        "public toilet/village public toilets}",
                        "the township built or rebuilt {toilets_upgraded:household sanitary "
                        "toilet/household sanitary toilets}",
                        "the township built {public_toilets_built:village public toilet/village "
                        "public toilets}",
                    ),
                    ("sanitary toilet coverage reached {sanitary_toilet_rate}",),
                ),
                sep="; ",
            ),
            Sentence(
                "",
                (
                    (
                        "{environment_investment_wan} was invested in the rural living "
                        "environment during the year",
                    ),
                ),
            ),
            Sentence(
                "",
                (
                    (
                        "the township demolished {mud_brick_houses_demolished:mud-brick house/"
                        "mud-brick houses}",
                    ),
                    (
                        "it had {sewage_sites:village sewage treatment site/village sewage "
                        "treatment sites}",
                    ),
                ),
                sep="; ",
            ),
            Sentence(
                "",
                (
                    (
                        "the township completed {road_hardening_works:road hardening work/road "
                        "hardening works}",
                    ),
                    ("hardened roads reached {hardened_road_km}",),
                ),
                sep="; ",
            ),
        ),
        "industry": (
            Sentence(
                "vegetables: ",
                (
                    (
                        "the township had {vegetable_greenhouses:vegetable greenhouse/vegetable "
                        "greenhouses} covering {vegetable_greenhouse_area_mu}",
                        "the township had {vegetable_greenhouses:vegetable greenhouse/vegetable "
                        "greenhouses}",
                        "vegetable greenhouses covered {vegetable_greenhouse_area_mu}",
                    ),
                ),
                breakdown=("vegetable_greenhouses", "vegetable_greenhouse_area_mu"),
            ),
            Sentence(
                "navel oranges: ",
                (("navel oranges were grown on {navel_orange_area_mu}",),),
                breakdown=("navel_orange_area_mu",),
            ),
        ),
    },
}

#: The fixed words around the figures, by language.
PHRASES: dict[str, dict[str, Any]] = {
    "zh": {
        # punctuation and joining
        "space": "",
        "comma": "，",
        "semicolon": "；",
        "stop": "。",
        "list": "、",
        "and": "",
        # titles
        "title": "{town}{year}年民生工作总结",
        "sample": f"{config.SAMPLE_LABEL_ZH}：本总结由合成的示例数据生成，不是真实统计。",
        "section": "{number}、{title}",
        "numerals": "一二三四五六七八九十",
        "sections": {
            "poverty": "脱贫攻坚",
            "social_security": "社会保障",
            "environment": "人居环境",
            "industry": "产业发展",
        },
        "plan": "{year}年工作打算",
        # year-on-year changes
        "up": "增加",
        "down": "减少",
        "rate_up": "提高",
        "rate_down": "下降",
        "points": "{n}个百分点",
        "change_one": "，比上年{verb}{amount}",
        "same_one": "，与上年持平",
        "changes": "与上年相比，{items}。",
        "change_item": "{name}{verb}{amount}",
        "same_item": "{name}持平",
        # village breakdowns and projects
        "breakdown": "其中{items}",
        "breakdown_more": "等{n}个村",
        "projects": "项目管理方面，全镇共有{batches}批{n}个扶贫项目已批复，其中{items}。",
        "project_item": "{batch}{n}个，合计{amount}",
        "projects_all_started": "{n}个项目均已开工，其中{done}个项目已竣工。",
        "projects_started": "{started}个项目已开工，其中{done}个项目已竣工。",
        # the plan
        "plan_counts": "对照{years}年{n}项目标，按当前趋势测算，{items}。",
        "plan_count_item": "{status}{n}项",
        "plan_head": "{ordinal}，{head}。",
        "ordinals": ("第一", "第二", "第三", "第四", "第五"),
        "plan_heads": {
            "poverty": "巩固脱贫攻坚成果",
            "social_security": "提升社会保障水平",
            "environment": "大力提升人居环境",
            "industry": "持续发展特色产业",
            "base": "夯实基础工作",
        },
        "township": "全镇",
        "trend": "按当前趋势，",
        "reach": "{year}年{scope}{name}预计{verb}{value}",
        "reach_up": "达到",
        "reach_down": "降至",
        "interval": "（{level}%区间{interval}）",
        "chance_goal": "，达到{target}目标的概率{p}",
        "chance_zero": "，实现清零的概率{p}",
        "chance_cap": "，控制在{target}以内的概率{p}",
        "p_about": "约为{p}%",
        "p_low": "不足1%",
        "p_high": "超过99%",
        "shortfall": "，距目标尚差{gap}",
        "on track": "，有望如期完成",
        "acceleration needed": "，需加快推进（实现目标需年均{verb}{amount}）",
        "deteriorating": "，且近年呈倒退趋势，需扭转（实现目标需年均{verb}{amount}）",
        "task_poverty": "围绕剩余{items}脱贫任务，",
        "task_zero": "围绕{scope}{name}剩余{items}的清零任务，",
        "achieved": "{scope}{name}{year}年已{verb}{value}，{target_year}年{target}的目标已提前"
        "实现，需巩固保持",
        "achieved_up": "达到",
        "achieved_down": "降至",
        "refused": "{scope}{name}{target_year}年目标为{target}，目前仅有{n}年数据（趋势预测至少"
        "需要{min}年），暂不作预测",
        "refused_last": "，{year}年为{value}",
        "unassessed": "{scope}{name}{target_year}年目标为{target}，尚未作趋势测算",
        "not assessed": "未测算",
        # the village paragraph
        "village_intro": "{name}{year}年共有{figures}",
        "village_no_data": "{name}{year}年暂无数据。",
        "village_figure": "{name}{value}",
        "village_rate": "{name}为{value}",
        "village_trend": "按当前趋势，{year}年本村{items}。",
        "village_projection": "{name}预计{verb}{value}",
        "village_goal": "（全镇目标{target}）",
        "village_refused": "{name}数据不足，暂不预测",
        "village_share": "本村参与{scope}{name}{target}目标，目前状态：{status}。",
        # the Word document
        "key_figures": "{year}年主要指标（与{previous}年对比）",
        "figure_headers": ("板块", "指标", "同比"),
        "dated": "{value}（{year}年）",
        "same_cell": "持平",
        "targets": "{year}年目标",
        "target_headers": ("范围", "指标", "目标", "最新值", "预测值", "区间", "达成概率", "状态"),
    },
    "en": {
        "space": " ",
        "comma": ", ",
        "semicolon": "; ",
        "stop": ".",
        "list": "; ",
        "and": " and ",
        "title": "{town} livelihood work summary {year}",
        "sample": "Sample data: this summary is generated from synthetic figures, not real "
        "statistics.",
        "section": "{number}. {title}",
        "numerals": None,
        "sections": {
            "poverty": "Poverty alleviation",
            "social_security": "Social security",
            "environment": "Living environment",
            "industry": "Industry",
        },
        "plan": "Plans for {year}",
        "up": "up",
        "down": "down",
        "rate_up": "up",
        "rate_down": "down",
        "points": "{n} percentage points",
        "change_one": ", {verb} {amount} on the year before",
        "same_one": ", unchanged from the year before",
        "changes": "Compared with the year before: {items}.",
        "change_item": "{name} {verb} {amount}",
        "same_item": "{name} unchanged",
        "breakdown": "of which {items}",
        "breakdown_more": "and {n} more villages",
        "projects": "Project management: {n} poverty-alleviation projects in {batches} batches "
        "have been approved, totalling {amount}.",
        "projects_all_started": "All {n} have started and {done} are completed.",
        "projects_started": "{started} have started and {done} are completed.",
        "plan_counts": "Against the {n} targets for {years}, on current trends: {items}.",
        "plan_count_item": "{n} {status}",
        "plan_head": "{ordinal}, {head}.",
        "ordinals": ("First", "Second", "Third", "Fourth", "Fifth"),
        "plan_heads": {
            "poverty": "consolidate the gains against poverty",
            "social_security": "raise social security",
            "environment": "improve the living environment",
            "industry": "develop the township's industries",
            "base": "strengthen the basics",
        },
        "township": "the township",
        "trend": "on current trends, ",
        "reach": "{scope}{name} is expected to {verb} {value} in {year}",
        "reach_up": "reach",
        "reach_down": "fall to",
        "interval": " ({level}% interval {interval})",
        "chance_goal": ", with {p} chance of meeting the target of {target}",
        "chance_zero": ", with {p} chance of reaching zero",
        "chance_cap": ", with {p} chance of staying within {target}",
        "p_about": "about a {p}%",
        "p_low": "less than a 1%",
        "p_high": "more than a 99%",
        "shortfall": ", {gap} short of the target",
        "on track": ", and is on track",
        "acceleration needed": "; progress must speed up (the target needs {verb} {amount} a year)",
        "deteriorating": "; the trend has gone the wrong way and must be reversed (the target "
        "needs {verb} {amount} a year)",
        "need_up": "an increase of",
        "need_down": "a decrease of",
        "task_poverty": "with {items} still to lift out of poverty, ",
        "task_zero": "with {items} of {scope}{name} still to clear, ",
        "achieved": "{scope}{name} {verb} {value} in {year}, meeting the {target_year} target "
        "of {target} early; the gain must be kept",
        "achieved_up": "reached",
        "achieved_down": "fell to",
        "refused": "{scope}{name}: the {target_year} target is {target}, but only {n} years of "
        "data exist (a trend needs at least {min}), so no projection is made",
        "refused_last": "; the {year} value is {value}",
        "unassessed": "{scope}{name}: the {target_year} target is {target}; no projection has "
        "been made",
        "not assessed": "not assessed",
        "village_intro": "in {year} {name} had {figures}",
        "village_no_data": "No data for {name} in {year}.",
        "village_figure": "{name}: {value}",
        "village_rate": "{name}: {value}",
        "village_trend": "On current trends, in {year}: {items}.",
        "village_projection": "{name} is expected to {verb} {value}",
        "village_goal": " (township target {target})",
        "village_refused": "{name}: too little data to project",
        "village_share": "The village shares the target of {target} for {scope}'s {name}; "
        "status: {status}.",
        "key_figures": "Key figures {year} (with {previous})",
        "figure_headers": ("Section", "Indicator", "Change"),
        "dated": "{value} ({year})",
        "same_cell": "unchanged",
        "targets": "Targets for {year}",
        "target_headers": (
            "Scope",
            "Indicator",
            "Target",
            "Latest",
            "Projected",
            "Interval",
            "Probability",
            "Status",
        ),
    },
}

#: English unit words (one, many); an empty word means the template names the thing itself.
UNITS_EN = {
    "户": ("household", "households"),
    "人": ("person", "people"),
    "人次": ("visit", "visits"),
    "元": ("yuan", "yuan"),
    "万元": ("yuan", "yuan"),
    "亩": ("mu", "mu"),
    "km": ("km", "km"),
    "%": ("%", "%"),
}
#: English units in table headers, where a figure stands without its noun.
UNIT_LABELS_EN = {
    "户": "households",
    "人": "people",
    "人次": "visits",
    "元": "yuan",
    "万元": "10k yuan",
    "亩": "mu",
    "个": "number",
    "座": "number",
    "条": "number",
    "栋": "number",
}
#: Chinese unit words where the catalog's unit is not what a document writes.
UNITS_ZH = {"km": "公里"}

#: Fonts of the Word document: 宋体 body and 黑体 headings, as township documents are set.
BODY_FONT_ZH, HEADING_FONT_ZH, LATIN_FONT = "宋体", "黑体", "Times New Roman"


# --- numbers as the document writes them -----------------------------------------------------


def _trim(value: float, decimals: int, grouping: bool) -> str:
    """``value`` with at most ``decimals`` decimals and no trailing zeros (21.50 → 21.5)."""
    text = f"{value:,.{decimals}f}" if grouping else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _number(value: float, ind: Indicator, lang: str) -> str:
    """The bare number: 86 or 86.4 for rates, 335.26 for 万元, whole numbers for counts and 元.

    English has no 万, so 万元 amounts are given in yuan (335.26万元 → 3,352,600), which is
    exact for the two decimals a 万元 figure carries.
    """
    grouping = lang == "en"
    if ind.unit == "万元":
        return _trim(value * 10_000, 0, grouping) if lang == "en" else _trim(value, 2, grouping)
    if ind.unit == "元" or ind.integer:
        return _trim(value, 0, grouping)
    if ind.kind == "rate":
        return _trim(value, 1, grouping)
    return _trim(value, 2, grouping)


def _unit(number: str, ind: Indicator, lang: str) -> str:
    if lang == "zh":
        return UNITS_ZH.get(ind.unit, ind.unit)
    one, many = UNITS_EN.get(ind.unit, ("", ""))
    return one if number == "1" else many


def _with_unit(value: float, ind: Indicator, lang: str) -> str:
    """The figure with its unit: 1544人次, 86%, 335.26万元 / 1,544 visits, 3,352,600 yuan."""
    number = _number(value, ind, lang)
    unit = _unit(number, ind, lang)
    if lang == "zh" or unit in ("", "%"):
        return f"{number}{unit}"
    return f"{number} {unit}"


def _interval(lower: float, upper: float, ind: Indicator, lang: str) -> str:
    """86.9%–89.3%, 1–3个, 64.39–65.54 km: the unit once, except for percentages."""
    if ind.unit == "%":
        return f"{_with_unit(lower, ind, lang)}–{_with_unit(upper, ind, lang)}"
    return f"{_number(lower, ind, lang)}–{_with_unit(upper, ind, lang)}"


def _difference(value: float, ind: Indicator, lang: str) -> str:
    """A difference: percentage points for rates (个百分点), else the figure's own unit."""
    if ind.kind == "rate":
        return PHRASES[lang]["points"].format(n=_trim(value, 1, lang == "en"))
    return _with_unit(value, ind, lang)


def _is_zero(value: float, ind: Indicator) -> bool:
    """True when ``value`` prints as zero, so that 增加0户 is never written."""
    return _number(abs(value), ind, "zh") == "0"


def _verb(change: float, ind: Indicator, lang: str) -> str:
    words = PHRASES[lang]
    if ind.kind == "rate":
        return words["rate_up"] if change > 0 else words["rate_down"]
    return words["up"] if change > 0 else words["down"]


def _name(ind: Indicator, lang: str) -> str:
    return ind.zh if lang == "zh" else ind.en


def _label(ind: Indicator, lang: str) -> str:
    """A table header: 医疗保险参保率(%) / medical reimbursement amount (10k yuan)."""
    if lang == "zh":
        return ind.label_zh
    return f"{ind.en} ({UNIT_LABELS_EN.get(ind.unit, ind.unit)})"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Figure:
    """A figure for ``str.format``.

    ``{x}`` gives value and unit (1544人次); ``{x:workshop/workshops}`` the number with the
    noun in the right number (1 workshop, 2 workshops), for English nouns the unit cannot name.
    """

    def __init__(self, value: float, ind: Indicator, lang: str) -> None:
        self.value, self.ind, self.lang = value, ind, lang

    def __format__(self, spec: str) -> str:
        if not spec:
            return _with_unit(self.value, self.ind, self.lang)
        number = _number(self.value, self.ind, self.lang)
        one, _, many = spec.partition("/")
        return f"{number} {one if number == '1' else many or one}"


def _fields(template: str) -> list[str]:
    """The placeholder names of a template, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


# --- reading the tables ----------------------------------------------------------------------


def _values(frame: pd.DataFrame, year: int) -> dict[str, float]:
    """Indicator id → value in ``year`` from year/indicator/value rows; NaN is left out."""
    rows = frame[(frame["year"] == year) & frame["value"].notna()]
    return dict(zip(rows["indicator"].astype(str), rows["value"].astype(float), strict=True))


def _town_name(tables: Tables) -> str:
    if "town_name" in tables.villages.columns:
        names = tables.villages["town_name"].dropna().astype(str)
        if not names.empty:
            return names.iloc[0]
    return config.SAMPLE_TOWN_NAME


def _village_names(tables: Tables) -> dict[str, str]:
    """Code → the name villagers write (the short name, else the official one)."""
    villages = tables.villages
    names = villages["name"]
    if "short_name" in villages.columns:
        names = villages["short_name"].fillna(names)
    return dict(zip(villages["code"].astype(str), names.astype(str), strict=True))


def _scope_label(scope: str, names: dict[str, str], lang: str) -> str:
    """'' for the township; 青光村、竹村村 for a scope of village codes."""
    if scope == "township":
        return ""
    joiner = "、" if lang == "zh" else " and "
    return joiner.join(names.get(code, code) for code in scope.split(";"))


def _as_of(tables: Tables, year: int) -> Tables:
    """The tables with the projections that could have been made at the end of ``year``.

    The processed projections use every year of data; the plan written in an earlier year's
    summary must not see the years after it, so it is projected again from the data up to
    ``year``.
    """
    indicators = tables.indicators
    if tables.targets.empty or indicators.empty or year >= int(indicators["year"].max()):
        return tables
    projections = trends.assess_targets(indicators[indicators["year"] <= year], tables.targets)
    return dataclasses.replace(tables, projections=projections)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


# --- the figure sentences --------------------------------------------------------------------


def _change_remark(
    stated: list[str],
    now: dict[str, float],
    before: dict[str, float],
    catalog: Catalog,
    lang: str,
) -> tuple[str, str]:
    """The year-on-year remark for the figures a sentence stated, as (inline, after).

    One figure gets an inline ，比上年增加12户; several get a sentence of their own after the
    sentence (与上年相比，…), so that the document's own sentence stays whole.
    """
    words = PHRASES[lang]
    compared = [i for i in stated if i in before]
    inline, items = "", []
    for indicator_id in compared:
        ind = catalog[indicator_id]
        change = now[indicator_id] - before[indicator_id]
        if _is_zero(change, ind):
            inline = words["same_one"]
            items.append(words["same_item"].format(name=_name(ind, lang)))
        else:
            verb, amount = _verb(change, ind, lang), _difference(abs(change), ind, lang)
            inline = words["change_one"].format(verb=verb, amount=amount)
            items.append(
                words["change_item"].format(name=_name(ind, lang), verb=verb, amount=amount)
            )
    if len(compared) == 1:
        return inline, ""
    if compared:
        return "", words["changes"].format(
            items=words["semicolon" if lang == "en" else "comma"].join(items)
        )
    return "", ""


def _breakdown(ids: tuple[str, ...], year: int, tables: Tables, catalog: Catalog, lang: str) -> str:
    """其中新塘村19栋118.35亩、青光村28栋194亩 — the villages holding a figure, largest first."""
    if not ids:
        return ""
    words = PHRASES[lang]
    rows = tables.indicators[
        (tables.indicators["year"] == year) & tables.indicators["indicator"].isin(ids)
    ]
    wide = rows.pivot_table(index="village_code", columns="indicator", values="value")
    present = [i for i in ids if i in wide.columns]
    if not present:
        return ""
    wide = wide[(wide[present].fillna(0) > 0).any(axis=1)]
    wide = wide.sort_values(present[0], ascending=False, kind="stable")
    names = _village_names(tables)
    items = []
    for code, row in wide.head(BREAKDOWN_LIMIT).iterrows():
        parts = []
        for indicator_id in present:
            if pd.isna(row[indicator_id]):
                continue
            ind = catalog[indicator_id]
            text = _with_unit(row[indicator_id], ind, lang)
            if lang == "en" and not _unit("2", ind, lang):
                text = f"{text} {ind.en}"  # 栋 and 个 have no English word; say what is counted
            parts.append(text)
        label = names.get(str(code), str(code))
        items.append(label + words["space"] + ("" if lang == "zh" else ", ").join(parts))
    if len(wide) > BREAKDOWN_LIMIT:
        items.append(words["breakdown_more"].format(n=len(wide) - BREAKDOWN_LIMIT))
    return words["breakdown"].format(items=words["list"].join(items)) if items else ""


def _nothing_to_say(
    indicator_id: str, now: dict[str, float], before: dict[str, float], catalog: Catalog
) -> bool:
    """True for a zero that was zero the year before too, where zero is no achievement.

    No workshop in 2014 and none in 2013 is not news (全镇有0个扶贫车间 reads as a slip), but
    no poor household left (未脱贫0户) is the point of the work, and a fall to zero is a change.
    """
    ind = catalog[indicator_id]
    return (
        ind.higher_is_better
        and _is_zero(now[indicator_id], ind)
        and _is_zero(before.get(indicator_id, 0.0), ind)
    )


def _sentence(
    template: Sentence,
    year: int,
    now: dict[str, float],
    before: dict[str, float],
    tables: Tables,
    catalog: Catalog,
    lang: str,
) -> str:
    """One topic's sentence, or '' when none of its figures is present."""
    words = PHRASES[lang]
    figures = {
        i: _Figure(v, catalog[i], lang)
        for i, v in now.items()
        if i in catalog and not _nothing_to_say(i, now, before, catalog)
    }
    clauses: list[str] = []
    stated: list[str] = []
    for alternatives in template.clauses:
        parts = []
        for alternative in alternatives:
            names = [n for n in _fields(alternative) if n != "year"]
            if all(n in figures and n not in stated for n in names):
                parts.append(alternative.format(year=year, **figures))
                stated.extend(names)
        if parts:
            clauses.append(words["comma"].join(parts))
    if not clauses:
        return ""
    text = template.lead.format(year=year) + template.sep.join(clauses)
    detail = _breakdown(template.breakdown, year, tables, catalog, lang)
    if detail:
        text += words["comma"] + detail
    inline, after = _change_remark(stated, now, before, catalog, lang)
    text = _capitalise(text + inline + words["stop"])
    return text + words["space"] + after if after else text


def _projects_paragraph(year: int, tables: Tables, catalog: Catalog, lang: str) -> str:
    """项目管理方面: the project list by batch, and how many projects started and finished."""
    projects = tables.projects
    if projects.empty:
        return ""
    if "year" in projects.columns:
        projects = projects[projects["year"] == year]
    elif tables.township.empty or year != int(tables.township["year"].max()):
        # A project list without a year is the current one (扶贫项目库_<latest year>.xlsx); it
        # says nothing about an earlier year.
        return ""
    if projects.empty:
        return ""
    words = PHRASES[lang]
    wan = catalog["medical_reimbursement_wan"]  # formats 万元 amounts as the catalog does
    batches = projects.groupby("batch", sort=False)["amount_wan"].agg(["size", "sum"])
    # Batch names are the Chinese names of funding programmes: English gives the total only.
    items = (
        "；".join(
            words["project_item"].format(
                batch=batch, n=int(row["size"]), amount=_with_unit(row["sum"], wan, lang)
            )
            for batch, row in batches.iterrows()
        )
        if lang == "zh"
        else ""
    )
    n = len(projects)
    started = int(projects["started"].fillna(False).astype(bool).sum())
    done = int(projects["completed"].fillna(False).astype(bool).sum())
    head = words["projects"].format(
        batches=len(batches),
        n=n,
        items=items,
        amount=_with_unit(float(projects["amount_wan"].sum()), wan, lang),
    )
    if started == n:
        status = words["projects_all_started"].format(n=n, done=done)
    else:
        status = words["projects_started"].format(started=started, done=done)
    return head + words["space"] + status


# --- the plan --------------------------------------------------------------------------------


def _probability(p: float, lang: str) -> str:
    words = PHRASES[lang]
    if p < 0.01:
        return words["p_low"]
    if p > 0.99:
        return words["p_high"]
    return words["p_about"].format(p=round(p * 100))


def _possessive(scope: str, lang: str) -> str:
    """The scope as it precedes an indicator name: 青光村、竹村村 / "青光村 and 竹村村's "."""
    if lang == "zh":
        return scope
    return f"{scope}'s " if scope else "the township's "


def _subject(scope: str, lang: str) -> str:
    """The scope as the subject of a sentence: 全镇 or 青光村、竹村村 / "the township's "."""
    return (scope or PHRASES["zh"]["township"]) if lang == "zh" else _possessive(scope, lang)


def _projection_clause(row: Any, ind: Indicator, names: dict[str, str], lang: str) -> str:
    """2020年医疗保险参保率预计达到88.1%（80%区间86.9%–89.3%），达到90%目标的概率约为23%…"""
    words = PHRASES[lang]
    value = _with_unit(row.projected, ind, lang)
    text = words["reach"].format(
        year=int(row.target_year),
        scope=_possessive(_scope_label(str(row.scope), names, lang), lang),
        name=_name(ind, lang),
        verb=words["reach_up" if ind.higher_is_better else "reach_down"],
        value=value,
    )
    # A bounded projection can be certain (0 poor households, interval 0–0): no interval then.
    numbers = {_number(v, ind, lang) for v in (row.projected, row.lower, row.upper)}
    if len(numbers) > 1:
        text += words["interval"].format(
            level=round(row.level * 100), interval=_interval(row.lower, row.upper, ind, lang)
        )
    if math.isfinite(row.probability):
        p, target = _probability(row.probability, lang), _with_unit(row.target, ind, lang)
        if ind.higher_is_better:
            text += words["chance_goal"].format(p=p, target=target)
        elif row.target == 0:
            text += words["chance_zero"].format(p=p)
        else:
            text += words["chance_cap"].format(p=p, target=target)
    shortfall = row.target - row.projected if ind.higher_is_better else row.projected - row.target
    if shortfall > 0 and not _is_zero(shortfall, ind):
        text += words["shortfall"].format(gap=_difference(shortfall, ind, lang))
    status = str(row.status_en)
    if status == "on track":
        text += words[status]
    elif status in ("acceleration needed", "deteriorating"):
        required = row.required_change_per_year
        verb = (
            _verb(required, ind, lang)
            if lang == "zh"
            else words["need_up" if required > 0 else "need_down"]
        )
        text += words[status].format(verb=verb, amount=_difference(abs(required), ind, lang))
    return text


def _target_sentence(row: Any, ind: Indicator, names: dict[str, str], lang: str) -> str:
    """A target that needs no trend clause: already achieved, refused, or never assessed."""
    words = PHRASES[lang]
    scope = _scope_label(str(row.scope), names, lang)
    fields = {
        "scope": _subject(scope, lang),
        "name": _name(ind, lang),
        "target_year": int(row.target_year),
        "target": _with_unit(row.target, ind, lang),
    }
    if row.status_en == "achieved":
        return words["achieved"].format(
            **fields,
            year=int(row.last_year),
            verb=words["achieved_up" if ind.higher_is_better else "achieved_down"],
            value=_with_unit(row.last_value, ind, lang),
        )
    if row.status_en == "insufficient data":
        text = words["refused"].format(**fields, n=int(row.n_points), min=trends.MIN_POINTS)
        if math.isfinite(row.last_value):
            text += words["refused_last"].format(
                year=int(row.last_year), value=_with_unit(row.last_value, ind, lang)
            )
        return text
    return words["unassessed"].format(**fields)


def _target_rows(tables: Tables, catalog: Catalog) -> pd.DataFrame:
    """One row per target, township first, then in catalog order.

    A target's row is its projection row; a target without one (no projections table, or a
    target added after it was written) gets status 'not assessed' rather than disappearing.
    """
    columns = ["scope", "indicator", "target_year", "target"]
    proj = tables.projections
    if not proj.empty:
        proj = proj[proj["row_type"] == "target"].assign(scope=lambda f: f["scope"].astype(str))
    targets = tables.targets
    if not targets.empty:
        targets = pd.DataFrame(
            {
                "scope": targets["scope"].astype(str),
                "indicator": targets["indicator"].astype(str),
                "target_year": targets["target_year"].astype(int),
                "target": targets["target_value"].astype(float),
            }
        )
    if not proj.empty and not targets.empty:
        known = set(
            zip(proj["scope"], proj["indicator"], proj["target_year"].astype(int), strict=True)
        )
        keys = zip(targets["scope"], targets["indicator"], targets["target_year"], strict=True)
        targets = targets[[key not in known for key in keys]]
    frames = [f for f in (proj, targets.assign(status_en="not assessed", ok=False)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*columns, "status_en", "ok"])
    rows = pd.concat(frames, ignore_index=True)
    order = {indicator_id: i for i, indicator_id in enumerate(catalog.ids)}
    rank = pd.DataFrame(
        {
            "village": (rows["scope"] != "township").astype(int),
            "order": rows["indicator"].map(order),
        }
    ).sort_values(["village", "order"], kind="stable")
    return rows.loc[rank.index].reset_index(drop=True)


def _zero_task(group: pd.DataFrame, catalog: Catalog, names: dict[str, str], lang: str) -> str:
    """围绕剩余7户9人脱贫任务，按当前趋势… — open zero targets of one scope, as a task."""
    words = PHRASES[lang]
    inds = [catalog[i] for i in group["indicator"]]
    items = words["and"].join(
        _with_unit(value, ind, lang) for value, ind in zip(group["last_value"], inds, strict=True)
    )
    if all(ind.category == "poverty" for ind in inds):
        task = words["task_poverty"].format(items=items)
    else:
        task = words["task_zero"].format(
            items=items,
            scope=_subject(_scope_label(str(group["scope"].iloc[0]), names, lang), lang),
            name=("、" if lang == "zh" else " and ").join(_name(ind, lang) for ind in inds),
        )
    clauses = [_projection_clause(r, catalog[r.indicator], names, lang) for r in group.itertuples()]
    return _capitalise(task + words["trend"] + words["semicolon"].join(clauses) + words["stop"])


def _plan_paragraphs(tables: Tables, catalog: Catalog, lang: str) -> list[str]:
    """The plan: a count of target statuses, then a numbered paragraph per section."""
    rows = _target_rows(tables, catalog)
    if rows.empty:
        return []
    words = PHRASES[lang]
    names = _village_names(tables)
    counts = rows["status_en"].value_counts()
    labels = {**trends.STATUS_ZH, "not assessed": PHRASES["zh"]["not assessed"]}
    items = words["comma" if lang == "en" else "list"].join(
        words["plan_count_item"].format(status=zh if lang == "zh" else en, n=int(counts[en]))
        for en, zh in labels.items()
        if en in counts.index
    )
    years = "、".join(str(y) for y in sorted(rows["target_year"].astype(int).unique()))
    paragraphs = [words["plan_counts"].format(years=years, n=len(rows), items=items)]

    category = rows["indicator"].map(lambda i: catalog[i].category)
    present = set(category)
    for number, name in enumerate(c for c in (*CATEGORIES, "base") if c in present):
        mine = rows[category == name]
        # Zero targets still open (剩余7户9人 → 0) read as the task they are.
        open_zero = mine[
            (mine["target"] == 0)
            & ~mine["indicator"].map(lambda i: catalog[i].higher_is_better)
            & mine["status_en"].isin(["on track", "acceleration needed", "deteriorating"])
        ]
        sentences = [
            _zero_task(group, catalog, names, lang)
            for _, group in open_zero.groupby("scope", sort=False)
        ]
        for row in mine.drop(open_zero.index).itertuples():
            ind = catalog[row.indicator]
            if row.status_en in ("on track", "acceleration needed", "deteriorating"):
                text = words["trend"] + _projection_clause(row, ind, names, lang)
            else:
                text = _target_sentence(row, ind, names, lang)
            sentences.append(_capitalise(text + words["stop"]))
        head = words["plan_head"].format(
            ordinal=words["ordinals"][number], head=words["plan_heads"][name]
        )
        paragraphs.append(words["space"].join([head, *sentences]))
    return paragraphs


# --- the summary -------------------------------------------------------------------------------


@dataclass
class Section:
    """One section of the summary: a title and its paragraphs."""

    title: str
    paragraphs: list[str] = field(default_factory=list)


def _markdown_escape(text: str) -> str:
    text = escape(text, quote=False)
    return "".join(f"\\{c}" if c in "\\`*_[]#|" else c for c in text)


@dataclass
class Summary:
    """The township's annual summary; ``sample_note`` is set when the data is the sample."""

    title: str
    sections: list[Section]
    lang: str = "zh"
    sample_note: str = ""

    def to_text(self) -> str:
        """Plain text: the title, the sample note, then each section's title and paragraphs."""
        lines = [self.title]
        if self.sample_note:
            lines.append(self.sample_note)
        for section in self.sections:
            lines += ["", section.title, *section.paragraphs]
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """Markdown, with names and figures escaped so that none can become markup."""
        parts = [f"## {_markdown_escape(self.title)}"]
        if self.sample_note:
            parts.append(f"**{_markdown_escape(self.sample_note)}**")
        for section in self.sections:
            parts.append(f"### {_markdown_escape(section.title)}")
            parts += [_markdown_escape(p) for p in section.paragraphs]
        return "\n\n".join(parts) + "\n"

    def to_html(self) -> str:
        """An HTML fragment; every value is escaped."""
        parts = [f'<section class="minsheng-summary" lang="{escape(self.lang)}">']
        parts.append(f"<h2>{escape(self.title)}</h2>")
        if self.sample_note:
            parts.append(f'<p class="sample">{escape(self.sample_note)}</p>')
        for section in self.sections:
            parts.append(f"<h3>{escape(section.title)}</h3>")
            parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        parts.append("</section>")
        return "\n".join(parts) + "\n"


def summary(
    year: int, tables: Tables, *, lang: str = "zh", catalog: Catalog | None = None
) -> Summary:
    """The township's annual livelihood summary for ``year``, written from the tables.

    Parameters
    ----------
    year : int
        The year summarised; the year before gives the year-on-year changes.
    tables : Tables
        The processed tables: ``township`` for the figures, ``indicators`` for the village
        breakdowns, ``projects`` for the project list, ``targets`` and ``projections`` for the
        plan, ``villages`` for names.
    lang : {'zh', 'en'}, default 'zh'
        Language of the text.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    Summary
        Sections 一、脱贫攻坚, 二、社会保障, 三、人居环境, 四、产业发展 and
        五、{year + 1}年工作打算, each where it has something to say (numbered in order). A figure
        that is absent or NaN produces no sentence, nor does a zero that was zero the year
        before where zero is no achievement (全镇有0个扶贫车间). The plan uses the projections
        table for the latest year and projects again from the data up to ``year`` for an
        earlier one.
    """
    _check_lang(lang)
    catalog = catalog or default_catalog()
    return _summary(year, _as_of(tables, year), catalog, lang)


def _summary(year: int, tables: Tables, catalog: Catalog, lang: str) -> Summary:
    """:func:`summary` for tables whose projections are already as of ``year``."""
    words = PHRASES[lang]
    now = _values(tables.township, year)
    before = _values(tables.township, year - 1)
    contents: list[tuple[str, list[str]]] = []
    for category in CATEGORIES:
        paragraphs = [
            text
            for template in TEMPLATES[lang][category]
            if (text := _sentence(template, year, now, before, tables, catalog, lang))
        ]
        if category == "poverty" and (projects := _projects_paragraph(year, tables, catalog, lang)):
            paragraphs.append(projects)
        if paragraphs:
            contents.append((words["sections"][category], paragraphs))
    if plan := _plan_paragraphs(tables, catalog, lang):
        contents.append((words["plan"].format(year=year + 1), plan))
    numerals = words["numerals"]
    return Summary(
        title=words["title"].format(town=_town_name(tables), year=year),
        sections=[
            Section(
                words["section"].format(number=numerals[i] if numerals else i + 1, title=title),
                paragraphs,
            )
            for i, (title, paragraphs) in enumerate(contents)
        ],
        lang=lang,
        sample_note=words["sample"] if tables.sample else "",
    )


# --- the village paragraph -------------------------------------------------------------------


def village_paragraph(
    code: str,
    year: int,
    tables: Tables,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> str:
    """A short paragraph for one village's report: key figures, their change, target status.

    Parameters
    ----------
    code : str
        12-digit village code; an unknown code raises KeyError naming the known ones.
    year : int
        The year described.
    tables : Tables
        The processed tables.
    lang : {'zh', 'en'}, default 'zh'
        Language of the text.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    str
        Households and population; the :data:`VILLAGE_KEYS` figures that are present (a zero
        only where it says something, as in :func:`summary`), each with its change on the year
        before; then the village's projections for those of them the township has targets
        for, beside the township target, and the status of the targets the village shares.
    """
    _check_lang(lang)
    catalog = catalog or default_catalog()
    tables = _as_of(tables, year)
    words = PHRASES[lang]
    code = str(code)
    tables.village(code)  # a clear error for an unknown code
    name = _village_names(tables)[code]
    rows = tables.indicators[tables.indicators["village_code"].astype(str) == code]
    now, before = _values(rows, year), _values(rows, year - 1)
    if not now:
        return words["village_no_data"].format(name=name, year=year)

    clauses = []
    base = [_with_unit(now[i], catalog[i], lang) for i in ("households", "population") if i in now]
    if base:
        figures = (words["list"] if lang == "zh" else words["and"]).join(base)
        clauses.append(words["village_intro"].format(name=name, year=year, figures=figures))
    for indicator_id in VILLAGE_KEYS:
        if indicator_id not in now or _nothing_to_say(indicator_id, now, before, catalog):
            continue
        ind = catalog[indicator_id]
        template = words["village_rate" if ind.kind == "rate" else "village_figure"]
        text = template.format(
            name=_name(ind, lang), value=_with_unit(now[indicator_id], ind, lang)
        )
        inline, _ = _change_remark([indicator_id], now, before, catalog, lang)
        clauses.append(text + inline)
    sentences = [_capitalise(words["semicolon"].join(clauses) + words["stop"])] if clauses else []
    sentences += _village_outlook(code, tables, catalog, lang)
    return words["space"].join(sentences)


def _village_outlook(code: str, tables: Tables, catalog: Catalog, lang: str) -> list[str]:
    """The village's projections (beside the township target) and the targets it shares."""
    proj = tables.projections
    if proj.empty:
        return []
    words = PHRASES[lang]
    scope = proj["scope"].astype(str)
    is_target = proj["row_type"] == "target"
    goals = {
        (r.indicator, int(r.target_year)): r.target
        for r in proj[is_target & (scope == "township")].itertuples()
    }
    mine = proj[(proj["row_type"] == "village") & (scope == code)]
    sentences = []
    for target_year, group in mine[mine["indicator"].isin(VILLAGE_KEYS)].groupby("target_year"):
        items = []
        for row in group.itertuples():
            ind = catalog[row.indicator]
            if not row.ok:
                items.append(words["village_refused"].format(name=_name(ind, lang)))
                continue
            if _is_zero(row.last_value, ind) and _is_zero(row.projected, ind):
                continue  # none now and none expected (no greenhouses here): nothing to say
            text = words["village_projection"].format(
                name=_name(ind, lang),
                verb=words["reach_up" if ind.higher_is_better else "reach_down"],
                value=_with_unit(row.projected, ind, lang),
            )
            goal = goals.get((row.indicator, int(target_year)))
            if goal is not None and math.isfinite(goal):
                text += words["village_goal"].format(target=_with_unit(goal, ind, lang))
            items.append(text)
        if items:
            sentences.append(
                words["village_trend"].format(
                    year=int(target_year), items=words["semicolon"].join(items)
                )
            )
    names = _village_names(tables)
    shared = proj[is_target & scope.str.split(";").map(lambda codes: code in codes)]
    for row in shared.itertuples():
        ind = catalog[row.indicator]
        sentences.append(
            words["village_share"].format(
                scope=_scope_label(str(row.scope), names, lang),
                name=_name(ind, lang),
                target=_with_unit(row.target, ind, lang),
                status=row.status_zh if lang == "zh" else row.status_en,
            )
        )
    return sentences


# --- the Word document -----------------------------------------------------------------------


def _target_table(rows: pd.DataFrame, tables: Tables, catalog: Catalog, lang: str) -> pd.DataFrame:
    """The targets with their latest value, projection, interval, probability and status."""
    words = PHRASES[lang]
    names = _village_names(tables)
    labels = {**trends.STATUS_ZH, "not assessed": PHRASES["zh"]["not assessed"]}
    records = []
    for row in rows.to_dict("records"):
        ind = catalog[row["indicator"]]
        last, projected = row.get("last_value", math.nan), row.get("projected", math.nan)
        probability = row.get("probability", math.nan)
        shown = bool(row["ok"]) and math.isfinite(projected)
        status = row["status_en"]
        records.append(
            (
                _scope_label(row["scope"], names, lang) or words["township"],
                _label(ind, lang),
                words["dated"].format(
                    value=_with_unit(row["target"], ind, lang), year=int(row["target_year"])
                ),
                words["dated"].format(value=_with_unit(last, ind, lang), year=int(row["last_year"]))
                if math.isfinite(last)
                else "—",
                _with_unit(projected, ind, lang) if shown else "—",
                _interval(row["lower"], row["upper"], ind, lang) if shown else "—",
                _percent(probability) if math.isfinite(probability) else "—",
                labels[status] if lang == "zh" else status,
            )
        )
    return pd.DataFrame(records, columns=list(words["target_headers"]))


def _key_figures_table(tables: Tables, year: int, catalog: Catalog, lang: str) -> pd.DataFrame:
    """The township's figures for ``year`` beside the year before, with the change."""
    words = PHRASES[lang]
    now, before = _values(tables.township, year), _values(tables.township, year - 1)
    sections = SECTION_ZH if lang == "zh" else SECTION_EN
    records = []
    for ind in catalog:
        if ind.id not in now:
            continue
        previous = before.get(ind.id)
        if previous is None:
            change = "—"
        elif _is_zero(now[ind.id] - previous, ind):
            change = words["same_cell"]
        else:
            diff = now[ind.id] - previous
            # The unit is in the header; only percentage points need saying.
            amount = (
                _difference(abs(diff), ind, lang)
                if ind.kind == "rate"
                else _number(abs(diff), ind, lang)
            )
            change = f"{_verb(diff, ind, lang)}{words['space']}{amount}"
        records.append(
            (
                sections[ind.category],
                _label(ind, lang),
                "—" if previous is None else _number(previous, ind, lang),
                _number(now[ind.id], ind, lang),
                change,
            )
        )
    headers = [words["figure_headers"][0], words["figure_headers"][1], str(year - 1), str(year)]
    return pd.DataFrame(records, columns=[*headers, words["figure_headers"][2]])


def _percent(p: float) -> str:
    """A probability for a table cell; never 0% or 100%, which a model cannot promise."""
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}"


def _set_fonts(document: Any) -> None:
    """Name the Chinese font explicitly in the defaults and every style the document uses.

    python-docx's ``font.name`` sets only the Latin slots (w:ascii, w:hAnsi); Word draws Chinese
    from w:eastAsia, and a theme attribute (w:eastAsiaTheme, in the default template) overrides
    an explicit name, so the theme attributes are removed and every slot is set.
    """
    from docx.oxml.ns import qn

    def apply(rfonts: Any, east_asia: str) -> None:
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(theme), None)
        rfonts.set(qn("w:ascii"), LATIN_FONT)
        rfonts.set(qn("w:hAnsi"), LATIN_FONT)
        rfonts.set(qn("w:eastAsia"), east_asia)

    defaults = document.styles.element.find(qn("w:docDefaults"))
    apply(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts")), BODY_FONT_ZH)
    for name in ("Normal", "Title", "Heading 1"):
        font = BODY_FONT_ZH if name == "Normal" else HEADING_FONT_ZH
        apply(document.styles[name].element.get_or_add_rPr().get_or_add_rFonts(), font)


def _add_table(document: Any, frame: pd.DataFrame) -> None:
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)


def write_docx(
    path: Path | str,
    year: int,
    tables: Tables,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> Path:
    """Write the summary and its key tables as a Word document (.docx), atomically.

    Parameters
    ----------
    path : Path or str
        The .docx file to write; its folder is created if needed.
    year : int
        The year summarised.
    tables : Tables
        The processed tables.
    lang : {'zh', 'en'}, default 'zh'
        Language of the document.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    Path
        ``path``. The document has the title (e.g. 大桥镇2019年民生工作总结), 示例数据 on the first
        page when the data is the sample, the summary's sections, the township's key figures
        for ``year`` beside the year before, and the target table; Chinese is set in 宋体/黑体
        through the w:eastAsia font slot.
    """
    from docx import Document
    from docx.shared import Pt

    _check_lang(lang)
    catalog = catalog or default_catalog()
    tables = _as_of(tables, year)
    words = PHRASES[lang]
    text = _summary(year, tables, catalog, lang)
    document = Document()
    _set_fonts(document)
    document.add_heading(text.title, level=0)
    if tables.sample:
        note = (
            text.sample_note if lang == "zh" else f"{config.SAMPLE_LABEL_ZH} — {text.sample_note}"
        )
        document.add_paragraph().add_run(note).bold = True
    for section in text.sections:
        document.add_heading(section.title, level=1)
        for paragraph in section.paragraphs:
            added = document.add_paragraph(paragraph)
            if lang == "zh":
                added.paragraph_format.first_line_indent = Pt(21)  # two characters, 10.5 pt
    figures = _key_figures_table(tables, year, catalog, lang)
    if not figures.empty:
        document.add_heading(words["key_figures"].format(year=year, previous=year - 1), level=1)
        _add_table(document, figures)
    rows = _target_rows(tables, catalog)
    if not rows.empty:
        years = "、".join(str(y) for y in sorted(rows["target_year"].astype(int).unique()))
        document.add_heading(words["targets"].format(year=years), level=1)
        _add_table(document, _target_table(rows, tables, catalog, lang))
    with atomic_path(path) as tmp:
        document.save(str(tmp))
    return Path(path)
