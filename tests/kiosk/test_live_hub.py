"""The kiosk against a real hub on 127.0.0.1 fed by the simulator: figures, restart, stale."""

from __future__ import annotations

import dataclasses
import socket

from helpers import wait_for

from panneau.hub.client import HubClient
from panneau.hub.config.schema import KioskPage
from panneau.hub.display import format_value
from panneau.hub.server import app as server
from panneau.kiosk.app import KioskApp
from panneau.kiosk.widgets import Banner
from panneau.plugins.simulator import demo


def config(tmp_path, *, port: int = 0, duration_s: float | None = None, stale_s=None):
    # a simulated morning whatever the time the test runs: the support team is logged in
    opts = demo.SimulatorOptions(scenario="day", seed=3, duration_s=duration_s, clock_hour=11.0)
    cfg = demo.demo_config(options=opts, speed=60.0, database=str(tmp_path / "hub.db"),
                           listen=f"127.0.0.1:{port}", http_listen="127.0.0.1:0")
    cfg.sources = [dataclasses.replace(s, stale_after_s=stale_s) for s in cfg.sources]
    # Figures the simulated support team has from its first second (its agents log in), not
    # ones waiting for a random first ticket or call.
    cfg.kiosk.pages = [KioskPage("Agents", ["agents_logged_in", "agents_available"],
                                 window="now")]
    cfg.thresholds = []  # no alert page in front: the one page stays on screen
    return cfg


def kiosk_for(hub) -> KioskApp:
    client = HubClient(hub.ws_url, demo.kiosk_token("support"), backoff_min=0.05,
                       backoff_max=0.2)
    return KioskApp(client)


def hold_port(port: int) -> socket.socket:
    """Bind (without listening) the stopped hub's port: connections to it are refused."""
    guard = socket.socket()
    guard.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    guard.bind(("127.0.0.1", port))
    return guard


def figures(app: KioskApp) -> dict[str, str]:
    return {w.tile.kpi: w.number.value for w in app.panel.tiles()}


def stale(app: KioskApp) -> bool:
    tiles = app.panel.tiles()
    return bool(tiles) and all(w.has_class("-stale") for w in tiles)


async def test_reconnects_after_the_hub_restarts(tmp_path):
    hub = server.Hub(config(tmp_path))
    await hub.start()
    port = hub.ws_port
    app = kiosk_for(hub)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.link.connected and app.view.meta)
            assert app.view.meta["team"] == "support"
            await wait_for(pilot, lambda: figures(app).get("agents_logged_in", "-") != "-")
            assert not stale(app)
            # the hub's clock (clock_speed 60), ahead of this screen's: its time shown, said
            assert app.panel.query_one("#top").clock.startswith("hub clock ×60 · ")
            await hub.stop()
            guard = hold_port(port)  # so no other test's hub takes the port meanwhile
            await wait_for(pilot, lambda: not app.link.connected)
            await wait_for(pilot, lambda: stale(app))
            # the last values stay on screen while the hub is away
            held = app.view.kpi("team:support", "now", "agents_logged_in")
            assert figures(app)["agents_logged_in"] == format_value("agents_logged_in", held)
            assert any(key.startswith("kpi:") for key in app.view.values)
            notice = app.panel.query_one(Banner).notices[0]
            assert notice.text.startswith("Hub connection lost since")
            guard.close()
            hub = server.Hub(config(tmp_path, port=port))
            await hub.start()
            # a busy machine may stretch the reconnect backoff: a generous bound, no fixed wait
            await wait_for(pilot, lambda: app.link.connected and not stale(app), timeout=60)
            assert not any(n.key == "hub" for n in app.panel.query_one(Banner).notices)
    finally:
        await app.client.close()
        await hub.stop()


async def test_marks_figures_stale_when_the_source_stops(tmp_path):
    hub = server.Hub(config(tmp_path, duration_s=30.0, stale_s=1.0))
    await hub.start()
    app = kiosk_for(hub)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.link.connected and app.view.meta)
            await wait_for(pilot, lambda: any(
                n.key == "source:pbx" for n in app.panel.query_one(Banner).notices))
            notice = next(n for n in app.panel.query_one(Banner).notices
                          if n.key == "source:pbx")
            assert notice.text.startswith("Source pbx stale since")
            assert app.link.connected and stale(app)
    finally:
        await app.client.close()
        await hub.stop()


async def test_says_so_when_the_hub_refuses_its_token(tmp_path):
    hub = server.Hub(config(tmp_path))
    await hub.start()
    app = KioskApp(HubClient(hub.ws_url, "not-a-token", backoff_min=0.05, backoff_max=0.2))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.link.rejected is not None)
            # drawn at once, or a redraw interval after the first page (HUB_REDRAW_S)
            await wait_for(pilot, lambda: app.panel.query_one(Banner).notices[0].text
                           .startswith("The hub refused this screen:"))
            assert not app.view.values  # nothing was sent before the token was accepted
            # it says how to fix it, and shows no figure it was never given (no `-`, no
            # ◌ STALE tile: the browser wall shows none either)
            assert app.panel.query_one(Banner).notices[0].text == (
                "The hub refused this screen: unknown token — give this screen a kiosk token"
                " of the hub's [[tokens]]")
            await pilot.pause()
            assert app.panel.tiles() == []
    finally:
        await app.client.close()
        await hub.stop()
