"""The words of the projections: model names, the progress measures' categories, the statuses."""

from __future__ import annotations

MODEL_ZH = {
    "linear": "线性趋势",
    "log-linear": "对数线性（固定增长率）",
    "drift": "漂移（最新值加年均变化）",
    "log-drift": "对数漂移（最新值按年均增长率）",
    "logit-linear": "logit线性（有界比率）",
    "logit-drift": "logit漂移（有界比率，最新值加年均变化）",
    "damped ETS": "阻尼趋势指数平滑",
}
ESCAP_ZH = {"maintain progress": "保持", "accelerate": "需加速", "reverse trend": "扭转倒退"}
EUROSTAT_ZH = {
    "achieved": "已达成",
    "on track": "进展顺利",
    "acceleration needed": "需加速",
    "limited progress": "进展有限",
    "deterioration": "倒退",
}
#: status_en → status_zh, in the order a report lists them.
STATUS_ZH = {
    "achieved": "已达成",
    "on track": "有望达成",
    "acceleration needed": "需加速",
    "deteriorating": "倒退",
    "insufficient data": "数据不足",
    "no target": "无目标",
}
