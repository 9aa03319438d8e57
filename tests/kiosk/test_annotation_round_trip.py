"""A comment's round trip: typed in the console → the hub → drawn beside its figure on the
kiosk → in the exports (CSV and XLSX); and the team's insights on the kiosk's banner."""

from __future__ import annotations

import io
import sqlite3
from contextlib import redirect_stdout
from datetime import datetime

import openpyxl
from helpers import wait_for

from panneau.console.app import ConsoleApp
from panneau.hub.cli.export_cmd import export
from panneau.hub.client import HubClient
from panneau.hub.config.schema import KioskPage
from panneau.hub.freshness import Link
from panneau.hub.reports.rows import Period
from panneau.hub.server import app as server
from panneau.hub.view import ViewState
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import build_page, notices, page_specs
from panneau.plugins.simulator import demo

KEY = "team:support/today/offered"


def note_of(kiosk: KioskApp) -> str:
    return next((w.tile.note for w in kiosk.panel.tiles() if w.tile and w.tile.kpi == "offered"),
                "")


async def test_a_comment_goes_from_the_console_to_the_kiosk_and_the_export(tmp_path):
    config = demo.demo_config(database=str(tmp_path / "hub.db"), listen="127.0.0.1:0",
                              http_listen="127.0.0.1:0", speed=60.0, seed=3)
    config.kiosk.pages = [KioskPage("Calls", ["offered", "answered"])]
    # No thresholds: the simulator's alerts would put the alert page up in front of "Calls" for
    # a whole dwell, the tile out of sight, and the wait below would time out on a busy machine.
    config.thresholds = []
    async with server.Hub(config) as hub:
        kiosk = KioskApp(HubClient(hub.ws_url, demo.kiosk_token("support"), backoff_min=0.05))
        console = ConsoleApp(HubClient(hub.ws_url, demo.DEMO_MANAGER_TOKEN), tick_s=0.1)
        async with kiosk.run_test(size=(120, 36)) as kiosk_pilot:
            async with console.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: console.link.connected)
                console.screen.query_one("#compose").value = f"!note {KEY} phone outage 10:05"
                await pilot.press("enter")
                await wait_for(pilot, lambda: any(
                    k == KEY for k, _ in console.screen.model.notes))
            await wait_for(kiosk_pilot, lambda: note_of(kiosk) == "phone outage 10:05")
            assert "✎ phone outage 10:05" in "\n".join(
                next(w for w in kiosk.panel.tiles() if w.tile.kpi == "offered").rows())
            await kiosk.client.close()
            await console.client.close()
    out = io.StringIO()
    with redirect_stdout(out):
        export(config, Period(0.0, 4e9, ["team:support"], ["offered"]), None)
    notes = [line for line in out.getvalue().splitlines() if line.endswith("phone outage 10:05")]
    assert len(notes) == 1 and ",team:support,today,offered,," in notes[0]
    with sqlite3.connect(config.hub.database) as db:
        assert db.execute("SELECT count(*) FROM annotation_log").fetchone() == (1,)
    book = tmp_path / "period.xlsx"
    export(config, Period(0.0, 4e9, ["team:support"], ["offered"]), str(book))
    [header, row] = openpyxl.load_workbook(book)["Comments"].iter_rows(values_only=True)
    assert header == ("time", "scope", "window", "kpi", "label", "comment")
    assert isinstance(row[0], datetime)
    assert row[1:] == ("team:support", "today", "offered", "Offered", "phone outage 10:05")


def test_the_team_insights_are_banner_notes_after_the_messages():
    view = ViewState({"meta": {"role": "kiosk", "team": "support"},
                      "insight:csat/team:support": {
                          "rule": "csat", "key": "team:support/today/csat_pct",
                          "text": "Support: CSAT fell 9 pts this week (76 % vs 85 %, n = 64)",
                          "period": "today so far vs the same time last week", "figures": {}},
                      "annotation:team:support/today/answered": {"text": "new phones"},
                      "kpi:team:support/today/answered": 12})
    link = Link(True, 0.0)
    [note] = notices(view, link, 0.0, str)
    assert (note.kind, note.key) == ("insight", "insight:csat/team:support")
    assert note.text == ("Support: CSAT fell 9 pts this week (76 % vs 85 %, n = 64) "
                         "(today so far vs the same time last week)")
    spec = page_specs(ViewState({"meta": {"pages": [{"title": "T", "kpis": ["answered"]}]}}))[0]
    [tile] = build_page(view, spec, link).tiles
    assert tile.note == "new phones"
