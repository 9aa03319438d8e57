"""Insights: plain-language observations the hub draws from the figures. Pure.

A plugin offers :class:`InsightRule` objects through the ``register_insights`` hook (the
built-in rules in ``panneau.plugins.insights`` use the same hook). The hub runs every rule
after each KPI history sample on a :class:`Figures` (the engine snapshot, plus the figures
sampled at the past instants the rules asked for in :attr:`InsightRule.past`) and publishes
what they return as ``insight:<rule>/<scope>`` view keys. Each :class:`Insight` carries the
figures behind it and the period it compares, so a reader can check the sentence.

Who sees an insight is decided by the hub like any figure: by the scope of its ``key``
(managers everything; a kiosk its team's and its queues', never an agent scope; an agent its
own and its team's, small-team rules applying) and, for screens other than managers', never
one whose text or figure names mention an agent other than the reader
(:mod:`panneau.hub.server.views`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Figures", "Insight", "InsightRule", "PastFigure", "Severity", "run_rules"]

log = logging.getLogger(__name__)
Severity = Literal["info", "warn", "alert"]


@dataclass(frozen=True, slots=True)
class Insight:
    """One observation about one scope.

    ``key`` is the ``<scope>/<window>/<kpi>`` of the figure it is mostly about (it decides
    who may see it and which figure a screen draws it beside); ``figures`` the values behind
    the sentence (short names → numbers); ``period`` what is compared, in words."""

    rule: str
    key: str
    text: str
    figures: Mapping[str, float]
    period: str
    severity: Severity = "warn"

    @property
    def scope(self) -> str:
        return self.key.rsplit("/", 2)[0]  # a scope may hold "/" (Agent/1127)

    @property
    def id(self) -> str:
        """``<rule>/<scope>``: one insight per rule and scope at a time."""
        return f"{self.rule}/{self.scope}"

    def value(self) -> dict[str, Any]:
        """The ``insight:<rule>/<scope>`` view value."""
        return {"rule": self.rule, "key": self.key, "text": self.text,
                "figures": dict(self.figures), "period": self.period, "severity": self.severity}


@dataclass(frozen=True, slots=True)
class PastFigure:
    """A figure a rule reads from the KPI history: ``window``/``kpi`` of every site, team and
    queue scope as sampled ``ago_s`` seconds before now (within 1.5 sampling intervals)."""

    ago_s: float
    window: str
    kpi: str


@dataclass(frozen=True, slots=True)
class Figures:
    """What rules read: the figures now and those sampled at the instants they asked for."""

    at: float
    values: Mapping[str, Mapping[str, Mapping[str, float]]]  # Snapshot.values
    past: Mapping[float, Mapping[str, float]] = field(default_factory=dict)  # ago_s → flat
    config: Any = None  # panneau.hub.config.schema.Config
    small_n: frozenset[str] = frozenset()  # survey keys from too few answers

    def now(self, scope: str, window: str, kpi: str) -> float | None:
        """A figure now, or ``None`` when it has no data."""
        return self.values.get(scope, {}).get(window, {}).get(kpi)

    def ago(self, ago_s: float, scope: str, window: str, kpi: str) -> float | None:
        """A figure as sampled ``ago_s`` seconds ago (one of the rule's :class:`PastFigure`)."""
        return self.past.get(ago_s, {}).get(f"{scope}/{window}/{kpi}")

    def scopes(self, *prefixes: str) -> Iterator[str]:
        """Scopes with figures now whose name starts with one of ``prefixes`` (all if none)."""
        return (s for s in sorted(self.values) if not prefixes or s.startswith(prefixes))

    def label(self, scope: str) -> str:
        """A scope as people say it: a team's configured name, ``Queue <its label>`` for a
        queue (a queue is often labelled as the team that serves it: "Support"), else its id.
        """
        kind, _, ident = scope.partition(":")
        config = self.config
        if config is not None and kind == "team" and (team := config.team(ident)):
            return team.name or team.id
        if kind == "queue":
            queue = config.queues.get(ident) if config is not None else None
            name = queue.label if queue is not None and queue.label else ident
            return name if "queue" in name.lower() else f"Queue {name}"
        return ident or "Site"


Check = Callable[[Figures], Iterable[Insight]]


@dataclass(frozen=True, slots=True)
class InsightRule:
    """A rule: ``check(figures)`` yields the insights that hold now (none when quiet)."""

    name: str
    check: Check
    description: str = ""
    past: tuple[PastFigure, ...] = ()


def run_rules(rules: Iterable[InsightRule], figures: Figures) -> dict[str, Insight]:
    """Every rule's insights by :attr:`Insight.id`; a rule that raises is logged and skipped,
    an insight whose ``rule`` is not the rule's name is renamed to it."""
    out: dict[str, Insight] = {}
    for rule in rules:
        try:
            found = list(rule.check(figures))
        except Exception:
            log.exception("insight rule %r failed", rule.name)
            continue
        for insight in found:
            if not isinstance(insight, Insight):
                log.warning("insight rule %r returned %r, not an Insight", rule.name, insight)
                continue
            if insight.rule != rule.name:
                insight = Insight(rule.name, insight.key, insight.text, insight.figures,
                                  insight.period, insight.severity)
            out[insight.id] = insight
    return out
