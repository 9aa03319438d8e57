"""KPI history: sample the figures every ``hub.history_interval_s``; derive trends and refs.

What is sampled (:func:`windows_of`, :func:`take`): of the site, team and queue scopes the
windows screens and exports use, ``now`` and ``today``, plus any window a kiosk page names;
of each agent scope only its :data:`AGENT_REF_KPIS` in ``today`` (the overlay's refs). The
rolling windows of every scope and every agent figure were some 9,900 rows a minute at 500
agents (14 M rows a day); see ``benchmarks/bench_history.py`` for today's count.

``trend:<scope>/<window>/<kpi>`` holds the last hour of samples (``[[ts, value], ...]``) of the
KPIs kiosk pages draw as sparklines (site, team and queue scopes); read from the journal by
:meth:`History.refresh` (at start), then kept in memory by each sample. ``ref:<key>`` holds
``{"yesterday", "last_week"}``: the value sampled at the same time yesterday and a week ago
(within 1.5 sampling intervals), for every KPI a kiosk page shows (site, team and queue
scopes) and for each agent's own :data:`AGENT_REF_KPIS` of the ``today`` window
(``ref:agent:<id>/today/<kpi>``). An agent's refs sit in its scope, so only that agent's view
and managers' carry them (:mod:`panneau.hub.server.views`). Refs are read with two batched queries
per sample, whatever the number of agents. All of it lives in the journal's ``kpi_history``
table, also used by ``panneau export``. The figures insight rules ask for
(:class:`~panneau.hub.insights.PastFigure`) are sampled too, for site, team and queue scopes,
and read back by :meth:`History.read_past`.

The hub samples with :meth:`History.sample_off_loop`: the loop only copies the figures
(about 2 ms at 500 agents) and updates the trends; the rows are written (in short chunks)
and the refs read in one worker thread with its own connection (:meth:`Journal.sibling`).
:meth:`History.sample` does the same synchronously on the hub's connection (tests, tools).
Samples are best effort: one that fails is logged by the caller and the next one follows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from panneau.hub.config.schema import Config
from panneau.hub.insights import PastFigure
from panneau.hub.server.journal import Journal

__all__ = ["AGENT_REF_KPIS", "BASE_WINDOWS", "PRUNE_CHUNK_ROWS", "History", "bucketed", "sampled",
           "take", "windows_of"]

log = logging.getLogger(__name__)
HOUR, DAY = 3600.0, 86400.0
#: An agent's own figures (``today``) that get yesterday / last-week refs: the overlay's.
AGENT_REF_KPIS: tuple[str, ...] = (
    "answered", "avg_talk_s", "aht_s", "acw_s", "occupancy_pct", "csat_pct", "fcr_pct")
#: Windows sampled for site, team and queue scopes, besides those kiosk pages name.
BASE_WINDOWS: tuple[str, ...] = ("now", "today")
#: Rows per write transaction off the loop, and the pause between two (for waiting writers).
CHUNK_ROWS, CHUNK_PAUSE_S = 200, 0.002
#: Rows per retention delete transaction (in the same worker thread).
PRUNE_CHUNK_ROWS = 5000

#: No KPIs sampled beyond ``windows``.
NO_EXTRA: Mapping[str, tuple[str, ...]] = MappingProxyType({})

Parts = list[tuple[str, str, dict[str, float]]]  # (scope, window, {kpi: value}) copies


def windows_of(config: Config) -> frozenset[str]:
    """The windows sampled for site, team and queue scopes under ``config``."""
    return frozenset({*BASE_WINDOWS, *(page.window for page in config.kiosk.pages)})


def _kept(scope: str, window: str, windows: frozenset[str],
          extra: Mapping[str, tuple[str, ...]] = NO_EXTRA) -> tuple[str, ...] | bool:
    """Whether ``scope``/``window`` is sampled; for an agent (or an ``extra`` window of a
    shared scope), the KPIs kept."""
    if scope.startswith("agent:"):
        return AGENT_REF_KPIS if window == "today" else False
    return window in windows or extra.get(window, False)


def sampled(flat: Mapping[str, float | None], windows: frozenset[str],
            extra: Mapping[str, tuple[str, ...]] = NO_EXTRA
            ) -> Iterable[tuple[str, float | None]]:
    """The ``(key, value)`` pairs of a flat snapshot that go into the history."""
    for key, value in flat.items():
        scope, window, kpi = key.rsplit("/", 2)  # a scope may hold "/" (Agent/1127)
        kept = _kept(scope, window, windows, extra)
        if kept is True or (kept and kpi in kept):
            yield key, value


def take(values: Mapping[str, Mapping[str, Mapping[str, float]]], windows: frozenset[str],
         extra: Mapping[str, tuple[str, ...]] = NO_EXTRA) -> Parts:
    """Copies of the sampled figures of ``snapshot.values`` (cheap: C-level dict copies)."""
    parts: Parts = []
    for scope, by_window in values.items():
        for window, kpis in by_window.items():
            kept = _kept(scope, window, windows, extra)
            if kept is True:
                parts.append((scope, window, dict(kpis)))
            elif kept:
                parts.append((scope, window, {k: kpis[k] for k in kept if k in kpis}))
    return parts


def rows_of(parts: Parts) -> Iterable[tuple[str, float]]:
    """The ``(key, value)`` pairs of :func:`take`'s copies."""
    for scope, window, kpis in parts:
        for kpi, value in kpis.items():
            yield f"{scope}/{window}/{kpi}", value


def bucketed(rows: Iterable[tuple[float, str, float]], since: float, step_s: float
             ) -> dict[str, list[list[float]]]:
    """``(ts, key, value)`` rows in time order → per key the last sample of each ``step_s``
    bucket counted from ``since``, oldest first."""
    series: dict[str, dict[int, list[float]]] = {}
    for ts, key, value in rows:
        series.setdefault(key, {})[int((ts - since) // step_s)] = [ts, value]
    return {key: list(buckets.values()) for key, buckets in series.items()}


class History:
    """Samples into the journal and keeps the current trends and refs in memory."""

    def __init__(self, journal: Journal, config: Config,
                 past: Iterable[PastFigure] = ()) -> None:
        self.journal, self.config = journal, config
        self.interval = float(config.hub.history_interval_s)
        self.windows = windows_of(config)
        self.past = tuple(dict.fromkeys(past))
        extra: dict[str, set[str]] = {}
        for figure in self.past:  # what insight rules read later, if not sampled anyway
            if figure.window not in self.windows:
                extra.setdefault(figure.window, set()).add(figure.kpi)
        self.extra = {window: tuple(sorted(kpis)) for window, kpis in extra.items()}
        self.trends: dict[str, list[list[float]]] = {}
        self.refs: dict[str, dict[str, float | None]] = {}
        self._worker = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="panneau-history")
        self._own: Journal | None = None  # the worker thread's connection
        self._inflight: concurrent.futures.Future | None = None
        self._closing = threading.Event()  # a prune stops after its current chunk

    # --- keys --------------------------------------------------------------------------

    def _trend_keys(self, scopes: Iterable[str]) -> list[tuple[str, str, str]]:
        """``(scope, window, kpi)`` of the trends kiosk pages draw, for ``scopes``."""
        pages = self.config.kiosk.pages
        return sorted({(s, p.window, p.trend) for s in scopes if not s.startswith("agent:")
                       for p in pages if p.trend})

    def _ref_keys(self, scopes: Sequence[str]) -> list[str]:
        pages = self.config.kiosk.pages
        agents = sorted(s for s in scopes if s.startswith("agent:"))
        shared = [s for s in scopes if not s.startswith("agent:")]
        keys = sorted({f"{s}/{p.window}/{k}" for s in shared for p in pages for k in p.kpis})
        return keys + [f"{a}/today/{k}" for a in agents for k in AGENT_REF_KPIS]

    def _read_refs(self, journal: Journal, now: float, scopes: Sequence[str]
                   ) -> dict[str, dict[str, float | None]]:
        ref_keys, tolerance = self._ref_keys(scopes), 1.5 * self.interval
        yesterday = journal.values_near(ref_keys, now - DAY, tolerance)
        last_week = journal.values_near(ref_keys, now - 7 * DAY, tolerance)
        return {key: {"yesterday": yesterday.get(key), "last_week": last_week.get(key)}
                for key in ref_keys if key in yesterday or key in last_week}

    def _next_trends(self, now: float, parts: Parts) -> dict[str, list[list[float]]]:
        """The trends after a sample at ``now``: the last hour, plus the sampled points."""
        windows = {(scope, window): kpis for scope, window, kpis in parts}
        trends = {}
        for scope, window, kpi in self._trend_keys({scope for scope, _, _ in parts}):
            key = f"{scope}/{window}/{kpi}"
            points = [p for p in self.trends.get(key, ()) if now - HOUR <= p[0] < now]
            if (value := windows.get((scope, window), {}).get(kpi)) is not None:
                points.append([now, float(value)])
            if points:
                trends[key] = points
        return trends

    # --- sampling ----------------------------------------------------------------------

    def sample(self, now: float, snapshot: Any) -> int:
        """Store the figures of ``snapshot`` at ``now``, update trends and refs; returns rows.

        Synchronous, on the hub's own connection: blocks the caller for the whole write."""
        parts = take(snapshot.values, self.windows, self.extra)
        rows = self.journal.add_history(now, rows_of(parts))
        self.trends = self._next_trends(now, parts)
        self.refs = self._read_refs(self.journal, now, list(snapshot.values))
        return rows

    async def sample_off_loop(self, now: float, snapshot: Any) -> int:
        """:meth:`sample`, with the write and the refs in the worker thread; returns rows.

        Cancelling the caller (the hub's stop cancels its history loop) does not cancel the
        sample: one still queued behind other work in the worker would be dropped, and
        :meth:`aclose` then waits for nothing. It is written, and :meth:`aclose` waits for it."""
        parts, scopes = take(snapshot.values, self.windows, self.extra), list(snapshot.values)
        self._inflight = self._worker.submit(self._work, now, parts, scopes)
        rows, refs = await asyncio.shield(asyncio.wrap_future(self._inflight))
        self.trends = self._next_trends(now, parts)
        self.refs = refs
        return rows

    def _sibling(self) -> Journal:
        if self._own is None:
            self._own = self.journal.sibling()
        return self._own

    def _work(self, now: float, parts: Parts, scopes: Sequence[str]
              ) -> tuple[int, dict[str, dict[str, float | None]]]:
        rows = self._sibling().add_history(now, rows_of(parts), chunk_rows=CHUNK_ROWS,
                                     pause_s=CHUNK_PAUSE_S)
        return rows, self._read_refs(self._sibling(), now, scopes)

    async def prune_off_loop(self, now: float) -> int:
        """Retention (:meth:`Journal.prune`) in the worker thread, in chunks; returns events.

        Events go after ``hub.retention_days``, history after ``hub.history_retention_days``.
        :meth:`aclose` ends a prune after its current chunk (the next one resumes it)."""
        hub = self.config.hub
        return await asyncio.wrap_future(self._worker.submit(
            lambda: self._sibling().prune(
                now, hub.retention_days, hub.history_retention_days,
                chunk_rows=PRUNE_CHUNK_ROWS, pause_s=CHUNK_PAUSE_S, stop=self._closing.is_set)))

    def read_past(self, journal: Journal, now: float, scopes: Iterable[str]
                  ) -> dict[float, dict[str, float]]:
        """The :attr:`past` figures insight rules read, for the site, team and queue
        ``scopes``: ``{ago_s: {key: value}}`` (one batched query per instant)."""
        shared = [s for s in scopes if not s.startswith("agent:")]
        by_ago: dict[float, list[str]] = {}
        for figure in self.past:
            by_ago.setdefault(figure.ago_s, []).extend(
                f"{s}/{figure.window}/{figure.kpi}" for s in shared)
        tolerance = 1.5 * self.interval
        return {ago: journal.values_near(keys, now - ago, tolerance)
                for ago, keys in by_ago.items()}

    async def read_past_off_loop(self, now: float, scopes: Iterable[str]
                                 ) -> dict[float, dict[str, float]]:
        """:meth:`read_past` in the worker thread, on its own connection."""
        scopes = list(scopes)
        return await asyncio.wrap_future(self._worker.submit(
            lambda: self.read_past(self._sibling(), now, scopes)))

    async def series_off_loop(self, keys: Sequence[str], since: float, until: float,
                              step_s: float) -> dict[str, list[list[float]]]:
        """The samples of ``keys`` in ``[since, until]``, the last one of each ``step_s``
        bucket (from ``since``), read in the worker thread: ``{key: [[ts, value], ...]}``."""
        rows = await asyncio.wrap_future(self._worker.submit(
            lambda: self._sibling().history(since, until, list(keys))))
        return bucketed(rows, since, step_s)

    def _close_own(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    async def aclose(self, timeout: float = 30.0) -> None:
        """Wait (up to ``timeout``) for a sample being written; close the worker's connection."""
        self._closing.set()
        if self._inflight is not None:
            await asyncio.wait([asyncio.wrap_future(self._inflight)], timeout=timeout)
            if not self._inflight.done():
                log.warning("a KPI history sample is still being written after %.0f s", timeout)
                self._worker.shutdown(wait=False)
                return
        await asyncio.wrap_future(self._worker.submit(self._close_own))
        self._worker.shutdown(wait=False)

    def refresh(self, now: float, scopes: Any) -> None:
        """Reload trends and refs for ``scopes`` (agent scopes: refs only) from the journal."""
        scopes = list(scopes)
        trend_keys = [f"{s}/{w}/{k}" for s, w, k in self._trend_keys(scopes)]
        trends: dict[str, list[list[float]]] = {}
        if trend_keys:
            for ts, key, value in self.journal.history(now - HOUR, now, trend_keys):
                trends.setdefault(key, []).append([ts, value])
        self.trends = trends
        self.refs = self._read_refs(self.journal, now, scopes)
