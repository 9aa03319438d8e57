"""``panneau replay``: feed a recorded source file through the engine and print the figures.

Any source kind that declares a :class:`~panneau.hub.sources.FileReader` can be replayed:
``panneau replay NAME FILE`` where NAME is the reader's name (``queue_log``, ``queue_log_csv``
of the Asterisk plugin) or the source kind's name (its first reader). Batches are read and
applied as they come, so a file of millions of lines never sits in memory as events.

``panneau replay journal --day D [--at HH:MM]`` instead recomputes a stored day from the hub's
own journal and compares it with what the wall showed (:mod:`panneau.hub.reports.replay_day`).

``--processes 2`` reads the file in a second process while this one runs the engine
(:mod:`panneau.hub.cli.replay_pipe`); the figures are the same either way. One process is the
default: measured by instructions (benchmarks/README.md, fifteenth round), the reader's side
with the pipe's packing costs 94 % of a whole one-process replay, so two processes save at most
~6 % of wall time with a core idle and lose time whenever the other core is busy.

A replay builds the engine's whole state in one go: the objects start-up made are frozen out of
the garbage collector and the oldest generation is left to the end, as in a running hub
(:mod:`panneau.hub.server.gcpolicy`); and the youngest generation is collected every
:data:`_YOUNG_GC` allocations rather than every 700. A replay's garbage goes by reference
counting: a queue_log replay leaves about 10,000 objects to the collector at its end, as many
for 1,000,000 lines as for 200,000, while each young collection walks every event read and not
yet applied (6 % of the CPU of a replay).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from panneau.hub.cli.common import add_command, fail, unreadable, whole_seconds_over_zero
from panneau.hub.plugins import collect_sources
from panneau.hub.server.gcpolicy import GcPolicy
from panneau.hub.sources import FileReader
from panneau.hub.toolkit.timeparse import option_time

__all__ = ["JOURNAL", "Reached", "collector", "file_readers", "parse_time", "register",
           "replay"]

log = logging.getLogger(__name__)

#: The name that replays the hub's own journal instead of a source's file (see the docstring).
JOURNAL = "journal"
_NOW_KPIS = {"calls_waiting": "calls_waiting", "longest_wait_s": "longest_wait_s",
             "agents_paused": "paused"}
_PROGRESS_BYTES = 8 * 1024 * 1024
_ts = attrgetter("ts")
#: Allocations between two collections of the youngest generation during a replay.
_YOUNG_GC = 100_000


def register(subparsers) -> None:
    """Add ``replay``."""
    parser = add_command(
        subparsers, "replay", "compute the figures of a recorded source file",
        "panneau replay queue_log /var/log/asterisk/queue_log --at 2026-11-22T17:00 --json\n"
        "  panneau replay journal --config panneau.toml --day 2026-11-22 --at 17:00",
        run,
    )
    parser.add_argument("source", metavar="SOURCE",
                        help="a file format a source plugin reads (panneau plugins: "
                             "queue_log, queue_log_csv, ...), such a source's kind, or journal "
                             "(the hub's database, from --config)")
    parser.add_argument("file", nargs="?", help="the recorded file (not for journal)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="an option of the file's reader (repeatable)")
    parser.add_argument("--at", metavar="TIME",
                        help="epoch or ISO 8601, naive = hub timezone (default: end of file); "
                             "journal: HH:MM of --day, that sample's every figure")
    parser.add_argument("--day", metavar="YYYY-MM-DD", help="journal: the working day")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--service-level", type=whole_seconds_over_zero, metavar="SECONDS",
                        help="answer-time target T of every queue (overrides the config)")
    parser.add_argument("--config", metavar="FILE",
                        help="panneau.toml for teams, timezone and KPI settings")
    parser.add_argument("--csv-timezone", metavar="ZONE",
                        help="zone of the text times of a CSV export (default: UTC); "
                             "the same as --option timezone=ZONE")
    parser.add_argument("--processes", type=int, choices=(1, 2), metavar="N",
                        help="1 (the default): read the file and run the engine in this "
                             "process; 2: read it in a second one (seldom faster: the pipe "
                             "between them costs about what it saves)")


def file_readers(pm: Any) -> dict[str, tuple[FileReader, str]]:
    """Every file reader the loaded plugins offer, with the plugin that offers it, by its name
    and by its source kind's name (that kind's first reader); the first plugin to offer a
    name keeps it."""
    registry = collect_sources(pm)
    readers: dict[str, tuple[FileReader, str]] = {}
    for spec in registry.specs.values():
        plugin = registry.provider[spec.name]
        for reader in spec.readers:
            readers.setdefault(reader.name, (reader, plugin))
        if spec.readers:
            readers.setdefault(spec.name, (spec.readers[0], plugin))
    return readers


def _reader_options(args: argparse.Namespace, reader: FileReader) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs (and ``--csv-timezone``) checked against the reader's."""
    options: dict[str, str] = {}
    if args.csv_timezone and "timezone" in reader.options:
        options["timezone"] = args.csv_timezone
    for item in args.option:
        key, sep, value = item.partition("=")
        if not reader.options:
            raise ValueError(f"--option {item!r}: {reader.name} files take no --option")
        if not sep or key not in reader.options:
            raise ValueError(f"--option {item!r}: {reader.name} takes KEY=VALUE with KEY one "
                             f"of {', '.join(sorted(reader.options))}")
        options[key] = value
    return options


def parse_time(text: str, zone: str = "UTC") -> float:
    """Epoch seconds from an epoch or an ISO 8601 text (naive: in ``zone``), in the years
    an event may hold (:func:`~panneau.hub.toolkit.timeparse.option_time`)."""
    try:
        value = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"--at {text!r} is not a time: give 2026-11-22T17:00 (in the "
                             "config's time zone), 2026-11-22T17:00+01:00 or epoch seconds"
                             ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        value = moment.timestamp()
    return option_time("--at", text, value)


@dataclass
class Reached:
    """How far a replay's reader got: the events read, the last one's ``source_pos`` and the
    bytes of the file read (the reader's buffer included)."""

    events: int = 0
    source_pos: str | None = None
    position: int = 0

    def describe(self, size: int) -> str:
        """``after 2 events, the last from position 2 (8 of 8 bytes read)``."""
        read = f"{self.position:,} of {size:,} bytes read"
        if self.source_pos is None:
            return f"before its first event ({read})"
        return (f"after {self.events:,} events, the last from position {self.source_pos} "
                f"({read})")


def _tracked(batches: Iterable[tuple[Any, int]], reached: Reached,
             done: Callable[[int], None]) -> Iterator[Any]:
    """Pass batches through, keeping ``reached`` and telling ``done`` how many bytes of the
    file were read."""
    for batch, position in batches:
        reached.position = position
        if batch.events:
            reached.events += len(batch.events)
            reached.source_pos = batch.events[-1].source_pos
        done(position)
        yield batch


@contextmanager
def collector() -> Iterator[None]:
    """The garbage collector's settings during a replay (see the module docstring)."""
    policy = GcPolicy()  # the engine's state only grows during a replay
    policy.start()
    gc.set_threshold(_YOUNG_GC, *gc.get_threshold()[1:])  # stop() gives Python's back
    try:
        yield
    finally:
        policy.stop()


@dataclass
class Replayed:
    """What a replay gave: the snapshot, skipped lines (and the first 100 reasons), how many
    events were read and applied (at or before ``--at``), and the first event's time."""

    snapshot: Any
    skipped: int
    details: list[str]
    read: int
    applied: int
    first: float | None


def replay(batches: Iterable[Any], config: Any, at: float | None) -> Replayed:
    """Apply read batches (:class:`~panneau.hub.sources.ReadBatch`) to a fresh engine, up to
    ``at`` (default: the last event)."""
    from panneau.hub.engine import Engine

    engine = Engine(config)
    apply, apply_all = engine.apply, engine.apply_all
    skipped, details, last, first, read, applied = 0, [], None, None, 0, 0
    for batch in batches:
        skipped += len(batch.skipped)
        details.extend(batch.skipped[: max(0, 100 - len(details))])
        events = batch.events
        if not events:
            continue
        read += len(events)
        if at is None:  # the whole batch (the engine says its span: no pass over it here)
            span = apply_all(events)
            assert span is not None
            low, high = span
            first = low if first is None else min(first, low)
            last = high if last is None else max(last, high)
            applied += len(events)
            continue
        times = list(map(_ts, events))
        low, high = min(times), max(times)
        first = low if first is None else min(first, low)
        if high <= at:  # the whole batch
            apply_all(events)
            applied += len(events)
            last = high if last is None else max(last, high)
            continue
        for event, ts in zip(events, times, strict=True):
            if ts <= at:
                apply(event)
                applied += 1
                last = ts if last is None else max(last, ts)
    when = at if at is not None else (last if last is not None else 0.0)
    return Replayed(engine.snapshot(when), skipped, details, read, applied, first)


def figures(snapshot: Any, skipped: int) -> dict[str, Any]:
    """The JSON shape of docs/DESIGN: ``today`` figures plus the ``now`` ones, by scope kind."""
    out: dict[str, Any] = {"at": snapshot.at, "queues": {}, "agents": {}, "teams": {},
                           "skipped_lines": skipped, "window": "today"}
    kinds = {"queue": "queues", "agent": "agents", "team": "teams"}
    for scope, windows in sorted(snapshot.values.items()):
        kind, _, name = scope.partition(":")
        if kind not in kinds:
            continue
        values = dict(windows.get("today", {}))
        for kpi, key in _NOW_KPIS.items():
            if kpi in windows.get("now", {}):
                values[key] = windows["now"][kpi]
        if kind == "agent" and name in snapshot.agents:
            values["paused"] = 1 if snapshot.agents[name].state == "paused" else 0
        out[kinds[kind]][name] = {k: _whole_counts(k, v) for k, v in values.items()}
    return out


def _whole_counts(kpi: str, value: Any) -> Any:
    """Counts print as integers (``41``, not ``41.0``); other figures stay as they are."""
    from panneau.hub.catalogue import KPIS

    info = KPIS.get(kpi)
    counted = info is not None and info.unit in ("count", "agents")
    if counted and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _print_text(data: dict[str, Any], details: list[str], zone: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout)
    stamp = datetime.fromtimestamp(data["at"], ZoneInfo(zone)).isoformat(timespec="seconds")
    console.print(f"figures at {stamp} (window today; skipped lines: {data['skipped_lines']})")
    for group in ("queues", "teams", "agents"):
        for name, values in data[group].items():
            table = Table(title=f"{group[:-1]} {name}", show_header=False)
            for kpi, value in values.items():
                table.add_row(kpi, f"{value:.1f}" if isinstance(value, float) else str(value))
            console.print(table)
    for detail in details:
        sys.stderr.write(f"skipped {detail}\n")


def _config(args: argparse.Namespace) -> Any:
    from panneau.hub.config import Config, load_config

    config = load_config(args.config) if args.config else Config()
    if args.service_level is not None:
        config.kpi.service_level_s = args.service_level
        for queue in config.queues.values():
            queue.service_level_s = None
    return config


def _processes(args: argparse.Namespace) -> int:
    from panneau.hub.cli.replay_pipe import can_fork

    return (args.processes or 1) if can_fork() else 1


def _batches(reader: FileReader, stream: IO[str], name: str, options: dict[str, str],
             processes: int) -> Iterator[tuple[Any, int]]:
    """The reader's batches, each with the bytes of ``stream`` read so far; with 2 processes
    read in a child started now (before the progress bar's thread)."""

    def where() -> int:
        return stream.buffer.tell()  # type: ignore[attr-defined]

    def read() -> Iterable[Any]:
        return reader.read(stream, name, options)

    from panneau.hub.cli.replay_pipe import read_here, read_in_child

    return (read_in_child if processes > 1 else read_here)(read, where)


def run(args: argparse.Namespace) -> int:
    """Replay the file and print its figures."""
    from rich.console import Console
    from rich.progress import Progress

    from panneau.hub.cli.replay_pipe import ReaderFailed
    from panneau.hub.config import ConfigError

    if args.source == JOURNAL:
        from panneau.hub.cli.replay_journal import run_journal

        return run_journal(args)
    readers = file_readers(args.plugin_manager)
    if args.source not in readers:
        return fail("replay", f"no source reads {args.source!r} files (known: "
                              f"{', '.join(sorted(readers)) or 'none'}; or {JOURNAL})")
    reader, plugin = readers[args.source]
    if args.file is None:
        return fail("replay", f"{args.source} needs a FILE")
    if args.day is not None:
        return fail("replay", f"--day is for `panneau replay {JOURNAL}`; a file is replayed "
                              "whole (--at TIME gives the figures at a moment of it)")
    try:
        options = _reader_options(args, reader)
        config = _config(args)
        at = parse_time(args.at, config.hub.timezone) if args.at else None
    except (ValueError, ConfigError) as exc:
        return fail("replay", exc)
    path = Path(args.file)
    try:
        stream = path.open(encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        return fail("replay", unreadable(args.file, exc))
    console = Console(stderr=True)
    size = path.stat().st_size
    show = size >= _PROGRESS_BYTES and console.is_terminal
    reached = Reached()
    try:
        with stream, collector():
            batches = _batches(reader, stream, path.name, options, _processes(args))
            with Progress(console=console, transient=True, disable=not show) as progress:
                task = progress.add_task(f"replaying {path.name}", total=size)
                done = functools.partial(progress.update, task)
                result = replay(_tracked(batches, reached, lambda n: done(completed=n)),
                                config, at)
    except ValueError as exc:
        return fail("replay", f"{path}: {exc}")
    except ReaderFailed as exc:
        log.debug("the %s reader's traceback:\n%s", reader.name, exc.trace)
        reached.position = max(reached.position, exc.position)
        why = "a bug of that plugin: --log-level debug shows where; " if exc.trace else ""
        return fail("replay", f"the {reader.name} reader of plugin {plugin} failed on {path} "
                              f"{reached.describe(size)}: {exc.error} ({why}no figures)", 1)
    except KeyboardInterrupt:
        return fail("replay", f"interrupted; the {reader.name} reader of plugin {plugin} was "
                              f"on {path} {reached.describe(size)}; no figures", 130)
    details = result.details
    if result.read == 0:  # nothing in the file is what this reader reads
        fail("replay", f"no {reader.name} event in {path} ({result.skipped} lines skipped)")
        for detail in details[:3]:
            sys.stderr.write(f"skipped {detail}\n")
        return 1
    if at is not None and result.applied == 0:
        zone = ZoneInfo(config.hub.timezone)
        asked, first = (datetime.fromtimestamp(t, zone).isoformat(timespec="seconds")
                        for t in (at, result.first))
        fail("replay", f"no event at or before --at {asked}: the file starts at {first}")
    data = figures(result.snapshot, result.skipped)
    if args.json:
        sys.stdout.write(json.dumps(data) + "\n")
        for detail in details:
            sys.stderr.write(f"skipped {detail}\n")
    else:
        _print_text(data, details, config.hub.timezone)
    return 0
