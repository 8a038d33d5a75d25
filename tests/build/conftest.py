"""Fixtures of the build tests: a county of several towns, built once per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.build import runner
from analysis.tools import sample

VILLAGES = 60  # synthetic towns of 18 villages: four towns


@pytest.fixture(scope="session")
def county(tmp_path_factory) -> tuple[Path, Path, runner.BuildResult]:
    """A 60-village synthetic county, built: (processed folder, year folder, result). Tests
    only read it."""
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(VILLAGES))
    result = runner.build(
        raw, root / "reports", processed_dir=root / "processed", progress=False, workers=2
    )
    return root / "processed", root / "reports" / "2019", result
