"""A source that has never delivered an event greys no figure when it is stale or down.

A survey endpoint that could not be reached from its first poll (generic source, nothing
ever received) greyed every figure of the wall — calls waiting, agents available — as
stale, though each came from the telephony source, live all along: a source that lists no
``feeds`` was taken to feed everything. One that never delivered anything fed nothing; the
banner still names it. A source that did deliver but whose events fed no known family still
greys everything (better grey too much than show old data as live)."""

from __future__ import annotations

from panneau.hub.config import parse_config
from panneau.hub.freshness import Link, figure_stale
from panneau.hub.server.app import Hub
from panneau.hub.view import ViewState
from panneau.kiosk.model import build_page, notices, page_specs
from tests.cluster.conftest import free_port
from tests.hub.conftest import config_text, eventually, hello, kiosk_token, recv
from tests.web.test_wall_model import wall
from tests.web.wall_node import needs_node

UNREACHABLE = """
[[sources]]
name = "crm"
plugin = "generic"
[sources.options]
url = "http://127.0.0.1:{port}/api/answers"
poll_interval_s = 30.0
[sources.options.mapping]
kind = "survey"
survey = "csat"
[sources.options.mapping.fields]
id = "id"
time = "time"
score = "score"
"""
LINK = Link(True, 0.0)


def test_the_rule_for_each_kind_of_source():
    never = {"status": "down", "feeds": [], "last_event": None}
    unknown = {"status": "down", "feeds": [], "last_event": 1000.0}
    surveys = {"status": "down", "feeds": ["surveys"], "last_event": 1000.0}
    assert not figure_stale("calls_waiting", [never], LINK)
    assert figure_stale("calls_waiting", [unknown], LINK)
    assert figure_stale("csat_pct", [surveys], LINK)
    assert not figure_stale("calls_waiting", [surveys], LINK)
    assert figure_stale("calls_waiting", [{"status": "down"}], LINK)  # says nothing: all
    assert figure_stale("calls_waiting", [never], Link(False, 0.0))


async def test_an_unreachable_survey_endpoint_leaves_the_call_figures_live(tmp_path, feed_pm):
    text = config_text(str(tmp_path / "hub.db"), {"count": 4, "interval_s": 0.005})
    config = parse_config(text + UNREACHABLE.format(port=free_port()), "t.toml")
    async with Hub(config, pm=feed_pm) as hub:
        await eventually(lambda: hub.supervisor.states["crm"].status in ("stale", "down")
                         and hub.journal.count_events() >= 5 + 2 * 4, timeout=30,
                         what="the survey source stale or down and the feed's events journalled")
        await hub.wait_idle()
        ws = await hello(hub.ws_url, kiosk_token("support"))
        frame = await recv(ws)
        await ws.close()
    crm, feed = frame["view"]["source:crm"], frame["view"]["source:feed"]
    assert crm["status"] in ("stale", "down") and crm["last_event"] is None
    assert feed["status"] == "live"
    view = ViewState()
    view.apply_snapshot(frame["epoch"], frame["seq"], frame["view"])
    tiles = {t.kpi: t for spec in page_specs(view) for t in build_page(view, spec, LINK).tiles}
    assert tiles["answered"].text == "3" and not tiles["answered"].stale
    assert not tiles["calls_waiting"].stale
    assert any("Source crm" in n.text for n in notices(view, LINK, 0.0, str))


@needs_node
def test_the_browser_wall_greys_what_the_kiosk_greys(tmp_path):
    page = {"title": "Now", "kpis": ["calls_waiting", "csat_pct"], "window": "now"}
    base = {"meta": {"role": "kiosk", "team": "support", "pages": [page]},
            "kpi:team:support/now/calls_waiting": 2, "kpi:team:support/now/csat_pct": 80}
    for crm in ({"status": "down", "feeds": [], "last_event": None},
                {"status": "down", "feeds": [], "last_event": 1000.0},
                {"status": "down", "feeds": ["surveys"], "last_event": 1000.0}):
        values = {**base, "source:crm": {**crm, "since": 900.0, "plugin": "generic"}}
        shown = wall(tmp_path, values, {})
        view = ViewState(values)
        kiosk = build_page(view, page_specs(view)[0], LINK).tiles
        assert [t[4] for t in shown["tiles"]] == [t.stale for t in kiosk], crm
