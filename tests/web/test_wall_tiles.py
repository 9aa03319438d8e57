"""A tile on the browser wall reads its state as the kiosk's tile does, in the kiosk's grid.

The kiosk draws a tile's label, figure and symbol in its state's colour, with no word for ok,
a heavy border in warn, a double one in alert, a dashed one when stale, and four tiles as 2×2.
The browser wall drew every figure in white with a ``✓ OK`` under it, the same border for ok
and warn, and four tiles as three and one alone: a red number on the kiosk was a white one on
the TV beside it. A real hub on 127.0.0.1 serves the page to a real headless Chromium, which
then draws a fixed view (the kiosk tests')."""

from __future__ import annotations

import copy
import json
import re

from playwright.async_api import async_playwright

from panneau.hub.config import parse_config
from panneau.hub.freshness import Link
from panneau.hub.server.app import Hub
from panneau.kiosk.model import build_page, page_specs
from panneau.kiosk.screens.panel import _columns
from tests.hub.conftest import config_text, kiosk_token
from tests.kiosk.kiosk_data import SCOPE, T0, kpis, normal_values, view_of
from tests.web.wall_browser import CHROMIUM, FLAGS, needs_chromium, wait_for

pytestmark = needs_chromium
#: The page's colours (wall.css) of each state's figure.
COLOURS = {"ok": "rgb(47, 191, 113)", "warn": "rgb(245, 183, 0)", "alert": "rgb(255, 77, 79)",
           "none": "rgb(242, 244, 247)", "nodata": "rgb(138, 148, 163)",
           "stale": "rgb(91, 100, 112)"}
BORDERS = {"ok": "solid", "warn": "solid", "alert": "double", "none": "solid",
           "nodata": "solid", "stale": "dashed"}
#: The kiosk's symbol and word of each state (kiosk/widgets/tile.py); a stale figure (here
#: one in alert) keeps its state's symbol.
HEADS = {"ok": "✓", "warn": "▲ WARN", "alert": "✖ ALERT", "none": "·", "nodata": "— no data",
         "stale": "✖ ◌ STALE"}
TILES = """() => [...document.querySelectorAll('#tiles .tile')].map((t) => {
    const value = getComputedStyle(t.querySelector('.value')), tile = getComputedStyle(t);
    return [t.dataset.kpi, t.dataset.stale === 'true' ? 'stale' : t.dataset.state,
            t.querySelector('.symbol').textContent,
            value.color, getComputedStyle(t.querySelector('.label')).color,
            tile.borderTopStyle, parseFloat(tile.borderTopWidth)]; })"""

COLUMNS = """new Set([...document.querySelectorAll('#tiles .tile')].map((t) =>
    t.getBoundingClientRect().left)).size"""
FITS = """(() => ({spilling: [...document.querySelectorAll('#tiles .tile')].filter((t) =>
    t.scrollHeight > t.clientHeight + 1 || t.scrollWidth > t.clientWidth + 1).map((t) =>
    t.dataset.kpi), bar_on_screen: document.querySelector('footer').getBoundingClientRect()
    .bottom <= innerHeight + 0.5}))()"""
TREND = """(() => { const t = document.getElementById('trend'), box = t.getBoundingClientRect();
    return {label: t.querySelector('.trend-label').textContent, width: box.width,
            bars: t.querySelectorAll('.spark i').length, bottom: box.bottom,
            footer: document.querySelector('footer').getBoundingClientRect().bottom}; })()"""


def every_state() -> dict:
    """The kiosk tests' "Queue now" page with a figure in each state, and one in alert whose
    source is stale."""
    values = normal_values()
    values.update(kpis("now", calls_waiting=(9, "alert"), longest_wait_s=(95, "warn"),
                       agents_logged_in=(2, "alert")))
    values["meta"]["pages"] = copy.deepcopy(values["meta"]["pages"])  # the kiosk tests' own
    values["meta"]["pages"][0]["kpis"].append("agents_logged_in")
    del values[f"kpi:{SCOPE}/now/agents_paused"]  # no data yet
    values["source:acd"] = {"status": "stale", "since": T0 - 60, "last_event": T0 - 90,
                            "detail": "", "feeds": ["agents_logged_in"]}  # its figure greyed
    return values


async def test_each_tile_reads_its_state_in_the_kiosks_colours_and_words(tmp_path, feed_pm):
    config = parse_config(config_text(str(tmp_path / "hub.db")), "wall.toml")
    values = every_state()
    view = view_of(values)
    spec = next(s for s in page_specs(view) if s.title == "Queue now")
    kiosk = [(t.kpi, "stale" if t.stale else t.state)
             for t in build_page(view, spec, Link(True)).tiles]
    assert {state for _, state in kiosk} == set(COLOURS)
    async with Hub(config, pm=feed_pm) as hub, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1600, "height": 900})
        await page.goto(f"{hub.http_url}/wall/#token={kiosk_token('support')}")
        await wait_for(page, "window.panneauWall && panneauWall.wall.link.connected",
                       "the hub connected")
        # the hub's own view of this feed-less hub stands aside for the fixed one
        await page.evaluate(f"""() => {{ panneauWall.hub.onView = () => {{}};
            panneauWall.wall.setView({json.dumps(values)});
            panneauWall.wall.showPage('Queue now'); }}""")
        await wait_for(page, "document.body.dataset.page === 'Queue now'", "the page")
        shown = await page.evaluate(TILES)
        columns, fits = [await page.evaluate(COLUMNS)], [await page.evaluate(FITS)]
        bars = await page.evaluate("[document.getElementById('clock').textContent, "
                                   "document.getElementById('as-of').textContent]")
        await page.screenshot(path=str(tmp_path / "wall-states.png"))
        hidden = await page.evaluate("document.getElementById('trend').hidden")
        await page.evaluate("panneauWall.wall.showPage('Today')")
        await wait_for(page, "document.body.dataset.page === 'Today'", "the Today page")
        trend = await page.evaluate(TREND)
        columns.append(await page.evaluate(COLUMNS))
        fits.append(await page.evaluate(FITS))
        await page.screenshot(path=str(tmp_path / "wall-trend.png"))
        await browser.close()
    assert [(kpi, state) for kpi, state, *_ in shown] == kiosk
    assert [k for k, state in kiosk if state == "stale"] == ["agents_logged_in"]
    for _kpi, state, head, value, label, border, _width in shown:
        assert (head, value, label, border) == (HEADS[state], COLOURS[state], COLOURS[state],
                                                BORDERS[state])
    assert re.fullmatch(r"[A-Z][a-z]{2} \d\d [A-Z][a-z]{2}  \d\d:\d\d", bars[0])  # as the kiosk
    assert bars[1] == "as of 10:59:55"  # meta.as_of, in the view's zone, to the second
    # the Today page's trend across the bottom, as the kiosk's: no trend, no line
    today = build_page(view, next(s for s in page_specs(view) if s.title == "Today"), Link(True))
    assert hidden is True
    assert trend["label"] == today.trend_label == "SL (all callers) trend"
    assert trend["bars"] == len(today.trend) == 60
    assert trend["width"] > 0.9 * 1600 and trend["bottom"] < trend["footer"]
    # as the kiosk's grid: up to three a row, but four as 2×2 (not three and one alone)
    assert columns == [3, 2] == [_columns(6), _columns(4)]
    # one screen: under a banner line and a trend, every figure fits its tile, the bottom bar
    # stays on screen (they ran below it)
    assert fits == [{"spilling": [], "bar_on_screen": True}] * 2
    widths = {state: width for _, state, *_, width in shown}
    assert widths["ok"] < widths["warn"] < widths["alert"]
