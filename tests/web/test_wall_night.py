"""The browser wall's night clock, in headless Chromium against a real hub on 127.0.0.1.

Outside opening hours it must do what the kiosk's ClockScreen does: nothing on screen but a
dim clock, its date and the hours (no top or bottom bar left lit), moved each minute.
"""

from __future__ import annotations

from datetime import UTC, datetime

from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from tests.hub.conftest import config_text
from tests.web.wall_browser import needs_chromium, open_wall, wait_for

pytestmark = needs_chromium
#: A Sunday 03:00 UTC: closed on a Monday-to-Friday schedule in any European timezone.
NIGHT = datetime(2026, 11, 29, 3, 0, 5, tzinfo=UTC)
SCHEDULE = ('[kiosk.schedule]\non = "07:30"\noff = "19:00"\n'
            'days = ["mon", "tue", "wed", "thu", "fri"]\n')
SHOWN = """() => { const box = (id) => { const e = document.getElementById(id);
    const r = e.getBoundingClientRect();
    return [Math.round(r.x), Math.round(r.y), r.height > 0]; };
  return {clock: document.getElementById('night-clock').textContent,
          at: box('night-clock'), header: box('top')[2],
          footer: document.querySelector('footer').getBoundingClientRect().height > 0,
          tiles: box('tiles')[2],
          background: getComputedStyle(document.body).backgroundColor}; }"""


async def test_the_night_clock_moves_each_minute_and_nothing_else_stays_lit(tmp_path, feed_pm):
    config = parse_config(config_text(str(tmp_path / "hub.db"), timezone="UTC") + SCHEDULE,
                          "night.toml")
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (1280, 720), clock_at=NIGHT) as page:
        await wait_for(page, "document.getElementById('night-clock').textContent === '03:00'",
                       "the night clock")
        first = await page.evaluate(SHOWN)
        await page.clock.fast_forward("01:00")
        await wait_for(page, "document.getElementById('night-clock').textContent === '03:01'",
                       "the next minute")
        second = await page.evaluate(SHOWN)
        await page.screenshot(path=str(tmp_path / "wall-night.png"))
    assert first["header"] is first["footer"] is first["tiles"] is False
    assert first["background"] == "rgb(0, 0, 0)"
    assert first["at"][2] and second["at"][:2] != first["at"][:2], (first, second)
