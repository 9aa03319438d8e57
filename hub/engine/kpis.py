"""Figures from sums: every windowed voice and agent KPI of one scope (formulas: docs/kpis.md)."""

from __future__ import annotations

from panneau.hub.engine.windows import Sums

__all__ = ["QUEUE_COUNTS", "pct", "voice_kpis"]

#: Counts shown (as 0 when nothing happened) for queue, team and site scopes with calls.
QUEUE_COUNTS = ("offered", "answered", "completed", "abandoned", "unanswered", "timed_out",
                "exited_empty", "exited_with_key", "withdrawn")
_AGENT_COUNTS = ("answered", "completed", "ring_no_answer")
_TINY = 1e-6


def pct(part: float, whole: float) -> float:
    """``100 * part / whole`` clamped to 0..100 (``whole`` must be positive)."""
    return min(100.0, max(0.0, 100.0 * part / whole))


def voice_kpis(s: Sums, out: dict[str, float], *, queue_like: bool, seen: bool) -> None:
    """Add the voice and agent-time KPIs of sums ``s`` to ``out``.

    ``queue_like``: site, queue or team (queue figures); else an agent. ``seen``: the scope has
    had calls, so counts show as 0 instead of being absent.
    """
    g = s.get
    if seen:
        for key in QUEUE_COUNTS if queue_like else _AGENT_COUNTS:
            out[key] = g(key, 0.0)
        out["ring_no_answer"] = g("ring_no_answer", 0.0)
    answered = g("answered", 0.0)
    completed = g("completed", 0.0)
    if queue_like:
        in_sl = g("completed_in_sl", 0.0)
        unanswered = g("unanswered", 0.0)
        abandoned = g("abandoned", 0.0)
        short = g("short_abandoned", 0.0)
        if completed > 0:
            out["service_level_pct"] = pct(in_sl, completed)
        if completed + unanswered > 0:
            out["service_level2_pct"] = pct(in_sl + g("unanswered_in_sl", 0.0),
                                            completed + unanswered)
        outcomes = g("outcomes", 0.0) - short
        if outcomes > 0:
            out["service_level_offered_pct"] = pct(g("answered_in_sl", 0.0), outcomes)
            out["abandon_rate_pct"] = pct(abandoned - short, outcomes)
        if answered > 0:
            out["asa_s"] = max(0.0, g("hold_sum", 0.0) / answered)
        if abandoned > 0:
            out["ata_s"] = max(0.0, g("abandon_wait_sum", 0.0) / abandoned)
    if completed > 0:
        talk = max(0.0, g("talk_sum", 0.0) / completed)
        wrap = max(0.0, g("wrap_sum", 0.0) / completed)
        out["avg_talk_s"] = talk
        out["acw_s"] = wrap
        out["aht_s"] = talk + wrap
        out["transfer_rate_pct"] = pct(g("transfers", 0.0), completed)
    contacts = g("contacts", 0.0)
    if contacts > 0:
        out["fcr_pct"] = pct(contacts - g("repeats", 0.0), contacts)
    work = g("t_work", 0.0)
    if work > _TINY:
        out["occupancy_pct"] = pct(g("t_busy", 0.0), work)
