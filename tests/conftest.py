"""Suite-wide settings.

Property tests explore new random examples on every local run; under CI (``CI`` set) they use
a fixed derandomised sequence, so a submission's result does not depend on luck. Failures found
locally become plain regression tests.
"""

import inspect
import os

# The suite runs the pure-Python engine, the reference, even where a compiled build is there:
# tests/test_compiled_engine.py compares the compiled one with it.
os.environ.setdefault("PANNEAU_ENGINE", "pure")

import pytest
from hypothesis import settings

from panneau.hub import wire
from tests.protocol_check import FrameChecker

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _hub_frames_follow_the_protocol_schema(monkeypatch):
    """Every frame a test decodes from a hub must follow docs/protocol.schema.json."""
    checker = FrameChecker()
    original = wire.decode_hub

    def checked(data, max_bytes: int = 64 * 1024 * 1024):
        frame = original(data, max_bytes)
        checker.check(frame)
        return frame

    monkeypatch.setattr(wire, "decode_hub", checked)
    yield
    assert not checker.problems, "frames the protocol schema does not allow:\n" + "\n".join(
        checker.problems)


@pytest.fixture
def feed_pm():
    """A plugin manager with the built-ins and the hub tests' ``test_feed`` and ``test_posted``
    sources (tests/hub/conftest.py), for every folder that runs a hub on it."""
    from panneau.hub.plugins import make_plugin_manager
    from tests.hub.conftest import FeedPlugin

    pm = make_plugin_manager(load_entry_points=False)
    pm.register(FeedPlugin(), name="test-feed-plugin")
    return pm


@pytest.fixture
def snap_compare(snap_compare):
    """pytest-textual-snapshot's ``snap_compare`` with every text cursor held steady when the
    screenshot is taken: Textual blinks a focused input's cursor every 0.5 s in tests too, so
    on a busy machine a screenshot caught it hidden (the console's snapshots failed so)."""

    def compare(app, press=(), terminal_size=(80, 24), run_before=None):
        async def before(pilot):
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await pilot.pause()
            await pilot.press(*press)
            for widget in pilot.app.screen.query("*"):
                if hasattr(widget, "cursor_blink"):
                    widget.cursor_blink = False

        return snap_compare(app, terminal_size=terminal_size, run_before=before)

    return compare
