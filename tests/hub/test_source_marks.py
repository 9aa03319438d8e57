"""A restarted hub remembers what each source fed: a source still down greys the right figures."""

from __future__ import annotations

from panneau.hub.config import parse_config
from panneau.hub.freshness import Link
from panneau.hub.server.app import Hub
from panneau.hub.view import ViewState
from panneau.kiosk.model import PageSpec, build_page
from tests.hub.conftest import config_text, eventually, hello, kiosk_token, recv


async def kiosk_view(hub: Hub) -> ViewState:
    ws = await hello(hub.ws_url, kiosk_token("support"))
    frame = await recv(ws)
    await ws.close()
    view = ViewState()
    view.apply_snapshot(frame["epoch"], frame["seq"], frame["view"])
    return view


async def test_a_source_still_down_after_a_restart_keeps_its_feeds(tmp_path, feed_pm):
    text = config_text(str(tmp_path / "hub.db"), {"count": 3, "interval_s": 0.001})
    async with Hub(parse_config(text, "hub.toml"), pm=feed_pm) as hub:
        await eventually(lambda: hub.journal.count_events("feed") >= 5 + 3 * 2)  # logins, calls
        before = hub.supervisor.states["feed"]
        fed, last_event = set(before.feeds), before.last_event
    assert fed == {"voice", "staffing", "agents"} and last_event is not None
    # the source's plugin is gone after the restart: the source is down from the start
    broken = text.replace('plugin = "test_feed"', 'plugin = "gone_feed"')
    async with Hub(parse_config(broken, "hub.toml"), pm=feed_pm) as hub:
        await eventually(lambda: hub.supervisor.states["feed"].status == "down")
        view = await kiosk_view(hub)
    source = view.values["source:feed"]
    assert (source["status"], set(source["feeds"]), source["last_event"]) == (
        "down", fed, last_event)
    page = build_page(view, PageSpec("Mixed", ("answered", "backlog")), Link(True))
    assert {t.kpi: t.stale for t in page.tiles} == {"answered": True, "backlog": False}


async def test_marks_are_written_with_the_events_they_describe(tmp_path):
    from panneau.hub.events import CallEntered
    from panneau.hub.server.journal import Journal

    journal = Journal(tmp_path / "hub.db")
    journal.accept("pbx", [], None, False, 10.0, {"voice"})  # no events: nothing to mark
    assert journal.source_marks() == {}
    journal.accept("pbx", [CallEntered(ts=5.0, call_id="c1", queue="q")], 1, True, 11.0,
                   {"voice", "staffing"})
    journal.close()
    assert Journal(tmp_path / "hub.db").source_marks() == {"pbx": (["staffing", "voice"], 11.0)}
