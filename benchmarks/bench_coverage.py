"""Benchmark: how often the 80 % projection intervals hold the true value one year ahead.

Simulates six-point annual series (2014–2019) of three kinds and projects each to 2020 with
``trends.project``:

* ``linear``      a straight trend with normal noise (kind ``amount``);
* ``cumulative``  a stock that only grows, by lumpy gamma-distributed yearly additions
  (kind ``area``, a cumulative indicator such as greenhouse area);
* ``logistic``    a rate on a logistic path with noise on the logit scale (kind ``rate``).

An honest 80 % interval holds the true 2020 value about 80 % of the time; the goal is 76–90 %
for each kind. The same series are projected with the method of an earlier commit (``--before``,
default the commit before the honest intervals) when git can show it, so the two columns compare
like with like. Prints figures only; nothing is asserted.

    .venv/bin/python benchmarks/bench_coverage.py [--series 400] [--seed 13] [--before REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from analysis.core import trends  # noqa: E402

YEARS = np.arange(2014, 2020)
TARGET_YEAR = 2020
LEVEL = 0.8
#: The last commit whose trends.py was a single module with the pre-issue-13 intervals.
BEFORE = "0ca546c"
GOAL = (0.76, 0.90)


def linear(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    level = rng.uniform(50, 500)
    slope = level * rng.uniform(-0.05, 0.12)
    sigma = level * rng.uniform(0.01, 0.06)
    t = np.arange(len(YEARS) + 1)
    values = level + slope * t + sigma * rng.standard_normal(t.size)
    return values[:-1], float(values[-1])


def cumulative(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    start = rng.uniform(0, 300)
    mean, shape = rng.uniform(5, 60), rng.uniform(0.8, 4.0)
    additions = rng.gamma(shape, mean / shape, len(YEARS))
    values = start + np.concatenate([[0.0], np.cumsum(additions)])
    return values[:-1], float(values[-1])


def logistic(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    alpha, beta, sigma = rng.uniform(-1, 2), rng.uniform(0.05, 0.4), rng.uniform(0.03, 0.2)
    t = np.arange(len(YEARS) + 1)
    logit = alpha + beta * t + sigma * rng.standard_normal(t.size)
    values = 100 / (1 + np.exp(-logit))
    return values[:-1], float(values[-1])


#: name → (generator, catalog kind, bounds, cumulative)
FAMILIES: dict[str, tuple[Callable, str, tuple, bool]] = {
    "linear": (linear, "amount", (0, None), False),
    "cumulative": (cumulative, "area", (0, None), True),
    "logistic": (logistic, "rate", (0, 100), False),
}


def simulate(n: int, seed: int) -> dict[str, list[tuple[np.ndarray, float]]]:
    """``n`` series of each family, the same for every method."""
    rng = np.random.default_rng(seed)
    return {name: [make(rng) for _ in range(n)] for name, (make, *_) in FAMILIES.items()}


def coverage(
    module: ModuleType, draws: list[tuple[np.ndarray, float]], family: str, new: bool
) -> tuple[float, float, float, float]:
    """Share of intervals holding the truth, median relative width, share below the last value,
    and seconds per series."""
    _, kind, bounds, grows = FAMILIES[family]
    extra = {"cumulative": grows} if new else {}
    hits, widths, falls = [], [], []
    started = time.perf_counter()
    for values, truth in draws:
        series = pd.Series(values, index=YEARS)
        result = module.project(series, TARGET_YEAR, kind=kind, bounds=bounds, level=LEVEL, **extra)
        hits.append(result.lower <= truth <= result.upper)
        widths.append((result.upper - result.lower) / max(abs(truth), 1e-9))
        falls.append(result.lower < values[-1] - 1e-9)
    seconds = (time.perf_counter() - started) / len(draws)
    return float(np.mean(hits)), float(np.median(widths)), float(np.mean(falls)), seconds


def load_before(rev: str) -> ModuleType | None:
    """``analysis/core/trends.py`` as it was at ``rev``, imported under another name."""
    try:
        source = subprocess.run(
            ["git", "-C", str(HERE.parent), "show", f"{rev}:analysis/core/trends.py"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "trends_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("trends_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=400, help="series of each kind")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--before", default=BEFORE, help="git revision of the earlier method")
    args = parser.parse_args()

    draws = simulate(args.series, args.seed)
    before = load_before(args.before)
    if before is None:
        print(f"(git cannot show {args.before}:analysis/core/trends.py; 'before' not run)")
    methods = [("before", before, False), ("after", trends, True)] if before else []
    methods = methods or [("after", trends, True)]
    print(
        f"{args.series} six-point series of each kind, {YEARS[0]}–{YEARS[-1]} → {TARGET_YEAR}, "
        f"{LEVEL:.0%} intervals; goal {GOAL[0]:.0%}–{GOAL[1]:.0%}"
    )
    print(f"{'kind':<11} {'method':<7} {'coverage':>8} {'width':>7} {'below last':>10} {'ms':>6}")
    for family, family_draws in draws.items():
        for label, module, new in methods:
            share, width, falls, seconds = coverage(module, family_draws, family, new)
            flag = "" if GOAL[0] <= share <= GOAL[1] else "  outside goal"
            print(
                f"{family:<11} {label:<7} {share:>8.1%} {width:>7.1%} {falls:>10.1%} "
                f"{seconds * 1000:>6.1f}{flag}"
            )
    print("width: median interval width relative to the true value; below last: share of")
    print("intervals reaching below the last observed value")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
