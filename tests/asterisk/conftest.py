"""Fixtures of the Asterisk source tests: paths and a real in-memory SourceContext."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from hub.sources import UNCHANGED

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "data"


class RecordingContext:
    """A SourceContext that keeps what the source hands over (events, checkpoint, status)."""

    def __init__(self, name: str = "pbx", checkpoint: Any = None, clock: float | None = None):
        self.name = name
        self.checkpoint = checkpoint
        self.log = logging.getLogger(f"test.{name}")
        self.events: list = []
        self.skips: list[str] = []
        self.statuses: list[tuple[str, str]] = []
        self.clock = clock
        self.changed = asyncio.Event()

    async def emit(self, events, checkpoint=UNCHANGED) -> None:
        self.events.extend(events)
        if checkpoint is not UNCHANGED:
            self.checkpoint = checkpoint
        self.changed.set()

    def skipped(self, detail: str, count: int = 1) -> None:
        self.skips.extend([detail] * count)

    def set_status(self, status: str, detail: str = "") -> None:
        self.statuses.append((status, detail))
        self.changed.set()

    def add_route(self, method, path, handler) -> str:
        raise NotImplementedError("the Asterisk sources serve no webhook")

    def now(self) -> float:
        return self.clock if self.clock is not None else time.time()

    @property
    def status(self) -> str | None:
        return self.statuses[-1][0] if self.statuses else None

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        """Wait (bounded) until ``predicate(self)`` holds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"condition not met within {timeout}s; got {self.statuses}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.05))


@pytest.fixture
def make_ctx():
    return RecordingContext


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
    return DATA


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's committed fixtures (tests/fixtures)."""
    return FIXTURES
