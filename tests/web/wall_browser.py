"""What the browser wall tests share: headless Chromium and a page condition to wait for."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from panneau.hub.config import parse_config
from panneau.hub.config.schema import Config
from panneau.hub.view import ViewState
from tests.cluster.conftest import free_port
from tests.hub.conftest import config_text, hello, kiosk_token, recv

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                    "(Debian: apt-get install chromium; .ci/run installs it)")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def held_calls_page(tmp_path: Path, count: int) -> tuple[Config, str]:
    """A hub fed ``count`` calls whose wall stays on its Calls page, and the support wall's
    address on it (fixed free ports: the page can come back to the same hub)."""
    ws_port, http_port = free_port(), free_port()
    text = config_text(str(tmp_path / "hub.db"), {"count": count, "interval_s": 0.005},
                       listen=f"127.0.0.1:{ws_port}", http_listen=f"127.0.0.1:{http_port}")
    config = parse_config(text.replace('title = "Calls"', 'title = "Calls"\ndwell_s = 3600.0'),
                          "wall.toml")
    return config, f"http://127.0.0.1:{http_port}/wall/#token={kiosk_token('support')}"


@asynccontextmanager
async def open_wall(hub, size: tuple[int, int], team: str = "support",
                    clock_at: datetime | None = None) -> AsyncIterator[Page]:
    """A headless Chromium page at ``size`` showing ``team``'s wall page served by ``hub``;
    with ``clock_at``, the page's clock starts then (``page.clock`` moves it on)."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
            if clock_at is not None:
                await page.clock.install(time=clock_at)
            await page.goto(f"{hub.http_url}/wall/#token={kiosk_token(team)}")
            yield page
        finally:
            await browser.close()


async def token_view(hub, token: str) -> ViewState:
    """The view a client of ``token`` receives, read as a client would."""
    ws = await hello(hub.ws_url, token)
    frame = await recv(ws)
    await ws.close()
    view = ViewState()
    view.apply_snapshot(frame["epoch"], frame["seq"], frame["view"])
    return view


async def kiosk_view(hub, team: str) -> ViewState:
    """The view a kiosk of ``team`` receives, read as a client would."""
    return await token_view(hub, kiosk_token(team))


async def wait_for(page, script: str, what: str) -> None:
    """Wait until ``script`` holds in ``page``; on failure keep a screenshot of it."""
    try:
        await page.wait_for_function(script, timeout=30_000)
    except Exception as exc:
        shot = await page.screenshot()
        Path("wall-failure.png").write_bytes(shot)
        raise AssertionError(f"the wall page never showed {what} (see wall-failure.png)") \
            from exc
