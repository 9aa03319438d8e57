"""The browser wall's banner shows the kiosk's lines: three at most, the last saying what it
leaves out.

With the team's insights now on the browser wall, an incident (a source stale, alerts, two
messages, an insight a rule and scope) could fill half a TV with banner lines and squash the
figures, where the Textual kiosk shows three and ``+3 more: 2 MESSAGE, NOTE``. The same view
in the real Textual kiosk (``App.run_test``) and through hub/web/wall.js under Node.
"""

from __future__ import annotations

import json

from textual.widgets import Static

from panneau.hub.server.wall import wall_catalogue
from panneau.kiosk.app import KioskApp
from panneau.kiosk.widgets import Banner
from tests.helpers import wait_for as settle
from tests.kiosk.kiosk_data import T0, alert_values, fixed_clock, view_of
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
LINES = """
import { bannerLines, localTime, notices } from "./wall.js";
const { view, catalogue, now } = JSON.parse(process.argv[2]);
const link = { connected: true, everConnected: true, since: null, rejected: null };
const found = notices({ ...view, __catalogue: catalogue }, link, now,
                      (ts) => localTime(ts, view.meta.timezone).hhmm);
const lines = bannerLines(found).map(([, word, text]) => (word ? `${word}  ` : "") + text);
console.log(JSON.stringify(lines));
"""


def incident(insights: int) -> dict:
    """Calls piling up, a source stale, two messages and ``insights`` insights."""
    values = alert_values()
    values["source:pbx"] = {"status": "stale", "since": T0 - 60, "last_event": T0 - 70,
                            "plugin": "asterisk_ami", "feeds": ["tickets"]}
    for n, text in enumerate(("Huddle at 3", "Sales call back at 4")):
        values[f"message:m{n}"] = {"id": f"m{n}", "text": text, "sender": "Lea", "sent": T0 + n,
                                   "expires": T0 + 3600}
    for n in range(insights):
        values[f"insight:rule{n}/team:support"] = {"rule": f"rule{n}", "text": f"Insight {n}",
                                                   "period": "today", "figures": {}}
    return values


async def kiosk_lines(values: dict) -> list[str]:
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        banner = app.panel.query_one(Banner)
        await settle(pilot, lambda: len(banner.query(Static)) == min(3, len(banner.notices))
                     and len(banner.notices) > 0)
        return [str(s.render()) for s in banner.query(Static)]


async def test_the_banner_shows_the_kiosks_three_lines_and_what_it_leaves_out(tmp_path):
    for insights, more in ((0, "+2 more: 2 MESSAGE"), (3, "+5 more: 2 MESSAGE, 3 NOTE")):
        values = incident(insights)
        shown = run_node(tmp_path, LINES, json.dumps({"view": values, "now": T0,
                                                      "catalogue": wall_catalogue()}))
        assert shown == await kiosk_lines(values)
        assert shown[0].startswith("STALE  Source pbx stale") and shown[2] == more
    few = alert_values()  # three lines or fewer: all of them
    assert run_node(tmp_path, LINES, json.dumps({"view": few, "now": T0,
                                                 "catalogue": wall_catalogue()})) == [
        "ALERT  Calls waiting · now (since 10:58)"]
