"""Agents per state and per pause reason in each scope, kept up to date as agents change."""

from __future__ import annotations

__all__ = ["Placement", "StateCounts"]

#: Where one agent counts: ``(scope, state, pause reason or None)``.
Placement = tuple[str, str, str | None]

_ZERO = {"agents_logged_in": 0.0, "agents_available": 0.0, "agents_on_call": 0.0,
         "agents_paused": 0.0, "agents_ringing": 0.0, "agents_wrapup": 0.0}


class StateCounts:
    """``agents_*`` counts and paused reasons per scope, moved one agent at a time."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, float]] = {}
        self.reasons: dict[str, dict[str, int]] = {}

    def ensure(self, scope: str) -> None:
        """Show ``scope`` with zero counts even before anyone is in it."""
        if scope not in self.counts:
            self.counts[scope] = dict(_ZERO)

    def _step(self, placement: Placement, sign: int) -> None:
        scope, state, reason = placement
        figures = self.counts.get(scope)
        if figures is None:
            figures = self.counts[scope] = dict(_ZERO)
        figures["agents_logged_in"] += sign
        figures[f"agents_{state}"] += sign
        if state == "paused":
            by_reason = self.reasons.setdefault(scope, {})
            key = reason or ""
            count = by_reason.get(key, 0) + sign
            if count:
                by_reason[key] = count
            else:
                del by_reason[key]

    def move(self, old: tuple[Placement, ...], new: tuple[Placement, ...]) -> None:
        """One agent stops counting at ``old`` and counts at ``new``."""
        if len(old) == len(new):  # the same scopes, most often: a change of state
            counts = self.counts
            for was, now in zip(old, new, strict=True):
                if was == now:
                    continue
                scope, state = now[0], now[1]
                if was[0] != scope or was[1] == "paused" or state == "paused":
                    self._step(was, -1)
                    self._step(now, +1)
                    continue
                figures = counts[scope]  # counted there already (``was``)
                figures[f"agents_{was[1]}"] -= 1
                figures[f"agents_{state}"] += 1
            return
        for placement in old:
            self._step(placement, -1)
        for placement in new:
            self._step(placement, +1)

    def to_data(self) -> dict:
        """Counts and reasons (of the scopes where someone is paused), as plain data."""
        return {"counts": {scope: dict(f) for scope, f in self.counts.items()},
                "reasons": {scope: dict(r) for scope, r in self.reasons.items() if r}}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.counts = {scope: dict(figures) for scope, figures in data["counts"].items()}
        self.reasons = {scope: dict(r) for scope, r in data["reasons"].items()}

    def copy(self) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, int]]]:
        """Counts and reasons, as new dicts."""
        return ({scope: dict(figures) for scope, figures in self.counts.items()},
                {scope: dict(r) for scope, r in self.reasons.items() if r})
