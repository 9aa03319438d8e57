"""The built-in insight rules; ``docs/hub.md`` (Insights) states each condition.

Every rule reads only the figures (now, and as sampled a week ago) and says which figures it
used and what period it compares. Thresholds are the module constants below.
"""

from __future__ import annotations

from collections.abc import Iterator

from panneau.hub.insights import Figures, Insight, InsightRule, PastFigure

__all__ = ["RULES"]

WEEK = 7 * 86400.0
SHARED = ("site", "team:", "queue:")  # scopes that are no one's individual figures
#: staffing: Erlang C agents needed now vs agents taking calls, each as the line names them
TAKING_CALLS = {"agents_available": "available", "agents_ringing": "ringing",
                "agents_on_call": "on call", "agents_wrapup": "in wrap-up"}
#: abandon: at least this many calls offered in both hours, and this many points worse
ABANDON_MIN_OFFERED, ABANDON_MIN_RISE_PTS = 20, 5.0
#: occupancy: both the last hour and the last 15 min at or above this
OCCUPANCY_PCT = 70.0
#: backlog: at least this many tickets a week ago, and at least this growth (%)
BACKLOG_MIN, BACKLOG_MIN_GROWTH_PCT = 10, 20.0
#: csat: at least this many points lower (and at least ``kpi.small_n`` answers today)
CSAT_MIN_DROP_PTS = 5.0


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}{'' if n == 1 else 's'}"


def _split(counts: dict[str, float]) -> str:
    """`` (2 available, 3 on call)``: whom "taking calls" counts, so that the line adds up
    beside a wall's Available and On call tiles (it counts ringing and wrap-up too)."""
    parts = [f"{n:g} {name}" for name, n in counts.items() if n]
    return f" ({', '.join(parts)})" if parts else ""


def staffing(f: Figures) -> Iterator[Insight]:
    """A queue needs more agents now (Erlang C, ``now/agents_needed``) than take calls."""
    kpi = f.config.kpi if f.config is not None else None
    target = kpi.service_level_target_pct if kpi else 80.0
    for scope in f.scopes("queue:"):
        needed = f.now(scope, "now", "agents_needed")
        if needed is None:
            continue
        counts = {name: f.now(scope, "now", k) or 0.0 for k, name in TAKING_CALLS.items()}
        taking = sum(counts.values())
        if needed <= taking:
            continue
        queue = f.config.queues.get(scope.partition(":")[2]) if f.config else None
        sl_s = (queue.service_level_s if queue and queue.service_level_s else
                kpi.service_level_s if kpi else 20)
        short = needed - taking
        yield Insight(
            "staffing", f"{scope}/now/agents_needed",
            f"{f.label(scope)}: {_plural(short, 'more agent')} needed now to reach "
            f"{target:g}/{sl_s} (Erlang C), {taking:g} taking calls{_split(counts)}",
            {"agents_needed": needed, "agents_taking_calls": taking,
             "offered_30m": f.now(scope, "30m", "offered") or 0.0,
             "aht_30m_s": f.now(scope, "30m", "aht_s") or 0.0},
            "now, from the calls offered and the AHT of the last 30 min",
            "alert" if short >= 2 else "warn")


def abandon(f: Figures) -> Iterator[Insight]:
    """The abandon rate of the last hour is well above the same hour last week."""
    for scope in f.scopes(*SHARED):
        rate, offered = f.now(scope, "60m", "abandon_rate_pct"), f.now(scope, "60m", "offered")
        before = f.ago(WEEK, scope, "60m", "abandon_rate_pct")
        offered_before = f.ago(WEEK, scope, "60m", "offered")
        if None in (rate, offered, before, offered_before):
            continue
        assert rate is not None and offered is not None
        assert before is not None and offered_before is not None
        if min(offered, offered_before) < ABANDON_MIN_OFFERED:
            continue
        if rate - before < ABANDON_MIN_RISE_PTS:
            continue
        yield Insight(
            "abandon", f"{scope}/60m/abandon_rate_pct",
            f"{f.label(scope)}: abandon rate {rate:.0f} % this hour vs {before:.0f} % "
            "same hour last week",
            {"abandon_rate_pct": rate, "offered": offered,
             "abandon_rate_pct_last_week": before, "offered_last_week": offered_before},
            "the last 60 min vs the same 60 min a week ago",
            "alert" if rate - before >= 2 * ABANDON_MIN_RISE_PTS else "warn")


def occupancy(f: Figures) -> Iterator[Insight]:
    """Occupancy at or above ~70 % over the last hour and still in the last 15 min."""
    for scope in f.scopes("site", "team:", "queue:", "agent:"):
        hour, recent = f.now(scope, "60m", "occupancy_pct"), f.now(scope, "15m", "occupancy_pct")
        if hour is None or recent is None or min(hour, recent) < OCCUPANCY_PCT:
            continue
        yield Insight(
            "occupancy", f"{scope}/60m/occupancy_pct",
            f"{f.label(scope)}: occupancy {hour:.0f} % over the last hour ({recent:.0f} % in "
            f"the last 15 min): turnover risk when above ~{OCCUPANCY_PCT:.0f} % is sustained",
            {"occupancy_pct_60m": hour, "occupancy_pct_15m": recent},
            "the last 60 min and the last 15 min",
            "alert" if recent >= 85 else "warn")


def backlog(f: Figures) -> Iterator[Insight]:
    """The backlog grew over the week while tickets solved (day to date) did not."""
    for scope in f.scopes(*SHARED):
        now, before = f.now(scope, "now", "backlog"), f.ago(WEEK, scope, "now", "backlog")
        solved = f.now(scope, "today", "tickets_solved") or 0.0
        solved_before = f.ago(WEEK, scope, "today", "tickets_solved")
        if now is None or before is None or solved_before is None or before < BACKLOG_MIN:
            continue
        growth = (now - before) / before * 100
        if growth < BACKLOG_MIN_GROWTH_PCT or solved > solved_before:
            continue
        change = ("stayed flat" if solved == solved_before else
                  f"fell {(solved_before - solved) / solved_before * 100:.0f} %")
        yield Insight(
            "backlog", f"{scope}/now/backlog",
            f"{f.label(scope)}: backlog grew {growth:.0f} % this week ({before:g} → {now:g}) "
            f"while solved {change} ({solved_before:g} → {solved:g} by this time of day)",
            {"backlog": now, "backlog_last_week": before, "tickets_solved": solved,
             "tickets_solved_last_week": solved_before},
            "now vs the same time last week", "warn")


def csat(f: Figures) -> Iterator[Insight]:
    """CSAT today is several points below the same time last week, on enough answers."""
    small_n = f.config.kpi.small_n if f.config is not None else 10
    for scope in f.scopes(*SHARED):
        now, before = f.now(scope, "today", "csat_pct"), f.ago(WEEK, scope, "today", "csat_pct")
        n = f.now(scope, "today", "csat_responses")
        if now is None or before is None or n is None or n < small_n:
            continue
        if f"{scope}/today/csat_pct" in f.small_n or before - now < CSAT_MIN_DROP_PTS:
            continue
        yield Insight(
            "csat", f"{scope}/today/csat_pct",
            f"{f.label(scope)}: CSAT fell {before - now:.0f} pts this week "
            f"({now:.0f} % vs {before:.0f} %, n = {n:g})",
            {"csat_pct": now, "csat_pct_last_week": before, "csat_responses": n},
            "today so far vs the same time last week", "warn")


RULES: tuple[InsightRule, ...] = (
    InsightRule("staffing", staffing, "Erlang C agents needed now above agents taking calls"),
    InsightRule("abandon", abandon, "abandon rate this hour well above the same hour last week",
                past=(PastFigure(WEEK, "60m", "abandon_rate_pct"),
                      PastFigure(WEEK, "60m", "offered"))),
    InsightRule("occupancy", occupancy, "occupancy above ~70 % sustained (turnover risk)"),
    InsightRule("backlog", backlog, "backlog growing over the week while solved does not",
                past=(PastFigure(WEEK, "now", "backlog"),
                      PastFigure(WEEK, "today", "tickets_solved"))),
    InsightRule("csat", csat, "CSAT several points below last week, on enough answers",
                past=(PastFigure(WEEK, "today", "csat_pct"),)),
)
