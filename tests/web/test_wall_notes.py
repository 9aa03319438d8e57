"""A manager's comment on a figure shows under its tile on the browser wall too.

``panneau annotate`` (or ``!note`` in the console) puts a comment "beside its figure on every
screen that shows the figure" (docs/hub.md): the Textual kiosk drew it under the tile, the
browser wall showed the figure without it. Real hub on 127.0.0.1, real headless Chromium."""

from __future__ import annotations

from playwright.async_api import async_playwright

from panneau.hub import wire
from panneau.hub.server.app import Hub
from tests.hub.conftest import MANAGER, eventually, hello, recv_until
from tests.web.wall_browser import CHROMIUM, FLAGS, held_calls_page, needs_chromium, wait_for

pytestmark = needs_chromium
KEY = "team:support/today/answered"
NOTE = """() => [...document.querySelectorAll('.tile')].filter(t => t.dataset.kpi ===
    'answered').map(t => t.querySelector('.note')?.textContent ?? '')[0]"""


async def annotate(hub: Hub, text: str) -> None:
    ws = await hello(hub.ws_url, MANAGER)
    await ws.send(wire.encode({"type": "annotate", "key": KEY, "text": text, "ref": "n"}))
    await recv_until(ws, lambda f: f["type"] in ("ok", "error") and f.get("ref") == "n")
    await ws.close()


async def test_a_comment_on_a_figure_shows_under_its_tile_until_removed(tmp_path, feed_pm):
    config, url = held_calls_page(tmp_path, 4)
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        await eventually(lambda: hub.journal.count_events() >= 5 + 2 * 4, timeout=30,
                         what="the feed's events journalled")
        await annotate(hub, "phone outage 10:05-10:40")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        await page.goto(url)
        await wait_for(page, f"({NOTE})() === '✎ phone outage 10:05-10:40'", "the comment")
        label = await page.get_attribute(".tile[data-kpi='answered']", "aria-label")
        assert label.endswith("note: phone outage 10:05-10:40")
        await annotate(hub, "")  # removed: gone from the wall
        await wait_for(page, f"({NOTE})() === ''", "the comment removed")
        await browser.close()
