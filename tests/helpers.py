"""Plain helpers shared by the screen tests (imported as ``helpers``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["wait_for"]


async def wait_for(pilot, condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """Pause the app until ``condition()`` holds; fail after ``timeout`` seconds."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not reached in {timeout} s")
