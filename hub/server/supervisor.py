"""Run every configured source in its own task, restart it when it fails, watch its health.

Rules kept here:

- A source's exception is logged with the source name, shown as status ``down`` (detail: the
  error) and the source is restarted after an exponential backoff with jitter (reset once a
  run has lasted longer than the maximum backoff). A source whose ``run`` returns is restarted
  the same way. Each run gets a fresh context resuming from the stored checkpoint.
- A source with ``stale_after_s`` (config, else the plugin's) that stays ``live`` or
  ``starting`` without emitting for that long is flagged ``stale``; its next events make it
  ``live`` again.
- The event loop is watched from a thread: when it does not turn for ``block_threshold_s`` the
  task running at that moment is named in the log (while it lasts, nothing else runs); once it
  turns again, how long it was blocked is logged, and for a source its status turns ``down``,
  "not responding: blocked the event loop for 3.2 s…" (the same figure), and the
  ``panneau_source_loop_blocked_total`` metric counts it. Its next events (or heartbeat) make
  it ``live`` again: it was not restarted (a blocking call cannot be interrupted). A plugin
  must do blocking I/O with ``await asyncio.to_thread(...)`` (see docs/hub.md).
- A source's work is in tasks named ``source:<name>``: its ``run``, each task created from one
  of them (:func:`name_source_tasks`, the loop's task factory: ``source:<name>/Task-7``; a name
  given at ``create_task`` is kept) and each call of its webhook handlers
  (``source:<name>/webhook``), so a block in any of them is the source's.
- When a source's ``run`` ends (it raised, returned, or the hub stops), the tasks it started
  (named as its own: ``source:<name>/…``, its webhook calls aside) are cancelled and awaited
  (bounded) before it is started again: left running, they emitted through the old context
  beside the new run's, twice what the checkpoint said.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from panneau.hub.config.load import build_source_options
from panneau.hub.config.schema import SourceConfig
from panneau.hub.server.context import (
    NOT_RESPONDING,
    AcceptFn,
    HubSourceContext,
    Routes,
    SourceState,
)
from panneau.hub.server.metrics import Metrics
from panneau.hub.source_context import source_problem
from panneau.hub.sources import SourceSpec

__all__ = ["LoopWatchdog", "SourceEntry", "Supervisor", "name_source_tasks", "source_of_task"]

log = logging.getLogger(__name__)
TASK_PREFIX = "source:"


def source_of_task(task_name: str) -> str | None:
    """The source whose work a task of that name does (``source:pbx/Task-7``: ``pbx``)."""
    if not task_name.startswith(TASK_PREFIX):
        return None
    return task_name[len(TASK_PREFIX):].split("/", 1)[0]


def name_source_tasks(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task:
    """A task factory: a task created from a source's task is named as the source's
    (``source:<name>/Task-7``), so a block of the loop in it is blamed on that source."""
    task = asyncio.Task(coro, loop=loop, **kwargs)
    parent = asyncio.current_task(loop)
    if parent is not None and (owner := source_of_task(parent.get_name())) is not None:
        task.set_name(f"{TASK_PREFIX}{owner}/{task.get_name()}")
    return task


@dataclass(frozen=True)
class SourceEntry:
    """One configured source and the plugin spec that runs it (``None``: no such plugin, and
    ``missing`` says why: its plugin failed to load or to register its sources, with the error,
    or no plugin offers it)."""

    config: SourceConfig
    spec: SourceSpec | None
    missing: str = ""


class Supervisor:
    """Owns the source tasks, their :class:`SourceState` and the staleness check."""

    def __init__(self, entries: list[SourceEntry], *, journal: Any, accept: AcceptFn,
                 routes: Routes, metrics: Metrics, on_status: Callable[[SourceState], None],
                 clock: Callable[[], float] = time.time, backoff_min: float = 1.0,
                 backoff_max: float = 60.0, block_threshold_s: float = 1.0) -> None:
        self.entries = [e for e in entries if e.config.enabled]
        self.journal, self.accept, self.routes = journal, accept, routes
        self.metrics, self.on_status, self.clock = metrics, on_status, clock
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.states: dict[str, SourceState] = {}
        marks = journal.source_marks()  # what each source fed before a restart
        for e in self.entries:
            stale = e.config.stale_after_s
            if stale is None and e.spec is not None:
                stale = e.spec.stale_after_s
            now = clock()
            feeds, last_event = marks.get(e.config.name, ((), None))
            self.states[e.config.name] = SourceState(e.config.name, e.config.plugin, stale,
                                                     since=now, last_activity=now,
                                                     last_event=last_event, feeds=set(feeds))
        self._tasks: list[asyncio.Task] = []
        self.watchdog = LoopWatchdog(block_threshold_s, self._blocked)
        self._rng = random.Random()

    async def start(self) -> None:
        """Start every enabled source, the staleness check and the loop watchdog."""
        loop = asyncio.get_running_loop()
        if loop.get_task_factory() is None:  # kept: tasks of a source outlive a stop()
            loop.set_task_factory(name_source_tasks)
        for entry in self.entries:
            self._tasks.append(loop.create_task(self._supervise(entry),
                                                name=TASK_PREFIX + entry.config.name))
        self._tasks.append(loop.create_task(self._stale_loop(), name="hub:stale-check"))
        self.watchdog.start(loop)

    async def stop(self) -> None:
        """Cancel every source task and wait (bounded) for them to finish."""
        self.watchdog.stop()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks.clear()
        for name in self.states:
            await self._end_children(name)

    @staticmethod
    async def _end_children(name: str) -> None:
        """Cancel the tasks source ``name`` started (:func:`name_source_tasks`), and wait
        for them (at most 5 s: one that swallows its cancellation is named in the log)."""
        webhook, current = f"{TASK_PREFIX}{name}/webhook", asyncio.current_task()
        children = [t for t in asyncio.all_tasks() if t is not current and not t.done()
                    and t.get_name().startswith(f"{TASK_PREFIX}{name}/")
                    and t.get_name() != webhook]
        for task in children:
            task.cancel()
        if not children:
            return
        _, pending = await asyncio.wait(children, timeout=5)
        for task in pending:
            log.error("source %s: its task %s did not end when cancelled", name,
                      task.get_name())

    def _context(self, state: SourceState) -> HubSourceContext:
        return HubSourceContext(state, self.journal.checkpoint(state.name), self.accept,
                                self.routes, self.on_status, self.metrics, self.clock)

    async def _supervise(self, entry: SourceEntry) -> None:
        state, failures = self.states[entry.config.name], 0
        while True:
            ctx = self._context(state)
            if entry.spec is None:
                why = entry.missing or f"no source plugin named {entry.config.plugin!r}"
                log.error("source %s not started: %s", state.name, why)
                ctx.set_status("down", why)
                return
            try:
                options = build_source_options(entry.spec, entry.config.options)
            except ValueError as exc:
                ctx.set_status("down", f"bad options: {exc}")
                log.error("source %s not started: bad options: %s", state.name, exc)
                return
            started = time.monotonic()
            state.last_activity = self.clock()
            ctx.set_status("starting")
            try:
                source = entry.spec.factory(options)
                if problem := source_problem(source, entry.spec.name):
                    raise TypeError(problem)  # a plain ``def run`` would hold the loop
                await source.run(ctx)
                detail = "run() returned"
                log.warning("source %s: run() returned; restarting it", state.name)
            except asyncio.CancelledError:
                raise
            except (Exception, SystemExit) as exc:  # a plugin's failure must not reach the
                # hub: sys.exit() in a source (or a library it calls) stopped the whole hub
                detail = f"{type(exc).__name__}: {exc}"[:300]
                log.exception("source %s failed", state.name)
            finally:
                self.routes.remove_source(state.name)
            await self._end_children(state.name)
            failures = 1 if time.monotonic() - started > self.backoff_max else failures + 1
            delay = min(self.backoff_max, self.backoff_min * 2 ** (failures - 1))
            delay = delay / 2 + self._rng.uniform(0, delay / 2)
            state.restarts += 1
            self.metrics.restarts[state.name] += 1
            ctx.set_status("down", f"{detail}; restarting in {delay:.1f} s")
            await asyncio.sleep(delay)

    def check_stale(self) -> None:
        """Flag sources silent past their ``stale_after_s`` as stale."""
        now = self.clock()
        for state in self.states.values():
            limit = state.stale_after_s
            if limit is None or state.status not in ("live", "starting"):
                continue
            if now - state.last_activity > limit:
                state.change("stale", f"no events for {now - state.last_activity:.0f} s", now)
                self.on_status(state)

    async def _stale_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.check_stale()

    def _blocked(self, task_name: str, seconds: float) -> None:
        """Called on the loop once it turns again after being blocked."""
        name = source_of_task(task_name)
        state = self.states.get(name) if name is not None else None
        if state is None:
            return
        self.metrics.blocked[name] += 1
        state.change("down", f"{NOT_RESPONDING}blocked the event loop for {seconds:.1f} s "
                     "(blocking I/O must go through asyncio.to_thread)", self.clock())
        state.blocked = True  # its next events or heartbeat: live again
        self.on_status(state)


class LoopWatchdog:
    """A thread that notices when the event loop stops turning and names the task to blame."""

    def __init__(self, threshold_s: float, on_block: Callable[[str, float], None]) -> None:
        self.threshold_s, self.on_block = threshold_s, on_block
        self._beat = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch from now: the beat of its making (the hub's ``__init__``) would have the
        whole start-up — journal replay, ports opened, loop turning meanwhile — blamed on the
        task that happens to run at the first look ("blocked for 2.1 s by Task-1")."""
        self._beat = time.monotonic()
        self._task = loop.create_task(self._heartbeat(), name="hub:heartbeat")
        self._thread = threading.Thread(target=self._watch, args=(loop,), daemon=True,
                                        name="panneau-loop-watchdog")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        if self._thread is not None:
            self._thread.join(timeout=2)

    async def _heartbeat(self) -> None:
        while True:
            self._beat = time.monotonic()
            await asyncio.sleep(self.threshold_s / 4)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Name the task running while the loop is stuck; each task of one block (a slow
        start-up, then a source's blocking call) is reported for its own part of it."""
        blamed: tuple[float, str, list[float | None]] | None = None  # (beat, task, span)
        seen = 0.0  # when the blamed task was last seen running
        while not self._stop.wait(self.threshold_s / 4):
            beat, now = self._beat, time.monotonic()
            if now - beat < self.threshold_s:
                blamed = None
                continue
            with contextlib.suppress(Exception):
                task = asyncio.current_task(loop)
                name = task.get_name() if task is not None else "(a callback)"
                since = beat
                if blamed is not None and blamed[0] == beat:
                    if blamed[1] == name:
                        seen = now
                        continue
                    blamed[2][1] = now  # the last one ran until now at most
                    since = seen  # and this one from when the last one was seen at least
                blamed, seen = (beat, name, [since, None]), now
                log.error("the event loop is blocked by %s (for %.1f s so far)", name,
                          now - since)
                loop.call_soon_threadsafe(self._report, name, blamed[2])

    def _report(self, name: str, span: list[float | None]) -> None:
        """On the loop as it turns again: the task's part of the block (``span``: from the
        last heartbeat before it, or from when the task before it was last seen, to when
        another one was seen or now; at most one watch interval too long), logged as the
        status will say it."""
        since, until = span
        assert since is not None
        seconds = (time.monotonic() if until is None else until) - since
        log.error("the event loop was blocked for %.1f s by %s", seconds, name)
        self.on_block(name, seconds)
