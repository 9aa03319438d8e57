"""KPI history: sample the figures every ``hub.history_interval_s``; derive trends and refs.

``trend:<scope>/<window>/<kpi>`` holds the last hour of samples (``[[ts, value], ...]``) of the
KPIs kiosk pages draw as sparklines; ``ref:<scope>/<window>/<kpi>`` holds the value sampled at
the same time yesterday and a week ago (within 1.5 sampling intervals) for every KPI a kiosk
page shows. Only site, team and queue scopes get trends and refs (agents see their own figures
without them). All of it lives in the journal's ``kpi_history`` table, also used by
``panneau export``.
"""

from __future__ import annotations

from typing import Any

from hub.config.schema import Config
from hub.server.journal import Journal

__all__ = ["History"]

HOUR, DAY = 3600.0, 86400.0


class History:
    """Samples into the journal and keeps the current trends and refs in memory."""

    def __init__(self, journal: Journal, config: Config) -> None:
        self.journal, self.config = journal, config
        self.interval = float(config.hub.history_interval_s)
        self.trends: dict[str, list[list[float]]] = {}
        self.refs: dict[str, dict[str, float | None]] = {}

    def sample(self, now: float, snapshot: Any) -> int:
        """Store every figure of ``snapshot`` at ``now`` and refresh trends; returns rows."""
        flat = snapshot.flat()
        self.journal.add_history(now, flat.items())
        self.refresh(now, snapshot.values)
        return len(flat)

    def refresh(self, now: float, scopes: Any) -> None:
        """Recompute trends and refs for the non-agent ``scopes`` from the journal."""
        scopes = [s for s in scopes if not s.startswith("agent:")]
        pages = self.config.kiosk.pages
        trend_keys = sorted({f"{s}/{p.window}/{p.trend}" for s in scopes for p in pages
                             if p.trend})
        trends: dict[str, list[list[float]]] = {}
        if trend_keys:
            for ts, key, value in self.journal.history(now - HOUR, now, trend_keys):
                trends.setdefault(key, []).append([ts, value])
        self.trends = trends
        tolerance = 1.5 * self.interval
        refs: dict[str, dict[str, float | None]] = {}
        for key in sorted({f"{s}/{p.window}/{k}" for s in scopes for p in pages for k in p.kpis}):
            yesterday = self.journal.value_near(key, now - DAY, tolerance)
            last_week = self.journal.value_near(key, now - 7 * DAY, tolerance)
            if yesterday is not None or last_week is not None:
                refs[key] = {"yesterday": yesterday, "last_week": last_week}
        self.refs = refs
