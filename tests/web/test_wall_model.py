"""The wall page's model (hub/web/wall.js, run by Node) against the kiosk's, on fixed views.

Alert page, banner and night clock: what the browser wall shows must be what the Textual
kiosk shows for the same view (one figure, one state, wherever it appears).
"""

from __future__ import annotations

import json
from pathlib import Path

from panneau.hub.freshness import Link
from panneau.hub.server.wall import wall_catalogue
from panneau.kiosk.model import build_page, notices, page_specs
from panneau.kiosk.schedule import closed_text, night_shift
from panneau.kiosk.widgets.pack import figure_parts
from tests.kiosk.kiosk_data import (
    T0,
    alert_values,
    group_values,
    normal_values,
    trends_values,
    view_of,
)
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
SCRIPT = """
import { pageSpecs, buildPage, notices, closedText } from "./wall.js";
const { view, schedule } = JSON.parse(process.argv[2]);
const catalogue = JSON.parse(process.argv[3]);
const link = { connected: true, everConnected: true, since: null, rejected: null };
const spec = pageSpecs(view)[0];
const page = buildPage(view, spec, link, catalogue);
console.log(JSON.stringify({
  title: spec.title,
  tiles: page.tiles.map((t) => [t.kpi, t.label, t.text, t.state, t.stale]),
  notices: notices({ ...view, __catalogue: catalogue }, link, 0, () => "10:58"),
  closed: closedText(schedule),
}));
"""


def wall(tmp_path: Path, values: dict, schedule: dict) -> dict:
    return run_node(tmp_path, SCRIPT, json.dumps({"view": values, "schedule": schedule}),
                    json.dumps(wall_catalogue()))


PAGES = """
import { pageSpecs } from "./wall.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => console.log(JSON.stringify(
  pageSpecs(JSON.parse(text)).map((s) => [s.title, s.kind, s.kpis]))));
"""


def two_scope_alerts() -> dict:
    values = alert_values()
    values["meta"]["queues"] = ["support", "billing"]
    values["state:team:support/now/calls_waiting"] = "warn"  # the alert entry lags: warn rules
    values |= {"kpi:queue:support/now/calls_waiting": 9,  # the team's figure again
               "state:queue:support/now/calls_waiting": "warn",
               "alert:q0": {"key": "queue:support/now/calls_waiting", "state": "alert"},
               "kpi:queue:billing/15m/abandon_rate_pct": 14.0,
               "state:queue:billing/15m/abandon_rate_pct": "alert",
               "alert:q1": {"key": "queue:billing/15m/abandon_rate_pct", "state": "alert",
                            "since": T0 - 30}}
    return values


def test_the_wall_and_the_kiosk_show_the_same_alerts(tmp_path):
    values = two_scope_alerts()
    schedule = {"on": "07:30", "off": "19:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
    shown = wall(tmp_path, values, schedule)
    view = view_of(values)
    spec = page_specs(view)[0]
    tiles = [[t.kpi, t.label, t.text, t.state, t.stale]
             for t in build_page(view, spec, Link(True)).tiles]
    assert (shown["title"], shown["tiles"]) == (spec.title, tiles)
    assert [t[1] for t in tiles] == ["Calls waiting · now", "Abandon rate · billing 15m"]
    kiosk = [[n.kind, n.text] for n in notices(view, Link(True), T0, lambda _: "10:58")]
    assert shown["notices"] == kiosk == [["alert", "Abandon rate · billing 15m (since 10:58)"],
                                         ["warn", "Calls waiting · now (since 10:58)"]]
    assert shown["closed"] == closed_text(schedule) == (
        "Outside opening hours (Mon–Fri 07:30–19:00)")


def test_a_long_banner_reads_the_same_on_the_wall(tmp_path):
    values = alert_values()
    for n, kpi in enumerate(("asa_s", "aht_s", "abandon_rate_pct", "fcr_pct", "csat_pct")):
        values[f"alert:x{n}"] = {"key": f"team:support/60m/{kpi}", "state": "alert"}
    shown = wall(tmp_path, values, {})
    kiosk = notices(view_of(values), Link(True), T0, lambda _: "10:58")
    assert shown["notices"] == [[n.kind, n.text] for n in kiosk]
    assert kiosk[0].text.endswith(" and 2 more (since 10:58)")
    assert shown["closed"] == closed_text({}) == "Outside opening hours"


def test_a_group_wall_reads_the_same_in_the_browser(tmp_path):
    """docs/scale-out.md: the group total and each site per KPI, a cut site named as a site,
    its tiles and the total greyed, the other site's not."""
    values = group_values(paris="stale", lyon="live")
    shown = wall(tmp_path, values, {})
    view = view_of(values)
    spec = page_specs(view)[0]
    tiles = [[t.kpi, t.label, t.text, t.state, t.stale]
             for t in build_page(view, spec, Link(True)).tiles]
    assert (shown["title"], shown["tiles"]) == (spec.title, tiles) == ("Sites", tiles)
    assert [t[1] for t in tiles[:3]] == ["Offered", "Offered · lyon", "Offered · paris"]
    assert [t[4] for t in tiles[:3]] == [True, False, True]
    kiosk = [[n.kind, n.text] for n in notices(view, Link(True), T0, lambda _: "10:58")]
    assert shown["notices"] == kiosk
    assert kiosk[0] == ["stale", "Site paris stale since 10:58, last event 10:58"]


def test_the_browser_wall_rotates_the_kiosks_pages_charts_and_goals_too(tmp_path):
    """docs/kiosk.md: the same pages as the Textual kiosk, Trends, Objectives and Scorecard
    included; a page of an unknown kind is left out by both."""
    values = trends_values()  # pages: Trends, Queue now, Today
    values["meta"]["pages"][0]["kpis"] = []  # as the hub sends it (the page's fields, all)
    values["meta"]["pages"] += [{"title": "Card", "kind": "scorecard", "kpis": []},
                                {"title": "Goals", "kind": "objectives"},
                                {"title": "Odd", "kind": "pie", "kpis": []}]
    shown = run_node(tmp_path, PAGES, given=values)
    kiosk = page_specs(view_of(values))
    assert shown == [[s.title, s.kind, list(s.kpis)] for s in kiosk]
    assert [s[:2] for s in shown] == [["Trends", "trends"], ["Queue now", "figures"],
                                      ["Today", "figures"], ["Card", "scorecard"],
                                      ["Goals", "objectives"]]


JUMPS = """
import { Wall, pageSpecs } from "./wall.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => {
  const { values, later } = JSON.parse(text);
  const wall = new Wall(null, {});
  wall.render = () => {};  // the rotation only: nothing drawn
  const trace = [];
  const at = (now, what) => {
    if (what === "view") wall.view = values;
    if (what === "alert") values[`alert:${now}`] = later;
    if (what !== "tick") wall.noteAlerts(pageSpecs(wall.view), now);
    else wall.tick(now);
    trace.push([now, wall.pageTitle, [...wall.flashKpis].sort(), wall.flashUntil]);
  };
  at(0, "view");  // an alert active from the start: jump, flash three seconds
  wall.pageTitle = "Today";  // shown by hand meanwhile
  at(1, "alert");  // a new alert right after the jump: no jump before the other pages
  for (const now of [30, 45, 60]) at(now, "tick");  // Alert, Queue now, Today: one rotation
  at(61, "alert");  // every other page shown once: it jumps again
  console.log(JSON.stringify(trace));
});
"""


def test_a_new_alert_jumps_to_the_alert_page_once_a_rotation(tmp_path):
    """docs/kiosk.md: a new alert jumps to the Alert page and its tiles flash for three
    seconds; under flapping alerts at most once per rotation, as kiosk/app.py."""
    values = alert_values()  # pages: Alert, Queue now, Today (15 s each)
    later = {"key": "team:support/now/agents_available", "state": "warn"}
    trace = run_node(tmp_path, JUMPS, given={"values": values, "later": later})
    assert trace == [[0, "Alert", ["calls_waiting"], 3],
                     [1, "Today", ["calls_waiting"], 3],
                     [30, "Alert", ["calls_waiting"], 3],
                     [45, "Queue now", ["calls_waiting"], 3],
                     [60, "Today", ["calls_waiting"], 3],
                     [61, "Alert", ["agents_available"], 64]]


REJUMP = """
import { Wall, pageSpecs } from "./wall.js";
const values = JSON.parse(process.argv[2]);
const wall = new Wall(null, {});
wall.render = () => {};  // the rotation only: nothing drawn
const trace = [];
const at = (now, state, since) => {
  if (state) {
    wall.view = { ...values, "alert:a1": { ...values["alert:a1"], state, since } };
    wall.noteAlerts(pageSpecs(wall.view), now);
  } else wall.tick(now);
  trace.push([now, wall.pageTitle]);
};
at(0, "alert", 100);  // raised: jump
for (const now of [15, 30]) at(now, null);  // Queue now, Today: a whole rotation
at(31, "warn", 100);  // eased: in force, says warn, no jump
at(32, "alert", 131);  // worse again: raised anew, jump
console.log(JSON.stringify(trace));
"""


def test_an_alert_raised_anew_after_easing_jumps_again_an_easing_does_not(tmp_path):
    """As kiosk/app.py: the hub raises an alert eased to warn anew (a new ``since``) when it
    gets worse again; the wall jumps for it as for a new alert, not for the easing."""
    trace = run_node(tmp_path, REJUMP, json.dumps(alert_values()))
    assert trace == [[0, "Alert"], [15, "Queue now"], [30, "Today"], [31, "Today"],
                     [32, "Alert"]]


ALERTS = """
import { activeAlerts } from "./wall.js";
console.log(JSON.stringify(activeAlerts(JSON.parse(process.argv[2]))));
"""


def test_an_agents_alert_reads_its_scope_from_the_right(tmp_path):
    """An Asterisk agent is named ``Agent/1127`` (docs/sources/asterisk.md): the wall split its
    alert's key into four parts and dropped it."""
    view = {"alert:agent:Agent/1127/today/aht_s": {"key": "agent:Agent/1127/today/aht_s",
                                                   "state": "warn", "since": T0},
            "alert:team:support/now/calls_waiting": {"key": "team:support/now/calls_waiting",
                                                     "state": "alert"},
            "alert:bad/x": {"key": "nowindow/aht_s", "state": "alert"}}
    shown = run_node(tmp_path, ALERTS, json.dumps(view))
    assert shown == {
        "agent:Agent/1127/today/aht_s": {"scope": "agent:Agent/1127", "window": "today",
                                         "kpi": "aht_s", "state": "warn", "since": T0},
        "team:support/now/calls_waiting": {"scope": "team:support", "window": "now",
                                           "kpi": "calls_waiting", "state": "alert",
                                           "since": None}}


FIRST = """
import { Wall } from "./wall.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => {
  const wall = new Wall(null, {});
  wall.render = () => {};  // the rotation only: nothing drawn
  wall.view = JSON.parse(text);
  console.log(JSON.stringify([1000, 1001, 1014, 1015, 1029, 1030].map((now) => {
    wall.tick(now);
    return [now, wall.pageTitle];
  })));
});
"""


def test_the_first_page_stays_its_dwell_as_on_the_kiosk(tmp_path):
    """The wall started its rotation clock at 0: its first tick left the first page at once,
    which was on screen for under a second where the kiosk shows it its 15 s."""
    values = normal_values()  # pages: Queue now, Today (15 s each)
    assert run_node(tmp_path, FIRST, given=values) == [
        [1000, "Queue now"], [1001, "Queue now"], [1014, "Queue now"], [1015, "Today"],
        [1029, "Today"], [1030, "Queue now"]]


def test_the_night_clock_moves_as_the_kiosks(tmp_path):
    """Each minute of an hour, the wall's night clock takes the kiosk's step."""
    shown = run_node(tmp_path, 'import { nightShift } from "./wall.js";\n'
                     "console.log(JSON.stringify([...Array(120).keys()].map(nightShift)));\n")
    assert [tuple(s) for s in shown] == [night_shift(m % 60) for m in range(120)]
    assert len(set(map(tuple, shown[:60]))) == 12  # every place of its 4 × 3 comes round


def test_alert_lines_keep_each_figure_whole_as_the_kiosks(tmp_path):
    """The wall's banner breaks an alert line where the kiosk's does: after a figure's comma,
    before "and 2 more" and "(since", never between a figure's name and its window."""
    lines = ["Calls waiting · now, SL (all callers) · billing 15m and 2 more (since 10:59)",
             "Abandon rate · 15m (since 08:45)", "Longest wait · now"]
    shown = run_node(tmp_path, 'import { figureParts } from "./wall.js";\n'
                     'import { readFileSync } from "node:fs";\n'
                     "const lines = JSON.parse(readFileSync(0, 'utf8'));\n"
                     "console.log(JSON.stringify(lines.map(figureParts)));\n", given=lines)
    assert shown == [figure_parts(line) for line in lines]
    assert shown[0] == ["Calls waiting · now,", "SL (all callers) · billing 15m", "and 2 more",
                        "(since 10:59)"]
    assert [" ".join(parts) for parts in shown] == lines
