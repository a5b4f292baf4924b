"""Shared fixtures: paths to the externally authored reference data beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
# ../shared/data from the project's root; CONFORMANCE_SHARED_DATA points elsewhere when the layout differs.
SHARED_DATA = Path(os.environ.get("CONFORMANCE_SHARED_DATA", PROJECT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"reference data not found at {SHARED_DATA}; set CONFORMANCE_SHARED_DATA")
    return SHARED_DATA
