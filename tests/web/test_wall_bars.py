"""The browser wall's top and bottom bars and trend line read as the kiosk's.

A user probe put the two side by side on one hub: the kiosk's top bar read
``Mon 30 Nov  08:58`` and its bottom bar ``as of 08:58:00``, the browser's ``08:58`` and
``as of 08:58``; a stale trend read ``(stale)`` in grey on the kiosk and as live in the
browser; and a view whose ``meta.timezone`` was no zone stopped the browser's drawing where the
kiosk fell back to its machine's zone. hub/web/wall.js run by Node against the kiosk's code.
"""

from __future__ import annotations

import json

from textual.renderables.sparkline import Sparkline

from panneau.hub.freshness import Link
from panneau.hub.server.wall import wall_catalogue
from panneau.kiosk.model import build_page, page_specs
from panneau.kiosk.schedule import clock_text, local, zone
from tests.kiosk.kiosk_data import T0, normal_values, view_of
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
TIMES = """
import { localTime, zoneName } from "./wall.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => {
  const { instants, zones } = JSON.parse(text);
  console.log(JSON.stringify({
    shown: zones.flatMap((z) => instants.map((ts) => {
      const t = localTime(ts, zoneName(z));
      return [t.hhmm, t.date, t.hms];
    })),
    unknown: [42, "Mars/Base", ""].map((z) => [zoneName(z) ?? null,
                                               typeof localTime(instants[0], zoneName(z)).hhmm]),
  }));
});
"""
#: The kiosk tests' instant, a day under 10 in September (``Sep``, not ``Sept``), midnight,
#: a second before it and a fraction of a second past one.
INSTANTS = [T0, 1788480000.0, 1796079600.0, 1796079599.0, 1796079601.75]
ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"]


def test_the_clock_date_and_as_of_read_as_on_the_kiosk(tmp_path):
    out = run_node(tmp_path, TIMES, given={"instants": INSTANTS, "zones": ZONES})
    expected = []
    for name in ZONES:
        for ts in INSTANTS:
            when = local(ts, zone(name))
            expected.append([*clock_text(when), when.strftime("%H:%M:%S")])  # kiosk/app.py
    assert out["shown"] == expected
    assert out["shown"][0] == ["11:00", "Sat 28 Nov", "11:00:00"]
    assert out["unknown"] == [[None, "string"]] * 3  # the browser's own zone, drawn


TREND = """
import { pageSpecs, buildPage } from "./wall.js";
const { view, catalogue } = JSON.parse(process.argv[2]);
const link = { connected: true, everConnected: true, since: null, rejected: null };
const spec = pageSpecs(view).find((s) => s.title === "Today");
const page = buildPage(view, spec, link, catalogue);
console.log(JSON.stringify([page.trend.length, page.staleTrend]));
"""


def test_a_stale_trend_is_marked_as_on_the_kiosk(tmp_path):
    """The Today page's trend is service level, fed by the voice source."""
    for status, feeds in (("stale", ["voice"]), ("stale", ["tickets"]), ("live", ["voice"])):
        values = normal_values()
        values["source:asterisk"] |= {"status": status, "feeds": feeds}
        view = view_of(values)
        spec = next(s for s in page_specs(view) if s.title == "Today")
        kiosk = build_page(view, spec, Link(True))
        shown = run_node(tmp_path, TREND, json.dumps({"view": values,
                                                      "catalogue": wall_catalogue()}))
        assert shown == [len(kiosk.trend), kiosk.stale_trend]
        assert kiosk.stale_trend is (status == "stale" and feeds == ["voice"])


BARS = """
import { sparkBars } from "./wall.js";
const { series, most } = JSON.parse(process.argv[2]);
console.log(JSON.stringify(series.map((values) => sparkBars(values, most))));
"""


def test_the_trend_bars_are_the_kiosks_sparkline_buckets(tmp_path):
    """The kiosk draws a page's trend with Textual's sparkline: the samples split into a
    bucket a cell, each at its highest; the wall splits them into at most ``most`` bars."""
    series = [[70 + (i * 7) % 25 for i in range(60)], [float(v) for v in range(300)],
              [5.0, 5.0, 5.0], [1.0, 9.0], [42.0], []]
    most = 120
    shown = run_node(tmp_path, BARS, json.dumps({"series": series, "most": most}))
    expected = []
    for values in series:
        if len(values) < 2:
            expected.append([1] * len(values))  # one sample: a full bar, none: nothing
            continue
        lo, extent = min(values), (max(values) - min(values)) or 1
        buckets = Sparkline._buckets(values, num_buckets=min(len(values), most))
        expected.append([(max(b) - lo) / extent for b in buckets])
    assert shown == expected
    assert len(shown[0]) == 60 and len(shown[1]) == most and shown[2] == [0, 0, 0]
