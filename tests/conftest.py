"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import config
from analysis.pipeline.prepare import ensure_processed

# --------------------------------------------------------------------------------------------
# ../shared reference data (tests marked @pytest.mark.shared)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's reference data folder; skips when absent, fails if it is required.

    A user's clone has no ../shared, so its tests skip there; CI sets MINSHENG_REQUIRE_SHARED=1
    so that a missing folder cannot silently skip them.
    """
    path = Path(config.SHARED_DIR)
    if not path.is_dir():
        message = (
            f"needs the project's reference data (seed facts, real codes and boundaries) at "
            f"{path}, which sits beside the repository in CI but not in a user's clone; "
            "set MINSHENG_SHARED to its path to run this test"
        )
        if os.environ.get("MINSHENG_REQUIRE_SHARED") == "1":
            pytest.fail(f"MINSHENG_REQUIRE_SHARED=1 but {message}")
        pytest.skip(message)
    return path


# --------------------------------------------------------------------------------------------
# The sample's processed tables, prepared once per test process and copied where a test writes.


@pytest.fixture(scope="session")
def prepared_sample(tmp_path_factory) -> Path:
    """Processed tables of the committed sample (data/raw), prepared once per session."""

    processed = tmp_path_factory.mktemp("prepared") / "processed"
    ensure_processed(config.RAW_DIR, processed)
    return processed


@pytest.fixture
def processed_copy(prepared_sample: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared sample tables, current for data/raw (not re-prepared)."""
    import shutil

    target = tmp_path / "processed"
    shutil.copytree(prepared_sample, target)
    return target
