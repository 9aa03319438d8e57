"""The wall page's charts (hub/web/charts.js, run by Node) against hub/charts.py.

The browser wall's Trends page must ask for the same series and draw the same figures as the
Textual kiosk's: the same ``history`` frames, and the same charts from the same answers and
view (gaps, targets, shares, the CSAT gauge, empty charts).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from panneau.hub.charts import CHART_DAY_REF, build_charts, history_frames, zone_of
from panneau.hub.server.wall import wall_catalogue
from panneau.hub.view import ViewState, kpi_key
from tests.chart_data import NOW, answers, scope_figures
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
SCRIPT = """
import { buildCharts, historyFrames, zoneOf } from "./charts.js";
const { cases, frames } = JSON.parse(await new Promise((ok) => {
  let text = "";
  process.stdin.on("data", (d) => { text += d; });
  process.stdin.on("end", () => ok(text));
}));
const catalogue = JSON.parse(cases.catalogue);
const labelOf = (k) => (catalogue[k] ? catalogue[k].label : k.replaceAll("_", " "));
console.log(JSON.stringify({
  charts: cases.views.map(([values, scope, given]) => buildCharts(values, scope, given, labelOf)),
  frames: frames.map(([scope, now, zone]) => {
    try { return historyFrames(scope, now, zoneOf(zone)); } catch (e) { return String(e.message); }
  }),
}));
"""


def run_js(tmp_path: Path, views: list, frames: list) -> dict:
    given = {"cases": {"views": views, "catalogue": json.dumps(wall_catalogue())},
             "frames": frames}
    return run_node(tmp_path, SCRIPT, given=given)


def view_of(values: dict) -> ViewState:
    view = ViewState()
    view.apply_snapshot("e", 0, values)
    return view


def python_charts(values: dict, scope: str, given: dict) -> dict:
    charts = dataclasses.asdict(build_charts(view_of(values), scope, given))
    del charts["per_agent"]  # a manager's, never a wall's
    return json.loads(json.dumps(charts))


def kiosk_meta(zone: str = "Europe/Paris") -> dict:
    return {"meta": {"role": "kiosk", "team": "support", "timezone": zone}}


def gap_answers() -> dict:
    given = answers()
    for key in given[CHART_DAY_REF]["series"]:
        del given[CHART_DAY_REF]["series"][key][2]  # no sample at 08:30
    return given


def odd_values() -> dict:
    """Site-wide targets only, a missing CSAT n, thirds of tickets, a bad sample."""
    values = kiosk_meta("Nowhere/Atlantis")  # an unknown zone reads as UTC, as in Python
    values |= {"target:site/abandon_rate_pct": {"target": 6},
               "target:team:support/abandon_rate_pct": {},  # empty: the site's counts
               kpi_key("team:support", "today", "csat_pct"): 71.5,
               kpi_key("team:support", "today", "tickets_type_task"): 2,
               kpi_key("team:support", "today", "tickets_type_other"): 1,
               kpi_key("team:support", "today", "tickets_via_email"): 3}
    return values


def test_the_wall_draws_the_charts_the_kiosk_draws(tmp_path):
    given = answers()
    bad = answers()
    bad[CHART_DAY_REF]["series"]["team:support/today/offered"].append(["late", 3])
    bad[CHART_DAY_REF]["series"]["team:support/today/answered"].append([NOW - 86400 * 2, 9])
    cases = [
        (kiosk_meta() | scope_figures(), "team:support", given),
        (kiosk_meta() | scope_figures(), "team:support", gap_answers()),
        (kiosk_meta(), "team:support", {}),  # a fresh hub: every chart says why it is empty
        (odd_values(), "team:support", bad),
        (kiosk_meta("America/New_York") | scope_figures("site"), "site", answers("site")),
    ]
    shown = run_js(tmp_path, [list(c) for c in cases], [])["charts"]
    for case, js in zip(cases, shown, strict=True):
        assert js == python_charts(*case)
    first = shown[0]
    assert first["intraday"]["labels"][0] == "07:30"
    assert first["per_half_hour"]["lines"][0]["values"] == [12, 26, 42, 48, 44, 43, 35]
    assert first["per_half_hour"]["lines"][1]["values"] == [0, 2, 3, 7, 6, 3, 0]
    assert first["channels"]["labels"] == ["email 45%", "chat 30%", "phone 15%", "web 10%"]
    assert (first["csat"]["value"], first["csat"]["n"]) == (82, 64)
    assert shown[2]["intraday"]["empty"] == "no history yet today"
    assert shown[3]["types"]["labels"] == ["task 67%", "other 33%"]
    assert shown[3]["intraday"]["targets"][1] == ["Abandon rate target", 6]


def test_the_wall_asks_for_the_kiosks_series_and_never_an_agents(tmp_path):
    nows = [NOW, datetime(2026, 3, 29, 14, 0, tzinfo=ZoneInfo("Europe/Paris")).timestamp(),
            datetime(2026, 11, 1, 0, 30, tzinfo=ZoneInfo("America/New_York")).timestamp(),
            datetime(2026, 4, 1, 0, 10, tzinfo=ZoneInfo("Europe/Paris")).timestamp()]
    cases = [("team:support", now, zone) for now in nows
             for zone in ("Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata", None)]
    frames = run_js(tmp_path, [], [*cases, ("agent:ann", NOW, "UTC")])["frames"]
    for (scope, now, zone), js in zip(cases, frames, strict=False):
        assert js == json.loads(json.dumps(history_frames(scope, now, zone_of(zone))))
    assert frames[-1] == "charts are drawn for the site, a team or a queue, not an agent"
