"""A sped hub's wall page (``[hub] clock_speed``: a demo, a trial), in headless Chromium
against a real hub on 127.0.0.1: every time of day it shows is the hub's, said once.

The top bar read the browser's own time while the figures' "as of" and an alert's "since"
were the hub's, hours apart within minutes of a demo at ×60 (an alert "since" a time after the
clock's); the page did not say "hub clock ×60" at all.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from panneau.hub.config import parse_config
from panneau.hub.config.schema import KioskPage
from panneau.hub.server.app import Hub
from tests.hub.conftest import config_text
from tests.web.wall_browser import needs_chromium, open_wall, wait_for

pytestmark = needs_chromium
SHOWN = """() => ({clock: document.getElementById('clock').textContent,
                   asOf: document.getElementById('as-of').textContent,
                   at: panneauWall.wall.view.meta.as_of})"""


def hhmm(ts: float, seconds: bool = False) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M:%S" if seconds else "%H:%M")


async def test_a_sped_hubs_wall_shows_the_hubs_time_of_day_and_says_so(tmp_path, feed_pm):
    config = parse_config(config_text(str(tmp_path / "hub.db"), {"count": 3},
                                      timezone="UTC", clock_speed=60.0), "sped.toml")
    # the browser's clock five hours from the hub's: the two cannot be taken for each other
    elsewhere = datetime.fromtimestamp(time.time() - 5 * 3600, UTC)
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (1280, 720),
                                                         clock_at=elsewhere) as page:
        await wait_for(page, "document.querySelectorAll('.tile').length > 0", "its figures")
        shown = await page.evaluate(SHOWN)  # read at once: the hub's minute comes every second
    # the hub's time of day: the figures' time moved on by at most a few of its minutes
    # (a tick of the wall clock is a minute of the hub's)
    minutes = {hhmm(shown["at"] + 60 * k) for k in range(4)}
    assert shown["clock"].startswith("hub clock ×60 · "), shown
    assert shown["clock"][-5:] in minutes, shown
    assert shown["asOf"] == f"as of {hhmm(shown['at'], seconds=True)}", shown
    assert "hub clock" not in shown["asOf"]  # said once, atop


COUNT_ASKS = """() => { const hub = panneauWall.hub, send = hub.send.bind(hub);
  window.historyAsked = 0;
  hub.send = (frame) => { if (frame.type === 'history') window.historyAsked += 1;
                          return send(frame); }; }"""


async def test_a_sped_hubs_wall_asks_for_its_charts_once_a_wall_minute(tmp_path, feed_pm):
    """At ×60 the Trends page asked for its two series at every tick of the page (a wall
    second, a minute of the hub's clock); now when they can have changed, at most once a
    minute of the wall clock (hub/chart_asks.py). The page's clock is Playwright's: its
    seconds are run, not waited for."""
    config = parse_config(config_text(str(tmp_path / "hub.db"), {"count": 3},
                                      timezone="UTC", clock_speed=60.0), "sped.toml")
    config.kiosk.pages = [KioskPage("Trends", kind="trends", dwell_s=3600)]
    async with Hub(config, pm=feed_pm) as hub, open_wall(
            hub, (1280, 720), clock_at=datetime.now(UTC)) as page:
        await wait_for(page, "document.body.dataset.kind === 'trends' && "
                             "panneauWall.wall.chartsAskedAt !== null", "its first ask")
        await page.evaluate(COUNT_ASKS)
        await page.clock.run_for(30_000)  # 30 ticks: half an hour of the hub's clock
        assert await page.evaluate("window.historyAsked") == 0
        await page.clock.run_for(31_000)  # a wall minute since the first ask: asked again
        await wait_for(page, "window.historyAsked === 2", "the next ask")
