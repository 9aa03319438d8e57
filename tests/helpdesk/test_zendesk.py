"""The zendesk source against a real aiohttp server serving Zendesk-shaped pages."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections import Counter

import httpx
import pytest
from aiohttp import web

from panneau.hub.config.load import parse_config
from panneau.hub.toolkit.polling import make_fetcher
from panneau.hub.toolkit.tickets import TicketTracker
from panneau.plugins.zendesk.mapping import page_snapshots, rating_response, rating_sent
from panneau.plugins.zendesk.options import ZendeskOptions, client_settings
from panneau.plugins.zendesk.source import ZendeskPoller, ZendeskSource
from tests.helpdesk.conftest import FIXTURES, assert_figures, run_until, shared_file

ZD = FIXTURES / "zendesk"
NOW = 1772409600 + 12 * 3600  # 2026-03-02 12:00 UTC, after every fixture time
EMAIL, TOKEN = "ops@example.com", "tok-3f9a-secret"


def load(name: str) -> dict:
    return json.loads((ZD / name).read_text())


def basic_ok(request: web.Request) -> bool:
    expected = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    return request.headers.get("Authorization") == f"Basic {expected}"


class FakeZendesk:
    """Routes with the export's own paging rules; ``throttle`` answers 429 that many times;
    ``later`` makes page 3 (ticket 103 solved again) appear after the end of stream."""

    def __init__(self, server, cursor: bool = True) -> None:
        self.server, self.throttle, self.later = server, 0, False
        if cursor:
            server.route("GET", "/api/v2/incremental/tickets/cursor.json", self.cursor_page)
        server.route("GET", "/api/v2/incremental/ticket_metric_events.json", self.metric_events)
        server.route("GET", "/api/v2/satisfaction_ratings.json", self.ratings)

    def _gate(self, request: web.Request) -> web.Response | None:
        if not basic_ok(request):
            return web.json_response({"error": "Couldn't authenticate you"}, status=401)
        if self.throttle:
            self.throttle -= 1
            return web.json_response({"error": "APIRateLimitExceeded"}, status=429,
                                     headers={"Retry-After": "1"})
        return None

    async def cursor_page(self, request: web.Request) -> web.Response:
        if (refused := self._gate(request)) is not None:
            return refused
        cursor = request.query.get("cursor")
        if cursor is None:
            if int(request.query["start_time"]) > NOW - 60:
                return web.json_response({"error": "InvalidValue"}, status=400)
            return web.json_response(load("incremental_cursor_page1.json"))
        if cursor == "cGFnZTI=":
            return web.json_response(load("incremental_cursor_page2.json"))
        if cursor == "cGFnZTM=" and self.later:  # changes made after the first poll
            return web.json_response(load("incremental_cursor_page3.json"))
        return web.json_response({"tickets": [], "after_cursor": cursor, "end_of_stream": True})

    async def metric_events(self, request: web.Request) -> web.Response:
        if (refused := self._gate(request)) is not None:
            return refused
        return web.json_response(load("ticket_metric_events.json"))

    async def ratings(self, request: web.Request) -> web.Response:
        if (refused := self._gate(request)) is not None:
            return refused
        page = request.query.get("page", "1")
        text = (ZD / f"satisfaction_ratings_page{page}.json").read_text()
        return web.json_response(json.loads(text.replace("{base}", self.server.url)))


def options(url: str, **extra) -> ZendeskOptions:
    values = {"base_url": url, "email": EMAIL, "api_token": TOKEN, "min_request_interval_s": 0.0,
              "poll_interval_s": 0.05} | extra
    return ZendeskOptions(**values)


async def poll(ctx, opts: ZendeskOptions) -> ZendeskPoller:
    async with httpx.AsyncClient(**client_settings(opts, {})) as client:
        poller = ZendeskPoller(ctx, make_fetcher(ctx, client, min_interval_s=0.0,
                                                  max_wait_s=30.0), opts)
        await poller.poll_once()
    return poller


async def test_cursor_export_becomes_ticket_events(server, ctx):
    FakeZendesk(server)
    ctx.clock.t = NOW
    await poll(ctx, options(await server.start(), sla_breaches=False, satisfaction=False))
    tickets = [(e.kind, getattr(e, "ticket_id", None)) for e in ctx.events]
    assert tickets == [
        ("ticket_created", "101"), ("ticket_created", "102"), ("ticket_metrics", "102"),
        # 103 first seen solved: created as new, then solved at its metric solved_at
        ("ticket_created", "103"), ("ticket_metrics", "103"), ("ticket_updated", "103"),
        ("ticket_solved", "103"),
        ("ticket_created", "104"), ("ticket_created", "105"),
        # page 2: 105 again with the same updated_at is a duplicate
        ("ticket_metrics", "101"), ("ticket_updated", "101"), ("ticket_solved", "101"),
        ("ticket_updated", "102"),  # its metrics did not change
        ("ticket_updated", "104"),  # deleted
        ("ticket_metrics", "103"), ("ticket_updated", "103"), ("ticket_reopened", "103"),
        ("ticket_created", "106"), ("ticket_metrics", "106"), ("ticket_updated", "106"),
        ("ticket_solved", "106"),
    ]
    assert next(e for e in ctx.events if e.kind == "ticket_created" and e.ticket_id == "103"
                ).status == "new"
    assert ctx.skipped_details == [
        "cursor:cGFnZTI=: tickets[6]: ticket 107: unknown status 'sideways'"]
    deleted = [e for e in ctx.events if e.kind == "ticket_updated" and e.ticket_id == "104"]
    assert deleted[0].status == "deleted"
    solved_103 = next(e for e in ctx.events if e.kind == "ticket_solved" and e.ticket_id == "103")
    assert solved_103.ts == 1772409600 + 8 * 3600 + 50 * 60  # metric solved_at 08:50
    reopened = [e for e in ctx.events if e.kind == "ticket_metrics" and e.ticket_id == "103"][-1]
    assert (reopened.reopens, reopened.full_resolution_min, reopened.replies) == (1, 70.0, 2)
    assert ctx.checkpoint["cursor"] == "cGFnZTM=" and ctx.checkpoint["mode"] == "cursor"
    first = server.paths()[0]
    assert "include=metric_sets" in first and f"start_time={NOW - 61}" not in first
    assert "start_time=0" in first  # the configured start, older than the 1-minute exclusion


async def test_restart_resumes_after_the_stored_cursor(server, ctx):
    FakeZendesk(server)
    ctx.clock.t = NOW
    opts = options(await server.start(), sla_breaches=False, satisfaction=False)
    await poll(ctx, opts)
    again = ctx.restarted()
    await poll(again, opts)
    assert again.events == []
    assert server.paths()[-1].endswith("cursor=cGFnZTM%3D")


async def test_start_time_never_inside_the_last_minute(server, ctx):
    FakeZendesk(server)
    ctx.clock.t = NOW
    await poll(ctx, options(await server.start(), start_time=NOW + 3600, sla_breaches=False,
                            satisfaction=False))
    assert f"start_time={NOW - 61}" in server.paths()[0]


async def test_rate_limit_waits_what_retry_after_says(server, ctx):
    fake = FakeZendesk(server)
    fake.throttle = 1
    ctx.clock.t = NOW
    await poll(ctx, options(await server.start(), sla_breaches=False, satisfaction=False))
    (t429, _, _), (t_retry, _, _) = server.log[:2]
    assert t_retry - t429 >= 0.95
    assert len(server.log) == 3  # 429, page 1 again, page 2 (end of stream): nothing more
    assert any(s == "stale" and "rate limited" in d for s, d in ctx.statuses)
    assert Counter(ctx.kinds())["ticket_created"] == 6


async def test_sla_breaches_and_satisfaction_ratings(server, ctx):
    FakeZendesk(server)
    ctx.clock.t = NOW
    opts = options(await server.start())
    await poll(ctx, opts)
    breaches = [(e.ticket_id, e.metric) for e in ctx.events if e.kind == "ticket_sla_breached"]
    assert breaches == [("102", "first_reply"), ("103", "resolution")]
    surveys = [(e.response_id, e.score, e.ticket_id, e.agent) for e in ctx.events
               if e.kind == "survey_response"]
    assert surveys == [("zendesk-rating:801", 1.0, "101", "501"),
                       ("zendesk-rating:802", 0.0, "103", "502"),
                       ("zendesk-rating:804", 1.0, "106", "502")]
    assert all(e.survey == "csat" and (e.scale_min, e.scale_max) == (0, 1)
               for e in ctx.events if e.kind == "survey_response")
    count = len(ctx.events)
    again = ctx.restarted()
    await poll(again, opts)
    assert again.events == [] and len(ctx.events) == count


def test_offered_and_answered_ratings_are_surveys_sent():
    def rating(score):
        return {"id": 7, "score": score, "ticket_id": 70, "assignee_id": 5,
                "created_at": "2026-03-02T09:00:00Z", "updated_at": "2026-03-02T11:00:00Z"}
    for score in ("offered", "good", "bad"):
        sent = rating_sent(rating(score), "zd", "p")
        assert (sent.survey_id, sent.survey, sent.ticket_id, sent.agent) == (
            "zendesk-rating:7", "csat", "70", "5")
        assert sent.ts == 1772442000.0  # offered at created_at, 09:00 UTC
    assert rating_sent(rating("unoffered"), "zd", "p") is None
    answer = rating_response(rating("good"), "zd", "p")
    assert answer.response_id == sent.survey_id and answer.about == "interaction"


def test_offered_and_unoffered_ratings_are_not_responses():
    for score in ("offered", "unoffered"):
        assert rating_response({"id": 1, "score": score, "updated_at": "2026-03-02T09:00:00Z"},
                               "zd", "x") is None


async def test_bad_credentials_mark_the_source_down_and_are_never_logged(server, caplog):
    from panneau.hub.testing import ManualClock, RecordingContext

    FakeZendesk(server)
    url = await server.start()
    ctx = RecordingContext("src", clock=ManualClock(NOW))
    opts = ZendeskOptions(base_url=url, oauth_token="oauth-very-secret-42",
                          min_request_interval_s=0.0, poll_interval_s=0.05)
    caplog.set_level(logging.DEBUG)
    await run_until(ZendeskSource(opts), ctx, lambda: any(s == "down" for s, _ in ctx.statuses))
    down = [d for s, d in ctx.statuses if s == "down"]
    assert down and "HTTP 401" in down[0]
    assert server.headers[0]["Authorization"] == "Bearer oauth-very-secret-42"
    assert "oauth-very-secret-42" not in caplog.text + repr(opts) + repr(ctx.statuses)


async def test_missing_credentials_are_a_clear_error(ctx):
    with pytest.raises(ValueError, match="ZENDESK_SUBDOMAIN"):
        await ZendeskSource(ZendeskOptions()).run(ctx)
    assert ctx.statuses[-1][0] == "down"


def test_credentials_from_the_environment():
    env = {"ZD2_SUBDOMAIN": "acme", "ZD2_EMAIL": "a@b.c", "ZD2_API_TOKEN": "t"}
    settings = client_settings(ZendeskOptions(env_prefix="ZD2_"), env)
    assert settings["base_url"] == "https://acme.zendesk.com"
    assert settings["auth"] is not None and "Authorization" not in settings["headers"]


async def test_run_polls_until_cancelled_and_reports_live(server, ctx):
    FakeZendesk(server)
    ctx.clock.t = NOW
    source = ZendeskSource(options(await server.start()))
    await run_until(source, ctx, lambda: len(server.log) >= 12)  # several full polls
    assert ("live", "") in ctx.statuses
    assert Counter(ctx.kinds())["ticket_created"] == 6  # polling again adds nothing


async def test_time_based_export_when_the_cursor_one_is_refused(server, ctx):
    """The same changes served by the time-based export: pages chained by ``end_time``."""
    first, second = load("incremental_cursor_page1.json"), load("incremental_cursor_page2.json")
    pages = {0: (first, 1772441700), 1772441700: (second, 1772444700)}

    async def time_based(request: web.Request) -> web.Response:
        start = int(request.query["start_time"])
        page, end = pages.get(start, ({"tickets": []}, start))
        return web.json_response({"tickets": page["tickets"],
                                  "metric_sets": page.get("metric_sets", []),
                                  "count": len(page["tickets"]), "end_time": end,
                                  "end_of_stream": start not in pages or end == 1772444700})

    server.route("GET", "/api/v2/incremental/tickets.json", time_based)
    FakeZendesk(server, cursor=False)
    ctx.clock.t = NOW
    opts = options(await server.start(), sla_breaches=False, satisfaction=False)
    await poll(ctx, opts)
    assert Counter(ctx.kinds()) == {"ticket_created": 6, "ticket_metrics": 5,
                                    "ticket_updated": 6, "ticket_solved": 3,
                                    "ticket_reopened": 1}
    assert ctx.checkpoint["mode"] == "time" and ctx.checkpoint["start_time"] == 1772444700
    again = ctx.restarted()
    await poll(again, opts)
    assert again.events == [] and server.paths()[-1].endswith("start_time=1772444700")


# --- recorded pages from a real Zendesk test account (../shared/data, not committed) ---------


async def test_fallback_to_time_based_export_on_recorded_pages(server, ctx):
    first = json.loads(shared_file(
        "zendesk", "incremental_tickets_per_page1_start0_rec2023-09-19.json").read_text())
    second = json.loads(shared_file(
        "zendesk", "incremental_tickets_per_page1_start1695052664_rec2023-09-19.json").read_text())

    async def time_based(request: web.Request) -> web.Response:
        start = int(request.query["start_time"])
        pages = {0: first, 1695052664: second}
        # beyond what was recorded: an empty final page, as the export ends
        return web.json_response(pages.get(start) or {"tickets": [], "count": 0,
                                 "end_of_stream": True, "end_time": start})

    server.route("GET", "/api/v2/incremental/tickets.json", time_based)
    FakeZendesk(server, cursor=False)
    ctx.clock.t = NOW
    await poll(ctx, options(await server.start(), per_page=1, sla_breaches=False,
                            satisfaction=False))
    assert "/cursor.json" in server.paths()[0]  # tried first, refused with 404
    starts = [p.split("start_time=")[1].split("&")[0] for p in server.paths()[1:]]
    assert starts == ["0", "1695052664", "1695052665"]
    assert Counter(ctx.kinds()) == {"ticket_created": 13}
    assert ctx.checkpoint["mode"] == "time" and ctx.checkpoint["start_time"] == 1695052665


def test_recorded_cursor_export_backlog_and_deleted():
    page = json.loads(shared_file(
        "zendesk", "incremental_tickets_cursor_start0_rec2024-02-08.json").read_text())
    snapshots, bad = page_snapshots(page)
    assert bad == [] and len(snapshots) == 87
    tracker = TicketTracker()
    events = [e for s in snapshots for e in tracker.apply(s, "zd", "p1")]
    created = Counter(e.status for e in events if e.kind == "ticket_created")
    assert created == {"new": 77, "pending": 8, "open": 1}  # the deleted one never counted
    types = Counter(e.ticket_type for e in events if e.kind == "ticket_created")
    assert types == {None: 85, "incident": 1}  # ticket 1 is the account's sample incident


def test_a_figure_no_float_holds_skips_its_ticket_not_the_page():
    """A metric or time as an integer like 10**400 (JSON allows it) raised OverflowError out
    of the page: its ticket is skipped with a reason, the others kept."""
    ticket = {"status": "open", "updated_at": "2026-03-02T10:00:00Z"}
    page = {"tickets": [{**ticket, "id": 1}, {**ticket, "id": 2},
                        {**ticket, "id": 3, "updated_at": 10**400}],
            "metric_sets": [{"ticket_id": 1, "reply_time_in_minutes": {"calendar": 10**400}}]}
    snapshots, bad = page_snapshots(page)
    assert [s.ticket_id for s in snapshots] == ["2"]
    assert [b.partition(":")[0] for b in bad] == ["tickets[0]", "tickets[2]"]


def test_recorded_duplicates_are_dropped():
    page = json.loads(shared_file(
        "zendesk", "incremental_tickets_time_based_start0_rec2023-09-19.json").read_text())
    snapshots, _ = page_snapshots(page)
    tracker = TicketTracker()
    first = [e for s in snapshots for e in tracker.apply(s, "zd", "p")]
    again = [e for s in snapshots for e in tracker.apply(s, "zd", "p")]
    assert len(first) == 485 and again == []  # 515 deleted tickets first seen deleted


# --- the KPIs these events feed, through the real engine --------------------------------------

TEAM_CONFIG = """
[hub]
timezone = "UTC"
[[teams]]
id = "support"
agents = ["Alice", "Bob"]
groups = ["Support"]
"""


async def test_kpis_end_to_end_through_the_engine(server, ctx):
    from panneau.hub.testing import snapshot

    fake = FakeZendesk(server)
    ctx.clock.t = NOW
    opts = options(await server.start(), agents={"501": "Alice", "502": "Bob"},
                   groups={"360001": "Support"})
    await poll(ctx, opts)
    config = parse_config(TEAM_CONFIG)
    snap = snapshot(ctx.events, config=config, at=NOW)
    assert not snap.bad_events
    got = snap.flat()
    # Hand-derived from the fixtures (times 2026-03-02 UTC):
    # created 101..106; solved 103 @08:50 (0.5 h, 2 replies), 101 @09:00 (1 h, 1 reply),
    # 106 @09:40 (0.5 h, 1 reply); 104 deleted; 103 reopened @09:30 → backlog 102, 103, 105.
    # First replies 30, 10, 20, 20 min. Breaches 102 first reply, 103 resolution.
    # Ratings good (801), bad (802), good (804); 803 only offered.
    expected = {"tickets_created": 6, "tickets_solved": 3, "backlog": 3, "frt_avg_min": 20.0,
                "resolution_avg_h": 2 / 3, "reopen_rate_pct": 0.0, "one_touch_pct": 200 / 3,
                "sla_breaches": 2, "csat_pct": 200 / 3, "survey_responses": 3}
    assert_figures(got, expected, ("site", "team:support"))
    assert got["agent:Bob/today/csat_pct"] == pytest.approx(50.0)  # 802 bad, 804 good
    # Later, 103 is solved again (3 replies, reopened once, 2 h 10 min after creation).
    fake.later = True
    ctx.clock.t = NOW + 3600
    await poll(ctx, opts)
    snap = snapshot(ctx.events, config=config, at=NOW + 3600)
    assert not snap.bad_events
    got = snap.flat()
    later = {"tickets_solved": 4, "backlog": 2, "reopen_rate_pct": 25.0, "one_touch_pct": 50.0,
             "resolution_avg_h": (0.5 + 1 + 0.5 + 130 / 60) / 4, "survey_responses": 3}
    assert_figures(got, later)


async def test_inside_the_hub_the_cursor_survives_a_restart(server, tmp_path):
    from panneau.hub.server.app import Hub

    FakeZendesk(server)
    url = await server.start()
    config = parse_config(TEAM_CONFIG.replace("[hub]", f"""[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{tmp_path / 'p.db'}"
""") + f"""
[[sources]]
name = "zd"
plugin = "zendesk"
[sources.options]
base_url = "{url}"
email = "{EMAIL}"
api_token = "{TOKEN}"
min_request_interval_s = 0.0
poll_interval_s = 0.05
agents = {{ "501" = "Alice", "502" = "Bob" }}
groups = {{ "360001" = "Support" }}
""")

    async def run_hub(until) -> dict[str, float]:
        async with Hub(config, clock=lambda: NOW) as hub:
            for _ in range(250):
                if until(hub):
                    break
                await asyncio.sleep(0.02)
            return hub.engine.snapshot(NOW).flat() | {"events": hub.journal.count_events()}

    first = await run_hub(lambda hub: len((hub.journal.checkpoint("zd") or {}).get(
        "csat_seen", ())) == 3)  # the last thing a poll stores
    polled = len(server.log)
    second = await run_hub(lambda hub: len(server.log) >= polled + 3)
    assert server.paths()[polled].endswith("cursor=cGFnZTM%3D")  # resumed, not restarted
    # tickets, breaches, ratings answered (801, 802, 804), surveys sent (those and offered 803)
    assert first["events"] == second["events"] == 21 + 2 + 3 + 4
    for got in (first, second):  # the same figures live and after replaying the journal
        assert_figures(got, {"tickets_created": 6, "backlog": 3, "frt_avg_min": 20.0,
                             "csat_pct": 200 / 3, "csat_interaction_pct": 200 / 3,
                             "sla_breaches": 2, "surveys_sent": 4,
                             "survey_response_rate_pct": 75.0}, ("site", "team:support"))
