"""The plausibility review (核实性审核): each typo caught and named, small counts and clean data
left alone, falling stocks flagged, new villages judged by their town, an office's thresholds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.errors import ParameterError
from analysis.ingest import review as review_module
from analysis.ingest.review import FLAG_COLUMNS, THRESHOLDS_PATH, load_thresholds, review

YEARS = range(2014, 2020)
TOWN = "360722103"
#: Each indicator's typical level and yearly growth in a village (rates in points a year).
LEVELS = {
    "medical_insurance_rate": (85.0, 1.0),
    "medical_reimbursement_visits": (340.0, 0.05),
    "medical_reimbursement_wan": (30.0, 0.08),
    "hardened_road_km": (6.0, 0.06),
    "workshops": (3.0, 0.0),
}


def county(villages: int = 12, towns: int = 1, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A clean long table (villages × years × indicators, noise of a few per cent) and its
    registry."""
    rng = np.random.default_rng(seed)
    codes = [f"{TOWN[:6]}{100 + v // villages:03d}{200 + v:03d}" for v in range(villages * towns)]
    rows = []
    for code in codes:
        size = rng.uniform(0.8, 1.25)
        for indicator, (level, growth) in LEVELS.items():
            for t, year in enumerate(YEARS):
                if indicator == "medical_insurance_rate":
                    value = round(level + growth * t + rng.normal(0, 0.6), 1)
                elif indicator == "workshops":
                    value = float(level)
                elif indicator == "hardened_road_km":
                    value = round(level * size * (1 + growth) ** t, 1)
                else:
                    noise = rng.uniform(0.93, 1.07)
                    value = level * size * (1 + growth) ** t * noise
                    value = round(value) if indicator.endswith("visits") else round(value, 2)
                rows.append((code, year, indicator, value))
    values = pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])
    values["source"] = "民生工作台账_" + values["year"].astype(str) + ".xlsx#社会保障"
    values["row"] = values.groupby(["year", "indicator"]).cumcount() + 4
    values["column"] = values["indicator"].map(
        {ind: letter for ind, letter in zip(LEVELS, "DEFGH", strict=False)}
    )
    registry = pd.DataFrame(
        {
            "code": codes,
            "town_code": [c[:9] for c in codes],
            "short_name": [f"村{c[-3:]}" for c in codes],
        }
    )
    return values, registry


def typed_in(values: pd.DataFrame, code: str, year: int, indicator: str, value: float) -> float:
    """Put ``value`` in place of a village's figure; the figure it replaces."""
    where = (
        (values["village_code"] == code)
        & (values["year"] == year)
        & (values["indicator"] == indicator)
    )
    before = float(values.loc[where, "value"].iloc[0])
    values.loc[where, "value"] = value
    return before


def flag_of(flags: pd.DataFrame, code: str, year: int, indicator: str) -> pd.Series:
    found = flags[
        (flags["village_code"] == code)
        & (flags["year"] == year)
        & (flags["indicator"] == indicator)
    ]
    assert len(found) == 1, flags[["village_code", "year", "indicator", "check"]]
    return found.iloc[0]


def test_clean_data_raises_no_flag() -> None:
    values, registry = county()
    flags = review(values, registry)
    assert list(flags.columns) == FLAG_COLUMNS
    assert flags.empty, flags["message_zh"].tolist()


@pytest.mark.parametrize(
    ("indicator", "typo", "kind", "words"),
    [
        ("medical_insurance_rate", lambda v: round(v / 10, 2), "decimal_down", "疑似小数点错位"),
        ("medical_reimbursement_wan", lambda v: round(v * 10, 2), "decimal_up", "疑似小数点错位"),
        ("medical_reimbursement_wan", lambda v: v * 10_000, "yuan_for_wan", "以元填入了万元栏"),
        ("medical_reimbursement_visits", lambda v: float(f"{v:.0f}5"), "extra_digit", "多输了一位"),
        ("medical_reimbursement_visits", lambda v: float(f"{v:.0f}"[:-1]), "dropped_digit", "漏输"),
    ],
)
def test_each_typo_is_caught_and_named(indicator, typo, kind, words) -> None:
    values, registry = county()
    code = registry["code"].iloc[3]
    before = typed_in(values, code, 2019, indicator, 0.0)
    typed_in(values, code, 2019, indicator, typo(before))
    flag = flag_of(review(values, registry), code, 2019, indicator)
    assert flag["typo"] == kind
    assert words in flag["message_zh"]
    assert flag["expected_low"] <= before <= flag["expected_high"]


def test_swapped_digits_are_named() -> None:
    values, registry = county()
    code = registry["code"].iloc[5]
    # Visits of this village made about 410 a year, 412 typed 142 in 2019.
    where = (values["village_code"] == code) & (
        values["indicator"] == "medical_reimbursement_visits"
    )
    values.loc[where, "value"] = [400.0, 404.0, 406.0, 408.0, 410.0, 412.0]
    typed_in(values, code, 2019, "medical_reimbursement_visits", 142.0)
    flag = flag_of(review(values, registry), code, 2019, "medical_reimbursement_visits")
    assert flag["typo"] == "swapped_digits"
    assert "疑似两位数字颠倒" in flag["message_zh"]


def test_the_message_quotes_the_value_as_typed_and_the_earlier_years() -> None:
    values, registry = county()
    code = registry["code"].iloc[0]
    typed_in(values, code, 2018, "medical_insurance_rate", 89.6)
    typed_in(values, code, 2019, "medical_insurance_rate", 8.96)
    flag = flag_of(review(values, registry), code, 2019, "medical_insurance_rate")
    assert "8.96%" in flag["message_zh"]
    assert "疑似小数点错位" in flag["message_zh"] and "2018年为 89.6%" in flag["message_zh"]
    assert flag["earlier"].endswith("2018年 89.6")
    assert "8.96%" in flag["message_en"] and "89.6% in 2018" in flag["message_en"]
    # Where the value was read: its file, sheet, row and column.
    assert (flag["file"], flag["sheet"]) == ("民生工作台账_2019.xlsx", "社会保障")
    assert flag["row"] == 4 and flag["column"] == "D"


def test_small_counts_do_not_flag() -> None:
    values, registry = county()
    code = registry["code"].iloc[2]
    # 3 → 5 workshops: two thirds more, but two workshops.
    typed_in(values, code, 2019, "workshops", 5.0)
    assert review(values, registry).empty
    # A step of 2.5 times (2 → 5 workshops) is not flagged either; on hundreds of visits it is.
    typed_in(values, code, 2018, "workshops", 2.0)
    assert review(values, registry).empty
    before = typed_in(values, code, 2019, "medical_reimbursement_visits", 0.0)
    typed_in(values, code, 2019, "medical_reimbursement_visits", round(before * 2.5))
    flags = review(values, registry)
    assert flags[["indicator", "check"]].values.tolist() == [
        ["medical_reimbursement_visits", "history"]
    ]


def test_a_falling_stock_is_always_flagged() -> None:
    values, registry = county()
    code = registry["code"].iloc[4]
    before = typed_in(values, code, 2018, "hardened_road_km", 0.0)
    typed_in(values, code, 2018, "hardened_road_km", before)
    # A road network of about 8 km that lost 0.1 km: no unusual change, but a running total.
    typed_in(values, code, 2019, "hardened_road_km", round(before - 0.1, 1))
    flag = flag_of(review(values, registry), code, 2019, "hardened_road_km")
    assert flag["check"] == "stock_fell"
    assert "累计数比上年减少" in flag["message_zh"]
    assert flag["expected_low"] == before  # never less than the year before


def test_a_typo_of_an_earlier_year_flags_once() -> None:
    values, registry = county()
    code = registry["code"].iloc[1]
    before = typed_in(values, code, 2017, "medical_reimbursement_wan", 0.0)
    typed_in(values, code, 2017, "medical_reimbursement_wan", before * 10)
    flags = review(values, registry)
    assert flags[["year", "indicator", "typo"]].values.tolist() == [
        [2017, "medical_reimbursement_wan", "decimal_up"]
    ]


def test_a_new_village_is_judged_by_its_town() -> None:
    values, registry = county()
    new, plain = registry["code"].iloc[6], registry["code"].iloc[7]
    # Two villages reporting for the first time in 2019: one with its visits ×10.
    values = values[~values["village_code"].isin([new, plain]) | (values["year"] == 2019)].copy()
    before = typed_in(values, new, 2019, "medical_reimbursement_visits", 0.0)
    typed_in(values, new, 2019, "medical_reimbursement_visits", before * 10)
    flags = review(values, registry)
    flag = flag_of(flags, new, 2019, "medical_reimbursement_visits")
    # Visits are whole: ten times as many is a digit too many (a 0 typed twice).
    assert flag["check"] == "peers" and flag["typo"] == "extra_digit"
    assert "本镇各村中位数" in flag["message_zh"] and "此前" not in flag["message_zh"]
    assert plain not in set(flags["village_code"])


def test_an_office_sets_its_own_thresholds(tmp_path: Path) -> None:
    values, registry = county()
    code = registry["code"].iloc[3]
    before = typed_in(values, code, 2019, "medical_reimbursement_visits", 0.0)
    typed_in(values, code, 2019, "medical_reimbursement_visits", round(before * 2.5))
    assert len(review(values, registry)) == 1
    settings = yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    settings["min_change"]["人次"] = 1000  # this office asks about changes of 1000 visits or more
    own = tmp_path / "review.yaml"
    own.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    assert review(values, registry, thresholds=own).empty
    assert load_thresholds(own).min_change["人次"] == 1000


def test_a_thresholds_file_with_a_key_missing_is_refused(tmp_path: Path) -> None:
    settings = yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    del settings["history"]["z"]
    own = tmp_path / "review.yaml"
    own.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError, match="z"):
        load_thresholds(own)
    settings = yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    del settings["min_change"]["km"]
    own.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    values, registry = county()
    with pytest.raises(ParameterError, match="km"):
        review(values, registry, thresholds=own)


def test_the_work_is_per_year_not_per_village(monkeypatch) -> None:
    """The town's statistics are computed once a year for every village at once: as many
    times for 3 villages as for 300."""
    calls = []
    group_stats = review_module._group_stats

    def counted(*args):
        calls.append(1)
        return group_stats(*args)

    monkeypatch.setattr(review_module, "_group_stats", counted)
    counts = []
    for villages in (3, 300):
        calls.clear()
        values, registry = county(villages=villages // 3, towns=3)
        review(values, registry)
        counts.append(len(calls))
    assert counts[0] == counts[1] == 2 * len(YEARS)
