"""The words of the pages, charts, maps, summaries and workbooks, zh and en, by key: the table
:mod:`analysis.core.labels` serves (a module of its own, the table being most of the words).

Each entry is ``key: (Chinese, English)``; placeholders in braces are the same in both.
"""

from __future__ import annotations

from analysis import config

_TARGET_YEAR = config.TARGET_YEAR

WORDS: dict[str, tuple[str, str]] = {
    # Boundary changes (区划调整): the kinds of change, and what the pages say of them.
    "change.merge": ("合并", "merged"),
    "change.split": ("拆分", "split"),
    "change.rename": ("更名", "renamed"),
    "change.recode": ("改代码", "given a new code"),
    "change.move": ("划转", "moved to another town"),
    "change.formed_merge": (
        "{year}年由{parts}合并设立；{first}—{last}年数据为{count}村合计。",
        "Formed in {year} by merging {parts}; the figures of {first}–{last} are the {count} "
        "villages' combined.",
    ),
    "change.formed_split": (
        "{year}年由{parts}拆分设立；{first}—{last}年数据按拆分比例估算。",
        "Formed in {year} by splitting {parts}; the figures of {first}–{last} are estimated "
        "by the split's shares.",
    ),
    "change.formed_rename": ("{year}年由{parts}更名。", "Renamed from {parts} in {year}."),
    "change.formed_recode": (
        "{year}年由{parts}改代码；此前数据按原代码填报。",
        "Given a new code in {year} (formerly {parts}); earlier figures were reported under "
        "the old code.",
    ),
    "change.formed_move": (
        "{year}年由{town}划入（原{parts}）；此前数据已计入本镇。",
        "Moved in {year} from {town} (formerly {parts}); earlier figures are counted here.",
    ),
    "change.heading": ("区划调整", "Boundary changes"),
    "change.joiner": ("、", ", "),
    "change.town_line": ("{year}年：{old}{kind}为{new}", "{year}: {old} → {new} ({kind})"),
    "change.town_line_recode": (
        "{year}年：{old}改代码（{old_code} → {new_code}）",
        "{year}: {old} given a new code ({old_code} → {new_code})",
    ),
    "change.town_line_move": (
        "{year}年：{old}由{from_town}划转至{to_town}",
        "{year}: {old} moved from {from_town} to {to_town}",
    ),
    "change.county_count": (
        "{first}—{last}年共有 {count} 个现行村（居）经过区划调整（{changes} 项），各级数据均按现行"
        "区划重述。",
        "{count} of today's villages were formed by boundary changes in {first}–{last} "
        "({changes} changes); every series is restated on today's boundaries.",
    ),
    "change.estimated": ("{figure}（估算）", "{figure} (estimated)"),
    # How many units a merger joined, in words (两村合计).
    **{f"change.count.{n}": (word, str(n)) for n, word in enumerate("两三四五六七八九", start=2)},
    # --- page titles (build jobs, notebook titles, the index)
    "title.county_page": ("{year}年全县民生工作总览", "County livelihood overview {year}"),
    "title.county": ("{county}{year}年民生工作总览", "{county}: livelihood overview {year}"),
    "title.township": ("{town}{year}年民生工作总览", "{town}: livelihood overview {year}"),
    "title.village": ("{name} {year}年民生工作报告", "{name}: livelihood report {year}"),
    # a village page's <title> (the browser tab, a bookmark): village names repeat across towns
    "title.village_tab": (
        "{name}（{town}）{year}年民生工作报告",
        "{name} ({town}): livelihood report {year}",
    ),
    "title.documents": (
        "{page}：Word 摘要与打印地图",
        "{page}: Word summary and print maps",
    ),
    "title.index": ("{place}{year}年民生工作报告目录", "{place}: livelihood reports {year}"),
    # --- section headings of the notebooks' pages
    "heading.validation": ("数据检查结果", "Validation summary"),
    "heading.quarantine": ("隔离的行", "Quarantined rows"),
    "heading.key_figures": ("主要指标", "Key figures"),
    "heading.corridor": ("G357 蔬菜产业走廊", "Industry corridor"),
    "heading.sanitation": ("厕所革命与污水处理", "Sanitation"),
    "heading.targets": (f"{_TARGET_YEAR}年目标预测", f"Will the {_TARGET_YEAR} targets be met?"),
    "heading.reconciliation": ("与公布数据核对", "Reconciliation with published figures"),
    "heading.history": ("历年指标", "Indicators over time"),
    "heading.review": ("核实说明与待核实数值", "Explanations and values to confirm"),
    # --- the plausibility review on the pages (analysis.reporting.review)
    # The plausibility review's message (analysis.ingest.review): the typo a value's shape
    # suggests, or else the check that flagged it; the basis it was judged on.
    "review.message": (
        "{village}{year}年{indicator}为 {value}。{what}：{basis}（预期约 {low}–{high}）。"
        "请核实；如数据无误，请填写核实说明。",
        "{village} {year}, {indicator}: {value}; {what}: {basis} (expected about {low}–{high}). "
        "Please check; if it is right, give a written explanation.",
    ),
    "review.typo.decimal_up": (
        "疑似小数点错位（约为预期的 {factor} 倍）",
        "perhaps a slipped decimal point ({factor} times what was expected)",
    ),
    "review.typo.decimal_down": (
        "疑似小数点错位（约为预期的 1/{factor}）",
        "perhaps a slipped decimal point (1/{factor} of what was expected)",
    ),
    "review.typo.extra_digit": ("疑似多输了一位数字", "perhaps a digit typed twice or added"),
    "review.typo.dropped_digit": ("疑似漏输了一位数字", "perhaps a digit left out"),
    "review.typo.swapped_digits": ("疑似两位数字颠倒", "perhaps two digits swapped"),
    "review.typo.yuan_for_wan": (
        "疑似以元填入了万元栏",
        "perhaps yuan typed where ten thousand yuan is asked",
    ),
    "review.check.history": ("与往年相比变化异常", "an unusual change from earlier years"),
    "review.check.peers": ("与本镇各村相差悬殊", "far from the other villages of its town"),
    "review.check.stock_fell": ("累计数比上年减少", "a running total that fell"),
    "review.earlier": ("{year}年为 {figure}", "{figure} in {year}"),
    "review.earlier_sep": ("、", ", "),
    "review.no_earlier": ("此前无数据", "no earlier year"),
    "review.basis_peers": ("本镇各村中位数为 {median}", "the town's villages' median is {median}"),
    "review.to_confirm": ("待核实", "to confirm"),
    "review.marked": ("{figure}（待核实）", "{figure} (to confirm)"),
    "review.item": ("{what}：{text}", "{what}: {text}"),
    "review.of_village": ("{village}{what}", "{village}, {what}"),
    "review.open_line": ("【待核实】{line}", "[to confirm] {line}"),
    "review.confirmed_line": ("※ {line}", "※ {line}"),
    "review.figure": ("{year}年{indicator} {figure}", "{indicator} {year}: {figure}"),
    "review.confirmed": ("核实说明：{explanation}", "explanation: {explanation}"),
    "review.pending_total": (
        "{what}，含待核实村数据 {n} 个",
        "{what}, counting village figures to confirm: {n}",
    ),
    "heading.compare": ("与全镇比较", "Compared with the township"),
    "heading.projections": (f"{_TARGET_YEAR}年预测", f"Projections to {_TARGET_YEAR}"),
    "heading.projects": ("扶贫项目", "Projects"),
    "projects.none": (
        "{self}{year}年无扶贫项目。",
        "{self} had no poverty-alleviation projects in {year}.",
    ),
    # --- the top of a county's or town's page and Word summary (analysis.reporting.leader)
    "heading.top": ("要点", "At a glance"),
    "heading.status_grid.town": ("各乡镇目标状态", "Targets by town"),
    "heading.status_grid.village": ("各村目标状态", "Targets by village"),
    "column.whole_target": ("{name}（{whole}目标{target}）", "{name} ({whole}'s target {target})"),
    "column.own_target": ("{name}（{places}目标）", "{name} (each {places}'s own target)"),
    "top.status_item": ("{status}{n}项（{targets}）", "{status} {n} ({targets})"),
    "top.item_join": ("，", "; "),
    "top.list_join": ("、", ", "),
    "top.targets": (
        "{whole}{n}项{years}年目标中，{items}。",
        "Of {whole}'s {n} targets for {years}: {items}.",
    ),
    "top.moved": ("{name}{change}", "{name} {change}"),
    "top.year": (
        "{year}年与上年相比，{better}；但{worse}。",
        "{year} against the year before: {better}; but {worse}.",
    ),
    "top.year_one": ("{year}年与上年相比，{moved}。", "{year} against the year before: {moved}."),
    "top.where": ("{status}的有{names}，主要是{targets}。", "{status}: {names}, mostly {targets}."),
    "top.where_some": (
        "{status}的有{names}等{n}个{places}，主要是{targets}。",
        "{status}: {n} {places}s, among them {names}, mostly {targets}.",
    ),
    "top.change": ("同比{change}", "{change} on the year"),
    "top.grid_note": (
        "点击单元格打开该{places}的页面；“—”为该{places}无此目标。",
        "Each cell opens the {places}'s page; “—”: the {places} has no such target.",
    ),
    "top.grid_note_docx": ("“—”为该{places}无此目标。", "“—”: the {places} has no such target."),
    "top.counts_note": (
        "表中为各目标处于各状态的{places}数。",
        "The number of {places}s at each status, by target.",
    ),
    "top.grid_details": ("逐{places}查看（{n}个{places}）", "Each {places} ({n} {places}s)"),
    # --- the appendix at the foot of a county's or town's page (analysis.reporting.appendix)
    "heading.appendix": ("附录", "Appendix"),
    "heading.appendix_supporting": ("ESCAP与Eurostat进展度量", "ESCAP and Eurostat measures"),
    "appendix.supporting": (
        "这两种国际通用的进展度量只按基年以来的平均增长外推，仅供参考；与正文的状态不一致时，以正文为准。",
        "These two international measures only extrapolate the average growth since the base "
        "year: they are for reference, and where they differ from the status above, the status "
        "stands.",
    ),
    "heading.appendix_models": ("预测模型与回测", "Projection models and back-tests"),
    "appendix.models": (
        "每项预测所用的模型，是几种候选模型中用早年数据“预测”近年已知数据时误差最小的一种；"
        "回测误差越小，预测越可信。",
        "Each projection uses the candidate model that best 'predicted' the recent, known years "
        "from the earlier ones: the smaller its back-test error, the more the projection can be "
        "trusted.",
    ),
    "heading.appendix_unchecked": ("未核对的公布数据", "Published figures not checked"),
    "appendix.unchecked": (
        "以下公布数字没有与数据核对：原文没有具体数字，或数据中没有对应的指标或数值。",
        "These published figures were not checked against the data: the document gives no "
        "figure, or the data holds no such indicator or value.",
    ),
    "column.model": ("模型", "Model"),
    "column.backtest_mae": ("回测平均绝对误差", "Back-test mean absolute error"),
    "heading.towns": ("各乡镇比较", "Towns compared"),
    # --- the county page
    "column.town": ("乡镇", "Town"),
    "column.rank": ("{name}排名", "{name}: rank"),
    "column.with_unit": ("{name}({unit})", "{name} ({unit})"),
    "name.per_households": ("每{n}户{name}", "{name} per {n} households"),
    "map.towns_title": ("{year}年各乡镇{name}", "{name} by town, {year}"),
    "map.at_risk_title": (
        "各乡镇需加速或倒退的目标数（乡镇一级）",
        "Town-level targets needing acceleration or reversing, by town",
    ),
    "map.at_risk_legend": ("需加速或倒退", "Accelerate or reverse"),
    "unit.items": ("项", "items"),
    # --- table columns
    "column.section": ("板块", "Section"),
    "column.indicator": ("指标", "Indicator"),
    "column.change": ("同比", "Change"),
    # --- a village-level unit speaking of itself, by the registry's kind (a 居委会 is a 社区)
    "self.村委会": ("本村", "This village"),
    "self.居委会": ("本社区", "This community"),
    "column.township": ("全镇", "Township"),
    "column.share_or_difference": ("占全镇/差值", "Share / difference"),
    "column.project": ("项目名称", "Project"),
    "column.batch": ("批次", "Batch"),
    "column.funds": ("资金(万元)", "Funds (10k yuan)"),
    "column.started": ("开工", "Started"),
    "column.completed": ("竣工", "Completed"),
    "column.target": ("目标", "Target"),
    "column.latest": ("最新值", "Latest"),
    "column.projected": ("预测值", "Projected"),
    "column.interval": ("区间", "Interval"),
    "column.probability": ("达成概率", "Probability"),
    "column.escap": ("ESCAP", "ESCAP"),
    "column.eurostat": ("Eurostat", "Eurostat"),
    "column.status": ("状态", "Status"),
    "column.remaining": ("尚差（年均需）", "Still to go (a year)"),
    "column.note": ("说明", "Note"),
    "column.fact": ("编号", "Fact"),
    "column.scope": ("范围", "Scope"),
    "column.scope_code": ("范围代码", "Scope code"),
    "column.year": ("年度", "Year"),
    "column.unit": ("单位", "Unit"),
    "column.published": ("公布值", "Published"),
    "column.computed": ("计算值", "Computed"),
    "column.difference": ("差值", "Difference"),
    "column.tolerance": ("容差", "Tolerance"),
    "column.check": ("核对", "Check"),
    "column.quote": ("原文", "Quote"),
    "column.file": ("文件", "File"),
    "column.sheet": ("工作表", "Sheet"),
    "column.row": ("行", "Row"),
    "column.column": ("列", "Column"),
    "column.value": ("填写内容", "Value entered"),
    "column.rule": ("规则", "Rule"),
    "column.severity": ("级别", "Severity"),
    "column.message": ("说明", "Message"),
    "column.message_en": ("说明(英文)", "Message (English)"),
    "column.read": ("读取", "Read"),
    "column.accepted": ("接受", "Accepted"),
    "column.quarantined": ("隔离", "Quarantined"),
    "column.structural": ("结构行", "Structural"),
    "column.adds_up": ("核对", "Adds up"),
    "column.result": ("结果", "Result"),
    "column.code": ("代码", "Code"),
    "column.village_name": ("村（居）", "Village"),
    "column.targets": ("目标状态", "Targets"),
    "column.report": ("报告", "Report"),
    # --- cells
    "cell.yes": ("是", "yes"),
    "cell.no": ("否", "no"),
    "cell.township": ("全镇", "township"),
    "cell.none_quarantined": ("没有被隔离的行", "nothing was quarantined"),
    "cell.no_published": ("没有可核对的公布数据", "no published figures to check"),
    "cell.plan_done": (
        "{year}年计划{target}，已完成{done}",
        "{target} planned for {year}, {done} done",
    ),
    "cell.no_data": ("无数据", "no data"),
    "cell.remaining": ("{remaining}（年均{pace}）", "{remaining} ({pace} a year)"),
    "cell.contradicts": ("{cell}*", "{cell}*"),
    # --- notes under tables
    "note.status": (
        "状态判定：最新实际值已达到目标为“已达成”；不足3年数据、无法预测为“数据不足”；自基年以来"
        "向远离目标的方向变化为“倒退”；所选模型的预测值达到目标为“有望达成”，否则为“需加速”。"
        "计划类目标（工程、村点）按已完成/计划数跟踪，不作趋势外推：尚需完成的年均数量不超过以往"
        "年均完成量为“有望达成”。预测区间已按回测误差放宽；累计量（面积、里程等）的预测不低于最新"
        "实际值。尚差和年均需按最新实际值计算。",
        "Status: 'achieved' when the latest value meets the target; 'insufficient data' with "
        "fewer than 3 years to project from; 'deteriorating' when the value has moved away from "
        "the target since the base year; 'on track' when the chosen model's projection meets the "
        "target, otherwise 'acceleration needed'. Plans (works, sites) count works done against "
        "works planned and are not extrapolated: 'on track' when the works still to do per year "
        "are no more than the works done per year so far. Intervals are widened by the back-test "
        "errors; running totals (areas, lengths) are never projected below their latest value. "
        "'Still to go' and its yearly pace are counted from the latest value.",
    ),
    "note.supporting": (
        "ESCAP列为联合国亚太经社会的预期进展指数：按基年以来的年均增长外推到目标年，预期完成的"
        "进展占所需进展的比例（1及以上为“保持”，0–1为“需加速”，小于0为“扭转倒退”）。Eurostat列为"
        "欧盟统计局的进展比：基年以来的实际年均增长与达到目标所需年均增长之比（0.95及以上为"
        "“进展顺利”，0.6–0.95为“需加速”，0–0.6为“进展有限”，小于0为“倒退”）。",
        "ESCAP: UN ESCAP's anticipated-progress index, the progress the average growth since the "
        "base year would make by the target year as a share of the progress required (1 or more "
        "'maintain progress', 0–1 'accelerate', below 0 'reverse trend'). Eurostat: the ratio of "
        "the average growth since the base year to the growth the target requires (0.95 or more "
        "'on track', 0.6–0.95 'acceleration needed', 0–0.6 'limited progress', below 0 "
        "'deterioration').",
    ),
    "note.contradicts": (
        "*ESCAP与Eurostat按基年以来的平均增长外推，不是状态所依据的模型预测，仅供参考；"
        "与状态不一致时以状态为准。",
        "* ESCAP and Eurostat extrapolate the average growth since the base year, not the chosen "
        "model's projection; where their word differs from the status, the status stands.",
    ),
    "note.other_fact": (
        "原文另处记为{value}（{fact}）",
        "the document states {value} elsewhere ({fact})",
    ),
    "note.compared_targets": ("与目标表核对", "checked against the targets table"),
    "note.compared_projects": ("与扶贫项目库核对", "checked against the project list"),
    "note.compared_remaining": (
        "清零目标的任务量，与{year}年末实际值核对",
        "the task of a clear-to-zero target, checked against the end-{year} value",
    ),
    "note.join": ("；", "; "),
    "change.up": ("增加", "up"),
    "change.down": ("减少", "down"),
    "change.rate_up": ("提高", "up"),
    "change.rate_down": ("下降", "down"),
    "change.same": ("持平", "unchanged"),
    "change.points": ("{n}个百分点", "{n} percentage points"),
    "join.change": ("{verb}{amount}", "{verb} {amount}"),
    "join.names": ("、", " and "),
    "join.dated": ("{value}（{year}年）", "{value} ({year})"),
    "join.scoped": ("{name}（{scope}）", "{name} ({scope})"),
    "join.interval_level": ("{interval}（{level}）", "{interval} ({level})"),
    "note.with_contradicts": ("{note}{contradicts}", "{note} {contradicts}"),
    # --- page furniture: header, footer, index, error page
    "page.site": ("民生", "Minsheng"),
    "crumb.index": ("目录", "Index"),
    "crumb.county": ("全县", "County"),
    "page.index": ("返回目录", "Index"),
    "page.fingerprint": ("数据指纹", "Data fingerprint"),
    "page.fingerprint_note": (
        "（所用数据表的校验码：两份报告指纹相同，所用数据即相同）",
        "(a checksum of the tables used: two reports with the same fingerprint used the same data)",
    ),
    "page.downloads": ("数据下载", "Data"),
    "page.explore": ("数据探索", "Explore"),
    "page.parameters": ("参数", "Parameters"),
    "page.version": ("版本", "Minsheng version"),
    "page.built": ("生成时间", "Built"),
    "page.data": ("数据来源", "Data"),
    "page.sample_badge": (config.SAMPLE_LABEL_ZH, "Sample data"),
    "page.sample": (f"{config.SAMPLE_LABEL_ZH}：合成数据，仅供演示", "synthetic sample"),
    "page.accepted_errors": (
        "注意：本报告所用数据有 {n} 处错误未经更正（以 --accept-errors 生成），其中的数字可能有误，"
        "不能作为正式数据使用。",
        "Warning: built from data with {n} uncorrected errors (--accept-errors); figures on this "
        "page may be wrong and are not for official use.",
    ),
    "page.refused": (
        "注意：{when} 检查原始数据未通过（{n} 处错误），本目录中的报告没有更新，仍是上次生成时的数据。"
        "请按问题清单改正后重新生成。",
        "Warning: the raw data checked at {when} failed validation ({n} errors); the reports "
        "here were not updated and still show the data of their last build. Fix the problems "
        "listed and build again.",
    ),
    "page.problems": ("问题清单", "Problems"),
    "page.failed": ("报告生成失败", "This report could not be built."),
    "page.where": ("出错位置", "Where"),
    "page.others": (
        "其他村的报告不受影响。请检查该村数据后重新运行 {command}。",
        "Other reports are not affected; fix the data and run the build again.",
    ),
    "index.view": ("查看", "View"),
    "index.failed": ("失败", "Failed"),
    "index.failures": ("{n} 个村的报告生成失败", "{n} village report(s) failed."),
    "index.failures_other": (
        "{n} 个乡镇或全县（全镇）报告生成失败",
        "{n} town or county report(s) failed.",
    ),
    "index.township": ("全镇总览", "Township overview"),
    "index.county": ("全县总览", "County overview"),
    "index.villages": ("各村报告", "Village reports"),
    "index.towns_villages": ("各乡镇、各村报告", "Towns and villages"),
    "index.search": ("搜索", "Search"),
    "index.search_hint": ("村、乡镇名称或代码", "name or code of a village or town"),
    "index.town_villages": ("{n} 个村", "{n} villages"),
    "index.level_statuses": ("{level} {statuses}", "{level}: {statuses}"),
    "level.town": ("镇级", "town"),
    "places.town": ("乡镇", "town"),
    "places.village": ("村", "village"),
    "places.county": ("县", "county"),
    "places.prefecture": ("市", "prefecture"),
    "places.scope": ("范围", "group of villages"),
    "level.village": ("村级", "villages"),
    "index.summary_docx": ("工作总结（Word）", "Summary (.docx)"),
    "index.workbook": ("数据表（Excel，含全部表格）", "The data (Excel workbook, every table)"),
    "index.csv": ("数据表（CSV，逐表）", "The data (CSV, one file per table)"),
    "index.corridor_pdf": ("产业走廊图（PDF，印刷用）", "Corridor map for print"),
    "index.sanitation_pdf": ("卫生设施图（PDF，印刷用）", "Sanitation map for print"),
    "index.sanitary_rate_pdf": (
        "卫生厕所普及率图（PDF，印刷用）",
        "Sanitary toilet coverage map for print",
    ),
    # --- workbooks: the first sheet, 说明 (analysis.core.sheets), and what each sheet holds
    "readme.title": ("说明", "About this workbook"),
    "readme.sheet": ("工作表", "Sheet"),
    "readme.content": ("内容", "What it holds"),
    "readme.marks": ("颜色和标记", "Colours and marks"),
    "readme.source_processed": (
        "由 minsheng prepare 从原始数据（{raw}）检查、整理生成；数字按指标目录的小数位显示。",
        "Checked and prepared by minsheng prepare from the raw data ({raw}); figures shown to "
        "the catalog's decimals.",
    ),
    "mark.error": ("错误", "error"),
    "mark.error.meaning": (
        "红色：该格有错误，该行未读入，须改正。",
        "Red: the cell is wrong and its row was not read; it must be corrected.",
    ),
    "mark.warning": ("提示", "warning"),
    "mark.warning.meaning": (
        "黄色：该格已读入，但数值可疑，请核对。",
        "Amber: the cell was read but its value looks doubtful; please check it.",
    ),
    "mark.review": ("待核实", "to confirm"),
    "mark.review.meaning": (
        "蓝色：该格已读入，但与往年或本镇各村相比不合常理（核实性审核）；请核实：有误则改正，"
        "无误则在问题清单的“核实说明”栏写明原因。",
        "Blue: the cell was read, but its history or its town's villages make it implausible "
        "(plausibility review); correct it, or if it is right, write why in the list's "
        "explanation column.",
    ),
    "mark.unverified": ("待核实", "to be verified"),
    "mark.unverified.meaning": (
        "村名后注“（村名待核）”：该村名不在村（居）名录中，问题暂按所填村名归组，请核实村名。",
        "A name followed by (name to confirm) is not in the village registry: its problems are "
        "grouped under the name as written until it is confirmed.",
    ),
    "sheet.village_indicators": (
        "每村每年一行，每个指标一列（列名含单位）。",
        "One row per village and year, one column per indicator (units in the headers).",
    ),
    "sheet.totals": (
        "{whole}每年的合计（比率按权重平均）。",
        "The {whole}'s totals by year (rates as weighted means).",
    ),
    "sheet.villages": ("村（居）名录：代码、名称、所属乡镇。", "The village registry."),
    "sheet.targets": ("2020 年目标值及其来源。", "The 2020 targets and their sources."),
    "sheet.projects": ("扶贫项目：批次、所在村、资金、进度。", "Poverty-alleviation projects."),
    "sheet.reconciliation": (
        "公布数与计算数的核对。",
        "Published figures checked against the computed ones.",
    ),
    "sheet.problems": (
        "原始数据的问题：错误（未读入）和提示（已读入）。",
        "Problems found in the raw data: errors (not read) and warnings (read).",
    ),
    "sheet.template_data": (
        "在此填写：每行一个村（居）一个年度，村名从下拉列表中选。",
        "Fill in here: one row per village and year, the name chosen from the list.",
    ),
    "sheet.template_instructions": (
        "怎样填写，以及每一列的含义和要求。",
        "How to fill it in, and what each column means.",
    ),
    "readme.source_template": (
        "由 minsheng template 按指标目录生成的空白采集表。",
        "A blank collection form made by minsheng template from the indicator catalog.",
    ),
    "sheet.marked_copy": (
        "原表，问题格已标色并加批注（鼠标移到格上可看）。",
        "The original sheet, problem cells coloured and commented.",
    ),
    "sheet.problem_list": (
        "本文件的全部问题，点“单元格”可跳到该格。",
        "Every problem of the file, each linked to its cell.",
    ),
    # --- problems: the marked workbooks' 问题清单 and the problems page (对照表)
    "severity.error": ("错误", "error"),
    "severity.warning": ("提示", "warning"),
    "severity.review": ("待核实", "to confirm"),
    "column.number": ("序号", "No."),
    "column.cell": ("单元格", "Cell"),
    "column.explanation": ("核实说明", "Explanation"),
    "column.problem": ("问题", "Problem"),
    "column.expected": ("应填", "Expected"),
    "column.advice": ("建议", "Suggestion"),
    "column.marked_copy": ("标注文件", "Marked copy"),
    "column.checked": ("核实情况", "Found"),
    "column.corrected": ("改正为", "Corrected to"),
    "column.errors": ("错误", "Errors"),
    "column.warnings": ("提示", "Warnings"),
    "column.total": ("合计", "Total"),
    "column.by_village": ("按村统计", "By village"),
    "problems.title": ("{town}{year}年数据问题对照表", "{town} data problems {year}: checklist"),
    "problems.none": ("没有发现问题", "No problems were found in the data"),
    "problems.none_in_raw": ("原始数据没有发现问题", "No problems were found in the raw data"),
    "problems.mismatches": ("与公开数据不一致", "Differs from the published figures"),
    "problems.mismatches_note": (
        "公开数据中有{n}个数字与各村报表的汇总不一致，请核实是公开数据还是报表有误：",
        "{n} published figure(s) differ from the sum of the village returns; check which of "
        "the two is wrong:",
    ),
    "problems.summary": (
        "共 {n} 条：错误 {errors} 条（未读入报告，须改正），提示 {warnings} 条（已读入，请核对）。",
        "{n} problems: {errors} errors (not in the reports; to correct), {warnings} warnings "
        "(read; to check).",
    ),
    "problems.how": (
        "按村分组，每村打印后从新的一页开始，供入户核对；改正后用以下命令复查：",
        "One village per printed page, for checks at the door; after correcting, check again with:",
    ),
    "problems.unassigned_note": (
        "“{unassigned}”是整张表、整个文件的问题，或找不到村名的行。",
        "“{unassigned}” holds the problems of a whole table or file, and of rows with no village.",
    ),
    "problems.by_village": ("各村问题数", "Problems by village"),
    "problems.counts": (
        "错误 {errors} 条，提示 {warnings} 条",
        "{errors} errors, {warnings} warnings",
    ),
    "problems.file": ("文件 {file}", "File {file}"),
    "problems.file_sheet": ("文件 {file} · 工作表 {sheet}", "File {file} · sheet {sheet}"),
    "problems.sign": (
        "核实人：＿＿＿＿＿＿　村（居）负责人：＿＿＿＿＿＿　日期：＿＿＿＿＿＿",
        "Checked by: ________  Village head: ________  Date: ________",
    ),
    "problems.unassigned": ("（未对应到村）", "(no village)"),
    "problems.unconfirmed": ("{name}（村名待核）", "{name} (name to confirm)"),
    "problems.whole_table": ("全表", "whole table"),
    "problems.row": ("第 {row} 行", "row {row}"),
    "problems.missing": (
        "{path} 不存在；请先运行 minsheng prepare",
        "{path} not found: run `minsheng prepare` first",
    ),
    # --- the written summary and the Word document
    "summary.title": ("{town}{year}年民生工作总结", "{town} livelihood work summary {year}"),
    "summary.plan": ("{year}年工作打算", "Plans for {year}"),
    "summary.sample": (
        f"{config.SAMPLE_LABEL_ZH}：本总结由合成的示例数据生成，不是真实统计。",
        "Sample data: this summary is generated from synthetic figures, not real statistics.",
    ),
    "docx.sample": ("{note}", f"{config.SAMPLE_LABEL_ZH} — {{note}}"),
    "docx.key_figures": (
        "{year}年主要指标（与{previous}年对比）",
        "Key figures {year} (with {previous})",
    ),
    "docx.targets": ("{year}年目标", "Targets for {year}"),
    # --- charts
    "chart.source": ("资料来源：{source}", "Source: {source}"),
    # The whole of the place a summary speaks for, by its level.
    "whole.town": ("全镇", "the township"),
    "whole.county": ("全县", "the county"),
    "whole.prefecture": ("全市", "the prefecture"),
    # The mark on every chart of the sample; short, so a small chart's title keeps its room.
    "chart.sample": (config.SAMPLE_LABEL_ZH, "Sample"),
    "chart.villages_source": ("各村年度报表汇总", "village annual returns"),
    "chart.observed": ("实际值", "Observed"),
    "chart.projected": ("预测值", "Projected"),
    "chart.band": ("{level}预测区间", "{level} prediction interval"),
    "chart.target": ("{year}年目标 {value}", "{year} target {value}"),
    "chart.year": ("年份", "Year"),
    "chart.no_projection": ("无法预测：{reason}", "No projection: {reason}"),
    "chart.plan": (
        "计划类目标：{year}年计划{target}，已完成{done}，不作趋势外推",
        "a plan: {target} planned for {year}, {done} done, not extrapolated",
    ),
    "chart.model": (
        "模型：{model}，回测平均绝对误差 {mae}；阴影为{level}预测区间",
        "model: {model}, back-test mean absolute error {mae}; shaded: {level} prediction interval",
    ),
    "chart.separator": ("；", "; "),
    "chart.township": ("全镇", "Township"),
    "chart.village_indicator": ("{name}：{indicator}", "{name}: {indicator}"),
    "chart.year_indicator": ("{year}年 {indicator}", "{indicator}, {year}"),
    "chart.data": ("{name}：数据", "{name}: the figures"),
    # --- a chart's alternative text, read out in place of the image
    "alt.years": ("{first}–{last}年", "{first}–{last}"),
    "alt.year": ("{year}年", "{year}"),
    "alt.observed": ("{indicator}：{years}实际值", "{indicator}: observed {years}"),
    "alt.projected": ("与{year}年预测", " and projected to {year}"),
    "alt.latest": ("，{year}年为{value}", "; {value} in {year}"),
    "alt.target": ("，目标{target}", ", target {target}"),
    "alt.plan": (
        "，{year}年计划{target}，已完成{done}",
        ", {target} planned for {year}, {done} done",
    ),
    "alt.no_data": ("{indicator}：无数据", "{indicator}: no data"),
    "alt.map": ("地图：{title}", "Map: {title}"),
    "alt.legend": ("。图例：{entries}", ". Legend: {entries}"),
    "alt.separator": ("；", "; "),
    # --- ranks of villages within their town
    "heading.ranking": ("各村排名", "Villages ranked"),
    "heading.rank": ("在本镇的排名", "Rank in the town"),
    "heading.trends": ("其他指标走势", "Indicators without a target, over time"),
    "rank.of": ("在本镇{n}个村中排第{rank}", "{rank} of {n} in the town"),
    "rank.note": (
        "按比率排名（第1为最好）；户数、面积等总量随村的大小而不同，不作排名。",
        "Ranked by rates (1 = best); totals such as households or areas depend on a village's "
        "size and are not ranked.",
    ),
    "column.rank_in_town": ("本镇排名", "Rank in the town"),
    # --- maps
    "map.no_data": ("无数据", "No data"),
    "map.legend": ("图例", "Legend"),
    "map.heading": ("{title}（{unit}）", "{title} ({unit})"),
    "map.other_villages": ("其他村", "Other villages"),
    "map.location": ("{name}位置", "Location of {name}"),
    "map.road": ("国道 G357", "National road G357"),
    "map.corridor_band": ("产业走廊（宽 {width} {km}）", "Industry corridor ({width} {km} wide)"),
    "map.corridor_title": (
        "G357 蔬菜产业走廊与脐橙基地",
        "G357 vegetable corridor and navel oranges",
    ),
    "map.open": ("点击查看原图", "Tap to open full size"),
    "map.close": ("关闭 ×", "Close ×"),
    "map.bases_title": ("蔬菜与脐橙产业基地", "Vegetable and navel orange bases"),
    "map.neighbour_towns": ("相邻乡镇", "Neighbouring towns"),
    "map.below_target": ("{range}，未达目标", "{range}, short of the target"),
    "map.reached_target": ("{range}，达到目标", "{range}, target reached"),
    "map.greenhouse": ("大棚蔬菜基地", "Greenhouse vegetable base"),
    "map.orange": ("脐橙基地", "Navel orange base"),
    "map.base_size": ("{kind} {value}", "{kind} {value}"),
    "map.public_toilet": ("公共厕所", "Public toilets"),
    "map.sewage_site": ("污水处理设施", "Sewage treatment sites"),
    "map.household_toilet": ("户厕改造", "Household toilets rebuilt"),
    "map.points": ("{label}（{n} 处）", "{label} ({n})"),
    "map.scope_year": ("{year}年建成", "built in {year}"),
    "map.scope_to_date": ("{year}年及以前建成", "built in {year} or before"),
    "map.points_dated": ("{label}（{scope}，{n}）", "{label} ({scope}: {n})"),
    "map.points_vs_ledger": (
        "{label}（{scope}：点位 {n} 处，台账 {ledger}，不符）",
        "{label} ({scope}: {n} points, ledger {ledger}; they differ)",
    ),
    "map.sanitary_rate_year": (
        "{year}年各村卫生厕所普及率",
        "Sanitary toilet coverage by village, {year}",
    ),
    "map.sanitary_rate_towns": (
        "{year}年各乡镇卫生厕所普及率",
        "Sanitary toilet coverage by town, {year}",
    ),
    "map.target_note": ("{place}{year}年目标 {target}", "{place} target for {year}: {target}"),
    "map.sanitation_title": ("卫生厕所改造与污水处理设施", "Sanitary toilets and sewage treatment"),
    "map.sanitation_year": (
        "{year}年卫生厕所改造与污水处理设施",
        "Sanitary toilets and sewage treatment, {year}",
    ),
    "map.sanitation_legend": ("卫生厕所改造", "Toilets rebuilt"),
    "map.toilets_to_date": ("累计改厕", "Toilets rebuilt to date"),
    "map.sample": (f"{config.SAMPLE_LABEL_ZH}（合成数据，非统计结果）", "synthetic sample data"),
    "map.crs": (
        "坐标系：CGCS2000 / 3 度带 CM 114E（EPSG:4547）",
        "CRS: CGCS2000 / 3-degree Gauss-Krüger CM 114E (EPSG:4547)",
    ),
    "map.north": ("北", "N"),
    "map.separator": ("　", "   "),
    # --- the explore notebook's widgets
    "explore.village": ("村（居）", "Village"),
    "explore.indicator": ("指标", "Indicator"),
    "explore.year": ("年份", "Year"),
    "explore.option": ("{name}（{code}）", "{name} ({code})"),
    # --- the explorer page (explore.html)
    "explore.title": ("{place}{year}年数据探索", "Explore the data of {place}, {year}"),
    "explore.job": ("数据探索页", "The explorer page"),
    "explore.pending": (
        "标有“待核实”的数字有待核实：{villages} 个村数据待核实，{totals} 个乡镇或全县数字含待核实村数据。",
        "Figures marked 'to confirm' are to be confirmed: {villages} village figures, and "
        "{totals} town or county figures that count them.",
    ),
    "explore.filter": ("查找指标", "Find an indicator"),
    "explore.place": ("地区", "Place"),
    "explore.place_hint": ("名称或代码", "name or code"),
    "explore.add": ("加入比较", "Compare"),
    "explore.chosen": ("已选地区", "Places chosen"),
    "explore.remove": ("移除{name}", "Remove {name}"),
    "explore.view": ("视图", "View"),
    "explore.tab_chart": ("图表", "Chart"),
    "explore.tab_map": ("地图", "Map"),
    "explore.tab_table": ("表格", "Table"),
    "explore.download": ("下载所示内容：", "Download what is shown:"),
    "explore.download_csv": ("CSV", "CSV"),
    "explore.download_svg": ("SVG", "SVG"),
    "explore.download_png": ("PNG", "PNG"),
    "explore.noscript": (
        "数据探索页需要浏览器启用 JavaScript。",
        "The explorer needs JavaScript switched on in the browser.",
    ),
    "explore.target": ("目标", "Target"),
    "explore.projection": ("预测区间", "Projection band"),
    "explore.no_data": ("无数据", "No data"),
    "explore.too_many": ("最多同时比较 {n} 个地区", "At most {n} places can be compared"),
    "explore.not_found": ("未找到“{text}”", "Nothing found for “{text}”"),
    "explore.loading": ("正在载入…", "Loading…"),
    "explore.code": ("代码", "Code"),
    "explore.name": ("名称", "Name"),
    "explore.level": ("级别", "Level"),
    "explore.value": ("数值", "Value"),
    "explore.pending_count": ("待核实村数据个数", "Village values pending review"),
    "explore.pending_years": ("待核实年份", "Years pending review"),
    "explore.rank": ("名次", "Rank"),
    "explore.unknown_place": ("地区代码 {code} 不在数据中", "place code {code} is not in the data"),
    "explore.town_median": ("本镇中位数", "Town median"),
    "explore.robust_z": ("稳健Z值", "Robust z"),
    "glyphs.spelled": (
        "提示：已安装的字体都没有“{char}”（{code}，见于{names}），图表和地图改用部件写法“{spelled}”。"
        "安装字体 {font} 后重新生成即可显示原字。",
        "Note: no installed font has “{char}” ({code}, in {names}); charts and maps spell it "
        "“{spelled}”. Install the font {font} and build again to draw it.",
    ),
    "glyphs.unspelled": (
        "提示：已安装的字体都没有“{char}”（{code}，见于{names}），图表和地图中将显示为方框。"
        "请安装字体 {font}，或在 {table} 中加入它的部件写法。",
        "Note: no installed font has “{char}” ({code}, in {names}); charts and maps show a box "
        "for it. Install the font {font}, or add its component spelling to {table}.",
    ),
}
