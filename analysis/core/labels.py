"""Every word a reader sees, in Chinese and English, in one place.

Pages, charts, maps, the written summary and the Word document take their headings, column
names, section names, status words and units from here, so one thing is called one name.
"""

from __future__ import annotations

SECTION_ZH = {
    "base": "基本情况",
    "poverty": "脱贫攻坚",
    "social_security": "社会保障",
    "environment": "人居环境",
    "industry": "产业发展",
}
SECTION_EN = {
    "base": "Population",
    "poverty": "Poverty alleviation",
    "social_security": "Social security",
    "environment": "Living environment",
    "industry": "Industry",
}

#: The banner of every page built with ``--accept-errors``.
ACCEPTED_ERRORS_ZH = "注意：本报告所用数据有 {n} 处错误未经更正（以 --accept-errors 生成），其中的数字可能有误，不能作为正式数据使用。"
ACCEPTED_ERRORS_EN = (
    "Warning: built from data with {n} uncorrected errors (--accept-errors); "
    "figures on this page may be wrong and are not for official use."
)
