"""The banner's last line names what it has no room for.

The panel shows at most three banner lines; with a source stale and alerts up (an
incident), a manager's message to the team was behind "+2 more", which did not say that
a message was there at all."""

from __future__ import annotations

import re

from helpers import wait_for
from kiosk_data import OCCUPANCY, T0, alert_values, fixed_clock, many_alerts, view_of
from textual.widgets import Static

from panneau.kiosk.app import KioskApp
from panneau.kiosk.widgets import Banner
from panneau.kiosk.widgets.banner import NoticeLine


def incident() -> dict:
    values = alert_values()
    values["source:pbx"] = {"status": "stale", "since": T0 - 60, "last_event": T0 - 70,
                            "plugin": "asterisk_ami", "feeds": ["tickets"]}
    for n, text in enumerate(("Huddle at 3", "Sales call back at 4")):
        values[f"message:m{n}"] = {"id": f"m{n}", "text": text, "sender": "Lea", "sent": T0,
                                   "expires": T0 + 3600}
    values["insight:csat/team:support"] = {
        "rule": "csat", "key": "team:support/today/csat_pct", "text": "CSAT fell 9 pts",
        "period": "today so far vs the same time last week", "figures": {}}
    return values


async def test_the_last_banner_line_names_the_kinds_left_out():
    app = KioskApp(view=view_of(incident()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        banner = app.panel.query_one(Banner)
        await wait_for(pilot, lambda: len(banner.query(Static)) == 3)
        kinds = [n.kind for n in banner.notices]
        assert kinds == ["stale", "alert", "message", "message", "insight"]
        lines = [str(s.render()) for s in banner.query(Static)]
        assert lines[0].startswith("STALE") and lines[1].startswith("ALERT")
        assert lines[2] == "+3 more: 2 MESSAGE, NOTE"


async def test_an_alert_line_breaks_between_figures_never_inside_one():
    """At 80×24 the demo's banner read ``ALERT  Abandon rate · 15m, ASA · 15m, SL (all
    callers) · 15m, Calls waiting ·`` over ``now and 3 more (since 11:53)``: a figure's name
    and its window stay on one line, the line breaks after a comma."""
    app = KioskApp(view=view_of(many_alerts()), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        banner = app.panel.query_one(Banner)
        await wait_for(pilot, lambda: banner.notices and banner.query(NoticeLine))
        line = banner.query(NoticeLine).first()
        rows = line.lines(line.content_size.width)
        await pilot.pause()
        shown = [str(strip.text).strip() for strip in
                 (line.render_line(y) for y in range(line.content_size.height))]
    assert len(rows) > 1 and shown == rows, (rows, shown)
    for row in rows:  # each figure whole: "name · window", never "name ·" / "window"
        assert not row.endswith(("·", "(all", "callers)")), rows
        assert not row.startswith(("now", "15m", "support", "billing", "·", "callers")), rows


async def test_no_banner_line_breaks_between_a_number_and_its_unit():
    """A live 80×24 wall wrapped an insight as ``… (the last 60 min and the last 15`` over
    ``min)``."""
    values = many_alerts()
    values["insight:occupancy/queue:billing"] = {"rule": "occupancy", "text": OCCUPANCY}
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        banner = app.panel.query_one(Banner)
        await wait_for(pilot, lambda: len(banner.query(NoticeLine)) >= 2)
        line = banner.query(NoticeLine)[1]
        rows = line.lines(line.content_size.width)
    assert " ".join(rows) == f"NOTE  {OCCUPANCY}" and len(rows) > 1, rows
    for row in rows:
        assert not re.search(r"\d$", row) and not row.startswith(("min", "%")), rows
