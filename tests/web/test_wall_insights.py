"""The team's insights and the comparisons reach the browser wall as they reach the kiosk.

A user probe found the browser wall without the kiosk's insight lines (``NOTE  CSAT fell 9
pts (today so far vs the same time last week)``) and without the comparisons under a figure.
First the banner's model (hub/web/wall.js under Node) against the kiosk's on a fixed view;
then a real hub on 127.0.0.1 whose journal holds yesterday's and last week's figures and a
plugin's insight rule, its wall page in a real headless Chromium and its kiosk view read as a
client would.
"""

from __future__ import annotations

import json

from playwright.async_api import async_playwright

from panneau.hub.freshness import Link
from panneau.hub.hookspecs import hookimpl
from panneau.hub.insights import Insight, InsightRule, PastFigure
from panneau.hub.server.app import Hub
from panneau.hub.server.wall import wall_catalogue
from panneau.kiosk.model import build_page, notices, page_specs
from tests.helpers import contrast
from tests.hub.conftest import eventually
from tests.kiosk.kiosk_data import T0, alert_values, view_of
from tests.web.wall_browser import (
    CHROMIUM,
    FLAGS,
    held_calls_page,
    kiosk_view,
    needs_chromium,
    wait_for,
)
from tests.web.wall_node import needs_node, run_node

DAY, WEEK = 86400.0, 7 * 86400.0
#: The word each banner line starts with on the kiosk (kiosk/widgets/banner.py).
WORDS = {"stale": "STALE", "alert": "ALERT", "warn": "WARN", "message": "MESSAGE",
         "insight": "NOTE"}
NOTICES = """
import { notices } from "./wall.js";
const { view, catalogue } = JSON.parse(process.argv[2]);
const link = { connected: true, everConnected: true, since: null, rejected: null };
console.log(JSON.stringify(notices({ ...view, __catalogue: catalogue }, link, 0, () => "10:58")));
"""


def with_insights() -> dict:
    """An incident's view with a message and the team's insights, well and badly formed."""
    values = alert_values()
    values["message:m1"] = {"id": "m1", "text": "Huddle at 3", "sender": "Lea", "sent": T0,
                            "expires": T0 + 3600}
    values["insight:csat/team:support"] = {
        "rule": "csat", "key": "team:support/today/csat_pct", "text": "CSAT fell 9 pts",
        "period": "today so far vs the same time last week", "figures": {}}
    values["insight:abandon/queue:support"] = {"rule": "abandon", "text": "Abandons doubled"}
    values["insight:empty/team:support"] = {"rule": "empty", "text": "", "period": "today"}
    values["insight:odd/team:support"] = ["not", "a", "map"]
    return values


@needs_node
def test_the_insights_are_banner_lines_after_the_messages_as_on_the_kiosk(tmp_path):
    values = with_insights()
    shown = run_node(tmp_path, NOTICES, json.dumps({"view": values,
                                                    "catalogue": wall_catalogue()}))
    kiosk = [[n.kind, n.text] for n in notices(view_of(values), Link(True), T0,
                                               lambda _: "10:58")]
    assert shown == kiosk
    assert shown[-3:] == [["message", "Lea: Huddle at 3"],
                          ["insight", "Abandons doubled"],
                          ["insight", "CSAT fell 9 pts (today so far vs the same time last week)"]]


def busier(f):
    """Offered today on the support queue against the same time last week."""
    now, before = (f.now("queue:support", "today", "offered"),
                   f.ago(WEEK, "queue:support", "today", "offered"))
    if now is not None and before is not None:
        yield Insight("busier", "queue:support/today/offered",
                      f"support: {now:g} offered vs {before:g} last week", {}, "today vs last week")


class BusierRule:
    @hookimpl
    def register_insights(self, register):
        register(InsightRule("busier", busier, "test",
                             past=(PastFigure(WEEK, "today", "offered"),)))


ANSWERED = """() => { const t = document.querySelector(".tile[data-kpi='answered']");
    return t ? [...t.querySelectorAll('.refs .ref')].map((r) => r.textContent) : null; }"""
#: The colours of Answered's comparisons, of its figure and of its tile, as (r, g, b).
COLOURS = """() => { const t = document.querySelector(".tile[data-kpi='answered']");
    const rgb = (e, p) => getComputedStyle(e)[p].match(/\\d+/g).slice(0, 3).map(Number);
    return [rgb(t.querySelector('.refs'), 'color'), rgb(t.querySelector('.value'), 'color'),
            rgb(t, 'backgroundColor')]; }"""
BANNER = """() => [...document.querySelectorAll('#banner div')].map((d) =>
    [d.className, d.querySelector('.word').textContent, d.textContent])"""


@needs_chromium
async def test_a_live_hubs_comparisons_and_insights_show_on_the_browser_wall(tmp_path, feed_pm):
    feed_pm.register(BusierRule(), name="busier")
    config, url = held_calls_page(tmp_path, 12)
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        await eventually(lambda: hub.snapshot.get("team:support", "today", "answered") == 8,
                         timeout=30, what="support's 8 answered calls")
        now = hub.clock()
        hub.journal.add_history(now - DAY, [("team:support/today/answered", 5.0)])
        hub.journal.add_history(now - WEEK, [("team:support/today/answered", 12.0),
                                             ("queue:support/today/offered", 2.0)])
        await hub.history.sample_off_loop(now, hub.snapshot)  # refs read from the journal
        await hub.refresh_insights()
        hub.tick()
        view = await kiosk_view(hub, "support")
        spec = next(s for s in page_specs(view) if s.title == "Calls")
        tile = next(t for t in build_page(view, spec, Link(True)).tiles if t.kpi == "answered")
        assert [r[:3] for r in tile.refs] == [("yesterday", 1, True), ("last_week", -1, False)]
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        await page.goto(url)
        await wait_for(page, f"JSON.stringify(({ANSWERED})()) === "
                             "JSON.stringify(['↑+3 yesterday', '↓-4 last week'])",
                       "the comparisons under Answered")
        assert await page.get_attribute(".tile[data-kpi='answered']", "aria-label") == (
            "Answered: 8, none, ↑+3 yesterday (better), ↓-4 last week (worse)")
        # readable at a distance, as on the kiosk: the figure's own colour, 7:1 or more
        refs, figure, tile = await page.evaluate(COLOURS)
        assert refs == figure and contrast(refs, tile) >= 7, (refs, figure, tile)
        await wait_for(page, "document.querySelector('#banner .insight') !== null",
                       "the insight line")
        kiosk = [[n.kind, n.text] for n in notices(view, Link(True), now, lambda _: "?")]
        offered = hub.snapshot.get("queue:support", "today", "offered")
        assert ["insight", f"support: {offered:g} offered vs 2 last week (today vs last week)"
                ] in kiosk
        assert await page.evaluate(BANNER) == [
            [kind, WORDS[kind], f"{WORDS[kind]}  {text}"] for kind, text in kiosk]
        await browser.close()
