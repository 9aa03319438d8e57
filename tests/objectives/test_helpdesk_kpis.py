"""Helpdesk KPIs the sources allowed but Panneau lacked, against figures derived by hand."""

from __future__ import annotations

import pytest

from panneau.hub import events as ev
from panneau.hub.engine.figures import figures_of
from panneau.hub.testing import figures

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC
H = 3600.0


def test_resolved_within_24_hours():
    # Solved after 2 h, 23 h 59 min and 30 h: two of three within 24 h = 66.7 %.
    events = []
    for ticket, hours in (("a", 2.0), ("b", 23 + 59 / 60), ("c", 30.0)):
        created = T0 - hours * H
        events += [ev.TicketCreated(ts=created, ticket_id=ticket),
                   ev.TicketSolved(ts=T0, ticket_id=ticket)]
    got = figures(sorted(events, key=lambda e: e.ts), at=T0 + 60)
    assert got["site/today/resolved_24h_pct"] == pytest.approx(200 / 3)
    assert got["site/today/tickets_solved"] == 3


def test_resolved_within_24_hours_over_a_period_from_summed_sums():
    # Day 1: 9 of 10 within 24 h (90 %); day 2: 0 of 2 (0 %). The period: 9 / 12 = 75 %,
    # not the mean of the daily rates (45 %).
    day1 = {"tickets_solved": 10.0, "resolution_n": 10.0, "resolution_sum_h": 60.0,
            "resolved_24h": 9.0}
    day2 = {"tickets_solved": 2.0, "resolution_n": 2.0, "resolution_sum_h": 80.0}
    summed = {k: day1.get(k, 0.0) + day2.get(k, 0.0) for k in day1.keys() | day2.keys()}
    assert figures_of("site", summed)["resolved_24h_pct"] == pytest.approx(75.0)
    assert figures_of("site", day2)["resolved_24h_pct"] == 0.0
