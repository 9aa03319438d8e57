"""Helpdesk KPIs the sources allowed but Panneau lacked, against figures derived by hand."""

from __future__ import annotations

import pytest

from panneau.hub import events as ev
from panneau.hub.config import parse_config
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


LEVELS = parse_config("""
[kpi]
level2_queues = ["expert"]
level2_groups = ["tier2"]
[[teams]]
id = "front"
queues = ["front"]
groups = ["tier1"]
agents = ["A", "B"]
[[teams]]
id = "experts"
queues = ["expert"]
groups = ["tier2"]
agents = ["X"]
""")


def _call(call: str, queue: str, agent: str, at: float, ended_by: str = "caller"):
    return [ev.CallEntered(ts=at, call_id=call, queue=queue),
            ev.CallAnswered(ts=at + 5, call_id=call, queue=queue, agent=agent, hold_s=5),
            ev.CallEnded(ts=at + 65, call_id=call, queue=queue, agent=agent, hold_s=5,
                         talk_s=60, ended_by=ended_by)]


def test_calls_escalated_to_level_2():
    # Front answers 4 calls (A: c1 hung up, c2 transferred into the expert queue, c3
    # transferred into the front queue again; B: c4 transferred and never seen again).
    # Experts answer c2 and transfer it on into expert again (not an escalation: no level 1).
    # Level-1 calls ended: 4 (c3's second leg in front makes 5 for the queue); escalated: c2.
    events = [*_call("c1", "front", "A", T0), *_call("c2", "front", "A", T0 + 100, "transfer"),
              *_call("c2", "expert", "X", T0 + 170, "transfer"),
              ev.CallEntered(ts=T0 + 240, call_id="c2", queue="expert"),
              *_call("c3", "front", "A", T0 + 300, "transfer"),
              *_call("c3", "front", "B", T0 + 370),
              *_call("c4", "front", "B", T0 + 500, "transfer")]
    got = figures(events, config=LEVELS, at=T0 + 600)
    assert got["queue:front/today/escalations"] == 1
    assert got["queue:front/today/call_escalation_pct"] == pytest.approx(100 / 5)
    assert got["team:front/today/escalations"] == 1
    assert got["agent:A/today/escalations"] == 1  # A transferred it
    assert got["agent:A/today/call_escalation_pct"] == pytest.approx(100 / 3)
    assert got["agent:B/today/call_escalation_pct"] == 0.0
    assert got["site/today/escalations"] == 1
    assert got["site/15m/escalations"] == 1
    assert got["queue:expert/today/escalations"] == 0  # level 2 itself escalates nothing
    assert "queue:expert/today/call_escalation_pct" not in got
    # without a second level configured nothing about escalations shows
    plain = figures(events, at=T0 + 600)
    assert not [k for k in plain if "escalat" in k]


def test_a_blind_transfer_to_a_level_2_extension_is_an_escalation():
    # queue_log lines as Asterisk writes them: A blind-transfers c1 to 8002@from-internal (the
    # level-2 hotline) and c2 to 1142@from-internal (a colleague); B completes c3. Level-1
    # calls ended: 3, escalated: c1 -> 33.3 %, counted at the transfer.
    from panneau.plugins.asterisk.queue_log import parse_lines

    lines = ["1800000000|c1|front|NONE|ENTERQUEUE||0123|1",
             "1800000005|c1|front|A|CONNECT|5|c1.1|2",
             "1800000065|c1|front|A|BLINDTRANSFER|8002|from-internal|5|60|1",
             "1800000100|c2|front|NONE|ENTERQUEUE||0124|1",
             "1800000105|c2|front|A|CONNECT|5|c2.1|2",
             "1800000165|c2|front|A|BLINDTRANSFER|1142|from-internal|5|60|1",
             "1800000200|c3|front|NONE|ENTERQUEUE||0125|1",
             "1800000205|c3|front|B|CONNECT|5|c3.1|2",
             "1800000265|c3|front|B|COMPLETECALLER|5|60|1"]
    parsed = parse_lines(lines, source="pbx")
    assert parsed.skipped == []
    events = parsed.events
    config = parse_config('[kpi]\nlevel2_transfer_targets = ["8002"]\n'
                          '[[teams]]\nid = "front"\nqueues = ["front"]\nagents = ["A", "B"]\n')
    got = figures(events, config=config, at=1800000300.0)
    assert got["queue:front/today/escalations"] == 1
    assert got["queue:front/today/call_escalation_pct"] == pytest.approx(100 / 3)
    assert got["agent:A/today/call_escalation_pct"] == 50.0
    exact = parse_config('[kpi]\nlevel2_transfer_targets = ["8002@other-context"]\n')
    assert figures(events, config=exact, at=1800000300.0)["site/today/escalations"] == 0


def test_tickets_escalated_to_level_2_and_first_line_resolution():
    # t1: tier1 (A) then moved to tier2: escalated. t2: tier1, solved by A: solved at level 1.
    # t3: no group, then tier2: routed, not escalated. t4: tier2, solved by X: level 2's solve.
    # t5: tier1 (B), solved, reopened, moved to tier2: solved once at level 1, then escalated.
    events = [
        ev.TicketCreated(ts=T0, ticket_id="t1", group="tier1", assignee="A"),
        ev.TicketUpdated(ts=T0 + 60, ticket_id="t1", group="tier2", assignee="X"),
        ev.TicketCreated(ts=T0, ticket_id="t2", group="tier1", assignee="A"),
        ev.TicketSolved(ts=T0 + 90, ticket_id="t2"),
        ev.TicketCreated(ts=T0, ticket_id="t3"),
        ev.TicketUpdated(ts=T0 + 60, ticket_id="t3", group="tier2"),
        ev.TicketCreated(ts=T0, ticket_id="t4", group="tier2", assignee="X"),
        ev.TicketSolved(ts=T0 + 120, ticket_id="t4"),
        ev.TicketCreated(ts=T0, ticket_id="t5", group="tier1", assignee="B"),
        ev.TicketSolved(ts=T0 + 30, ticket_id="t5"),
        ev.TicketReopened(ts=T0 + 40, ticket_id="t5"),
        ev.TicketUpdated(ts=T0 + 50, ticket_id="t5", group="tier2"),
    ]
    got = figures(sorted(events, key=lambda e: e.ts), config=LEVELS, at=T0 + 600)
    # front: escalated t1, t5 (2); solved at level 1: t2, t5 (2) -> 2 / 4 = 50 %
    assert got["team:front/today/escalations"] == 2
    assert got["team:front/today/ticket_escalation_pct"] == 50.0
    assert got["agent:A/today/ticket_escalation_pct"] == 50.0  # t1 escalated, t2 solved
    assert got["agent:B/today/ticket_escalation_pct"] == 50.0  # t5 both
    assert got["site/today/escalations"] == 2
    assert got["site/today/ticket_escalation_pct"] == 50.0
    assert got["team:experts/today/escalations"] == 0
    assert "team:experts/today/ticket_escalation_pct" not in got


def test_escalation_rates_over_a_period_are_ratios_of_summed_sums():
    # Day 1: 1 call escalated of 2 (50 %); day 2: 0 of 8 (0 %). Period: 1 / 10 = 10 %, not 25 %.
    day1 = {"l1_calls": 2.0, "calls_escalated": 1.0}
    day2 = {"l1_calls": 8.0}
    summed = {"l1_calls": 10.0, "calls_escalated": 1.0}
    assert figures_of("site", day1)["call_escalation_pct"] == 50.0
    assert figures_of("site", day2)["call_escalation_pct"] == 0.0
    assert figures_of("site", summed)["call_escalation_pct"] == 10.0
    assert figures_of("site", summed)["escalations"] == 1.0
    assert "escalations" not in figures_of("site", {"tickets_solved": 3.0})


def test_pending_tickets_apart_from_backlog():
    # Statuses now: new, open, pending, hold, solved -> backlog 4 (default statuses),
    # pending 2 (pending, hold). Then the pending one is solved: backlog 3, pending 1.
    events = [ev.TicketCreated(ts=T0, ticket_id=f"t{i}", status=status, group="tier1")
              for i, status in enumerate(("new", "open", "pending", "hold", "solved"))]
    got = figures(events, config=LEVELS, at=T0 + 60)
    assert got["team:front/now/backlog"] == 4 and got["team:front/now/tickets_pending"] == 2
    assert got["team:front/15m/tickets_pending"] == 2  # a level: the same in every window
    later = figures([*events, ev.TicketSolved(ts=T0 + 30, ticket_id="t2")], config=LEVELS,
                    at=T0 + 60)
    assert later["site/now/backlog"] == 3 and later["site/now/tickets_pending"] == 1
    apart = parse_config('[kpi]\nbacklog_statuses = ["new", "open"]\n'
                         'pending_statuses = ["pending"]\n')
    got = figures(events, config=apart, at=T0 + 60)
    assert (got["site/now/backlog"], got["site/now/tickets_pending"]) == (2, 1)


def test_tickets_per_agent_a_day():
    # Day 1 (T0 is 08:00 UTC): A solves 3, B solves 1, one unassigned solve: 4 / 2 = 2.0.
    # Day 2: A solves 5: 5 / 1. Both days: (3 + 1 + 5) / 3 agent-days = 3.0 (not the mean of
    # the daily figures, 3.5).
    day2 = T0 + 24 * H
    events = []
    for i, (agent, at) in enumerate([("A", T0)] * 3 + [("B", T0), (None, T0)]
                                    + [("A", day2)] * 5):
        events += [ev.TicketCreated(ts=at - 600, ticket_id=f"t{i}", assignee=agent),
                   ev.TicketSolved(ts=at + i, ticket_id=f"t{i}")]
    events.sort(key=lambda e: e.ts)
    first = [e for e in events if e.ts < T0 + H]
    got = figures(first, at=T0 + 60)
    assert got["site/today/tickets_per_agent"] == 2.0
    assert got["site/today/tickets_solved"] == 5
    assert got["agent:A/today/tickets_per_agent"] == 3.0
    assert "site/15m/tickets_per_agent" not in got  # rolling windows hold no whole days
    assert figures(events, at=day2 + 60)["site/today/tickets_per_agent"] == 5.0

    from panneau.hub.engine import Engine
    from panneau.hub.engine.figures import add_sums
    engine = Engine(parse_config(""))
    for event in events:
        engine.apply(event)
    engine.snapshot(day2 + 60)
    period: dict[str, float] = {}
    for day in sorted(engine.tallies.days):
        add_sums(period, engine.counted_day(day)["site"])
    assert figures_of("site", period)["tickets_per_agent"] == 3.0


def _answer(rid: str, score: float, **kw) -> ev.SurveyResponse:
    return ev.SurveyResponse(ts=T0, response_id=rid, survey="csat", score=score, scale_min=1,
                             scale_max=5, **kw)


def test_csat_split_between_post_interaction_and_relationship():
    # Post-interaction: r1 (ticket, 5), r2 (call, 2), r3 (about=interaction, 4): 2 of 3.
    # Relationship: r4 (5), r5 (2): 1 of 2. r6 (no link, no about, 1): overall only.
    # Overall: satisfied r1, r3, r4 of 6 = 50 %.
    answers = [_answer("r1", 5, ticket_id="t1"), _answer("r2", 2, call_id="c1"),
               _answer("r3", 4, about="interaction"), _answer("r4", 5, about="relationship"),
               _answer("r5", 2, about="relationship"), _answer("r6", 1)]
    got = figures(answers, at=T0 + 60)
    assert got["site/today/csat_interaction_pct"] == pytest.approx(200 / 3)
    assert got["site/today/csat_interaction_responses"] == 3
    assert got["site/today/csat_relationship_pct"] == 50.0
    assert got["site/today/csat_relationship_responses"] == 2
    assert got["site/today/csat_pct"] == 50.0 and got["site/today/csat_responses"] == 6
    with pytest.raises(ev.InvalidEvent, match="about"):
        _answer("r7", 5, about="ticket")


def test_split_csat_from_few_answers_is_flagged_small():
    from panneau.hub.testing import snapshot
    small = parse_config("[kpi]\nsmall_n = 3\n")
    answers = [_answer("r1", 5, ticket_id="t1"), _answer("r2", 4, ticket_id="t2"),
               _answer("r3", 5, about="relationship"), _answer("r4", 5, about="relationship"),
               _answer("r5", 5, about="relationship")]
    flagged = snapshot(answers, config=small, at=T0 + 60).small_n
    assert "site/today/csat_interaction_pct" in flagged
    assert "site/today/csat_relationship_pct" not in flagged


def test_survey_response_rate_where_the_source_gives_surveys_sent():
    # Sent: s1..s4 (s2 reported twice: counted once). Answered: s1, s2, and x (never
    # reported sent: not in the rate). Rate: 2 / 4 = 50 %.
    sent = [ev.SurveySent(ts=T0 - 60, survey_id=f"s{i}", survey="csat", ticket_id=f"t{i}")
            for i in (1, 2, 2, 3, 4)]
    answers = [_answer("s1", 5, ticket_id="t1"), _answer("s2", 1, ticket_id="t2"),
               _answer("x", 4)]
    snap = figures([*sent, *answers], at=T0 + 60)
    assert snap["site/today/surveys_sent"] == 4
    assert snap["site/today/survey_response_rate_pct"] == 50.0
    assert snap["site/today/survey_responses"] == 3
    assert "site/today/survey_response_rate_pct" not in figures(answers, at=T0 + 60)


def test_a_freshdesk_ticket_moved_to_a_level_2_group_is_escalated():
    # The real Freshdesk ticket_1.json (status 2 Open), read twice: first in group 11 (level 1,
    # assigned to responder 7), then moved to group 22 (level 2). Through the built-in mapping
    # and the ticket tracker every helpdesk source uses: one escalation, for team front.
    import json
    from pathlib import Path

    from panneau.hub.toolkit.tickets import TicketTracker, renamed
    from panneau.plugins.freshdesk.mapping import ticket_snapshot

    ticket = json.loads((Path(__file__).parents[1] / "fixtures" / "freshdesk" /
                         "ticket_1.json").read_text())
    ticket.pop("stats")
    names = {"11": "tier1", "22": "tier2"}
    tracker, events = TicketTracker(None, 100), []
    for group, updated in (("11", "2020-06-18T10:00:00Z"), ("22", "2020-06-18T11:00:00Z")):
        snap = ticket_snapshot(ticket | {"group_id": int(group), "responder_id": 7,
                                         "updated_at": updated}, {})
        events += tracker.apply(renamed(snap, {"7": "A"}, names), "fd", updated)
    assert [e.kind for e in events if e.kind != "ticket_sla_breached"] == [
        "ticket_created", "ticket_updated"]
    got = figures(events, config=LEVELS, at=events[-1].ts + 60)
    assert got["team:front/today/escalations"] == 1
    assert got["agent:A/today/escalations"] == 1
    assert got["team:front/today/ticket_escalation_pct"] == 100.0
    assert got["team:experts/now/tickets_pending"] == 0 and got["team:experts/now/backlog"] == 1
