"""Ticket KPIs from a small helpdesk story (expected values computed by hand)."""

from __future__ import annotations

import pytest

from panneau.hub import events as ev
from tests.engine.conftest import T0


def story() -> list[ev.Event]:
    """t1 (group G, email): reply after 10 min, solved after 1 h, one touch.
    t2 (group G, web): replies after 20 and 30 min, solved at +2 h, reopened, solved at +2.5 h.
    t3 (other group): created open, pending, SLA breach. t4: first seen by an update (open).
    """
    return [
        ev.TicketCreated(ts=T0, ticket_id="t1", group="G", channel="email", assignee="A"),
        ev.TicketCreated(ts=T0 + 60, ticket_id="t2", group="G", channel="web"),
        ev.TicketCreated(ts=T0 + 120, ticket_id="t3", status="open", group="other"),
        ev.TicketReplied(ts=T0 + 600, ticket_id="t1", agent="A"),
        ev.TicketReplied(ts=T0 + 60 + 1200, ticket_id="t2", agent="B"),
        ev.TicketReplied(ts=T0 + 60 + 1800, ticket_id="t2", agent="B"),
        ev.TicketSolved(ts=T0 + 3600, ticket_id="t1", agent="A"),
        ev.TicketUpdated(ts=T0 + 4000, ticket_id="t3", status="pending"),
        ev.TicketSlaBreached(ts=T0 + 4100, ticket_id="t3", metric="first_reply"),
        ev.TicketUpdated(ts=T0 + 5000, ticket_id="t4", status="open"),
        ev.TicketSolved(ts=T0 + 60 + 7140, ticket_id="t2"),
        ev.TicketReopened(ts=T0 + 7300, ticket_id="t2"),
        ev.TicketUpdated(ts=T0 + 60 + 8940, ticket_id="t2", status="solved"),
    ]


def test_site_ticket_kpis(run):
    today = run(story(), T0 + 10_000).values["site"]["today"]
    assert today["tickets_created"] == 3  # t4 was created before anyone saw it
    assert today["tickets_solved"] == 3  # t1, t2 twice
    assert today["backlog"] == 2  # t3 pending, t4 open
    assert today["frt_avg_min"] == 15.0
    assert today["frt_median_min"] == 15.0
    assert today["resolution_avg_h"] == pytest.approx((1 + 7140 / 3600 + 8940 / 3600) / 3)
    assert today["reopen_rate_pct"] == pytest.approx(100 / 3)
    assert today["one_touch_pct"] == pytest.approx(100 / 3)
    assert today["sla_breaches"] == 1
    assert (today["tickets_via_email"], today["tickets_via_web"],
            today["tickets_via_other"]) == (1, 1, 1)


def test_tickets_by_type_counted_at_creation(run):
    """Zendesk and Freshdesk spellings of one type count together; a custom type is other,
    no type unspecified; a type set by a later update does not move the ticket."""
    events = [
        ev.TicketCreated(ts=T0, ticket_id="z1", group="G", ticket_type="incident"),
        ev.TicketCreated(ts=T0 + 1, ticket_id="f1", group="G", ticket_type="Incident"),
        ev.TicketCreated(ts=T0 + 2, ticket_id="f2", ticket_type="Feature Request"),
        ev.TicketCreated(ts=T0 + 3, ticket_id="f3", ticket_type="Billing"),
        ev.TicketCreated(ts=T0 + 4, ticket_id="n1", group="G"),
        ev.TicketUpdated(ts=T0 + 5, ticket_id="n1", ticket_type="question"),
        ev.TicketCreated(ts=T0 + 6, ticket_id="n2", ticket_type="  "),
    ]
    values = run(events, T0 + 600).values
    site = {k: v for k, v in values["site"]["today"].items() if k.startswith("tickets_type_")}
    assert site == {"tickets_type_incident": 2, "tickets_type_feature_request": 1,
                    "tickets_type_other": 1, "tickets_type_unspecified": 2}
    team = values["team:t"]["today"]  # team t holds group G
    assert (team["tickets_type_incident"], team["tickets_type_unspecified"]) == (2, 1)
    assert "tickets_type_question" not in team
    assert values["site"]["60m"]["tickets_type_incident"] == 2


def test_team_and_agent_scopes(run):
    snap = run(story(), T0 + 10_000)
    team = snap.values["team:t"]["today"]
    assert (team["tickets_created"], team["tickets_solved"], team["backlog"]) == (2, 3, 0)
    agent = snap.values["agent:A"]["today"]
    assert (agent["tickets_created"], agent["frt_avg_min"]) == (1, 10.0)
    assert snap.values["site"]["now"]["backlog"] == 2


def test_median_differs_from_mean(run):
    events = []
    for i, minutes in enumerate((1, 2, 30)):
        events += [ev.TicketCreated(ts=T0, ticket_id=f"m{i}"),
                   ev.TicketReplied(ts=T0 + minutes * 60, ticket_id=f"m{i}")]
    today = run(events, T0 + 3600).values["site"]["today"]
    assert (today["frt_avg_min"], today["frt_median_min"]) == (11.0, 2.0)
    assert run(events, T0 + 3600).get("site", "15m", "frt_median_min") is None


def test_helpdesk_metrics_fill_in(run):
    events = [ev.TicketUpdated(ts=T0, ticket_id="x", status="solved"),
              ev.TicketMetrics(ts=T0 + 5, ticket_id="x", first_reply_min=12,
                               full_resolution_min=90, replies=1, reopens=0)]
    today = run(events, T0 + 60).values["site"]["today"]
    assert (today["frt_avg_min"], today["resolution_avg_h"]) == (12.0, 1.5)
    assert today["tickets_solved"] == 1


def test_bad_ticket_events(run):
    events = [ev.TicketCreated(ts=T0, ticket_id="x"),
              ev.TicketCreated(ts=T0 + 1, ticket_id="x"),
              ev.TicketMetrics(ts=T0 + 2, ticket_id="x", first_reply_min=0),
              ev.TicketReplied(ts=T0 - 60, ticket_id="y")]  # a ticket never seen created
    snap = run(events, T0 + 60)
    assert snap.bad_events == {"duplicate_ticket": 1}
    assert snap.get("site", "today", "tickets_created") == 1
    assert snap.get("site", "today", "frt_avg_min") == 0


def test_a_first_reply_learnt_late_counts_when_the_reply_happened(run):
    # Created at T0, replied at T0 + 5 min; the helpdesk's metrics say so only at T0 + 40 min.
    events = [ev.TicketCreated(ts=T0, ticket_id="t9", group="G"),
              ev.TicketMetrics(ts=T0 + 2400, ticket_id="t9", first_reply_min=5.0)]
    values = run(events, T0 + 2400).values["site"]
    assert "frt_avg_min" not in values["15m"]  # the reply is 35 minutes old
    assert values["60m"]["frt_avg_min"] == 5.0
    assert values["today"]["frt_avg_min"] == 5.0
