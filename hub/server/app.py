"""The hub: config → plugin manager → sources → journal → engine → views → screens.

Start one from code (tests, ``panneau demo``, screen tests)::

    from panneau.hub.config import parse_config
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    config = parse_config(TOML)  # hub.listen / hub.http_listen may use port 0
    async with Hub(config, pm=make_plugin_manager()) as hub:
        hub.ws_url     # "ws://127.0.0.1:<bound port>" for HubClient / screens (wss:// with TLS)
        hub.http_url   # "http://127.0.0.1:<bound port>" (webhooks, /healthz, /metrics, /api/v1;
                       # https:// with TLS)
        hub.screen_urls  # the same two as a screen elsewhere must write them (with TLS: a
                         # name the certificate holds)
        hub.ws_port, hub.http_port, hub.epoch, hub.journal, hub.engine
        await hub.wait_idle()   # optional: until accepted events are published

``pm`` defaults to :func:`panneau.hub.plugins.make_plugin_manager`; ``clock`` (UTC epoch seconds)
defaults to the wall clock, sped up by ``[hub] clock_speed`` (:mod:`panneau.hub.clock`), and
may be replaced in tests. On start the journal is replayed into a fresh engine (or, when a
saved engine state matches, only the events after it: panneau.hub.server.engine_state), then each
source resumes after its checkpoint. ``await hub.serve_forever()`` runs until cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pluggy

from panneau.hub import compiled
from panneau.hub.clock import hub_clock
from panneau.hub.cluster.edge import edge_sources
from panneau.hub.cluster.outbox import StreamOutbox
from panneau.hub.config.load import missing_plugin
from panneau.hub.config.schema import Config
from panneau.hub.events import Event, FigureEntered, InvalidEvent
from panneau.hub.figure_entry import implausible_entry, misplaced_entry
from panneau.hub.insights import Figures, run_rules
from panneau.hub.plugins import (
    SourceRegistry,
    collect_insights,
    collect_sources,
    make_plugin_manager,
)
from panneau.hub.reports.api import ReportingApi
from panneau.hub.reports.scheduler import ReportScheduler
from panneau.hub.server.context import Routes, SourceState, families_of
from panneau.hub.server.engine_state import EngineState
from panneau.hub.server.frames import FrameHandler
from panneau.hub.server.gcpolicy import GcPolicy
from panneau.hub.server.history import History
from panneau.hub.server.http import HttpServer
from panneau.hub.server.journal import Journal
from panneau.hub.server.manager import ManagerState
from panneau.hub.server.metrics import Metrics, render_prometheus
from panneau.hub.server.pace import Pace
from panneau.hub.server.publisher import Publisher
from panneau.hub.server.pulse import Pulse
from panneau.hub.server.reload import ConfigReloader
from panneau.hub.server.rollups import RollupWriter, goals_board, period_figures
from panneau.hub.server.supervisor import SourceEntry, Supervisor
from panneau.hub.server.tls import ServerTls, TlsFiles, screen_host
from panneau.hub.server.views import (
    AS_OF_STEP_S,
    STEP_TOPIC,
    Audience,
    ViewInputs,
    Views,
    key_visible,
)
from panneau.hub.server.wall import add_wall_routes
from panneau.hub.server.ws import WsServer
from panneau.hub.toolkit.timeparse import AHEAD_S, implausible_time

__all__ = ["Hub", "HubBroken"]

log = logging.getLogger(__name__)
RETENTION_EVERY_S = 3600.0
#: With nothing new since the last tick's figures, a clock tick moves the clocks (rolling
#: windows, waits) just after the next whole second (of this many; the alerts' grid).
CLOCK_TICK_S = 1.0
#: A step tick sends its frames in slices of this much CPU, the loop turning in between
#: :data:`SWEEP_TURNS` times (see :meth:`Hub._let_events_in`).
SWEEP_SLICE_S = 0.002
SWEEP_TURNS = 3
#: A restart applies the journal after the saved engine state in chunks of this many events.
REPLAY_CHUNK = 4096
#: At most this many sources' changes of state wait for the next tick (a source failing in a
#: tight loop keeps its latest ones).
STATUS_CHANGES_KEPT = 32
#: The engine judges the thresholds at each whole second of event time (the idle clock tick's
#: cadence): an alert is raised at most a second after its figure got there, at an instant
#: that does not depend on when the hub happened to tick.
ALERT_STEP_S = 1.0
assert AS_OF_STEP_S % ALERT_STEP_S == 0, "an as_of step's clock tick lands on a judged second"


class HubBroken(RuntimeError):
    """One of the hub's own loops (publishing, history, rollups…) ended on an error: the
    screens would stay connected with their figures frozen, so the hub stops instead
    (``panneau hub`` exits 1 and its service manager starts it again)."""


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8765"`` → ``("127.0.0.1", 8765)`` (brackets of IPv6 removed)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


class Hub:
    """One running hub; use ``async with Hub(config) as hub`` (see the module docstring)."""

    def __init__(self, config: Config, *, pm: pluggy.PluginManager | None = None,
                 clock: Callable[[], float] | None = None, block_threshold_s: float = 1.0,
                 backoff_min: float = 1.0, backoff_max: float = 60.0,
                 config_path: str | Path | None = None,
                 sources: SourceRegistry | None = None) -> None:
        """Build every part (the journal is opened here); :meth:`start` replays the journal,
        binds the ports and starts the sources.

        ``sources``: the plugins' sources, as ``panneau hub`` collected them to check the
        config (``collect_sources(pm, hub=True)``), else collected here: a plugin's
        ``register_sources`` is called once a hub, reloads included (they check the file
        against :attr:`sources`).

        Raises :class:`panneau.hub.server.tls.TlsError` before opening anything when the TLS
        files of ``[hub]`` cannot be used."""
        self.config = config
        hub = config.hub
        self.tls = (ServerTls(TlsFiles(hub.tls_cert, hub.tls_key, hub.tls_client_ca))
                    if hub.tls_cert and hub.tls_key else None)
        self.pm = pm if pm is not None else make_plugin_manager()
        #: What the plugins' ``register_sources`` gave, once (see ``sources`` above).
        self.sources = sources if sources is not None else collect_sources(self.pm, hub=True)
        self.epoch = secrets.token_hex(6)
        self.metrics = Metrics()
        self.routes = Routes()
        #: The engine's alerts in force, as screens get them (derived: the engine owns them).
        self.alerts: dict[str, dict[str, Any]] = {}
        self.insights: dict[str, dict[str, Any]] = {}  # Insight.id → Insight.value()
        self._alerts_of: object = None
        self.ws_port = self.http_port = 0
        self.replayed = 0
        self._dirty = asyncio.Event()  # a tick is asked for (mark_dirty, _refreshed)
        #: Something came from outside since the last tick (events, a screen's or a manager's
        #: frame, a source's change of state): the next tick is an event tick, paced as one.
        self._input = False
        #: When the publish loop ticks (:mod:`panneau.hub.server.pace`).
        self.pace = Pace(config.hub.max_frames_per_s, step_s=ALERT_STEP_S, idle_s=CLOCK_TICK_S)
        #: Set once the day rollups are complete and current (tests and tools wait on it).
        self.rollups_ready = asyncio.Event()
        #: Set by a config reload: judge objectives and the scorecard again now.
        self.rejudge = asyncio.Event()
        #: ``objective:<n>`` and ``scorecard:<scope>`` values, judged with each rollup write.
        self.goals: dict[str, Any] = {}
        #: Sources' changes of state since the last tick, in order: ``(name, manager's view,
        #: others' view)`` as each was at its change (at most :data:`STATUS_CHANGES_KEPT`).
        self._status_changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self._tasks: list[asyncio.Task] = []
        #: Set when one of :attr:`_tasks` ended on its own (they run until the hub stops);
        #: :attr:`broken_why` says which and why (:meth:`serve_forever` raises it).
        self.broken = asyncio.Event()
        self.broken_why = ""
        self.gc = GcPolicy()
        self._published = 0  # accepted-event counter value last published
        self._clock_tick = False  # the next tick is the publish loop's clock tick
        self._accepted = 0
        #: Alerts raised by judgments before events were applied, for the next tick's frames.
        self._raised: list[Any] = []
        cfg = config
        self.journal = Journal(cfg.hub.database)
        try:
            if clock is None:
                clock = hub_clock(hub.clock_speed, self.journal.latest_time())
            self.clock = clock
            self.engine_state = EngineState(self.journal, cfg)
            # a saved state, else a fresh engine
            self.engine: Any = self.engine_state.restore(clock() + AHEAD_S)
            self.engine.alert_step_s = ALERT_STEP_S
            self.manager = ManagerState(self.journal, clock)
            self.insight_rules = list(collect_insights(self.pm).specs.values())
            self.history = History(self.journal, cfg,
                                   past=[p for rule in self.insight_rules for p in rule.past])
            self.rollups = RollupWriter(self.journal, cfg)
            self.pulse = Pulse(self.journal, cfg)
            self.pulse.refresh(self.today())
            # not advanced yet: the journal replay at start comes first, in time order
            self.snapshot: Any = self.engine.query()
            registry = self.sources
            entries = [SourceEntry(s, registry.specs.get(s.plugin), "" if s.plugin in
                                   registry.specs else missing_plugin(s.plugin, registry))
                       for s in [*cfg.sources, *edge_sources(cfg)]]
            self.supervisor = Supervisor(
                entries, journal=self.journal, accept=self._accept, routes=self.routes,
                metrics=self.metrics, on_status=self._on_status, clock=clock,
                backoff_min=backoff_min, backoff_max=backoff_max,
                block_threshold_s=block_threshold_s)
            self.views = Views(cfg, ViewInputs(self.snapshot))
            self.publisher = Publisher(
                epoch=self.epoch, views=self.views, metrics=self.metrics,
                resume_history=cfg.hub.resume_history, buffer_bytes=cfg.hub.client_buffer_bytes)
            self.frames = FrameHandler(cfg, self.manager, self.publisher, self.mark_dirty,
                                       self.enter_figure, self.history, clock,
                                       pulse=self.answer_pulse)
            self.ws = WsServer(cfg, self.publisher, self.frames.handle, self._status_for,
                               self.health, self.metrics_text)
            self.http = HttpServer(self.routes, self.supervisor.states, self.metrics,
                                   self.health, self.metrics_text)
            ReportingApi(lambda: self.config, lambda: self.ws.tokens, clock,
                         refused=self.ws.address_refused, failed=self.ws.auth_failed,
                         periods=self.read_periods, today=self.today).install(self.http.app)
            add_wall_routes(self.http.app, lambda: {"ws_port": self.ws_port,
                                                    "tls": self.tls is not None})
            self.views.inputs = self._inputs()
            cluster = cfg.cluster
            self.outbox = (StreamOutbox(self.journal, cluster, clock)
                           if cluster is not None and cluster.role == "site" else None)
        except BaseException:
            self.journal.close()
            raise
        self._started = False
        #: Sends the ``[[reports.schedules]]`` e-mails (``None`` without schedules).
        self.reports = ReportScheduler(self) if config.reports.schedules else None
        #: Reloads ``config_path`` on SIGHUP (``panneau hub``) and when it changes.
        self.reloader = ConfigReloader(self, config_path) if config_path else None
        if self.reloader is not None:  # managers' set_target frames write that file
            self.frames.set_target = self.reloader.set_target

    # --- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> Hub:
        try:
            await self.start()
        except BaseException:
            await self.stop()  # e.g. a port in use: close what was opened
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.config.hub.tls_cert else "ws"
        return f"{scheme}://{self._host(self.config.hub.listen)}:{self.ws_port}"

    @property
    def http_url(self) -> str:
        scheme = "https" if self.config.hub.tls_cert else "http"
        return f"{scheme}://{self._host(self.config.hub.http_listen)}:{self.http_port}"

    @property
    def screen_urls(self) -> tuple[str, str]:
        """:attr:`ws_url` and :attr:`http_url` with the host a screen must name: with TLS, one
        the certificate holds (``screen_host``), since a screen refuses any other."""
        if self.tls is None:
            return self.ws_url, self.http_url
        names, hub = self.tls.names(), self.config.hub
        return (f"wss://{screen_host(split_listen(hub.listen)[0], names)}:{self.ws_port}",
                f"https://{screen_host(split_listen(hub.http_listen)[0], names)}:"
                f"{self.http_port}")

    @staticmethod
    def _host(listen: str) -> str:
        return screen_host(split_listen(listen)[0], [])

    async def start(self) -> None:
        """Replay the journal, start sources, publishing and both servers."""
        cfg = self.config
        self._started = True
        self.replayed = replayed = self._replay()
        now = self.clock()
        self.manager.load()
        self.engine.skip_judging(now)  # down for longer than that: no alert changed then
        self.snapshot = self.engine.snapshot(now)
        self._raised.clear()  # no screen yet: the alerts in force are in the views
        self._alert_dicts()
        self.history.refresh(now, self.snapshot.values)
        self.views.inputs = self._inputs()
        tls = self.tls.context if self.tls else None
        self.ws_port = await self.ws.start(*split_listen(cfg.hub.listen), tls)
        self.http_port = await self.http.start(*split_listen(cfg.hub.http_listen), tls)
        loop = asyncio.get_running_loop()
        if self.tls is not None:
            self._tasks.append(loop.create_task(self.tls.watch(cfg.hub.tls_check_s),
                                                name="hub:tls-reload"))
        for coro, name in ((self._publish_loop(), "hub:publish"),
                           (self._history_loop(), "hub:history"),
                           (self._retention_loop(), "hub:retention"),
                           (self._rollup_loop(), "hub:rollups"),
                           (self._engine_state_loop(), "hub:engine-state")):
            self._tasks.append(loop.create_task(coro, name=name))
        if self.outbox is not None:
            self._tasks.append(loop.create_task(self.outbox.run(), name="hub:cluster-outbox"))
        if self.reloader is not None:
            self._tasks.append(loop.create_task(self.reloader.watch(), name="hub:config-watch"))
        if self.reports is not None:
            self._tasks.append(loop.create_task(self.reports.run(), name="hub:reports"))
        for task in self._tasks:
            task.add_done_callback(self._task_ended)
        self.gc.start()  # start-up's objects frozen; full collections after ticks only
        await self.supervisor.start()  # after that full collection: its loop watchdog took
        # it (2.1 s on a loaded machine) for a task blocking the loop, and logged an ERROR
        log.info("hub %s up: ws %s, http %s, %d events replayed, %d sources, engine %s",
                 self.epoch, *self.screen_urls, replayed, len(self.supervisor.states),
                 compiled.describe())
        if cfg.hub.clock_speed != 1:
            log.warning("the hub's clock runs %g× faster than the wall clock ([hub] "
                        "clock_speed: demos, trials and tests only); it reads %s UTC",
                        cfg.hub.clock_speed,
                        datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S"))

    def _task_ended(self, task: asyncio.Task) -> None:
        """A hub loop ended while the hub runs (not cancelled by :meth:`stop`): say so
        loudly and mark the hub broken, rather than go on serving frozen figures."""
        if task.cancelled() or task not in self._tasks:
            return
        error = task.exception()
        why = f"{error.__class__.__name__}: {error}" if error else "returned"
        self.broken_why = f"the hub's task {task.get_name()} ended ({why}): the hub stops"
        log.critical(self.broken_why, exc_info=error)
        self.broken.set()

    async def stop(self) -> None:
        """Stop sources, close screens (1001) and servers, close the journal."""
        await self.supervisor.stop()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if self._started:  # the next start replays only what follows
            with contextlib.suppress(Exception):
                await self.save_engine_state()
        with contextlib.suppress(Exception):  # the days in memory reach the rollups
            if self._started:
                await self.rollups.write(self.engine, self.clock())
            await self.rollups.aclose()
        with contextlib.suppress(Exception):  # a sample being written is finished, not cut
            await self.history.aclose()
        for server in (self.ws, self.http):
            with contextlib.suppress(Exception):
                await server.stop()
        self.journal.close()
        self.gc.stop()
        log.info("hub %s stopped", self.epoch)

    async def serve_forever(self) -> None:
        """Run until cancelled (Ctrl-C / SIGTERM in ``panneau hub``); raises
        :class:`HubBroken` if one of the hub's own loops ends (:meth:`_task_ended`)."""
        await self.broken.wait()
        raise HubBroken(self.broken_why)

    def _replay(self) -> int:
        """Apply the journal after the saved engine state, :data:`REPLAY_CHUNK` events at a
        time through :meth:`_apply_all` (the same as one :meth:`_apply` at a time:
        :meth:`EngineState.replay` yields events only; a row that is not one is logged,
        skipped and kept there, and counted here as its source's skipped input); the number
        of events applied.

        Alerts: the engine judges the thresholds as the running hub did, before the first
        event past each step (:meth:`Engine.judge_before`), so the restarted hub has the
        alerts in force, with their ``since``, and the hysteresis states of a hub that never
        stopped: raised or ended in the replayed stretch, kill -9 or changed config alike.
        Only the last ``ALERT_REACH_S`` of the replayed events' time is judged
        (:meth:`Engine.skip_judging`): the bulk of a long replay stays one sort and one pass,
        with no advance in it."""
        n = 0
        start = time.perf_counter()
        newest = self.engine_state.newest_ts()
        if newest is not None:
            self.engine.skip_judging(min(newest, self.clock()))
        events = self.engine_state.replay(self._row_refused)
        if newest is not None and newest > self.clock() + AHEAD_S:
            events = self._not_ahead(events)
        while chunk := list(islice(events, REPLAY_CHUNK)):
            self._apply_all(chunk)
            n += len(chunk)
        if n:
            log.info("replayed %d journalled events in %.2f s", n, time.perf_counter() - start)
        return n

    def _not_ahead(self, events: Iterator[Event]) -> Iterator[Event]:
        """``events`` less those dated more than :data:`AHEAD_S` ahead of the clock, each
        counted as its source's skipped input and left in the journal: journalled before the
        door skipped them (:mod:`panneau.hub.server.context`), one moved the engine's time to
        its date at every start (callers waiting counted as gone)."""
        now = self.clock()
        for event in events:
            if event.ts <= now + AHEAD_S:
                yield event
                continue
            reason = implausible_time(event.ts, now, "time")
            message = (f"{event.kind} ({event.source_pos}): {reason}; left in the journal, "
                       "not counted")
            log.warning("journalled event of source %s not replayed: %s", event.source,
                        message)
            self._row_refused(event.source, message)

    def _row_refused(self, source: str, message: str) -> None:
        """A journalled row that is not an event, counted as ``source``'s skipped input
        (``source:<name>`` status, ``/healthz``, ``panneau_events_skipped_total``)."""
        self.metrics.skipped[source] += 1
        state = self.supervisor.states.get(source)
        if state is not None:
            state.skipped += 1
            state.last_skipped = message[:200]

    # --- events in -----------------------------------------------------------------------

    def _apply(self, event: Event) -> None:
        start = time.perf_counter()
        try:  # judged as a replay will judge it (:meth:`_apply_all`)
            self._raised += self.engine.apply_judged([event], self.clock())
        except InvalidEvent as exc:  # anything else is a bug, and raises
            log.warning("event refused by the engine: %s", exc)
        self.metrics.apply_seconds += time.perf_counter() - start
        self.metrics.apply_count += 1

    def _apply_all(self, events: Sequence[Event]) -> None:
        """A source's batch, journalled, in one call: the same as :meth:`_apply` of each in
        turn. ``emit`` let through events only, and a non-event is all ``apply`` refuses
        (an event the engine cannot place is counted in ``bad_events``, one by one).

        Before the first event past a step of the thresholds' grid not judged yet (and not
        ahead of the hub's clock), the engine judges it (:meth:`Engine.apply_judged`): the
        same points whether the events come live or from the journal at a restart."""
        start = time.perf_counter()
        self._raised += self.engine.apply_judged(events, self.clock())
        self.metrics.apply_seconds += time.perf_counter() - start
        self.metrics.apply_count += len(events)

    def _accept(self, state: SourceState, events: Sequence[Event], checkpoint: Any,
                set_checkpoint: bool, now: float) -> None:
        feeds = state.feeds | families_of(events) if events else None
        self.journal.accept(state.name, events, checkpoint, set_checkpoint, now, feeds)
        if events:
            self._apply_all(events)
            if self.outbox is not None:
                self.outbox.wake()
            self.metrics.accepted[state.name] += len(events)
            self._accepted += len(events)
            self.mark_dirty()

    def enter_figure(self, event: FigureEntered) -> str | None:
        """Journal and count a figure a manager entered (source ``input``); returns why it
        was refused (nothing stored then), or ``None``."""
        event = dataclasses.replace(event, ts=self.clock())
        if problem := misplaced_entry(self.config.cluster, event.team, event.amount,
                                      event.corrects):
            return problem
        if problem := self.engine.inputs.problem(event):
            return problem[1]
        today = datetime.fromtimestamp(event.ts, ZoneInfo(self.config.hub.timezone)).date()
        if problem := implausible_entry(event.amount, event.day, today):
            return f"{event.figure}: {problem}"
        self.journal.accept("input", [event], None, False, self.clock())
        self._apply(event)
        self._accepted += 1
        self.mark_dirty()
        return None

    async def read_periods(self, scopes: list[str], period: Any) -> list[Any]:
        """Each scope's figures over ``period`` with the previous one and last year's, from
        the day rollups (in the rollup worker: the loop never waits for SQLite)."""
        return await self.rollups.run(
            lambda rollups: [period_figures(rollups, scope, period) for scope in scopes])

    def today(self) -> date:
        """The working day now, in the hub's timezone and day start."""
        return date.fromordinal(self.engine.clock.day(self.clock()))

    def answer_pulse(self, agent: str, score: int, comment: str | None) -> str | None:
        """Store an agent's pulse answer without the agent; returns why it was refused."""
        problem = self.pulse.answer(agent, score, comment, self.today())
        if problem is None:
            self.mark_dirty()
        return problem

    def _on_status(self, state: SourceState) -> None:
        """Note a source's change of state, as it is now, for the next tick's status frames."""
        self._status_changes.append((state.name, state.public(True), state.public(False)))
        del self._status_changes[:-STATUS_CHANGES_KEPT]
        self.mark_dirty()

    def mark_dirty(self) -> None:
        """Ask for a publish tick soon for something from outside (events, messages,
        annotations, acks, a source's state): an event tick."""
        self._input = True
        self._dirty.set()

    def _refreshed(self) -> None:
        """Ask for a publish tick soon for the hub's own refresh (objectives and scorecards
        after a rollup write, insights): paced as a clock tick, it holds no event back."""
        self._dirty.set()

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until every event accepted so far has gone through a publish tick."""
        async with asyncio.timeout(timeout):
            while self._published < self._accepted or self._dirty.is_set():
                await asyncio.sleep(0.02)

    # --- views out -----------------------------------------------------------------------

    def _inputs(self) -> ViewInputs:
        manager = self.manager
        return ViewInputs(self.snapshot, self.supervisor.states, manager.messages, manager.acks,
                          manager.annotation_values(), self.alerts, self.history.trends,
                          self.history.refs, self.insights, self.goals, self.pulse.view,
                          self.pulse.done)

    def _status_for(self, audience: Audience) -> dict[str, Any]:
        detail = audience.role == "manager"
        return {n: s.public(detail) for n, s in self.supervisor.states.items()}

    def _status_frames(self) -> int:
        """Send the sources' states if any changed since the last tick; returns the frames.

        A change undone before this tick (a source that blocked the loop once is ``down``,
        then ``live`` again with its next heartbeat, a few ms later) still goes out, in its
        own frame before the current one: screens see every state the log names, in order.
        """
        changes, self._status_changes = self._status_changes, []
        if not changes:
            return 0
        last = {name: i for i, (name, _full, _public) in enumerate(changes)}
        frames = 0
        for i, (name, full, public) in enumerate(changes):
            if last[name] != i:  # superseded by a later change of the same source
                frames += self.publisher.send_each(
                    lambda a, n=name, f=full, p=public: {
                        "type": "status",
                        "sources": self._status_for(a) | {n: f if a.role == "manager" else p}})
        return frames + self.publisher.send_each(
            lambda a: {"type": "status", "sources": self._status_for(a)})

    def tick(self) -> int:
        """Take an engine snapshot and send every audience what changed; returns the frames
        built (deltas, and status and alert frames: one per audience; 0: nothing went out).

        A tick that crosses a whole second not judged yet shows that second
        (:meth:`Engine.tick_at`): one advance judges the thresholds there and gives the
        figures, instead of two (to the second, then to the clock's ``now``). The clock ticks
        run just after each whole second, so their figures are at most a few ms old.

        A clock tick of the publish loop (:attr:`_clock_tick`) that carries a ``meta.as_of``
        step only rebuilds its shared parts here; the audiences' frames go out by
        ``publisher.sweep``, a slice at a time (the publish loop), and an event's tick that
        starts before the end goes ahead of the rest (the sweep goes on after it)."""
        sweep, self._clock_tick = self._clock_tick, False
        now = self.clock()
        accepted = self._accepted
        self.snapshot = self.engine.snapshot(self.engine.tick_at(now))  # one advance a tick
        self._alert_dicts()
        self.manager.expire(now)
        topics = self.views.update(self._inputs())
        if sweep and STEP_TOPIC in topics:
            frames = self.publisher.begin_step(topics)
        else:
            frames = self.publisher.publish(topics)
        frames += self._status_frames()
        raised, self._raised = self._raised + self.snapshot.alerts, []
        for key in dict.fromkeys(alert.key for alert in raised):  # once, as it is now
            if key not in self.alerts:  # raised and ended since the last tick
                continue
            frames += self.publisher.send({"type": "alert", "alert": self.alerts[key]},
                                          lambda a, k=key: key_visible(a, self.config, k),
                                          key.rsplit("/", 2)[0])
        self._published = accepted
        return frames

    def _alert_dicts(self) -> None:
        """Screens' copy of the engine's alerts in force, rebuilt only when the engine hands
        out a new dict of them (a raise, an end, or an alert eased to warn by the hysteresis:
        the engine's alert carries the state its figure is judged at)."""
        active = self.snapshot.active_alerts
        if active is not self._alerts_of:
            self._alerts_of = active
            self.alerts = {key: alert.as_dict() for key, alert in active.items()}

    async def _publish_loop(self) -> None:
        """Publish on the leading edge, paced by :class:`~panneau.hub.server.pace.Pace`: an
        event on a quiet hub goes out at once; under load, events coalesce so a screen gets
        at most ``max_frames_per_s`` frames a second. Clock ticks: just after each whole
        second (:data:`ALERT_STEP_S`) with nothing new since the last tick's figures (rolling
        windows, waits), each landing on that second (:meth:`tick`: the alerts judged there
        and the figures shown in one advance). A ``meta.as_of`` step is one of those seconds:
        its tick sends every screen its new ``meta`` (and, at a minute's turn, the figures of
        the minute closed) on its own. Left to the first tick after the step, that work (about
        twice an event's tick) fell on whichever event came next. The hub's own refreshes
        (:meth:`_refreshed`) are paced as clock ticks; a tick held back by the pacing is
        counted (``panneau_publish_held_total`` and its seconds)."""
        pace = self.pace
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout(pace.clock_wait(self.snapshot.at, self.clock())):
                    await self._dirty.wait()  # not wait_for: it can swallow a cancel
            except TimeoutError:
                pace.timed_out()
            wait = pace.wait(loop.time(), self._input)
            if wait > 0:  # gather what else comes (a step's frames still to send go first)
                self.metrics.publish_held += 1
                self.metrics.publish_held_seconds += wait
                self._sweep(math.inf)
                await asyncio.sleep(wait)
            event, self._input = self._input, False
            self._dirty.clear()
            started, frames = loop.time(), 0
            try:
                with self.gc.tick():  # no collection before this tick's frames are out
                    self._clock_tick = not event
                    frames = self.tick()
                while self.publisher.sweeping:  # a step tick: its frames a slice at a time
                    if await self._let_events_in():  # an event: its tick carries the rest
                        break
                    frames += self._sweep(SWEEP_SLICE_S)
            except Exception:
                log.exception("publishing failed")
            pace.ran(started, event, frames)
            if not self.publisher.sweeping:
                self.gc.after_tick()  # when due: the frames of this tick are out

    async def _let_events_in(self) -> bool:
        """Let the loop turn up to :data:`SWEEP_TURNS` times between two slices of a step's
        sweep; returns whether an event came meanwhile.

        A source task woken by a timer or a socket runs two turns after it is due (the
        timer's or the reader's callback, then the task's step), each time queued behind
        this loop, which went first: with one turn between slices, an event due during a
        slice waited for two more (in process at 1,000 screens, 4 of the 22–25 ms of CPU a
        marker just behind a step waited for); two more turns cost ~10 µs a slice."""
        for _ in range(SWEEP_TURNS):
            await asyncio.sleep(0)
            if self._dirty.is_set():
                return True
        return False

    def _sweep(self, budget_s: float) -> int:
        """Send a step tick's next frames for ``budget_s`` (``publisher.sweep``)."""
        if not self.publisher.sweeping:
            return 0
        with self.gc.tick():
            return self.publisher.sweep(budget_s)

    async def refresh_insights(self) -> dict[str, dict[str, Any]]:
        """Run the insight rules on the current figures (the past ones read off the loop)."""
        now, snap = self.clock(), self.snapshot
        past = await self.history.read_past_off_loop(now, snap.values)
        found = run_rules(self.insight_rules, Figures(now, snap.values, past, self.config,
                                                       snap.small_n))
        insights = {ident: insight.value() for ident, insight in found.items()}
        if insights != self.insights:
            self.insights = insights
            self._refreshed()
        return insights

    async def _history_loop(self) -> None:
        while True:
            try:
                await self.refresh_insights()
            except Exception:
                log.exception("insight rules failed")
            await asyncio.sleep(self.history.interval)
            try:  # written off the loop; the loop only copies the figures, stamped with
                # their time (the last tick's): a replay at that time gives them all exactly
                await self.history.sample_off_loop(self.snapshot.at, self.snapshot)
            except Exception:
                log.exception("sampling KPI history failed")

    async def _rollup_loop(self) -> None:
        """Fill missing day rollups from the journal, then keep today's and yesterday's
        current (panneau.hub.server.rollups)."""
        try:
            await self.rollups.fill_gaps(self.engine.clock.day(self.clock()) - 1, self.clock())
        except Exception:
            log.exception("rebuilding day rollups failed")
        while True:
            try:
                now = self.clock()
                await self.rollups.write(self.engine, now)
                today = date.fromordinal(self.engine.clock.day(now))
                self.goals = await self.rollups.run(
                    lambda r, day=today: goals_board(r, self.config, day))
                self.pulse.refresh(today)  # a new period starts afresh
                self.rollups_ready.set()
                self._refreshed()
            except Exception:
                log.exception("writing day rollups or judging objectives failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.rejudge.wait(), self.history.interval)
            self.rejudge.clear()

    async def save_engine_state(self) -> bool:
        """Save the engine and its journal position now (see panneau.hub.server.engine_state)."""
        return await self.engine_state.save(self.engine, self._accepted)

    async def _engine_state_loop(self) -> None:
        while True:
            await asyncio.sleep(self.engine_state.every_s)
            try:
                await self.save_engine_state()
            except Exception:
                log.exception("saving the engine state failed")

    async def _retention_loop(self) -> None:
        while True:
            try:
                n = await self.history.prune_off_loop(self.clock())  # in chunks, off the loop
                if n:
                    log.info("retention: deleted %d events older than %d days", n,
                             self.config.hub.retention_days)
            except Exception:
                log.exception("retention failed")
            await asyncio.sleep(RETENTION_EVERY_S)

    # --- health --------------------------------------------------------------------------

    def clients_by_role(self) -> dict[str, int]:
        counts = Counter({"kiosk": 0, "agent": 0, "manager": 0})
        counts.update(c.audience.role for c in self.publisher.clients())
        return dict(counts)

    def health(self) -> dict[str, Any]:
        """The ``/healthz`` body: sources, last event age, clients."""
        now = self.clock()
        sources = {
            name: {"status": s.status, "since": s.since, "detail": s.detail,
                   "last_event_age_s": None if s.last_event is None else now - s.last_event,
                   "accepted": s.accepted, "skipped": s.skipped, "restarts": s.restarts}
            for name, s in self.supervisor.states.items()}
        ok = all(s["status"] == "live" for s in sources.values())
        body = {"ok": ok, "epoch": self.epoch, "now": now, "sources": sources,
                "clients": self.clients_by_role(), "events_accepted": self._accepted}
        if self.config.hub.clock_speed != 1:
            body["clock_speed"] = self.config.hub.clock_speed
        if self.outbox is not None:
            body["cluster"] = self.outbox.public()
        if self.reloader is not None:
            body["config"] = self.reloader.public()
        if self.reports is not None:
            body["reports"] = self.reports.public()
        return body

    def metrics_text(self) -> str:
        up = {n: int(s.status == "live") for n, s in self.supervisor.states.items()}
        return render_prometheus(self.metrics, self.clients_by_role(), up)
