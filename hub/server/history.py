"""KPI history: sample the figures every ``hub.history_interval_s``; derive trends and refs.

What is sampled (one ``executemany`` per sample): every figure of the site, team and queue
scopes, and of each agent scope only the ``today`` window (an agent's rolling windows are not
worth a row a minute each: 500 agents would add some 10,000 rows per sample).

``trend:<scope>/<window>/<kpi>`` holds the last hour of samples (``[[ts, value], ...]``) of the
KPIs kiosk pages draw as sparklines (site, team and queue scopes). ``ref:<key>`` holds
``{"yesterday", "last_week"}``: the value sampled at the same time yesterday and a week ago
(within 1.5 sampling intervals), for every KPI a kiosk page shows (site, team and queue
scopes) and for each agent's own :data:`AGENT_REF_KPIS` of the ``today`` window
(``ref:agent:<id>/today/<kpi>``). An agent's refs sit in its scope, so only that agent's view
and managers' carry them (:mod:`hub.server.views`). Refs are read with two batched queries
per refresh, whatever the number of agents. All of it lives in the journal's ``kpi_history``
table, also used by ``panneau export``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.config.schema import Config
from hub.server.journal import Journal

__all__ = ["AGENT_REF_KPIS", "History", "sampled"]

HOUR, DAY = 3600.0, 86400.0
#: An agent's own figures (``today``) that get yesterday / last-week refs: the overlay's.
AGENT_REF_KPIS: tuple[str, ...] = (
    "answered", "avg_talk_s", "aht_s", "acw_s", "occupancy_pct", "csat_pct", "fcr_pct")


def sampled(flat: Mapping[str, float | None]) -> Iterable[tuple[str, float | None]]:
    """The ``(key, value)`` pairs of a flat snapshot that go into the history."""
    for key, value in flat.items():
        if not key.startswith("agent:") or key.split("/", 2)[1] == "today":
            yield key, value


class History:
    """Samples into the journal and keeps the current trends and refs in memory."""

    def __init__(self, journal: Journal, config: Config) -> None:
        self.journal, self.config = journal, config
        self.interval = float(config.hub.history_interval_s)
        self.trends: dict[str, list[list[float]]] = {}
        self.refs: dict[str, dict[str, float | None]] = {}

    def sample(self, now: float, snapshot: Any) -> int:
        """Store the figures of ``snapshot`` at ``now`` and refresh trends; returns rows."""
        rows = self.journal.add_history(now, sampled(snapshot.flat()))
        self.refresh(now, snapshot.values)
        return rows

    def refresh(self, now: float, scopes: Any) -> None:
        """Recompute trends and refs for ``scopes`` (agent scopes: refs only) from the journal."""
        agents = sorted(s for s in scopes if s.startswith("agent:"))
        shared = [s for s in scopes if not s.startswith("agent:")]
        pages = self.config.kiosk.pages
        trend_keys = sorted({f"{s}/{p.window}/{p.trend}" for s in shared for p in pages
                             if p.trend})
        trends: dict[str, list[list[float]]] = {}
        if trend_keys:
            for ts, key, value in self.journal.history(now - HOUR, now, trend_keys):
                trends.setdefault(key, []).append([ts, value])
        self.trends = trends
        ref_keys = sorted({f"{s}/{p.window}/{k}" for s in shared for p in pages for k in p.kpis})
        ref_keys += [f"{a}/today/{k}" for a in agents for k in AGENT_REF_KPIS]
        tolerance = 1.5 * self.interval
        yesterday = self.journal.values_near(ref_keys, now - DAY, tolerance)
        last_week = self.journal.values_near(ref_keys, now - 7 * DAY, tolerance)
        self.refs = {key: {"yesterday": yesterday.get(key), "last_week": last_week.get(key)}
                     for key in ref_keys if key in yesterday or key in last_week}
