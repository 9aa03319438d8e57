"""Erlang C staffing: agents needed for the service-level goal, and the expected wait."""

from __future__ import annotations

import math

__all__ = ["agents_needed", "erlang_c", "expected_wait_s", "service_level", "staffing"]

_MAX_AGENTS = 5000
#: 1.0, 2.0, ... up to the most agents :func:`staffing` looks for.
_COUNTS = tuple(map(float, range(1, _MAX_AGENTS)))


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits, with ``agents`` servers and ``load`` erlangs."""
    if agents <= load:
        return 1.0
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return agents * b / (agents - load * (1.0 - b))


def service_level(agents: int, load: float, aht_s: float, sl_s: float) -> float:
    """Share (0..1) of calls answered within ``sl_s`` seconds."""
    if agents <= load:
        return 0.0
    return 1.0 - erlang_c(agents, load) * math.exp(-(agents - load) * sl_s / aht_s)


def agents_needed(load: float, aht_s: float, sl_s: float, target_pct: float) -> int:
    """The fewest agents that reach ``target_pct`` % answered within ``sl_s``."""
    if load <= 0:
        return 0
    b = 1.0  # Erlang B, built up one agent at a time so the search is linear
    for agents in range(1, _MAX_AGENTS):
        b = load * b / (agents + load * b)
        if agents > load:
            wait = agents * b / (agents - load * (1.0 - b))
            if (1.0 - wait * math.exp(-(agents - load) * sl_s / aht_s)) * 100 >= target_pct:
                return agents
    return _MAX_AGENTS


def expected_wait_s(agents: int, load: float, aht_s: float) -> float | None:
    """Mean wait of a new caller (Erlang C ASA); ``None`` when the queue cannot keep up."""
    if agents <= load or agents <= 0:
        return None
    return erlang_c(agents, load) * aht_s / (agents - load)


def staffing(*, offered: float | None, aht_s: float | None, sl_s: float, target_pct: float,
             agents_now: float, window_s: float) -> dict[str, float]:
    """``agents_needed`` and ``expected_wait_s`` from the calls offered over ``window_s`` and the
    AHT; empty when either is unknown.

    Every queue, every tick: both come from one run of the Erlang B recursion, the value at
    ``agents_now`` taken on the way or after, with the agent counts as floats (float
    arithmetic only, which Python runs fastest): the same steps on the same values, so the
    same bits, as :func:`agents_needed` then :func:`expected_wait_s`."""
    if offered is None or aht_s is None or aht_s <= 0 or window_s <= 0:
        return {}
    load = offered / window_s * aht_s
    agents = int(agents_now)
    at = float(agents)
    n, b, at_agents, needed = 0.0, 1.0, 1.0, 0.0
    if load > 0:
        needed = float(_MAX_AGENTS)
        exp = math.exp
        for n in _COUNTS:  # agents_needed, keeping B at agents_now
            b = load * b / (n + load * b)
            if n == at:
                at_agents = b
            if n > load:
                wait = n * b / (n - load * (1.0 - b))
                if (1.0 - wait * exp(-(n - load) * sl_s / aht_s)) * 100.0 >= target_pct:
                    needed = n
                    break
    out = {"agents_needed": needed}
    if agents > load and agents > 0:
        if at > n:
            at_agents = b
            more = (_COUNTS[int(n):agents] if agents <= len(_COUNTS)
                    else map(float, range(int(n) + 1, agents + 1)))
            for k in more:
                at_agents = load * at_agents / (k + load * at_agents)
        out["expected_wait_s"] = (at * at_agents / (at - load * (1.0 - at_agents))
                                  * aht_s / (at - load))
    return out
