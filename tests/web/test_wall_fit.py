"""The browser wall's figures stay inside their tiles.

The figures are sized from the screen (CSS ``min(22vh, 16vw)``): in a third of a
1600×900 screen "100%" and "6:24" were wider than their tile and ran over the next one.
The page now draws every figure of a page in one size at which the widest fits."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from tests.cluster.conftest import free_port
from tests.hub.conftest import config_text, eventually, kiosk_token
from tests.web.wall_browser import CHROMIUM, FLAGS, needs_chromium, wait_for

pytestmark = needs_chromium
PAGE = '[[kiosk.pages]]\ntitle = "Service"\nkpis = ["service_level_offered_pct", "offered", ' \
       '"answered", "asa_s", "abandon_rate_pct", "service_level_pct"]\ndwell_s = 3600.0\n'
#: Each figure's width and its tile's room (inside the padding), and the figures' sizes.
FIT = """() => [...document.querySelectorAll('#tiles .tile')].map(t => {
    const v = t.querySelector('.value'), s = getComputedStyle(t);
    return {text: v.textContent, width: v.getBoundingClientRect().width,
            room: t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight),
            size: getComputedStyle(v).fontSize}; })"""


@pytest.mark.parametrize("size", [(1600, 900), (1920, 1080), (1280, 720), (800, 480)])
async def test_every_figure_fits_its_tile(tmp_path, feed_pm, size):
    ws_port, http_port = free_port(), free_port()
    text = config_text(str(tmp_path / "hub.db"), {"count": 6, "interval_s": 0.005},
                       listen=f"127.0.0.1:{ws_port}", http_listen=f"127.0.0.1:{http_port}")
    first = '[[kiosk.pages]]\ntitle = "Calls"'
    text = text.replace(first, PAGE + first)
    config = parse_config(text, "wall.toml")
    url = f"http://127.0.0.1:{http_port}/wall/#token={kiosk_token('support')}"
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        await eventually(lambda: hub.journal.count_events() >= 5 + 2 * 6, timeout=30,
                         what="the feed's events journalled")
        await hub.wait_idle()
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
        await page.goto(url)
        await wait_for(page, "document.body.dataset.page === 'Service' && [...document."
                             "querySelectorAll('.tile .value')].some(v => v.textContent "
                             "=== '100%')", "the service figures")
        tiles = await page.evaluate(FIT)
        await page.screenshot(path=str(tmp_path / "wall-fit.png"))
        await browser.close()
    assert len(tiles) == 6 and "100%" in [t["text"] for t in tiles]
    assert [t for t in tiles if t["width"] > t["room"]] == []
    assert len({t["size"] for t in tiles}) == 1  # one size for the page, as on the kiosk
