"""KPI states (ok / warn / alert) from ``[[thresholds]]``, with hysteresis, and alerts.

- The most specific threshold wins: for ``queue:<q>`` one naming the queue, then one naming a
  team answering it, then a general one; for ``team:<t>`` the team's, then general; for
  ``agent:<a>`` the agent's team's, then general; ``site`` uses the general one. On a group
  hub a threshold naming a site alone (``site = "paris"``) comes before the general one for
  that site's scopes: ``site:paris`` and its teams, queues and agents (one rule,
  :func:`panneau.hub.config.thresholds.applicable`, also the scorecard's).
- Direction: the threshold's, else the catalogue's, else "lower is better" when ``alert`` is
  above ``warn``. Reaching a level counts as crossing it.
- A state gets worse at once; it gets better only once the value is past the level by the
  hysteresis margin. An alert is raised each time a state gets worse than it was at the
  previous evaluation (a KPI appearing in warn or alert counts as getting worse than ok).
- An alert stays in force (``active``) until its KPI is back to ok or has no value; a new
  raise of the same key replaces it. Its ``state`` is its KPI's state at each judgment (an
  alert eased from alert to warn by the hysteresis says warn); its ``previous``, ``value``
  and ``at`` stay the raise's. The engine is the one owner of that state: the hub copies it.
- States and alerts are a pure function of the sequence of figures *judged*: judging the
  same figures again changes nothing. They are kept in :meth:`to_data` with the engine state.
- Judging is what moves them (``evaluate(..., judge=True)``). A look between two judgments
  (``judge=False``) gives the states of the last judgment and changes nothing: a figure's
  state and its alert always come from the same judgment, so a screen never shows a tile in
  alert without its alert (or the other way round), and how often one looks does not matter.
  A figure that moved since shows its new state at the next judgment, with its alert. The
  engine of a hub judges on a grid of event time (:meth:`due`, see
  :attr:`~panneau.hub.engine.Engine.alert_step_s`); :attr:`judged` is the last instant judged.
- A scope whose states (or targets) are what they were at the previous evaluation keeps the
  very same dict, as the engine's figures do: the hub finds what changed by identity, and
  at 2,000 screens comparing every agent's states in depth took 3-18 ms a tick. A scope
  handed the same figures dict as last time is not evaluated again (by the rule above it
  would give the same states and no alert).
"""

from __future__ import annotations

import math

from panneau.hub.catalogue import KPIS
from panneau.hub.config import Config, Threshold
from panneau.hub.config.sites import site_of
from panneau.hub.config.thresholds import applicable
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.snapshot import Alert, State

__all__ = ["ALERT_REACH_S", "Thresholds", "classify", "higher_is_better"]

#: A catch-up (a restart's replay, a hub down for a while) judges the grid instants of at
#: most this much event time before the instant it reaches (the cost of a replay stays
#: bounded). Longer than the hub's engine-state save interval (300 s) plus a margin: a hub
#: saves within that interval of any change of levels or alerts, so a restart skips only
#: instants where nothing changed.
ALERT_REACH_S = 6 * 60.0

_STATES: tuple[State, State, State] = ("ok", "warn", "alert")


def classify(value: float, warn: float | None, alert: float | None, higher: bool,
             shift: float = 0.0) -> int:
    """0 ok, 1 warn, 2 alert; ``shift`` moves both levels towards "better"."""
    if higher:
        if alert is not None and value <= alert + shift:
            return 2
        if warn is not None and value <= warn + shift:
            return 1
    else:
        if alert is not None and value >= alert - shift:
            return 2
        if warn is not None and value >= warn - shift:
            return 1
    return 0


def higher_is_better(t: Threshold) -> bool:
    if t.direction is not None:
        return t.direction == "higher"
    info = KPIS.get(t.kpi)
    if info is not None and info.higher_is_better is not None:
        return info.higher_is_better
    return not (t.alert is not None and t.warn is not None and t.alert > t.warn)


class Thresholds:
    """Looks up thresholds per scope and keeps each KPI's state between snapshots."""

    def __init__(self, config: Config, scopes: Scopes) -> None:
        self.scopes = scopes
        self.by_kpi: dict[str, list[Threshold]] = {}
        for t in config.thresholds:
            self.by_kpi.setdefault(t.kpi, []).append(t)
        self._lookup: dict[tuple[str, str], Threshold | None] = {}
        self.previous: dict[tuple[str, str, str], int] = {}
        #: Alerts in force by key (a new dict whenever one is raised or ends).
        self.active: dict[str, Alert] = {}
        #: Per scope at the last evaluation: its figures (the dict evaluated), its states
        #: (``None``: none) and its ``previous`` entries.
        self._last: dict[str, tuple[dict, dict | None, list]] = {}
        #: Per scope: its targets (``None``: none); they depend on the configuration only.
        self._targets: dict[str, dict | None] = {}
        #: Per scope: ``(kpi, warn, alert, higher is better, hysteresis)`` of its thresholds.
        self._rules: dict[str, list[tuple[str, float | None, float | None, bool, float]]] = {}
        #: The states of the last judgment (what a look between two judgments gives).
        self.states: dict[str, dict[str, dict[str, State]]] = {}
        #: The figures of the last judgment.
        self._values: dict | None = None
        #: The event time of the last judgment (``-inf``: none yet).
        self.judged = -math.inf

    def due(self, now: float, step_s: float) -> list[float]:
        """The instants of the grid of ``step_s`` seconds of event time still to be judged up
        to ``now`` included, oldest first: those after :attr:`judged`, at most
        :data:`ALERT_REACH_S` of them back from ``now`` (only ``now``'s when none was judged)."""
        last = math.floor(now / step_s)
        first = last if self.judged == -math.inf else math.floor(self.judged / step_s) + 1
        first = max(first, last - int(ALERT_REACH_S / step_s) + 1)
        return [k * step_s for k in range(first, last + 1)]

    def skip_to(self, at: float, step_s: float) -> None:
        """Judge no instant of the grid before ``at`` (a replay's bulk): as if judged there."""
        self.judged = max(self.judged, (math.ceil(at / step_s) - 1) * step_s)

    def find(self, scope: str, kpi: str) -> Threshold | None:
        """The threshold applying to ``kpi`` in ``scope``."""
        key = (scope, kpi)
        if key in self._lookup:
            return self._lookup[key]
        kind, _, name = scope.partition(":")
        teams: list[str] = []
        if kind == "queue":
            teams = self.scopes.queue_teams.get(name, [])
        elif kind == "agent":
            teams = self.scopes.agent_teams.get(name, [])
        elif kind == "team":
            teams = [name]
        site = name if kind == "site" else site_of(name, self.scopes.sites)
        found = self._lookup[key] = applicable(self.by_kpi.get(kpi, []), kind, name, teams,
                                               site or None)
        return found

    def evaluate(self, values: dict[str, dict[str, dict[str, float]]], now: float,
                 judge: bool = True
                 ) -> tuple[dict[str, dict[str, dict[str, State]]], list[Alert]]:
        """States of every thresholded KPI present, and (``judge``) the alerts of states that
        worsened. Without ``judge``: the states of the last judgment, nothing moved (see the
        module docstring).

        A scope's states dict is the one of the previous evaluation when equal to it."""
        if not judge:
            return self.states, []
        self.judged = now
        if values is self._values:  # the very figures judged last: nothing moves
            return self.states, []
        self._values = values
        states: dict[str, dict[str, dict[str, State]]] = {}
        alerts: list[Alert] = []
        current: dict[tuple[str, str, str], int] = {}
        last, kept = self._last, {}
        for scope, windows in values.items() if self.by_kpi else ():
            seen = last.get(scope)
            if seen is not None and seen[0] is windows:  # the same figures: the same states
                kept[scope] = seen
                if seen[1] is not None:
                    states[scope] = seen[1]
                    current.update(seen[2])
                continue
            mine, entries = self._levels(scope, windows)
            for (_, window, kpi), level in entries:
                before = self.previous.get((scope, window, kpi))
                if level > (before or 0):
                    prev_state = _STATES[before] if before is not None else None
                    alerts.append(Alert(scope, window, kpi, _STATES[level], prev_state,
                                        windows[window][kpi], now))
            if seen is not None and seen[1] == (mine or None):  # the dict screens have
                mine = seen[1] or mine
            current.update(entries)
            kept[scope] = (windows, mine or None, entries)
            if mine:
                states[scope] = mine
        self.previous, self._last, self.states = current, kept, states
        moved = [(key, level) for key, a in self.active.items()  # ended (0) or eased
                 if _STATES[level := current.get((a.scope, a.window, a.kpi), 0)] != a.state]
        if alerts or moved:
            active = dict(self.active)
            for key, level in moved:
                if level:  # eased by the hysteresis, still in force
                    a = active[key]
                    active[key] = Alert(a.scope, a.window, a.kpi, _STATES[level], a.previous,
                                        a.value, a.at)
                else:
                    del active[key]
            active.update((a.key, a) for a in alerts)
            self.active = active
        return states, alerts

    def _levels(self, scope: str, windows: dict[str, dict[str, float]]
                ) -> tuple[dict[str, dict[str, State]], list[tuple[tuple[str, str, str], int]]]:
        """``scope``'s states and levels for ``windows`` against the last judged levels."""
        mine: dict[str, dict[str, State]] = {}
        entries: list[tuple[tuple[str, str, str], int]] = []
        rules, previous = self._rules.get(scope), self.previous
        if rules is None:
            rules = self._rules[scope] = [(kpi, *rule) for kpi in self.by_kpi
                                          if (rule := self._rule(scope, kpi)) is not None]
        for window, kpis in windows.items() if rules else ():
            for kpi, warn, alert, higher, hysteresis in rules:
                value = kpis.get(kpi)
                if value is None:
                    continue
                raw = classify(value, warn, alert, higher)
                key = (scope, window, kpi)
                before = previous.get(key)
                level = raw
                if before is not None and raw < before:
                    level = min(before, classify(value, warn, alert, higher, hysteresis))
                entries.append((key, level))
                mine.setdefault(window, {})[kpi] = _STATES[level]
        return mine, entries

    def _rule(self, scope: str, kpi: str) -> tuple[float | None, float | None, bool, float] | None:
        """``(warn, alert, higher is better, hysteresis)`` of ``kpi`` in ``scope``, or None."""
        t = self.find(scope, kpi)
        if t is None or (t.warn is None and t.alert is None):
            return None
        return t.warn, t.alert, higher_is_better(t), t.hysteresis

    def to_data(self) -> dict:
        """The states and alerts in force and the instant last judged, as plain data."""
        return {"previous": [[*key, level] for key, level in self.previous.items()],
                "active": [[a.scope, a.window, a.kpi, a.state, a.previous, a.value, a.at]
                           for a in self.active.values()],
                "judged": None if self.judged == -math.inf else self.judged}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave (a state saved before ``judged`` was kept:
        none judged yet). The states of the last judgment are its levels (:attr:`previous`
        holds one for each thresholded KPI it saw with a value), and so are the alerts' (a
        state saved before the alerts kept theirs said the raise's)."""
        self.previous = {(s, w, k): int(level) for s, w, k, level in data["previous"]}
        self._last, self.states, self._values = {}, {}, None
        for (scope, window, kpi), level in self.previous.items():  # the last judgment's
            self.states.setdefault(scope, {}).setdefault(window, {})[kpi] = _STATES[level]
        judged = data.get("judged")
        self.judged = -math.inf if judged is None else float(judged)
        alerts = [Alert(s, w, k, _STATES[self.previous.get((s, w, k), _STATES.index(state))],
                        prev, float(value), float(at))
                  for s, w, k, state, prev, value, at in data["active"]]
        self.active = {a.key: a for a in alerts}

    def targets(self, values: dict[str, dict[str, dict[str, float]]]
                ) -> dict[str, dict[str, dict[str, float | bool | None]]]:
        """``{scope: {kpi: {target, warn, alert, higher_is_better}}}`` for scopes shown (each
        scope's dict built once and handed out again: it depends on the configuration only)."""
        out: dict[str, dict[str, dict[str, float | bool | None]]] = {}
        cache = self._targets
        for scope in values if self.by_kpi else ():
            if scope in cache:
                mine = cache[scope]
            else:
                mine = cache[scope] = self._targets_of(scope)
            if mine is not None:
                out[scope] = mine
        return out

    def _targets_of(self, scope: str) -> dict[str, dict[str, float | bool | None]] | None:
        out: dict[str, dict[str, float | bool | None]] = {}
        for kpi in self.by_kpi:
            t = self.find(scope, kpi)
            if t is not None:
                out[kpi] = {"target": t.target, "warn": t.warn, "alert": t.alert,
                            "higher_is_better": higher_is_better(t)}
        return out or None
