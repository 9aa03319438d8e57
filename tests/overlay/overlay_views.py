"""Fixed agent views and a fixed clock for the overlay tests."""

from __future__ import annotations

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.view import ViewState, kpi_key, state_key

#: The fixed "now" of every overlay test: 2026-03-02 10:15:00 UTC.
NOW = 1772446500.0


def agent_values(agent: str = "alice", team: str = "support") -> dict:
    """An agent view as the hub builds it: own figures, team figures, queue, one source."""
    me, tm, q = f"agent:{agent}", f"team:{team}", "queue:support"
    values = {
        "meta": {"role": "agent", "identity": agent, "agent": agent, "team": team,
                 "team_name": "Support", "team_figures": True, "queues": ["support"],
                 "as_of": NOW - 2},
        f"agent:{agent}": {"state": "on_call", "since": NOW - 221, "reason": None,
                           "name": "Alice"},
        "source:pbx": {"status": "live", "since": NOW - 3600, "last_event": NOW - 5},
        kpi_key(q, "now", "calls_waiting"): 2,
        state_key(q, "now", "calls_waiting"): "ok",
        kpi_key(q, "now", "longest_wait_s"): 41,
        state_key(q, "now", "longest_wait_s"): "ok",
        kpi_key(q, "today", "service_level_offered_pct"): 84.2,
        state_key(q, "today", "service_level_offered_pct"): "ok",
        kpi_key(tm, "today", "answered"): 212,
        kpi_key(tm, "today", "abandon_rate_pct"): 3.1,
        kpi_key(tm, "today", "asa_s"): 14,
        kpi_key(me, "today", "answered"): 34,
        kpi_key(me, "today", "avg_talk_s"): 192,
        kpi_key(me, "today", "aht_s"): 250,
        kpi_key(me, "today", "acw_s"): 45,
        kpi_key(me, "today", "occupancy_pct"): 82,
        kpi_key(me, "today", "csat_pct"): 91,
        kpi_key(me, "today", "fcr_pct"): 74,
        f"target:{me}/answered": {"target": 40, "warn": 30, "alert": 20,
                                  "higher_is_better": True},
        f"target:{me}/aht_s": {"target": 240, "warn": 300, "alert": 360,
                               "higher_is_better": False},
        f"target:{tm}/acw_s": {"target": 60, "warn": 90, "alert": 120,
                               "higher_is_better": False},
        f"target:{me}/csat_pct": {"target": 85, "warn": 80, "alert": 70,
                                  "higher_is_better": True},
        f"target:{me}/fcr_pct": {"target": 75, "warn": 70, "alert": 60,
                                 "higher_is_better": True},
        f"ref:{me}/today/answered": {"yesterday": 31, "last_week": 30},
        f"ref:{me}/today/aht_s": {"yesterday": 262, "last_week": 262},
        f"ref:{me}/today/csat_pct": {"yesterday": 90, "last_week": 93},
    }
    return values


def with_alert(values: dict) -> dict:
    """The queue over threshold, and the hub's alert about it."""
    q = "queue:support"
    values |= {
        kpi_key(q, "now", "calls_waiting"): 5,
        state_key(q, "now", "calls_waiting"): "alert",
        kpi_key(q, "now", "longest_wait_s"): 130,
        state_key(q, "now", "longest_wait_s"): "alert",
        kpi_key(q, "today", "service_level_offered_pct"): 77.5,
        state_key(q, "today", "service_level_offered_pct"): "warn",
        "alert:a1": {"key": "queue:support/now/calls_waiting", "state": "alert", "value": 5,
                     "since": NOW - 20, "text": "5 waiting, longest 2:10"},
    }
    return values


def with_message(values: dict) -> dict:
    """A manager message waiting to be acknowledged."""
    values["message:m1"] = {"id": "m1", "text": "Team huddle at 11:00 in room B",
                            "sender": "Marie", "to": {"team": "support"}, "sent": NOW - 60,
                            "expires": NOW + 3600, "acked_by": []}
    return values


def pbx_down(values: dict) -> dict:
    """The phone system's source down: it fed calls and agent states, not the surveys."""
    values["source:pbx"] = {"status": "down", "since": NOW - 130, "last_event": NOW - 140,
                            "feeds": ["agents", "staffing", "voice"],
                            "detail": "AMI connection refused"}
    values["source:surveys"] = {"status": "live", "since": NOW - 3600, "feeds": ["surveys"]}
    return values


def small_team(values: dict) -> dict:
    """The view of an agent whose team is under the minimum size: no team figures."""
    for key in [k for k in values if k.startswith(("kpi:team:", "target:team:", "state:team:"))]:
        del values[key]
    values["meta"] = values["meta"] | {"team_figures": False}
    return values


def make_view(values: dict) -> ViewState:
    view = ViewState()
    view.apply_snapshot("e1", 0, values)
    return view


def manager_values() -> dict:
    """A manager's view: two teams, four agents (dan not seen today), one message read by one
    agent."""
    values: dict = {"meta": {"role": "manager", "identity": "Marie", "as_of": NOW - 2,
                             "day_start": "06:30",
                             "team_agents": {"support": ["alice", "dan"],
                                             "sales": ["gina", "bob"]}},
                    "source:pbx": {"status": "live", "since": NOW - 3600}}
    for scope, waiting, state, sl in (("site", 3, "warn", 81.0), ("team:support", 2, "warn", 84.2),
                                      ("team:sales", 1, "ok", 71.0)):
        values |= {kpi_key(scope, "now", "calls_waiting"): waiting,
                   state_key(scope, "now", "calls_waiting"): state,
                   kpi_key(scope, "now", "longest_wait_s"): 40 + waiting,
                   kpi_key(scope, "today", SERVICE_LEVEL): sl,
                   state_key(scope, "today", SERVICE_LEVEL): "ok" if sl > 80 else "alert",
                   kpi_key(scope, "today", "answered"): 100 * waiting,
                   kpi_key(scope, "now", "agents_available"): waiting - 1}
    for agent, team, state, since, reason, answered in (
            ("alice", "support", "on_call", 221, None, 34),
            ("bob", "sales", "paused", 600, "Lunch", 21),
            ("gina", "sales", "available", 45, None, 40)):
        values[f"agent:{agent}"] = {"state": state, "since": NOW - since, "reason": reason,
                                    "name": agent.capitalize(), "team": team}
        values[kpi_key(f"agent:{agent}", "today", "answered")] = answered
        values[kpi_key(f"agent:{agent}", "today", "aht_s")] = 200 + answered
    values["message:m1"] = {"id": "m1", "text": "Team huddle at 11:00", "sender": "Marie",
                            "to": {"team": "support", "agent": None}, "sent": NOW - 60,
                            "expires": NOW + 3540, "acked_by": ["alice"]}
    values["message:m2"] = {"id": "m2", "text": "Bob, see me", "sender": "Marie",
                            "to": {"team": None, "agent": "bob"}, "sent": NOW - 30,
                            "expires": NOW + 600, "acked_by": []}
    return values
