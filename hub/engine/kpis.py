"""Figures from sums: every windowed voice and agent KPI of one scope (formulas: docs/kpis.md)."""

from __future__ import annotations

from collections.abc import Sequence

from panneau.hub.engine.windows import Sums

__all__ = ["QUEUE_COUNTS", "agent_kpis", "occupancy", "occupancy_column", "occupancy_pct", "pct",
           "queue_kpis", "voice_kpis"]

#: Counts shown (as 0 when nothing happened) for queue, team and site scopes with calls.
QUEUE_COUNTS = ("offered", "answered", "completed", "abandoned", "unanswered", "timed_out",
                "exited_empty", "exited_with_key", "withdrawn")
_TINY = 1e-6
#: Agent-seconds this close to zero are zero (what is left of a difference of integrals).
_EPS = 1e-9
_NEG_EPS = -_EPS


def pct(part: float, whole: float) -> float:
    """``100 * part / whole`` clamped to 0..100 (``whole`` must be positive)."""
    return min(100.0, max(0.0, 100.0 * part / whole))


def voice_kpis(s: Sums, *, queue_like: bool, seen: bool) -> dict[str, float]:
    """The voice and agent-time KPIs of sums ``s``: :func:`queue_kpis` for a site, queue or
    team (``queue_like``), else :func:`agent_kpis`, then :func:`occupancy`. ``seen``: the
    scope has had calls, so counts show as 0 instead of being absent."""
    out = (queue_kpis if queue_like else agent_kpis)(s, seen)
    occupancy(s.get("t_work", 0.0), s.get("t_busy", 0.0), out)
    return out


def queue_kpis(s: Sums, seen: bool) -> dict[str, float]:
    """The voice KPIs of a site, queue or team's sums ``s``, a new dict (occupancy apart:
    :func:`occupancy`).

    Computed for every scope and window each minute: :func:`pct` and ``max(0, …)`` are
    written out inline, each sum is read once, with ``s.get`` itself (compiled, a direct
    dict read where a bound ``get`` is a Python call), and the counts come in one dict
    display (made at its size: no growing it key by key).
    """
    answered = s.get("answered", 0.0)
    completed = s.get("completed", 0.0)
    abandoned = s.get("abandoned", 0.0)
    unanswered = s.get("unanswered", 0.0)
    out = {"offered": s.get("offered", 0.0), "answered": answered, "completed": completed,
           "abandoned": abandoned, "unanswered": unanswered,
           "timed_out": s.get("timed_out", 0.0), "exited_empty": s.get("exited_empty", 0.0),
           "exited_with_key": s.get("exited_with_key", 0.0),
           "withdrawn": s.get("withdrawn", 0.0),
           "ring_no_answer": s.get("ring_no_answer", 0.0)} if seen else {}
    in_sl = s.get("completed_in_sl", 0.0)
    short = s.get("short_abandoned", 0.0)
    if completed > 0:
        v = 100.0 * in_sl / completed
        out["service_level_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
    if (whole := completed + unanswered) > 0:
        v = 100.0 * (in_sl + s.get("unanswered_in_sl", 0.0)) / whole
        out["service_level2_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
    outcomes = s.get("outcomes", 0.0) - short
    if outcomes > 0:
        v = 100.0 * s.get("answered_in_sl", 0.0) / outcomes
        out["service_level_offered_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
        v = 100.0 * (abandoned - short) / outcomes
        out["abandon_rate_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
    if answered > 0:
        v = s.get("hold_sum", 0.0) / answered
        out["asa_s"] = v if v > 0.0 else 0.0
    if abandoned > 0:
        v = s.get("abandon_wait_sum", 0.0) / abandoned
        out["ata_s"] = v if v > 0.0 else 0.0
    _handled(s, completed, out)
    return out


def agent_kpis(s: Sums, seen: bool) -> dict[str, float]:
    """The voice KPIs of an agent's sums ``s``, a new dict (no queue figures: an agent's sums
    hold no waiting, abandon or service-level sums; occupancy apart: :func:`occupancy`)."""
    completed = s.get("completed", 0.0)
    out = {"answered": s.get("answered", 0.0), "completed": completed,
           "ring_no_answer": s.get("ring_no_answer", 0.0)} if seen else {}
    _handled(s, completed, out)
    return out


def _handled(s: Sums, completed: float, out: dict[str, float]) -> None:
    """Handling times, transfers and FCR: the figures every scope kind has but occupancy
    (:func:`occupancy`, from agent time: the windows' sums hold none)."""
    if completed > 0:
        talk = s.get("talk_sum", 0.0) / completed
        wrap = s.get("wrap_sum", 0.0) / completed
        talk = talk if talk > 0.0 else 0.0
        wrap = wrap if wrap > 0.0 else 0.0
        out["avg_talk_s"] = talk
        out["acw_s"] = wrap
        out["aht_s"] = talk + wrap
        v = 100.0 * s.get("transfers", 0.0) / completed
        out["transfer_rate_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
    contacts = s.get("contacts", 0.0)
    if contacts > 0:
        v = 100.0 * (contacts - s.get("repeats", 0.0)) / contacts
        out["fcr_pct"] = (100.0 if v > 100.0 else v) if v > 0.0 else 0.0


def occupancy(work: float, busy: float, out: dict[str, float]) -> None:
    """``occupancy_pct`` from agent-seconds at work and busy, into ``out`` (the last of the
    figures every scope kind has)."""
    value = occupancy_pct(work, busy)
    if value is not None:
        out["occupancy_pct"] = value


def occupancy_pct(work: float, busy: float) -> float | None:
    """``occupancy_pct`` from agent-seconds at work and busy (None without work)."""
    if work > _TINY:
        v = 100.0 * busy / work
        return (100.0 if v > 100.0 else v) if v > 0.0 else 0.0
    return None


def occupancy_column(end_w: Sequence[float], start_w: Sequence[float],
                     end_b: Sequence[float], start_b: Sequence[float]) -> list[float | None]:
    """:func:`occupancy_pct` of each scope of one window from its agent time's integrals at
    the window's end and start, at work and busy (sequences over the scopes in one order;
    busy time within ``1e-9`` s of zero is zero). Written out: a minute tick reads it for
    every scope and window."""
    return [((100.0 if v > 100.0 else v)
             if (v := 100.0 * (0.0 if _NEG_EPS < (b := eb - sb) < _EPS else b) / w) > 0.0 else 0.0)
            if (w := ew - sw) > _TINY else None
            for ew, sw, eb, sb in zip(end_w, start_w, end_b, start_b)]  # noqa: B905
