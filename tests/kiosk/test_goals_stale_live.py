"""The Objectives page against a real hub on 127.0.0.1: when the simulated PBX stops and the
hub marks it stale, its key results and their objectives read ``◌ stale``."""

from __future__ import annotations

from goals_data import CONFIG
from helpers import wait_for
from test_goals_stale import board_lines, line_of
from test_live_hub import config, kiosk_for

from panneau.hub.config import parse_config
from panneau.hub.config.schema import KioskPage
from panneau.hub.server import app as server
from panneau.kiosk.widgets.goals import GoalsBoard


async def test_objectives_mark_the_figures_of_a_source_that_stopped(tmp_path):
    cfg = config(tmp_path, duration_s=30.0, stale_s=1.0)
    cfg.objectives = parse_config(CONFIG).objectives
    cfg.kiosk.pages = [KioskPage("Objectives", kind="objectives")]
    hub = server.Hub(cfg)
    await hub.start()
    app = kiosk_for(hub)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            board = app.panel.query_one(GoalsBoard)
            await wait_for(pilot, lambda: app.link.connected and len(board.goals) == 2)
            # the PBX stops after 30 s and is stale a second later
            await wait_for(pilot, lambda: ("site", "abandon_rate_pct") in board.stale,
                           timeout=60)
            assert {("team:support", "fcr_pct"), ("team:support", "service_level_offered_pct")} \
                <= board.stale  # every voice figure the pbx fed
            assert app.link.connected  # the source's state, not the link's
            starts = ("Keep every caller", "Abandon rate", "SL (all callers)", "FCR",
                      "Customers are helped")

            def unmarked() -> list[str]:  # the board draws the new marks on its next refresh
                lines = board_lines(app)
                return [s for s in starts
                        if not any(f" {s}" in f" {line}" for line in lines)
                        or "◌ stale" not in line_of(lines, s)]

            await wait_for(pilot, lambda: not unmarked())
            assert not unmarked()
    finally:
        await app.client.close()
        await hub.stop()
