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
