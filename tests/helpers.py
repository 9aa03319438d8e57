"""Plain helpers shared by the screen tests (imported as ``helpers``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["contrast", "wait_for"]


async def wait_for(pilot, condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """Pause the app until ``condition()`` holds; fail after ``timeout`` seconds."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not reached in {timeout} s")


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 a channel)."""
    lin = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21 (7 or more: AAA for text)."""
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
