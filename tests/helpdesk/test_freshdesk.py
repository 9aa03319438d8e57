"""The freshdesk source against a real aiohttp server paging like Freshdesk API v2."""

from __future__ import annotations

import base64
import copy
import json
from datetime import datetime

import httpx
import pytest
from aiohttp import web

from panneau.hub.toolkit.polling import make_fetcher
from panneau.plugins.freshdesk.mapping import ticket_snapshot
from panneau.plugins.freshdesk.options import FreshdeskOptions, client_settings
from panneau.plugins.freshdesk.source import FreshdeskPoller, FreshdeskSource
from tests.helpdesk.conftest import FIXTURES, assert_figures, run_until

FD = FIXTURES / "freshdesk"
KEY = "fd-key-9c1e"


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def fixture(name: str) -> dict:
    return json.loads((FD / name).read_text())


def fd_ticket(tid: int, status: int, created: str, updated: str, **extra) -> dict:
    """A ticket shaped like the recorded ticket_1.json, with other values."""
    ticket = copy.deepcopy(fixture("ticket_1.json"))
    stats = dict.fromkeys(ticket["stats"])
    stats.update(extra.pop("stats", {}))
    ticket.update(id=tid, status=status, created_at=created, updated_at=updated, stats=stats,
                  fr_escalated=False, is_escalated=False)
    ticket.update(extra)
    return ticket


class FakeFreshdesk:
    """``GET /api/v2/tickets``: filters ``updated_since``, sorts, pages, sets ``Link``."""

    def __init__(self, server, tickets: list[dict]) -> None:
        self.tickets, self.throttle = tickets, 0
        server.route("GET", "/api/v2/tickets", self.list_tickets)
        self.server = server

    async def list_tickets(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{KEY}:X".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.json_response({"code": "invalid_credentials"}, status=401)
        if self.throttle:
            self.throttle -= 1
            return web.json_response({}, status=429, headers={"Retry-After": "1"})
        since = epoch(request.query["updated_since"])
        chosen = sorted((t for t in self.tickets if epoch(t["updated_at"]) >= since),
                        key=lambda t: t["updated_at"])
        per_page, page = int(request.query["per_page"]), int(request.query["page"])
        body = chosen[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(chosen):
            nxt = request.url.update_query(page=str(page + 1))
            headers["Link"] = f'<{nxt}>; rel="next"'
        return web.json_response(body, headers=headers)


def options(url: str, **extra) -> FreshdeskOptions:
    return FreshdeskOptions(**({"base_url": url, "api_key": KEY, "min_request_interval_s": 0.0,
                                "poll_interval_s": 0.05} | extra))


async def poll(ctx, opts: FreshdeskOptions) -> None:
    async with httpx.AsyncClient(**client_settings(opts, {})) as client:
        fetcher = make_fetcher(ctx, client, min_interval_s=0.0, max_wait_s=30.0)
        await FreshdeskPoller(ctx, fetcher, opts).poll_once()


async def test_recorded_ticket_with_stats_and_escalation(server, ctx):
    fake = FakeFreshdesk(server, [fixture("ticket_1.json")])
    opts = options(await server.start())
    await poll(ctx, opts)
    assert ctx.kinds() == ["ticket_created", "ticket_metrics", "ticket_sla_breached"]
    created, metrics, breach = ctx.events
    assert (created.status, created.channel, created.priority, created.assignee,
            created.ticket_type) == ("open", "portal", "low", "6010396333", "Question")
    assert created.ts == epoch("2016-05-18T04:36:04Z")
    assert metrics.first_reply_min == pytest.approx(
        (epoch("2020-06-17T20:23:43Z") - epoch("2016-05-18T04:36:04Z")) / 60, abs=0.001)
    assert metrics.reopens == 0 and metrics.replies is None
    assert (breach.metric, breach.ts) == ("resolution", epoch("2016-05-18T23:36:04Z"))
    first = server.paths()[0]
    assert "include=stats" in first and "updated_since=1970-01-01T00%3A00%3A00Z" in first
    # ticket_1_updated.json has the same updated_at: a duplicate, dropped
    fake.tickets = [fixture("ticket_1_updated.json")]
    again = ctx.restarted()
    await poll(again, opts)
    assert again.events == []
    assert "updated_since=2016-05-18T23%3A42%3A50Z" in server.paths()[-1]
    # a later version is an update into solved (no stats: solved at its update time)
    later = fixture("ticket_1_updated.json") | {"updated_at": "2016-05-19T08:00:00Z"}
    fake.tickets = [later]
    await poll(again, opts)
    assert again.kinds() == ["ticket_updated", "ticket_solved"]
    assert again.events[1].ts == epoch("2016-05-19T08:00:00Z")


async def test_pages_follow_the_link_header_and_rate_limit(server, ctx):
    day = "2026-03-02T0{}:00:00Z"
    tickets = [fd_ticket(i, 2, day.format(i), day.format(i)) for i in range(1, 6)]
    fake = FakeFreshdesk(server, tickets)
    fake.throttle = 1
    await poll(ctx, options(await server.start(), per_page=2))
    pages = [p.split("page=")[-1] for p in server.paths()]
    assert pages == ["1", "1", "2", "3"]  # the 429, then three pages; no fourth request
    (t429, _, _), (t_retry, _, _) = server.log[:2]
    assert t_retry - t429 >= 0.95
    created = [e.ticket_id for e in ctx.events if e.kind == "ticket_created"]
    assert created == ["1", "2", "3", "4", "5"]
    assert len(ctx.checkpoints) == 3 and ctx.checkpoint["updated_since"] == epoch(day.format(5))


async def test_custom_statuses_and_unmapped_ones(server, ctx):
    tickets = [fd_ticket(1, 6, "2026-03-02T08:00:00Z", "2026-03-02T08:00:00Z"),
               fd_ticket(2, 7, "2026-03-02T08:05:00Z", "2026-03-02T08:05:00Z"),
               fd_ticket(3, 2, "2026-03-02T08:06:00Z", "2026-03-02T08:07:00Z", spam=True)]
    FakeFreshdesk(server, tickets)
    await poll(ctx, options(await server.start(), custom_statuses={"6": "hold"}))
    assert [(e.ticket_id, e.status) for e in ctx.events if e.kind == "ticket_created"] == [
        ("1", "hold")]  # 3 is spam, first seen as such: never in the backlog
    (detail,) = ctx.skipped_details
    assert "unknown status 7 (map it in options.custom_statuses)" in detail
    assert "page 1 [1]" in detail


def test_bad_custom_status_category_is_refused_with_the_options():
    with pytest.raises(ValueError, match=r"custom_statuses.6: 'waiting' is not one of"):
        FreshdeskOptions(base_url="http://127.0.0.1:9", api_key=KEY,
                         custom_statuses={"6": "waiting"})


def test_reopened_resolved_escalated_ticket():
    snap = ticket_snapshot(fd_ticket(
        9, 4, "2026-03-02T08:00:00Z", "2026-03-02T11:00:00Z", source=3, priority=4,
        type=" ", fr_escalated=True, fr_due_by="2026-03-02T09:00:00Z",
        stats={"first_responded_at": "2026-03-02T09:30:00Z",
               "resolved_at": "2026-03-02T11:00:00Z", "reopened_at": "2026-03-02T10:00:00Z"}),
        {})
    assert (snap.status, snap.channel, snap.priority) == ("solved", "phone", "urgent")
    assert snap.ticket_type is None  # a blank type is none
    assert (snap.first_reply_min, snap.full_resolution_min, snap.first_resolution_min) == (
        90.0, 180.0, None)
    assert snap.reopens == 1
    assert snap.breaches == (("first_reply", epoch("2026-03-02T09:00:00Z")),)


async def test_run_reports_a_refused_key_as_down(server, ctx):
    FakeFreshdesk(server, [])
    source = FreshdeskSource(options(await server.start(), api_key="wrong-key-123"))
    await run_until(source, ctx, lambda: any(s == "down" for s, _ in ctx.statuses))
    down = [d for s, d in ctx.statuses if s == "down"]
    assert "HTTP 401" in down[0] and "wrong-key-123" not in down[0]


async def test_kpis_end_to_end_through_the_engine(server, ctx):
    from panneau.hub.config.load import parse_config
    from panneau.hub.testing import snapshot

    d = "2026-03-02T{}:00Z"
    tickets = [
        fd_ticket(1, 4, d.format("08:00"), d.format("09:00"), group_id=5, responder_id=7,
                  stats={"first_responded_at": d.format("08:20"),
                         "resolved_at": d.format("09:00")}),
        fd_ticket(2, 2, d.format("08:30"), d.format("08:45"), group_id=5, responder_id=8,
                  fr_escalated=True, fr_due_by=d.format("08:40"),
                  stats={"first_responded_at": d.format("08:45")}),
        fd_ticket(3, 3, d.format("09:00"), d.format("09:10"), group_id=5),
        fd_ticket(4, 5, d.format("07:00"), d.format("10:00"), group_id=5, responder_id=8,
                  is_escalated=True, due_by=d.format("09:00"),
                  stats={"first_responded_at": d.format("07:30"), "reopened_at": d.format("08:00"),
                         "resolved_at": d.format("09:30"), "closed_at": d.format("10:00")}),
        fd_ticket(5, 2, d.format("09:20"), d.format("09:30"), group_id=5, spam=True),
    ]
    FakeFreshdesk(server, tickets)
    await poll(ctx, options(await server.start(), per_page=2, groups={"5": "Support"},
                            agents={"7": "Alice", "8": "Bob"}))
    config = parse_config('[[teams]]\nid = "support"\nagents = ["Alice", "Bob"]\n'
                          'groups = ["Support"]\n')
    snap = snapshot(ctx.events, config=config, at=epoch(d.format("12:00")))
    assert not snap.bad_events
    got = snap.flat()
    # Hand-derived: created 1-4 (5 is spam); backlog 2 (open) and 3 (pending); solved 1 at
    # 09:00 (1 h) and 4 at 09:30 (2.5 h, reopened before); first replies 20, 15, 30 min;
    # breaches: 2 first response, 4 resolution; no reply counts, so no one-touch.
    expected = {"tickets_created": 4, "backlog": 2, "tickets_solved": 2,
                "frt_avg_min": 65 / 3, "resolution_avg_h": 1.75, "reopen_rate_pct": 50.0,
                "one_touch_pct": 0.0, "sla_breaches": 2}
    assert_figures(got, expected, ("site", "team:support"))
    assert got["agent:Alice/today/tickets_solved"] == 1
