"""Benchmark: recall and false flags of the plausibility review (核实性审核) on simulated typos.

For each seed, ``minsheng sample OUT --villages 60 --seed S`` writes a synthetic county (kept in
``benchmarks/out/review/``), and typos of each kind are typed into a copy of its report year's
workbook (民生工作台账_2019.xlsx), as a clerk would type them:

* ``decimal_up`` / ``decimal_down``: the decimal point slipped (×10, ÷10);
* ``extra_digit`` / ``dropped_digit``: a digit typed twice or added, or left out;
* ``swapped_digits``: two digits swapped;
* ``yuan_for_wan``: the figure in 元 typed where 万元 is asked (×10,000).

Each typo changes its value by half or more (a rate by 15 points or more) and stays within the
catalog's bounds, and a whole-number indicator stays whole, so every rule passes it: only the
review can catch it. The copy is validated and reviewed, and the bench prints, by kind, the
share of typos flagged (recall) and of those the share whose message names the kind; and the
false flags: the share of the other cells (all years, and the report year alone) flagged, by
check. It does the same with the report year alone (``--peers``: no history, every village
judged by its town's villages). ``--speed N`` also times the review on ``minsheng sample
--villages N`` against ``prepare`` of it. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_review.py [--seeds 1 2 3 4 5] [--typos 42]
        [--thresholds my_review.yaml] [--speed 17000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis.core.catalog import default_catalog  # noqa: E402
from analysis.ingest.review import load_thresholds, review  # noqa: E402
from analysis.ingest.validate import validate  # noqa: E402

BIN = Path(sys.executable).parent
OUT = HERE / "out" / "review"
YEAR = 2019
WORKBOOK = f"民生工作台账_{YEAR}.xlsx"
KINDS = (
    "decimal_up",
    "decimal_down",
    "extra_digit",
    "dropped_digit",
    "swapped_digits",
    "yuan_for_wan",
)
#: The kinds a message may name for a typo of each kind: a whole number ×10 is also a digit
#: added (340 → 3400), and a digit added to a whole number is also about ×10.
NAMED_AS = {
    "decimal_up": {"decimal_up", "extra_digit"},
    "decimal_down": {"decimal_down", "dropped_digit"},
    "extra_digit": {"extra_digit", "decimal_up"},
    "dropped_digit": {"dropped_digit", "decimal_down"},
    "swapped_digits": {"swapped_digits"},
    "yuan_for_wan": {"yuan_for_wan"},
}


def sample(villages: int, seed: int) -> Path:
    """The synthetic county of ``villages`` and ``seed``, written once."""
    raw = OUT / f"raw_{villages}_{seed}"
    if not (raw / WORKBOOK).exists():
        shutil.rmtree(raw, ignore_errors=True)
        subprocess.run(
            [BIN / "minsheng", "sample", raw, "--villages", str(villages), "--seed", str(seed)],
            check=True,
            capture_output=True,
        )
    return raw


def typed(value: float, whole: bool) -> str:
    return f"{value:.0f}" if whole else f"{value:.6f}".rstrip("0").rstrip(".")


def make_typo(kind: str, value: float, whole: bool, rng: np.random.Generator) -> float | None:
    """``value`` with a typo of ``kind``, or None where this value cannot have one."""
    text = typed(value, whole)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if kind == "decimal_up":
        return value * 10
    if kind == "decimal_down":
        return value / 10
    if kind == "yuan_for_wan":
        return value * 10_000
    if kind == "extra_digit":
        at = int(rng.integers(0, len(text) + 1))
        new = text[:at] + str(rng.integers(0, 10)) + text[at:]
    elif kind == "dropped_digit":
        if len(digits) < 2:
            return None
        at = int(rng.choice(digits))
        new = text[:at] + text[at + 1 :]
    else:  # swapped_digits
        pairs = [(i, j) for i in digits for j in digits if i < j and text[i] != text[j]]
        if not pairs:
            return None
        i, j = pairs[int(rng.integers(0, len(pairs)))]
        chars = list(text)
        chars[i], chars[j] = chars[j], chars[i]
        new = "".join(chars)
    if (new.startswith("0") and len(new) > 1 and new[1] != ".") or new.endswith(".") or new == ".":
        return None
    return float(new)


def eligible(kind: str, value: float, new: float | None, ind) -> bool:
    """A typo that changes the value by half or more (a rate by 15 points), within bounds,
    whole where the indicator is."""
    if new is None or value <= 0:
        return False
    if kind == "yuan_for_wan" and ind.unit != "万元":
        return False
    low, high = ind.bounds
    if (low is not None and new < low) or (high is not None and new > high):
        return False
    if ind.integer and abs(new - round(new)) > 1e-9:
        return False
    if ind.kind == "rate":
        return abs(new - value) >= 15
    return abs(new - value) >= 0.5 * value


def running_totals(raw: Path, places: pd.DataFrame) -> pd.DataFrame:
    """Make each village's cumulative stocks never fall, in every year's workbook of ``raw``.

    The generator splits each year's total of a stock afresh among the villages, so a village's
    road length can fall from one year to the next; the catalog says it cannot (a stock marked
    ``cumulative`` only grows), and the review flags every fall. A running maximum makes the
    clean data what the catalog describes. Returns ``places`` with the new values."""
    from openpyxl import load_workbook

    catalog = default_catalog()
    cumulative = [ind.id for ind in catalog if ind.cumulative]
    places = places.sort_values(["village_code", "indicator", "year"], kind="stable")
    stocks = places["indicator"].isin(cumulative)
    most = places[stocks].groupby(["village_code", "indicator"])["value"].cummax()
    raised = places.loc[most.index[most > places.loc[most.index, "value"]]]
    for file, cells in raised.groupby("file"):
        book = load_workbook(raw / file)
        for cell in cells.itertuples():
            value = float(most[cell.Index])
            whole = catalog[cell.indicator].integer
            book[cell.sheet][f"{cell.column}{cell.row}"].value = int(value) if whole else value
        book.save(raw / file)
    places.loc[most.index, "value"] = most
    return places.sort_index()


def inject(raw: Path, out: Path, places: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """A copy of ``raw`` with ``n`` typos (as even across kinds as the cells allow) in the
    report year's workbook; the typos as a table."""
    from openpyxl import load_workbook

    catalog = default_catalog()
    rng = np.random.default_rng(seed)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(raw, out)
    places = running_totals(out, places)
    cells = places[(places["file"] == WORKBOOK) & (places["year"] == YEAR)]
    cells = cells.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    used: set[int] = set()
    typos = []
    for k in range(n):
        kind = KINDS[k % len(KINDS)]
        for pos in range(len(cells)):
            if pos in used:
                continue
            cell = cells.iloc[pos]
            ind = catalog[cell["indicator"]]
            new = make_typo(kind, float(cell["value"]), ind.integer, rng)
            if eligible(kind, float(cell["value"]), new, ind):
                used.add(pos)
                typos.append({**cell.to_dict(), "kind": kind, "typo": new})
                break
    typos = pd.DataFrame(typos)
    typos["value"] = typos["value"].astype(float)
    book = load_workbook(out / WORKBOOK)
    for item in typos.itertuples(index=False):
        whole = catalog[item.indicator].integer
        book[item.sheet][f"{item.column}{item.row}"].value = int(item.typo) if whole else item.typo
    book.save(out / WORKBOOK)
    return typos


def measure(raw: Path, typos: pd.DataFrame, thresholds, report_year_only: bool) -> dict:
    """Validate and review ``raw``; which typos were flagged, and the clean cells flagged."""
    result = validate(raw)
    values = result.values.join(result.places[["file", "sheet", "column"]])
    if report_year_only:
        values = values[values["year"] == YEAR]
    flags = review(values, result.registry, thresholds=thresholds)
    keys = ["village_code", "year", "indicator"]
    hit = typos.merge(flags[[*keys, "typo", "check"]], on=keys, how="left", suffixes=("", "_f"))
    hit = hit.drop_duplicates(keys)
    accepted = typos[keys].merge(values[[*keys, "value"]], on=keys, how="left")["value"]
    clean = values.merge(typos[keys], on=keys, how="left", indicator=True)["_merge"] == "left_only"
    flagged_clean = flags.merge(typos[keys], on=keys, how="left", indicator=True)
    flagged_clean = flagged_clean[flagged_clean["_merge"] == "left_only"]
    year_cells = int((clean & (values["year"] == YEAR).to_numpy()).sum())
    errors = result.problems[result.problems["severity"] == "error"]
    refused = typos.merge(errors, on=["file", "sheet", "row", "column"])["rule"]
    return {
        "refused_by": refused.value_counts().to_dict(),
        "typos": hit.assign(
            flagged=hit["check"].notna(),
            named=[
                isinstance(t, str) and t in NAMED_AS[k]
                for k, t in zip(hit["kind"], hit["typo_f"], strict=True)
            ],
            reached=(accepted - hit["typo"]).abs().to_numpy() < 1e-6,
        ),
        "clean_cells": int(clean.sum()),
        "clean_flags": flagged_clean,
        "year_cells": year_cells,
    }


def report(runs: list[dict], title: str) -> None:
    typos = pd.concat([r["typos"] for r in runs], ignore_index=True)
    flags = pd.concat([r["clean_flags"] for r in runs], ignore_index=True)
    cells = sum(r["clean_cells"] for r in runs)
    year_cells = sum(r["year_cells"] for r in runs)
    print(f"\n{title}")
    print(
        f"{'kind':<16}{'typos':>6}{'rules':>7}{'review':>8}{'recall':>8}{'caught':>8}{'named':>8}"
    )
    for kind, group in [*typos.groupby("kind", sort=False), ("all", typos)]:
        reached, flagged = group["reached"], group["flagged"]
        print(
            f"{kind:<16}{len(group):>6}{int((~reached).sum()):>7}"
            f"{int(flagged.sum()):>4} /{int(reached.sum()):>3}{flagged.sum() / reached.sum():>8.1%}"
            f"{(flagged | ~reached).mean():>8.1%}"
            f"{group['named'].sum() / max(flagged.sum(), 1):>8.1%}"
        )
    print(
        "rules: refused by a rule (an error) before the review; review: flagged of those that "
        "reached it (recall); caught: either; named: flags naming the typo's kind"
    )
    refused: dict[str, int] = {}
    for run in runs:
        for rule, n in run["refused_by"].items():
            refused[rule] = refused.get(rule, 0) + int(n)
    print(f"refused by the rules (errors on the typo's cell): {refused}")
    in_year = flags[flags["year"] == YEAR]
    print(
        f"false flags: {len(flags)} of {cells} clean cells = {len(flags) / cells:.2%} "
        f"(report year: {len(in_year)} of {year_cells} = {len(in_year) / year_cells:.2%})"
    )
    for check, group in flags.groupby("check"):
        print(f"  {check:<12}{len(group):>5} = {len(group) / cells:.2%}")
    named = flags["typo"].replace("", "-").value_counts()
    print(f"  (typo named on false flags: { {k: int(v) for k, v in named.items()} })")


def speed(villages: int) -> None:
    """``prepare`` of a synthetic county of ``villages``, and the review of its values."""
    from analysis.pipeline.prepare import prepare

    raw = HERE / "out" / f"raw_{villages}"
    if not (raw / WORKBOOK).exists():
        subprocess.run(
            [BIN / "minsheng", "sample", raw, "--villages", str(villages), "--quiet"], check=True
        )
    out = OUT / f"processed_{villages}"
    shutil.rmtree(out, ignore_errors=True)
    started, cpu = time.perf_counter(), time.process_time()
    result = prepare(raw, out)
    prepare_wall, prepare_cpu = time.perf_counter() - started, time.process_time() - cpu
    validation = result.validation
    values = validation.values.join(validation.places[["file", "sheet", "column"]])
    started, cpu = time.perf_counter(), time.process_time()
    flags = review(values, validation.registry)
    review_wall, review_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"\nspeed, {villages} villages, {len(values)} values: prepare {prepare_wall:.1f} s wall "
        f"/ {prepare_cpu:.1f} s CPU; review {review_wall:.1f} s wall / {review_cpu:.1f} s CPU "
        f"({len(flags)} flags) = {review_cpu / prepare_cpu:.1%} of prepare's CPU (goal <= 10 %)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    parser.add_argument("--villages", type=int, default=60)
    parser.add_argument("--typos", type=int, default=42, help="typos per seed")
    parser.add_argument("--thresholds", type=Path, help="an office's review.yaml")
    parser.add_argument("--speed", type=int, default=0, help="time the review at N villages")
    args = parser.parse_args()
    thresholds = load_thresholds(args.thresholds)

    runs: dict[bool, list[dict]] = {False: [], True: []}
    for seed in args.seeds:
        raw = sample(args.villages, seed)
        clean = validate(raw)
        places = clean.values.join(clean.places[["file", "sheet", "column"]])
        typos = inject(raw, OUT / f"typos_{args.villages}_{seed}", places, args.typos, seed)
        for year_only in (False, True):
            runs[year_only].append(
                measure(OUT / f"typos_{args.villages}_{seed}", typos, thresholds, year_only)
            )
    seeds = " ".join(map(str, args.seeds))
    if args.seeds:
        report(runs[False], f"history: {args.villages} villages 2014-{YEAR}, seeds {seeds}")
        report(runs[True], f"peers: the report year {YEAR} alone (no history), seeds {seeds}")
    bundled = validate(HERE.parent / "data" / "raw")
    flags = review(
        bundled.values.join(bundled.places[["file", "sheet", "column"]]),
        bundled.registry,
        thresholds=thresholds,
    )
    by_check = {k: int(v) for k, v in flags["check"].value_counts().items()}
    print(f"\nbundled sample (data/raw): {len(flags)} flags, by check {by_check}")
    if args.speed:
        speed(args.speed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
