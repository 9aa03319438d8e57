"""Figures no source system holds (:class:`~panneau.hub.events.FigureEntered`), per working day.

Rules:

- Each entry counts in the working day it names (``day``, else the day of ``ts``), whenever it
  was entered: a figure for last month typed today lands in last month. They are kept by day
  (never pruned with the rolling windows) and reach the period rollups, apart from the counted
  sums, through :meth:`Inputs.take_changed_days`.
- *Flows* (training hours, leavers, complaints, revenue, appointments, self-service sessions,
  costs) count in their team and in ``site``; *levels* (headcount, knowledge-base articles)
  and the hourly cost count only in the scope they are entered for — a site headcount is
  entered for the site.
- A correction (``corrects``) takes the corrected entry's contribution out and adds its own;
  an entry can be corrected once (correct the correction to change it again). An amount of 0
  withdraws a figure.
- ``hourly_cost`` is a rate: the loaded cost of one agent hour, in effect from its day on (the
  latest entry at or before a day wins; a scope without its own uses the site's).
- On a group hub a site's entries count in its ``site:<name>`` as ``site`` on the site (a
  figure without team is that site's), and roll up to ``site``, the group; a site's or team's
  scope without its own rate uses its site's, then the group's (the group's default rate).
- A day's ``labour_cost`` = agent hours at work that day (``t_work``) × the rate, taken with
  the day's counted sums: a rate entered later does not reprice days already over. On a group
  hub the total's (``site``) is the sum of its sites' ``site:<name>`` labour costs, each at its
  own rate, so it is the sum of what each site's hub shows (one rule for the live figures and
  the day rollups).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from panneau.hub import events as ev
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.scopes import SITE, Scopes
from panneau.hub.engine.windows import DayClock, Sums

__all__ = ["FIGURES", "FigureSpec", "Inputs", "input_kpis"]


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One kind of entered figure: the sums key it adds to and whether it rolls up to site."""

    key: str
    unit: str
    rolls_up: bool = True
    whole: bool = False  # a count: whole numbers only
    help: str = ""


FIGURES: dict[str, FigureSpec] = {
    "training_hours": FigureSpec("training_h", "h", help="hours of training given"),
    "leavers": FigureSpec("leavers", "count", whole=True, help="agents who left"),
    "headcount": FigureSpec("headcount", "count", rolls_up=False, whole=True,
                            help="agents employed (a level)"),
    "complaints": FigureSpec("complaints", "count", whole=True,
                             help="complaints received (--category)"),
    "revenue": FigureSpec("revenue", "money", help="revenue generated (outbound)"),
    "appointments": FigureSpec("appointments", "count", whole=True,
                               help="appointments booked"),
    "appointments_missed": FigureSpec("appointments_missed", "count", whole=True,
                                      help="appointments missed (FTA)"),
    "self_service_sessions": FigureSpec("self_service_sessions", "count", whole=True,
                                        help="self-service sessions started"),
    "self_service_completed": FigureSpec("self_service_completed", "count", whole=True,
                                         help="self-service sessions completed"),
    "kb_articles": FigureSpec("kb_articles", "count", rolls_up=False, whole=True,
                              help="knowledge-base articles (a level)"),
    "kb_articles_fresh": FigureSpec("kb_fresh", "count", rolls_up=False, whole=True,
                                    help="knowledge-base articles up to date (a level)"),
    "cost": FigureSpec("cost", "money", help="a cost booked that day (fixed monthly, channel...)"),
    "hourly_cost": FigureSpec("hourly_cost", "money", rolls_up=False,
                              help="loaded cost of one agent hour, from that day on (a rate)"),
}


@dataclass(frozen=True, slots=True)
class _Entry:
    day: int
    scopes: tuple[str, ...]
    amounts: Sums
    seq: int
    rate: float | None = None


class Inputs:
    """Entered figures by working day and scope, entries by id, hourly rates by scope."""

    def __init__(self, scopes: Scopes, clock: DayClock, bad: BadEvents) -> None:
        self.scopes = scopes
        #: A group hub's ``site:<name>`` scopes, in one order (the total adds them so).
        self._sites = tuple(f"site:{name}" for name in sorted(scopes.sites))
        self.clock = clock
        self.bad = bad
        self.days: dict[int, dict[str, Sums]] = {}
        self.entries: dict[str, _Entry] = {}
        self.corrected: set[str] = set()
        self.rates: dict[str, dict[str, _Entry]] = {}
        self.changed: set[int] = set()
        #: Scopes whose figures changed (the engine recomputes their ``today`` window).
        self.dirty: set[str] = set()
        self._seq = 0

    def to_data(self) -> dict:
        """Entries, corrections and the day sums, as plain data (rates follow from entries)."""
        return {
            "days": [[day, {scope: dict(sums) for scope, sums in scopes.items()}]
                     for day, scopes in self.days.items()],  # copies: a checkpoint keeps them
            "entries": [[entry_id, e.day, list(e.scopes), e.amounts, e.seq, e.rate]
                        for entry_id, e in self.entries.items()],
            "corrected": sorted(self.corrected), "changed": sorted(self.changed),
            "dirty": sorted(self.dirty), "seq": self._seq}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave; every scope with entered figures counts as
        changed (a loaded engine has no figures cached yet)."""
        self.days = {int(day): {scope: dict(sums) for scope, sums in scopes.items()}
                     for day, scopes in data["days"]}
        self.entries = {entry_id: _Entry(int(day), tuple(scopes), dict(amounts), int(seq),
                                         None if rate is None else float(rate))
                        for entry_id, day, scopes, amounts, seq, rate in data["entries"]}
        self.corrected = set(data["corrected"])
        self.rates = {}
        for entry_id, entry in self.entries.items():
            if entry.rate is not None and entry_id not in self.corrected:
                self.rates.setdefault(entry.scopes[0], {})[entry_id] = entry
        self.changed = set(data["changed"])
        self.dirty = set(data["dirty"]).union(*self.days.values())
        self._seq = int(data["seq"])

    def problem(self, event: ev.FigureEntered) -> tuple[str, str] | None:
        """Why ``event`` cannot be counted, as ``(bad-event kind, message)``, or ``None``."""
        spec = FIGURES.get(event.figure)
        amount = event.amount
        if spec is None:
            return "unknown_figure", (f"unknown figure {event.figure!r} (known: "
                                      f"{', '.join(FIGURES)})")
        if (not isinstance(amount, int | float) or isinstance(amount, bool)
                or not math.isfinite(amount) or amount < 0):
            return "bad_amount", f"{event.figure}: the amount must be a number, 0 or more"
        if spec.whole and not float(amount).is_integer():
            return "bad_amount", f"{event.figure}: a count takes a whole number, got {amount}"
        if event.team is not None and event.team not in self.scopes.team_ids:
            return "unknown_team", f"no team {event.team!r}"
        if event.entry_id in self.entries:
            return "duplicate_entry", f"entry {event.entry_id!r} exists already"
        if event.corrects is not None:
            if event.corrects not in self.entries:
                return "unknown_entry", f"no entry {event.corrects!r} to correct"
            if event.corrects in self.corrected:
                return "already_corrected", (f"entry {event.corrects!r} was corrected already:"
                                             " correct its correction")
        if event.day is not None:
            try:
                date.fromisoformat(event.day)
            except (TypeError, ValueError):
                return "malformed", f"day must be a date YYYY-MM-DD, got {event.day!r}"
        return None

    def apply(self, event: ev.FigureEntered) -> None:
        """Count one entry (or correction)."""
        if problem := self.problem(event):
            self.bad.note(problem[0])
            return
        spec = FIGURES[event.figure]
        amount = event.amount
        day = (date.fromisoformat(event.day).toordinal() if event.day
               else self.clock.day(event.ts))
        if event.corrects is not None:
            self.corrected.add(event.corrects)
            self._withdraw(self.entries[event.corrects])
        site = self.scopes.entry_site(event.team, event.source)  # a group hub's site, or None
        own = f"team:{event.team}" if event.team else site or SITE
        parents = tuple(s for s in (site, SITE) if s and s != own)
        scopes = (own, *parents) if spec.rolls_up else (own,)
        self._seq += 1
        if event.figure == "hourly_cost":
            entry = _Entry(day, scopes, {}, self._seq, rate=float(amount))
            self.rates.setdefault(own, {})[event.entry_id] = entry
            self.dirty.update(self._priced_by(own))
        else:
            amounts: Sums = {spec.key: float(amount)}
            if spec.key == "headcount":
                amounts["headcount_n"] = 1.0
            if event.category and spec.key == "complaints":
                amounts[f"complaints:{event.category}"] = float(amount)
            entry = _Entry(day, scopes, amounts, self._seq)
            self._add(entry, 1.0)
        self.entries[event.entry_id] = entry
        self.changed.add(day)
        self.dirty.update(scopes)

    def _priced_by(self, holder: str) -> set[str]:
        """The scopes whose labour cost follows a rate entered for ``holder``: a site's
        teams and agents (they use its rate when they have none); on a group hub a site's
        ``site:<name>`` too when the group's own rate changes, and the group total."""
        if holder.startswith("team:"):
            return set()
        scopes = self.scopes
        priced = {f"team:{t}" for t in scopes.team_ids} | {f"agent:{a}"
                                                          for a in scopes.agent_teams}
        if holder != SITE:
            priced = {s for s in priced if scopes.site_of_scope(s) == (holder,)}
        if scopes.sites:
            priced.add(SITE)
            if holder == SITE:
                priced.update(f"site:{name}" for name in scopes.sites)
        return priced

    def _withdraw(self, entry: _Entry) -> None:
        if entry.rate is not None:
            for rates in self.rates.values():
                for entry_id, held in list(rates.items()):
                    if held is entry:
                        del rates[entry_id]
            self.dirty.update(self._priced_by(entry.scopes[0]))
        else:
            self._add(entry, -1.0)
        self.changed.add(entry.day)
        self.dirty.update(entry.scopes)

    def _add(self, entry: _Entry, sign: float) -> None:
        by_scope = self.days.setdefault(entry.day, {})
        for scope in entry.scopes:
            sums = by_scope.setdefault(scope, {})
            for key, amount in entry.amounts.items():
                value = sums.get(key, 0.0) + sign * amount
                if abs(value) < 1e-9 and sign < 0:
                    sums.pop(key, None)
                else:
                    sums[key] = value
            if not sums:
                del by_scope[scope]

    def rate(self, scope: str, day: int) -> float | None:
        """The hourly cost in effect for ``scope`` on ``day`` (its own, else the site's)."""
        for holder in (scope, *self.scopes.site_of_scope(scope), SITE):
            entries = [e for e in self.rates.get(holder, {}).values() if e.day <= day]
            if entries:
                return max(entries, key=lambda e: (e.day, e.seq)).rate
        return None

    def with_labour(self, scope: str, day: int, sums: Sums,
                    sums_of: Callable[[str], Sums]) -> Sums:
        """``sums`` plus ``labour_cost`` (agent hours × the hourly cost in effect) on ``day``.

        On a group hub the total's (``site``) is the sum of its sites' labour costs, each
        site's ``site:<name>`` sums read with ``sums_of`` (the same window or day)."""
        if not self.rates or "t_work" not in sums:
            return sums
        labour: float | None = None
        if scope == SITE and self._sites:
            for site in self._sites:
                part = self.with_labour(site, day, sums_of(site), sums_of)
                if "labour_cost" in part:
                    labour = (labour or 0.0) + part["labour_cost"]
        else:
            rate = self.rate(scope, day)
            if rate is not None:
                labour = sums["t_work"] / 3600 * rate
        return sums if labour is None else {**sums, "labour_cost": labour}

    def with_day(self, scope: str, day: int, sums: Sums,
                 sums_of: Callable[[str], Sums]) -> Sums:
        """``sums`` of ``scope`` plus its entered figures and labour cost on ``day``."""
        merged = self.with_labour(scope, day, sums, sums_of)
        extra = self.days.get(day, {}).get(scope)
        if extra:
            merged = dict(merged)
            for key, amount in extra.items():
                merged[key] = merged.get(key, 0.0) + amount
        return merged

    def take_changed_days(self) -> set[int]:
        """Days whose entries changed since the last call (and forget them)."""
        changed, self.changed = self.changed, set()
        return changed

    def take_dirty(self) -> set[str]:
        """Scopes whose entered figures changed since the last call (and forget them)."""
        dirty, self.dirty = self.dirty, set()
        return dirty


#: The sums any of :func:`input_kpis`' figures needs (none of them: no figure).
_INPUT_KEYS = frozenset((*(FIGURES[key].key for key in ("training_hours", "leavers",
                                                        "complaints", "revenue")),
                         "headcount_n", "appointments", "self_service_sessions", "kb_articles",
                         "cost", "labour_cost"))


def input_kpis(s: Sums, out: dict[str, float]) -> None:
    """The KPIs of entered figures in sums ``s`` (formulas: docs/kpis.md)."""
    if _INPUT_KEYS.isdisjoint(s):  # most scopes and windows: nothing entered
        return
    g = s.get
    for key in ("training_hours", "leavers", "complaints", "revenue"):
        if (value := g(FIGURES[key].key)) is not None:
            out[key] = value
    if (n := g("headcount_n", 0.0)) > 0:
        out["headcount"] = g("headcount", 0.0) / n
        if (leavers := g("leavers")) is not None and out["headcount"] > 0:
            out["turnover_pct"] = min(100.0, 100.0 * leavers / out["headcount"])
    if (booked := g("appointments", 0.0)) > 0:
        out["fta_pct"] = min(100.0, 100.0 * g("appointments_missed", 0.0) / booked)
    if (sessions := g("self_service_sessions", 0.0)) > 0:
        out["self_service_pct"] = min(100.0, 100.0 * g("self_service_completed", 0.0) / sessions)
    if (articles := g("kb_articles", 0.0)) > 0:
        out["kb_freshness_pct"] = min(100.0, 100.0 * g("kb_fresh", 0.0) / articles)
    cost = g("cost", 0.0) + g("labour_cost", 0.0)
    if "cost" in s or "labour_cost" in s:
        out["cost_total"] = cost
        handled = g("completed", 0.0) + g("tickets_solved", 0.0)
        if handled > 0:
            out["cost_per_contact"] = cost / handled
