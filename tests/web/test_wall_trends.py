"""The browser wall's Trends and Scorecard pages in headless Chromium against a real hub.

The page asks the hub for its team's series (never an agent's: the hub refuses them) and draws
what the Textual kiosk draws from the same view and answers (hub/charts.py): the CSAT gauge
with its target and n, SL and abandon rate with their target lines, calls per half hour as
answered + missed, resolution time per day with its target, the shares of today's tickets by
channel and type. The Scorecard page carries the team's pulse once the team has small_n
answers, the aggregate only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from panneau.hub import events as ev
from panneau.hub import wire
from panneau.hub.charts import DAY_KPIS, build_charts, day_start, history_frames, zone_of
from panneau.hub.config import parse_config
from panneau.hub.config.schema import KioskPage
from panneau.hub.display import NO_DATA, format_value
from panneau.hub.freshness import Link, figure_stale, scope_sources, stale_sources
from panneau.hub.goals_display import scorecard_period
from panneau.hub.server.app import Hub
from panneau.hub.sources import SourceSpec
from tests.hub.conftest import (
    agent_token,
    config_text,
    hello,
    kiosk_token,
    recv_until,
    source_hub,
)
from tests.objectives.conftest import ANSWER_FASTER, Screen
from tests.web.wall_browser import CHROMIUM, FLAGS, kiosk_view, needs_chromium, open_wall, wait_for

pytestmark = needs_chromium
TARGETS = """
[kpi]
small_n = 2
[pulse]
enabled = true
question = "How was your week?"
[[thresholds]]
kpi = "service_level_offered_pct"
target = 80.0
warn = 75.0
alert = 70.0
[[thresholds]]
kpi = "abandon_rate_pct"
target = 5.0
warn = 8.0
alert = 10.0
[[thresholds]]
kpi = "csat_pct"
target = 85.0
warn = 80.0
alert = 70.0
[[thresholds]]
kpi = "resolution_avg_h"
target = 8.0
warn = 10.0
alert = 12.0
""" + ANSWER_FASTER
#: Today's tickets of support's helpdesk group: 3 by email (questions), 1 by chat (incident).
TICKETS = [("email", "question"), ("email", "question"), ("email", "question"),
           ("chat", "incident")]
#: CSAT answers on 1..5 in support's queue: 3 of 4 satisfied (4 or 5).
SCORES = [5, 4, 2, 5]
#: The day's samples (SL %, abandon %, offered, answered), day-to-date, one a half hour.
DAY = [(92.0, 2.0, 12, 12), (88.0, 3.5, 40, 38), (84.0, 4.0, 85, 80), (79.0, 6.5, 140, 128)]
WEEK_H = [5.5, 7.0, None, 9.5, 6.0, 4.5, 8.0]  # resolution time, 7 days ago … yesterday
COMMENT = "too many night shifts lately"


@dataclasses.dataclass
class NoOptions:
    pass


class TodaySource:
    """Today's tickets and survey answers of the support team, once."""

    def __init__(self, options: NoOptions) -> None:
        pass

    async def run(self, ctx) -> None:
        ctx.set_status("live")
        now = ctx.now()
        out: list[ev.Event] = [
            ev.TicketCreated(ts=now - 60, ticket_id=f"t{i}", channel=channel, group="support",
                             ticket_type=kind) for i, (channel, kind) in enumerate(TICKETS)]
        out += [ev.SurveyResponse(ts=now - 30, response_id=f"s{i}", survey="csat", score=score,
                                  scale_min=1, scale_max=5, queue="support",
                                  about="interaction") for i, score in enumerate(SCORES)]
        await ctx.emit(out, checkpoint=1)
        await asyncio.Event().wait()


TODAY = SourceSpec(name="wall_today", factory=TodaySource, options=NoOptions,
                   description="wall tests: today's tickets and surveys")


def wall_hub(tmp_path: Path, pm) -> Hub:
    """A hub (not started) of a support team with a ticket group, its ``today`` source and
    the Trends, Scorecard and Objectives pages."""
    text = config_text(str(tmp_path / "hub.db")).replace(
        'id = "support"\nqueues = ["support"]', 'id = "support"\nqueues = ["support"]\n'
        'groups = ["support"]')
    config = parse_config(text + TARGETS, "wall.toml")
    config.kiosk.pages = [KioskPage("Trends", kind="trends", dwell_s=3600),
                          KioskPage("Scorecard", kind="scorecard", dwell_s=3600),
                          KioskPage("Objectives", kind="objectives", dwell_s=3600)]
    return source_hub(config, TODAY, name="today", pm=pm)


def add_history(hub: Hub, now: float) -> list[tuple]:
    """The day's samples in the half hours before this one (those it gave: after midnight,
    fewer), and a week of resolution times."""
    zone = zone_of(hub.config.hub.timezone)
    start = day_start(now, zone)
    slot = int((now - start) // 1800)
    rows = DAY[-slot:] if slot else DAY[:1]
    for i, row in enumerate(rows):
        at = start + (max(0, slot - len(DAY)) + i) * 1800 + 60
        hub.journal.add_history(min(at, now - 1), [
            (f"team:support/today/{kpi}", value) for kpi, value in zip(DAY_KPIS, row,
                                                                        strict=True)])
    period = history_frames("team:support", now, zone)[1]["since"]
    for day, hours in enumerate(WEEK_H):
        if hours is not None:
            hub.journal.add_history(period + day * 86400 + 43200,
                                    [("team:support/today/resolution_avg_h", hours)])
    return rows


SHOWN = """() => {
  const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
  const values = (sel) => [...document.querySelectorAll(sel)].map((e) => Number(e.dataset.value));
  return {
    title: document.getElementById('page-title').textContent,
    gauge: text('#chart-csat .gauge-head span'),
    titles: text('#charts .chart-title'),
    sl: values('#chart-intraday .point.s0'), abandon: values('#chart-intraday .point.s1'),
    targets: [...document.querySelectorAll('#chart-intraday .target')]
      .map((e) => Number(e.dataset.target)),
    xlabels: text('#chart-intraday .xlabel'),
    answered: values('#chart-per-half-hour .bar.s0'),
    missed: values('#chart-per-half-hour .bar.s1'),
    week: values('#chart-resolution .point'), weekTarget: text('#chart-resolution .target').length,
    channels: text('#chart-channels .share .name'), types: text('#chart-types .share .name'),
  };
}"""


def nonzero(values) -> list[float]:
    return [v for v in values if v]


async def test_the_trends_page_draws_the_kiosks_charts_from_the_hub(tmp_path, feed_pm):
    async with wall_hub(tmp_path, feed_pm) as hub, async_playwright() as pw:
        now = hub.clock()
        rows = add_history(hub, now)
        await hub.wait_idle()
        view = await kiosk_view(hub, "support")
        async with asyncio.timeout(30):  # the figures, and the CSAT's state (judged at the
            while not {"kpi:team:support/today/csat_responses",  # hub's step: maybe later)
                       "state:team:support/today/csat_pct"} <= view.values.keys():
                await hub.wait_idle()
                view = await kiosk_view(hub, "support")
        ws = await hello(hub.ws_url, kiosk_token("support"))
        answers = {}
        for frame in history_frames("team:support", now, zone_of(hub.config.hub.timezone)):
            await ws.send(wire.encode(frame))
            *_, answer = await recv_until(ws, lambda f, r=frame["ref"]: f.get("ref") == r)
            answers[frame["ref"]] = answer
        await ws.close()
        charts = build_charts(view, "team:support", answers)

        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1920, "height": 1080})
        await page.goto(f"{hub.http_url}/wall/#token={kiosk_token('support')}")
        # CSAT 75 % is in warn: the page jumps to the Alert page, the figure in its own state
        await wait_for(page, "document.body.dataset.page === 'Alert' && "
                             "document.querySelector('.tile[data-kpi=csat_pct]')", "the alert")
        assert await page.evaluate("document.querySelector('.tile[data-kpi=csat_pct]')"
                                   ".dataset.state") == "warn"
        assert "CSAT · 15m" in await page.inner_text("#banner")
        await page.evaluate("panneauWall.wall.showPage('Trends')")
        await wait_for(page, "document.body.dataset.kind === 'trends' && "
                             "document.querySelectorAll('#chart-intraday .point').length > 0",
                       "its charts")
        shown = await page.evaluate(SHOWN)
        # the same figures as the kiosk's charts of the same view and answers …
        assert shown["title"] == "Trends"
        assert shown["sl"] == [v for v in charts.intraday.lines[0].values if v is not None]
        assert shown["abandon"] == [v for v in charts.intraday.lines[1].values if v is not None]
        assert shown["targets"] == [80, 5]
        assert shown["xlabels"][0] == charts.intraday.labels[0]
        assert shown["answered"] == nonzero(charts.per_half_hour.lines[0].values)
        assert shown["missed"] == nonzero(charts.per_half_hour.lines[1].values)
        assert shown["week"] == [v for v in charts.resolution.lines[0].values if v is not None]
        assert shown["channels"] == list(charts.channels.labels)
        # … which are those of the hub's history and today's events
        assert shown["sl"][:len(rows)] == [r[0] for r in rows]
        assert shown["week"][:6] == [h for h in WEEK_H if h is not None]
        assert shown["weekTarget"] == 1
        # one figure, one state: the gauge's is the figure's own (75 % between warn and alert)
        assert view.state("team:support", "today", "csat_pct") == "warn"
        assert shown["gauge"] == ["CSAT today", "▲ 75%", "target 85%", "n = 4"]
        assert shown["channels"] == ["email 75%", "chat 25%"]
        assert shown["types"] == ["question 75%", "incident 25%"]
        assert shown["titles"][1:] == ["Calls per ½ h: answered █ + missed ▨",
                                       "Resolution h/day · ┄ target",
                                       "Tickets today by channel (n = 4)",
                                       "Tickets today by type (n = 4)"]
        await page.screenshot(path=str(tmp_path / "trends-1920x1080.png"))
        await page.set_viewport_size({"width": 800, "height": 480})
        await page.evaluate("panneauWall.wall.render()")
        small = await page.evaluate(SHOWN)
        assert small["channels"] == shown["channels"] and small["gauge"] == shown["gauge"]
        await page.screenshot(path=str(tmp_path / "trends-800x480.png"))

        # the series are asked for when the page comes up, then when they can have changed
        # (hub/chart_asks.py: here a figure they draw moved), at most once a minute
        sent = await page.evaluate("""() => {
            const hub = panneauWall.hub, wall = panneauWall.wall, sent = [], send = hub.send;
            hub.send = (frame) => { sent.push(frame); return send.call(hub, frame); };
            wall.showPage('Scorecard'); wall.showPage('Trends');  // back within the minute
            const again = sent.length;
            wall.chartsAskedAt -= 61; wall.showPage('Scorecard'); wall.showPage('Trends');
            const same = sent.length;  // a minute on, nothing they draw moved
            wall.view['kpi:team:support/today/resolution_avg_h'] = 4.25;
            wall.showPage('Scorecard'); wall.showPage('Trends');
            hub.send = send;
            return [again, same, sent.map((f) => [f.type, f.ref, f.keys])];
        }""")
        assert sent == [0, 0, [
            ["history", "chart:day", [f"team:support/today/{k}" for k in DAY_KPIS]],
            ["history", "chart:period", ["team:support/today/resolution_avg_h"]]]]

        # team figures only: the page refuses to ask for an agent's, and the hub refuses them
        refused = await page.evaluate("""async () => {
            const charts = await import('./charts.js');
            let own;
            try { charts.historyFrames('agent:ag-ann', Date.now() / 1000, 'UTC'); }
            catch (e) { own = e.message; }
            const answer = await panneauWall.hub.request({type: 'history', ref: 'spy',
                keys: ['agent:ag-ann/today/answered'], since: Date.now() / 1000 - 3600});
            return [own, answer];
        }""")
        assert refused == ["charts are drawn for the site, a team or a queue, not an agent",
                           {"type": "error", "ref": "spy", "reason":
                            "history: 'agent:ag-ann/today/answered' is not yours to see"}]
        await browser.close()


@pytest.mark.parametrize("size", [(1920, 1080), (800, 480)])
async def test_the_scorecard_page_shows_the_teams_pulse_aggregate_only(tmp_path, feed_pm, size):
    async with wall_hub(tmp_path, feed_pm) as hub, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
        await page.goto(f"{hub.http_url}/wall/#token={kiosk_token('support')}")
        await wait_for(page, "window.panneauWall && panneauWall.wall.showPage('Scorecard') && "
                             "document.querySelector('#goals .pulse')", "the scorecard")
        assert await page.inner_text("#goals .pulse") == (
            "Team pulse (anonymous) too few answers yet · "
            + (await kiosk_view(hub, "support")).values["pulse:team:support"]["period"])
        agents = [Screen(await hello(hub.ws_url, agent_token(a))) for a in ("ag-ann", "ag-ben")]
        for agent, score in zip(agents, (4, 2), strict=True):
            await agent.until(lambda v: "pulse:ask" in v)
            reply = await agent.send({"type": "pulse_answer", "score": score, "comment": COMMENT})
            assert reply["type"] == "ok"
        await wait_for(page, "document.querySelector('#goals .pulse').textContent"
                             ".includes('from 2 answers')", "the pulse aggregate")
        period = (await kiosk_view(hub, "support")).values["pulse:team:support"]["period"]
        assert await page.inner_text("#goals .pulse") == (
            f"Team pulse (anonymous) 3.0 / 5 from 2 answers · {period}")
        text = await page.inner_text("body")
        assert COMMENT not in text  # never a comment on a wall
        assert "Customer" in text and "Cause → effect" in text
        # the page names its period as the kiosk's does; a row without value reads "—" alone
        card = (await kiosk_view(hub, "support")).values["scorecard:team:support"]
        assert await page.inner_text("#goals .period") == scorecard_period(card)
        empty = [r["label"] for r in card["rows"] if r["value"] is None]
        cells = await page.evaluate("""[...document.querySelectorAll('#goals .perspectives tr')]
            .map((r) => [...r.cells].map((c) => c.textContent))""")
        assert empty and {c[0]: c[2] for c in cells if c[0] in empty} == dict.fromkeys(
            empty, "—")
        await page.screenshot(path=str(tmp_path / f"scorecard-{size[0]}x{size[1]}.png"))

        assert await page.evaluate("panneauWall.wall.showPage('Objectives')")
        await wait_for(page, "document.querySelector('#goals').dataset.kind === 'objectives'",
                       "the objectives")
        await page.screenshot(path=str(tmp_path / f"objectives-{size[0]}x{size[1]}.png"))
        rows = await page.evaluate("[...document.querySelectorAll('#goals tr')]"
                                   ".map((r) => [...r.cells].map((c) => c.textContent))")
        goal = (await kiosk_view(hub, "support")).values["objective:0"]
        result = goal["key_results"][0]
        deadline = date.fromisoformat(result["deadline"])
        state = {"achieved": "✓", "on track": "✓", "at risk": "▲", "no data": "—"}
        assert rows[0][:3] == ["Answer faster", f"{goal['period']} · support",
                               f"{state[goal['status']]} {goal['status']}"]
        value = format_value("asa_s", result.get("value"))  # none yet: the kiosk's "—"
        assert rows[1][:2] == ["ASA", f"{'—' if value == NO_DATA else value} → 0:20 "
                               f"by {deadline.day} {deadline.strftime('%b')}"]
        for agent in agents:
            await agent.close()
        await browser.close()


async def test_a_fresh_hubs_trends_page_says_what_it_has_not_yet(tmp_path, feed_pm):
    """No history, ticket or survey yet: each chart says so instead of drawing nothing."""
    config = parse_config(config_text(str(tmp_path / "hub.db"), history_interval_s=3600),
                          "wall.toml")  # no sample of its own during the test
    config.kiosk.pages = [KioskPage("Trends", kind="trends", dwell_s=3600)]
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (640, 360)) as page:
        await wait_for(page, "document.body.dataset.kind === 'trends' && "
                             "window.panneauWall.wall.chartsAskedAt !== null && "
                             "Object.keys(panneauWall.wall.chartAnswers).length === 2",
                       "the answers to its requests")
        shown = await page.evaluate("""() => [...document.querySelectorAll('#charts > div')]
            .map((box) => [box.id, box.innerText.replaceAll('\\n', ' | ')])""")
        assert shown == [
            ["chart-csat", "CSAT today · no survey answer today"],
            ["chart-intraday", "SL% · abandon% | no history yet today"],
            ["chart-per-half-hour", "Calls per ½ h | no history yet today"],
            ["chart-resolution", "Resolution h/day | no resolution time this week"],
            ["chart-channels", "Tickets today by channel | no ticket created today"],
            ["chart-types", "Tickets today by type | no ticket created today"]]


async def test_the_goals_pages_mark_what_a_stale_source_feeds(tmp_path, feed_pm):
    """A stale source greys the scorecard rows and key results it feeds, under ◌ stale (the
    tiles' rule, panneau.hub.freshness.figure_stale); the figures it does not feed stay as
    they are."""
    text = config_text(str(tmp_path / "hub.db"), {"count": 0, "hang_after": 3},
                       stale_after_s=0.5) + ANSWER_FASTER
    config = parse_config(text, "wall.toml")
    config.kiosk.pages = [KioskPage("Scorecard", kind="scorecard", dwell_s=3600),
                          KioskPage("Objectives", kind="objectives", dwell_s=3600)]
    rows_js = """[...document.querySelectorAll('#goals tr')].map((r) =>
        [r.dataset.stale === 'true', ...[...r.cells].map((c) => c.textContent)])"""
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (1280, 720)) as page:
        await wait_for(page, "window.panneauWall && panneauWall.wall.showPage('Scorecard') && "
                             "document.querySelector('#goals tr.stale')", "a stale row")
        view = await kiosk_view(hub, "support")
        assert view.values["source:feed"]["status"] == "stale"
        sources = scope_sources(stale_sources(view), "team:support")
        expected = [figure_stale(row["kpi"], sources, Link(connected=True))
                    for row in view.values["scorecard:team:support"]["rows"]]
        assert True in expected and False in expected  # the calls' figures only
        rows = [r for r in await page.evaluate(rows_js) if len(r) == 6]  # a KPI's row
        assert [r[0] for r in rows] == expected
        for doubtful, *cells in rows:
            assert cells[2].startswith("◌ ") and cells[2].endswith(" stale") if doubtful \
                else not cells[2].startswith("◌")
        await page.screenshot(path=str(tmp_path / "scorecard-stale.png"))

        assert await page.evaluate("panneauWall.wall.showPage('Objectives')")
        await wait_for(page, "document.querySelector('#goals').dataset.kind === 'objectives'",
                       "the objectives")
        assert [[r[0], r[1], r[3]] for r in await page.evaluate(rows_js)] == [
            [True, "Answer faster", "◌ stale"], [True, "ASA", "◌ stale"]]

        await page.screenshot(path=str(tmp_path / "objectives-stale.png"))


async def test_a_key_result_without_a_value_reads_the_no_data_mark(tmp_path, feed_pm):
    """No call yet, so no ASA: the key result reads '— → 0:20', as the kiosk's objectives table
    (panneau.hub.goals_display), not the big digits' '-'."""
    config = parse_config(config_text(str(tmp_path / "hub.db")) + ANSWER_FASTER, "wall.toml")
    config.kiosk.pages = [KioskPage("Objectives", kind="objectives", dwell_s=3600)]
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (1280, 720)) as page:
        await wait_for(page, "document.querySelector('#goals').dataset.kind === 'objectives' && "
                             "document.querySelectorAll('#goals tr').length === 2", "the objective")
        result = (await kiosk_view(hub, "support")).values["objective:0"]["key_results"][0]
        assert result.get("value") is None
        deadline = date.fromisoformat(result["deadline"])
        figures = await page.evaluate(
            "[...document.querySelectorAll('#goals tr')][1].cells[1].textContent")
        assert figures == f"— → 0:20 by {deadline.day} {deadline.strftime('%b')}"
