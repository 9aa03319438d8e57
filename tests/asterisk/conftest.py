"""Fixtures of the Asterisk source tests: where the sample files are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_file():
    """``shared_file(*parts)``: a file of ../shared/data, or skip when that folder is absent."""

    def get(*parts: str) -> Path:
        path = SHARED.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"{path} is not available (../shared/data is absent from this checkout)")
        return path

    return get


@pytest.fixture
def data_dir() -> Path:
    """Hand-written fixtures of these tests."""
    return Path(__file__).parent / "data"


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's committed fixtures (tests/fixtures)."""
    return ROOT / "tests" / "fixtures"
