"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import config

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
        message = f"shared reference data not found at {path} (set MINSHENG_SHARED to its path)"
        if os.environ.get("MINSHENG_REQUIRE_SHARED") == "1":
            pytest.fail(f"MINSHENG_REQUIRE_SHARED=1 but {message}")
        pytest.skip(message)
    return path
