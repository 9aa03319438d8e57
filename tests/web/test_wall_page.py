"""The browser wall page in a real headless Chromium against a real hub on 127.0.0.1.

It must show, for the same view, the figures, labels, states and stale marks the Textual
kiosk's model computes; grey out when the hub stops; resume when it returns.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import async_playwright

from panneau.hub import wire
from panneau.hub.config import parse_config
from panneau.hub.freshness import WRONG_ROLE, Link, wrong_role
from panneau.hub.server.app import Hub
from panneau.hub.view import ViewState
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import build_page, page_specs, refusal_text
from tests.cluster.conftest import free_port
from tests.hub.conftest import (
    MANAGER,
    agent_token,
    config_text,
    hello,
    kiosk_token,
    recv,
    recv_until,
)
from tests.web.wall_browser import (
    CHROMIUM,
    FLAGS,
    kiosk_view,
    needs_chromium,
    token_view,
    wait_for,
)

pytestmark = needs_chromium
PAGE = """() => ({title: document.getElementById('page-title').textContent,
    tiles: [...document.querySelectorAll('.tile')].map(t => [t.dataset.kpi,
    t.querySelector('.label').textContent, t.querySelector('.value').dataset.text,
    t.dataset.state, t.dataset.stale === 'true'])})"""


def kiosk_tiles(view: ViewState, title: str, connected: bool = True) -> list[list]:
    spec = next(s for s in page_specs(view) if s.title == title)
    page = build_page(view, spec, Link(connected=connected, lost_at=None if connected else 1.0))
    return [[t.kpi, t.label, t.text, t.state, t.stale] for t in page.tiles]


async def test_the_wall_shows_the_kiosk_figures_greys_out_and_resumes(tmp_path, feed_pm):
    ws_port, http_port = free_port(), free_port()
    text = config_text(str(tmp_path / "hub.db"), {"count": 12, "interval_s": 0.005},
                       listen=f"127.0.0.1:{ws_port}", http_listen=f"127.0.0.1:{http_port}")
    config = parse_config(text, "wall.toml")
    url = f"http://127.0.0.1:{http_port}/wall/#token={kiosk_token('support')}"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        async with Hub(config, pm=feed_pm) as hub:
            async with asyncio.timeout(30):
                while hub.journal.count_events() < 5 + 2 * 12:
                    await asyncio.sleep(0.02)
            await hub.wait_idle()
            view = await kiosk_view(hub, "support")
            await page.goto(url)
            await wait_for(page, "document.querySelectorAll('.tile').length > 0 && "
                                 "!document.body.classList.contains('stale')", "its figures")
            shown = await page.evaluate(PAGE)  # title and tiles read at once: pages rotate
            assert shown["tiles"] == kiosk_tiles(view, shown["title"])
            # 8 of the feed's 12 calls go to support's three agents (calls rotate over five)
            await wait_for(page, "document.body.dataset.page === 'Calls'", "the Calls page")
            assert ["answered", "Answered", "8", "none", False] in (await page.evaluate(PAGE))[
                "tiles"]
            await page.screenshot(path=str(tmp_path / "wall-live.png"))
        # the hub is gone: everything greys out under a banner that says so
        await wait_for(page, "document.body.classList.contains('stale')", "the lost hub")
        assert "Hub connection lost since" in await page.inner_text("#banner")
        shown = await page.evaluate(PAGE)
        assert shown["tiles"] == kiosk_tiles(view, shown["title"], connected=False)
        await page.screenshot(path=str(tmp_path / "wall-stale.png"))
        async with Hub(config, pm=feed_pm) as hub:  # back on the same ports: the page resumes
            await wait_for(page, "!document.body.classList.contains('stale')", "the hub back")
            view = await kiosk_view(hub, "support")
            shown = await page.evaluate(PAGE)
            assert shown["tiles"] == kiosk_tiles(view, shown["title"])
            # the lost-hub banner is gone (the resumed hub may raise insight notes there:
            # its occupancy insight once the feed has run long enough)
            assert "Hub connection lost" not in await page.inner_text("#banner")
        await browser.close()


async def test_without_a_token_the_page_says_how_to_open_it(tmp_path, feed_pm):
    http_port = free_port()
    config = parse_config(config_text(str(tmp_path / "hub.db"),
                                      http_listen=f"127.0.0.1:{http_port}"), "wall.toml")
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()
        await page.goto(f"{hub.http_url}/wall")
        await wait_for(page, "document.getElementById('banner').textContent.length > 0",
                       "a banner")
        told = await page.inner_text("#banner")
        # the page never asked the hub: it says what is missing, not that the hub refused it
        assert "#token=" in told and "No token" in told and "refused" not in told, told
        bad = await browser.new_page()
        await bad.goto(f"{hub.http_url}/wall/#token=not-a-token")
        await wait_for(bad, "document.getElementById('banner').textContent"
                            ".includes('refused')", "the refusal")
        told = await bad.inner_text("#banner")
        # why, and how to fix it, in the kiosk's words; no figure it was never given
        assert refusal_text(Link(rejected="unknown token", rejected_code=4001)) in told, told
        assert await bad.evaluate("document.querySelectorAll('.tile').length") == 0
        await browser.close()


async def test_a_token_of_another_role_is_refused_as_the_kiosk_refuses_it(tmp_path, feed_pm):
    """Given an agent's token the wall drew that agent's view as a wall (the team's figures,
    the messages to the agent), where the Textual kiosk says the token is the wrong one
    (``HubApp.ROLES``, fccc524): now the same words, no figure, nothing of the view."""
    http_port = free_port()
    config = parse_config(config_text(str(tmp_path / "hub.db"),
                                      http_listen=f"127.0.0.1:{http_port}"), "wall.toml")
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        manager = await hello(hub.ws_url, MANAGER)
        await recv(manager)
        await manager.send(wire.encode({"type": "send_message", "text": "Ann, see me at 3",
                                        "agent": "ag-ann", "ref": "m"}))
        await recv_until(manager, lambda f: f.get("ref") == "m")
        await manager.close()
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for token in (agent_token("ag-ann"), MANAGER):
            view = await token_view(hub, token)
            said = refusal_text(Link(connected=True, rejected_code=WRONG_ROLE,
                                     rejected=wrong_role(view, KioskApp.ROLES)))
            assert said.endswith(", not a kiosk token — give it one of the hub's [[tokens]]")
            page = await browser.new_page()
            await page.goto(f"{hub.http_url}/wall/#token={token}")
            await wait_for(page, "document.getElementById('banner').textContent"
                                 ".includes('not a kiosk token')", "the refusal")
            told = await page.inner_text("#banner")
            # its one line: nothing of the view (the message to the agent) under it
            assert [" ".join(line.split()) for line in told.strip().splitlines()] == [
                f"STALE {said}"], told
            assert await page.evaluate("document.querySelectorAll('.tile').length") == 0
            # not even the name of its team (the agent's) atop the page
            assert await page.inner_text("#team") == "Panneau"
            await page.close()
        page = await browser.new_page()  # a kiosk's token: its wall, as before
        await page.goto(f"{hub.http_url}/wall/#token={kiosk_token('support')}")
        await wait_for(page, "document.querySelectorAll('.tile').length > 0", "its figures")
        assert "token" not in await page.inner_text("#banner")
        assert await page.inner_text("#team") == "support"
        await browser.close()
