"""The comparisons under a figure read the same on the browser wall as on the kiosk.

A user probe found the browser wall without the kiosk's ``↑+2 yesterday  ↓-1 last week``
under a figure. ``buildPage`` of hub/web/wall.js (run by Node) against the kiosk's
``build_page`` on a fixed view: every unit, every preferred direction (better or worse), a
figure equal to its past, a missing or malformed ``ref:``, a figure without data.
"""

from __future__ import annotations

import json

from panneau.hub.catalogue import KPIS
from panneau.hub.freshness import Link
from panneau.hub.server.wall import wall_catalogue
from panneau.kiosk.model import build_page, page_specs
from tests.kiosk.kiosk_data import SCOPE, base_values, view_of
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
SCRIPT = """
import { pageSpecs, buildPage, refText } from "./wall.js";
const { view, catalogue } = JSON.parse(process.argv[2]);
const link = { connected: true, everConnected: true, since: null, rejected: null };
const page = buildPage(view, pageSpecs(view)[0], link, catalogue);
console.log(JSON.stringify(page.tiles.map((t) => [t.kpi, t.refs, t.refs.map(refText)])));
"""
#: (value now, yesterday, last week): up, down, level, and a past the hub lacks.
PAST = [(8.0, 5.0, 12.0), (3.25, 3.25, 0.5), (1234.5, 1300.0, None), (0.0, None, 4.35)]
#: A figure of every unit, of each preferred direction (more is better, less is, neither).
KPIS_SHOWN = ["answered", "abandon_rate_pct", "agents_on_call", "calls_waiting", "aht_s",
              "service_level_pct", "revenue", "nps", "offered", "resolution_avg_h",
              "frt_avg_min", "ces_avg", "cost_total", "agents_logged_in"]


def refs_view() -> dict:
    """One figure of each unit and preferred direction, each with a comparison of PAST."""
    values = base_values(pages=[{"title": "All", "window": "today",
                                 "kpis": [*KPIS_SHOWN, "offered_email", "fcr_pct"]}])
    for n, kpi in enumerate(KPIS_SHOWN):
        now, yesterday, last_week = PAST[n % len(PAST)]
        values[f"kpi:{SCOPE}/today/{kpi}"] = now
        values[f"ref:{SCOPE}/today/{kpi}"] = {"yesterday": yesterday, "last_week": last_week}
    values[f"ref:{SCOPE}/today/offered_email"] = {"yesterday": 3}  # no figure: no comparison
    values[f"kpi:{SCOPE}/today/fcr_pct"] = 80.0
    values[f"ref:{SCOPE}/today/fcr_pct"] = [70.0, 75.0]  # not a map: nothing
    return values


def kiosk_refs(values: dict) -> list:
    view = view_of(values)
    page = build_page(view, page_specs(view)[0], Link(True))
    return [[t.kpi, [list(r) for r in t.refs]] for t in page.tiles]


def test_the_comparisons_read_as_on_the_kiosk_for_every_unit_and_direction(tmp_path):
    values = refs_view()
    assert {KPIS[k].unit for k in KPIS_SHOWN} == {i.unit for i in KPIS.values()}
    assert {KPIS[k].higher_is_better for k in KPIS_SHOWN} == {True, False, None}
    shown = run_node(tmp_path, SCRIPT, json.dumps({"view": values,
                                                   "catalogue": wall_catalogue()}))
    assert [row[:2] for row in shown] == kiosk_refs(values)
    texts = {kpi: text for kpi, _, text in shown}
    assert texts["answered"] == ["↑+3 yesterday", "↓-4 last week"]
    assert texts["abandon_rate_pct"] == ["=+0.0% yesterday", "↑+2.8% last week"]
    assert texts["agents_on_call"] == ["↓-66 yesterday"]  # 1234.5 - 1300, as the kiosk rounds
    assert texts["aht_s"] == ["↑+0:03 yesterday", "↓-0:04 last week"]
    assert texts["offered_email"] == texts["fcr_pct"] == []
    better = {kpi: [r[2] for r in refs] for kpi, refs, _ in shown}
    assert better["answered"] == [True, False]  # more answered is better
    assert better["aht_s"] == [False, True]  # a shorter handling time is better
    assert better["offered"] == [None, None]  # no preferred direction
