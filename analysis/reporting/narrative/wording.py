"""The narrative's wording: the summary's figure sentences and the fixed words around them.

:data:`TEMPLATES` holds the figure sentences by language and section, :data:`PHRASES` the
words that join them (punctuation, the year-on-year remark, the plan's sentences, the village
paragraph). Only the narrative fills them, and each is written with the code that fills it in
mind (its placeholders, its alternatives), so they live beside that code rather than with the
words every output shares (:mod:`analysis.core.labels`: headings, section names, status words,
units), which the narrative takes from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
        "changes_join": "，",
        "breakdown_join": "",
        "count_join": "、",
        "base_join": "、",
        # section numbers: 一、脱贫攻坚
        "section": "{number}、{title}",
        "numerals": "一二三四五六七八九十",
        # year-on-year changes
        "change_one": "，比上年{verb}{amount}",
        "same_one": "，与上年持平",
        "changes": "与上年相比，{items}。",
        "change_item": "{name}{verb}{amount}",
        "same_item": "{name}持平",
        # village breakdowns and projects
        "breakdown": "其中{items}",
        # 其中…罗坑村34栋208.23亩等52个村: 等 closes the list with the count of all of them.
        "breakdown_more": "等{total}个村",
        "breakdown_more_join": "",
        "projects": "项目管理方面，全镇共有{batches}批{n}个扶贫项目已批复，其中{items}。",
        "project_item": "{batch}{n}个，合计{amount}",
        "projects_all_started": "{n}个项目均已开工，其中{done}个项目已竣工。",
        "projects_all_done": "{n}个项目均已开工并竣工。",
        "projects_started": "{started}个项目已开工，其中{done}个项目已竣工。",
        # the plan
        "plan_counts": "对照{years}年{n}项目标，按当前趋势测算，{items}。",
        "plan_count_item": "{status}{n}项",
        "plan_head": "{ordinal}，{head}。",
        # a target of many places: a lead sentence, then a table of the places
        "lead": "各{places}{name}目标中，{items}，见下表",
        "lead_item": "{status}的有{names}",
        "lead_more": "{names}等{n}个",
        "lead_all": "各{places}{name}目标均{status}（{n}个），见下表",
        "ordinals": ("第一", "第二", "第三", "第四", "第五"),
        "plan_heads": {
            "poverty": "巩固脱贫攻坚成果",
            "social_security": "提升社会保障水平",
            "environment": "大力提升人居环境",
            "industry": "持续发展特色产业",
            "base": "夯实基础工作",
        },
        "of_scope": "{scope}",
        "of_township": "",
        "subject_scope": "{scope}",
        "subject_township": "全镇",
        "trend": "按当前趋势，",
        "reach": "{year}年{scope}{name}预计{verb}{value}",
        "reach_up": "达到",
        "reach_down": "降至",
        "interval": "（{level}区间{interval}）",
        "chance_goal": "，达到{target}目标的概率{p}",
        "chance_zero": "，实现清零的概率{p}",
        "chance_cap": "，控制在{target}以内的概率{p}",
        "p_about": "约为{p}",
        "p_low": "不足1%",
        "p_high": "超过99%",
        "shortfall": "，{year}年底距目标尚差{gap}",
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
        "plan_works": "{scope}{name}{target_year}年计划{target}，已完成{done}",
        "plan_pace": "，尚需{remaining}，以往年均完成{pace}",
        "plan_status": {
            "on track": "，按以往进度有望如期完成",
            "acceleration needed": "，需加快推进",
            "deteriorating": "，比基年减少，需扭转",
            "insufficient data": "，数据不足，无法判断进度",
        },
        # the village paragraph
        "village_intro": "{name}{year}年共有{figures}",
        "village_no_data": "{name}{year}年暂无数据。",
        "village_figure": "{name}{value}",
        "village_rate": "{name}为{value}",
        "village_trend": "按当前趋势，{year}年{self}{items}。",
        "village_projection": "{name}预计{verb}{value}",
        "village_goal": "（全镇目标{target}）",
        "village_refused": "{name}数据不足，暂不预测",
        "village_share": "{self}参与{scope}{name}{target}目标，目前状态：{status}。",
    },
    "en": {
        "space": " ",
        "comma": ", ",
        "semicolon": "; ",
        "stop": ".",
        "list": "; ",
        "and": " and ",
        "changes_join": "; ",
        "breakdown_join": ", ",
        "count_join": ", ",
        "base_join": " and ",
        "section": "{number}. {title}",
        "numerals": None,
        "change_one": ", {verb} {amount} on the year before",
        "same_one": ", unchanged from the year before",
        "changes": "Compared with the year before: {items}.",
        "change_item": "{name} {verb} {amount}",
        "same_item": "{name} unchanged",
        "breakdown": "of which {items}",
        "breakdown_more": "and {n} more villages",
        "breakdown_more_join": "; ",
        # Batch names are the Chinese names of funding programmes: English gives the total.
        "projects": "Project management: {n} poverty-alleviation projects in {batches} batches "
        "have been approved, totalling {amount}.",
        "project_item": "{batch}: {n}, {amount}",
        "projects_all_started": "All {n} have started and {done} are completed.",
        "projects_all_done": "All {n} have started and been completed.",
        "projects_started": "{started} have started and {done} are completed.",
        "plan_counts": "Against the {n} targets for {years}, on current trends: {items}.",
        "plan_count_item": "{n} {status}",
        "plan_head": "{ordinal}, {head}.",
        "lead": "Each {places}'s target for {name}: {items} (see the table below)",
        "lead_item": "{status} in {names}",
        "lead_more": "{names} and {more} more",
        "lead_all": "Each {places}'s target for {name}: {status} in all {n} (see the table below)",
        "ordinals": ("First", "Second", "Third", "Fourth", "Fifth"),
        "plan_heads": {
            "poverty": "consolidate the gains against poverty",
            "social_security": "raise social security",
            "environment": "improve the living environment",
            "industry": "develop the township's industries",
            "base": "strengthen the basics",
        },
        "of_scope": "{scope}'s ",
        "of_township": "the township's ",
        "subject_scope": "{scope}'s ",
        "subject_township": "the township's ",
        "trend": "on current trends, ",
        "reach": "{scope}{name} is expected to {verb} {value} in {year}",
        "reach_up": "reach",
        "reach_down": "fall to",
        "interval": " ({level} interval {interval})",
        "chance_goal": ", with {p} chance of meeting the target of {target}",
        "chance_zero": ", with {p} chance of reaching zero",
        "chance_cap": ", with {p} chance of staying within {target}",
        "p_about": "about a {p}",
        "p_low": "less than a 1%",
        "p_high": "more than a 99%",
        "shortfall": ", {gap} short of the target at the end of {year}",
        "on track": ", and is on track",
        "acceleration needed": "; progress must speed up (to meet the target it must go {verb} "
        "{amount} a year)",
        "deteriorating": "; the trend has gone the wrong way and must be reversed (to meet the "
        "target it must go {verb} {amount} a year)",
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
        "plan_works": "{scope}{name}: {target} planned for {target_year}, {done} done",
        "plan_pace": "; {remaining} still to do, against {pace} a year so far",
        "plan_status": {
            "on track": ", which keeps it on track",
            "acceleration needed": "; the works must speed up",
            "deteriorating": "; fewer than in the base year, which must be reversed",
            "insufficient data": "; too little data to judge the pace",
        },
        "village_intro": "in {year} {name} had {figures}",
        "village_no_data": "No data for {name} in {year}.",
        "village_figure": "{name}: {value}",
        "village_rate": "{name}: {value}",
        "village_trend": "On current trends, in {year}: {items}.",
        "village_projection": "{name} is expected to {verb} {value}",
        "village_goal": " (township target {target})",
        "village_refused": "{name}: too little data to project",
        "village_share": "{self} shares the target of {target} for {scope}'s {name}; "
        "status: {status}.",
    },
}
