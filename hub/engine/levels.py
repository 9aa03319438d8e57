"""Levels (an agent at work, busy...) integrated over time, per scope, into the tallies.

Each key (an agent) has a level — a small dict such as ``{"t_work": 1.0, "t_busy": 1.0}`` —
counting in its scopes (site, the agent, its teams and queues). What the tallies need is, per
scope and minute, the integral of the sum of its keys' levels: agent-seconds at work, busy...

Rules this module keeps:

- Per scope the *rate* (the sum of its keys' levels now) is kept as keys change, and for the
  minute in progress (the *open* minute) the sum of ``δ × (t - start of minute)`` over its
  changes (``δ`` the change of rate at ``t``). A minute's integral is then
  ``rate at its end × 60 − that sum``, whatever order its changes came in; the full minutes
  after it, until the next change, are ``rate × 60`` each. So a change costs a couple of adds
  per scope (the change between two levels is worked out once per pair of levels: they are a
  handful of shared dicts), and agents nobody touched cost nothing until a minute is handed
  over, once per scope (:meth:`Levels.flush`, or a change in a later minute).
- A change earlier than its key's last change, or than the open minute, takes effect from then
  (the open minute's start): what was handed over is not taken back.
- A quiet span is handed over minute by minute where a rolling window may still hold it, and
  as one add per day before (:meth:`Tallies.add_span`); integrals reach back at most two days.
"""

from __future__ import annotations

from panneau.hub.engine.windows import Sums, Tallies

__all__ = ["HORIZON_MIN", "Levels"]

#: Integrals reach back at most this many minutes (nothing older is in any window).
HORIZON_MIN = 2 * 24 * 60
_FAR = -(2**62)
_NONE: Sums = {}
#: Changes between two levels remembered at most (levels are a few shared dicts, but a
#: loaded state brings its own).
_DELTAS_MAX = 256
_Items = tuple[tuple[str, float], ...]


class Levels:
    """Levels per key, integrated per scope into :class:`Tallies` (see the module docstring)."""

    def __init__(self, tallies: Tallies) -> None:
        self.tallies = tallies
        self.level: dict[str, Sums] = {}
        self.scopes: dict[str, tuple[str, ...]] = {}
        #: key -> time of its last change.
        self.since: dict[str, float] = {}
        #: scope -> the sum of its keys' levels now.
        self.rate: dict[str, Sums] = {}
        #: scope -> sum of ``δ × (t - start of the open minute)`` over the open minute's changes.
        self.early: dict[str, Sums] = {}
        #: The open minute: every minute before it was handed to the tallies.
        self.minute = _FAR
        #: scope -> a full minute at its rate (shared by the minutes handed over until the
        #: rate changes, dropped when a minute with changes is handed over; the tallies copy
        #: what they keep and never change what they get).
        self._full: dict[str, Sums] = {}
        #: ``(id(old), id(new))`` -> ``(old, new, nonzero changes)`` (see :meth:`_delta`).
        self._deltas: dict[tuple[int, int], tuple[Sums, Sums, _Items]] = {}

    def change(self, key: str, scopes: tuple[str, ...], t: float, level: Sums) -> None:
        """``key`` counts ``level`` in ``scopes`` from ``t`` on (``level`` is never changed)."""
        since = self.since.get(key)
        if since is not None and t < since:
            t = since
        minute = int(t // 60)
        if minute > self.minute:
            self._hand_over(minute)
        elif minute < self.minute:
            minute = self.minute
            t = minute * 60.0
        self.since[key] = t
        x = t - minute * 60.0
        old = self.level.get(key, _NONE)
        old_scopes = self.scopes.get(key, ())
        self.level[key] = level
        if old_scopes is scopes or old_scopes == scopes:
            self._step(scopes, self._delta(old, level), x)
            return
        self.scopes[key] = scopes
        if old:
            self._step(old_scopes, self._delta(old, _NONE), x)
        self._step(scopes, self._delta(_NONE, level), x)

    def _delta(self, old: Sums, new: Sums) -> _Items:
        """The nonzero changes from level ``old`` to ``new``, remembered per pair of levels
        (a handful of shared dicts; the memo keeps the pair alive, so no other dict can take
        their ids while it holds them)."""
        held = self._deltas.get((id(old), id(new)))
        if held is not None:
            return held[2]
        delta = {k: n - old.get(k, 0.0) for k, n in new.items()}
        for k, n in old.items():
            if k not in new:
                delta[k] = -n
        items = tuple((k, n) for k, n in delta.items() if n)
        if len(self._deltas) >= _DELTAS_MAX:
            self._deltas.clear()
        self._deltas[id(old), id(new)] = (old, new, items)
        return items

    def _step(self, scopes: tuple[str, ...], items: _Items, x: float) -> None:
        """Every scope's rate changes by ``items`` at ``x`` seconds into the open minute."""
        if not items:
            return
        rate, early = self.rate, self.early
        for scope in scopes:
            r = rate.get(scope)
            if r is None:
                r = rate[scope] = {}
            e = early.get(scope)
            if e is None:
                e = early[scope] = {}
            for k, n in items:
                r[k] = r.get(k, 0.0) + n
                e[k] = e.get(k, 0.0) + n * x

    def _hand_over(self, minute: int) -> None:
        """Hand the minutes before ``minute`` to the tallies; ``minute`` is then the open one."""
        first, self.minute = self.minute, minute
        if first == _FAR:
            return
        rate, early, full = self.rate, self.early, self._full
        table: dict[str, Sums] = {}
        for scope, r in rate.items():
            e = early.get(scope)  # its keys are among the rate's (see _step)
            sums: Sums | None
            if e:  # changed this minute: its full minute changes too
                full.pop(scope, None)
                e_get = e.get
                sums = {}
                for k, n in r.items():
                    if value := n * 60.0 - e_get(k, 0.0):
                        sums[k] = value
            else:  # no change this minute: a full minute at the rate, as last minute
                sums = full.get(scope)
                if sums is None:
                    sums = full[scope] = {k: n * 60.0 for k, n in r.items() if n}
            if sums:
                table[scope] = sums
        self.early = {}
        if table:
            self.tallies.add_table(first, table)
        if minute - first > 1:
            full = {scope: sums for scope, r in rate.items()
                    if (sums := {k: n * 60.0 for k, n in r.items() if n})}
            if full:
                self.tallies.add_span(max(first + 1, minute - HORIZON_MIN), minute - 1, full)

    def flush(self, t: float) -> None:
        """Hand every minute before the one holding ``t`` to the tallies."""
        minute = int(t // 60)
        if minute > self.minute:
            self._hand_over(minute)

    def to_data(self) -> dict:
        """Levels, rates and the open minute, as plain data (copies of flat dicts of numbers:
        cheap to take, and never tracked by the garbage collector)."""
        return {"level": dict(self.level), "scopes": dict(self.scopes),
                "since": dict(self.since),
                "rate": {scope: dict(r) for scope, r in self.rate.items()},
                "early": {scope: dict(e) for scope, e in self.early.items()},
                "minute": self.minute}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.level = dict(data["level"])  # levels are never changed in place
        self.scopes = {key: tuple(scopes) for key, scopes in data["scopes"].items()}
        self.since = dict(data["since"])
        self.rate = {scope: dict(r) for scope, r in data["rate"].items()}
        self.early = {scope: dict(e) for scope, e in data["early"].items()}
        self.minute = data["minute"]
        self._full = {}
