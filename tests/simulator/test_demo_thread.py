"""``panneau demo``'s hub on an event loop of its own: the screen's loop may stall, the hub's
does not (and its watchdog has nothing to blame)."""

from __future__ import annotations

import logging
import re
import time
import urllib.request

import pytest

from panneau.hub.server.journal import JournalError
from panneau.plugins.simulator.command import demo_hub, demo_screen, hub_thread
from tests.hub.conftest import eventually


async def test_the_screen_stuck_for_a_while_stalls_nothing_of_the_hub(tmp_path, caplog):
    """``./run demo`` on a loaded machine logged "the event loop was blocked … by Task-1" —
    the kiosk starting (its imports, the first compose and draw) on the hub's own loop — and
    printed it as an ERROR when the demo ended."""
    caplog.set_level(logging.INFO)
    with hub_thread(lambda: demo_hub(tmp_path, speed=20.0), lambda: None) as hub:
        app = demo_screen(hub, team="support")
        try:
            async with app.run_test(size=(120, 36)):
                await eventually(lambda: any(k.startswith("kpi:") for k in app.view.values),
                                 30, "the kiosk's first figures")
                # the screen's loop stuck past the watchdog's 1 s (the blocking under test),
                # and, still stuck, asking the hub: it answers (one loop, it never could)
                stuck = time.time()
                time.sleep(1.5)
                with urllib.request.urlopen(f"{hub.http_url}/healthz", timeout=10) as answer:
                    assert answer.status == 200
                freed = time.time()
                seq = app.view.seq
                await eventually(lambda: app.view.seq > seq, 30, "the next delta")
        finally:
            await app.client.close()
        assert hub.supervisor.states["pbx"].status == "live"
    # nothing blamed for the screen's stall (a full collection elsewhere in a loaded test
    # process holds every thread, this one's too: not what is under test)
    errors = [r.getMessage() for r in caplog.records
              if r.levelno >= logging.ERROR and stuck <= r.created <= freed]
    assert errors == []
    assert any("hub" in r.getMessage() and "stopped" in r.getMessage() for r in caplog.records)


def test_a_hub_that_cannot_start_raises_in_the_callers_thread(tmp_path):
    (tmp_path / "demo.db").mkdir()  # the database path is a folder: the hub refuses it
    said = re.escape(f"cannot use {tmp_path / 'demo.db'} as the hub's database: it is a folder")
    with pytest.raises(JournalError, match=said), hub_thread(lambda: demo_hub(tmp_path),
                                                             lambda: None):
        pytest.fail("the hub started")
