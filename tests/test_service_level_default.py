"""The service level a fresh site's wall shows is the one its targets are on.

The screens show the industry service level by default (``service_level_offered_pct``,
"SL (all callers)", docs/kpis.md): ``panneau init`` put its SL target on Asterisk's
``service_level_pct`` instead, so the wall's SL tile had no target and no state (never red
while callers hung up), and the default scorecard rated Asterisk's SL, green at 93 % while
72 % of the team's callers had hung up."""

from __future__ import annotations

import asyncio

from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.cli.main import main
from panneau.hub.config import load_config
from panneau.hub.config.schema import Config
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.hub.server.app import Hub


async def kiosk_view(url: str, token: str, key: str) -> dict:
    """The kiosk's view once it holds ``key`` (the scorecard comes with the first rollup
    pass, a delta after the snapshot)."""
    async with connect(url) as ws:
        await ws.send(wire.encode({"type": "hello", "v": 1, "token": token}))
        view = wire.decode_hub(await asyncio.wait_for(ws.recv(), 10))["view"]
        async with asyncio.timeout(30):
            while key not in view:
                frame = wire.decode_hub(await ws.recv())
                if frame["type"] == "delta":
                    view.update(frame["set"])
        return view


def test_the_default_scorecard_rates_the_service_level_the_screens_show():
    kpis = [row.kpi for row in Config().scorecard.kpis]
    assert SERVICE_LEVEL in kpis and "service_level_pct" not in kpis


async def test_an_init_site_wall_has_a_target_on_the_service_level_it_shows(tmp_path, capsys):
    folder = tmp_path / "site"
    assert main(["init", str(folder)]) == 0
    config = load_config(folder / "panneau.toml", collect_sources(make_plugin_manager()))
    config.hub.listen = config.hub.http_listen = "127.0.0.1:0"
    shown = {kpi for page in config.kiosk.pages for kpi in page.kpis if "service_level" in kpi}
    assert shown == {SERVICE_LEVEL}
    token = (folder / "tokens" / "kiosk-support.token").read_text().strip()
    async with Hub(config) as hub:
        view = await kiosk_view(hub.ws_url, token, "scorecard:team:support")
    assert view[f"target:team:support/{SERVICE_LEVEL}"]["target"] == 80.0
    row = next(r for r in view["scorecard:team:support"]["rows"] if "service_level" in r["kpi"])
    assert (row["kpi"], row["target"]) == (SERVICE_LEVEL, 80.0)
