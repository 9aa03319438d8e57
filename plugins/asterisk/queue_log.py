"""Asterisk ``queue_log`` lines → :mod:`panneau.hub.events` (pure: no I/O, no clock).

A line is ``epoch|callid|queuename|agent|VERB|data...``. :meth:`RecordSink.take_lines` cuts
each line of a batch at its ``|`` and hands the fields to the verb's handler
(:mod:`~panneau.plugins.asterisk.verbs`), in one loop; :func:`parse_lines` does it over many lines
and returns a :class:`ParseResult` that says what was read, what was skipped (with line
numbers) and what was ignored on purpose. Exports, whose rows are not lines, go through
:meth:`RecordSink.add` with a :class:`Record` per row (:func:`split_line` cuts a native line
into one).

Rules kept here:

- blank lines carry nothing and are passed over without being counted;
- an exact repeat of one of the last ``dedupe_window`` lines is dropped and counted as a
  duplicate (merged logs repeat lines; two real events never share a whole line);
- a line that cannot be read (too few fields, non-numeric time, bad number in a field the
  verb needs) is skipped and reported with its number and reason, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Final, TypeVar

from panneau.hub.events import TS_MAX, TS_MIN, Event, InvalidEvent
from panneau.plugins.asterisk.record import BadLine, Record, decimal, number, split_line
from panneau.plugins.asterisk.verbs import HANDLERS, VerbMapper, checked_again, take, unknown

__all__ = [
    "BadLine",
    "LineDeduper",
    "ParseResult",
    "Record",
    "RecordSink",
    "Skipped",
    "parse_batches",
    "parse_lines",
    "split_line",
]


T = TypeVar("T")
_THOUSAND: Final = [f"{i:03d}" for i in range(1000)]
#: Characters read at a time from a text stream (:func:`_chunks`).
_BLOCK_CHARS: Final = 1 << 18
#: Compiled (mypyc): :meth:`RecordSink.take_lines` hands each line to its verb's handler
#: through :func:`~panneau.plugins.asterisk.verbs.take`; in pure Python, where a call costs
#: more than a dict lookup, through :data:`~panneau.plugins.asterisk.verbs.HANDLERS`.
_NATIVE: Final = not __file__.endswith(".py")


def line_numbers(first: int, end: int) -> list[str]:
    """``[str(n) for n in range(first, end)]`` (the lines' ``source_pos``), in pure Python in a
    third of the time: from 1000 on, a number's text is its thousands' text, made once per
    thousand, and its last three digits from a table. Compiled, ``str(n)`` itself is the
    cheaper (cachegrind: 390 against 469 instructions a number)."""
    if _NATIVE:
        return [str(n) for n in range(first, end)]
    out = list(map(str, range(first, min(end, 1000))))
    n = max(first, 1000)
    while n < end:
        high, low = divmod(n, 1000)
        stop = min(end, n - low + 1000)
        thousands = str(high)
        out += [thousands + tail for tail in _THOUSAND[low:low + stop - n]]
        n = stop
    return out


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line that was not read: where (line number, or row for exports) and why."""

    line: int
    reason: str
    text: str = ""

    def describe(self) -> str:
        """``line 12: CONNECT: holdtime 'x' is not a number``."""
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ParseResult:
    """What :func:`parse_lines` made of its input."""

    events: list[Event] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    lines: int = 0
    """Non-blank lines seen."""
    ignored: int = 0
    """Lines read fine that carry no KPI event (DID, INFO, PAUSEALL, vendor OUT* ...)."""
    duplicates: int = 0
    """Exact repeats of a recent line, dropped."""

    @classmethod
    def merged(cls, parts: Iterable[ParseResult]) -> ParseResult:
        """One result from several batches."""
        out = cls()
        for part in parts:
            out.events.extend(part.events)
            out.skipped.extend(part.skipped)
            out.lines += part.lines
            out.ignored += part.ignored
            out.duplicates += part.duplicates
        return out


class LineDeduper:
    """Remembers the last ``window`` lines; :meth:`seen` is True for an exact repeat.

    ``lines`` holds them; ``ring`` too, in the order they came, ``ring[at]`` the oldest once
    the window is full (a new line takes its place): cheaper than an ordered dict's links."""

    def __init__(self, window: int = 4096) -> None:
        self.window = max(0, window)
        self.lines: dict[str, None] = {}
        self.ring: list[str] = []
        self.at = 0

    def seen(self, line: str) -> bool:
        """True if ``line`` is among the recent ones; otherwise remember it."""
        lines = self.lines
        if line in lines:
            return True
        if self.window:
            lines[line] = None
            ring = self.ring
            if len(ring) < self.window:
                ring.append(line)
            else:
                at = self.at
                del lines[ring[at]]
                ring[at] = line
                self.at = at + 1 if at + 1 < self.window else 0
        return False


class RecordSink:
    """Dedupe, map and collect lines or records (shared by the file, export and tail readers)."""

    def __init__(self, source: str = "", dedupe_window: int = 4096,
                 mapper: VerbMapper | None = None) -> None:
        self.mapper = mapper or VerbMapper(source)
        self.dedupe = LineDeduper(dedupe_window)
        self.result = ParseResult()
        self._seen, self._events = self.dedupe.seen, self.mapper.events

    def add(self, number: int, text: str, key: str, read: Callable[[T], Record], item: T,
            pos: str) -> None:
        """Take one non-blank input line or row: ``read(item)`` cuts it into a record."""
        result = self.result
        result.lines += 1
        if self._seen(key):
            result.duplicates += 1
            return
        try:
            produced = self._events(read(item), pos)
        except (BadLine, InvalidEvent) as exc:
            result.skipped.append(Skipped(number, str(exc), text[:200]))
            return
        if produced:
            result.events.extend(produced)
        else:
            result.ignored += 1

    def take_lines(self, lines: Sequence[str], numbers: Sequence[int],
                   positions: list[str]) -> None:
        """Take native lines without their line ends (``numbers[i]`` and ``positions[i]``
        are line ``i``'s number and ``source_pos``); blank ones are passed over uncounted.

        The same as :meth:`add` with :func:`split_line` for each line, in one loop: the line is
        cut once, its fields handed to the verb's handler as they are (no record between),
        which appends its events to the result's list and returns True when the line gives
        none (no count of the list before and after). A line that cannot be read at all (too
        few fields, its time) is found by the same lookups the good ones make (the verb at
        ``p[4]``, the time read by :func:`decimal`), its reason written only then.
        """
        result = self.result
        skipped, events, mapper = result.skipped, result.events, self.mapper
        dedupe = self.dedupe
        window, ring, size, at = dedupe.lines, dedupe.ring, dedupe.window, dedupe.at
        full = 0 < size <= len(ring)  # then each new line takes the oldest one's place
        handler_of, unknown_verb, native = HANDLERS.get, unknown, _NATIVE
        blanks = ignored = duplicates = 0
        for i, line in enumerate(lines):
            p = line.split("|")
            if len(p) < 5 and not line.strip():
                blanks += 1
                continue
            if line in window:
                duplicates += 1
                continue
            if full:
                del window[ring[at]]
                window[line] = None
                ring[at] = line
                at += 1
                if at == size:
                    at = 0
            elif size:
                window[line] = None
                ring.append(line)
                full = len(ring) >= size
            try:
                verb = p[4]  # IndexError: fewer than 5 fields
                ts = decimal(p[0])
                if not TS_MIN <= ts <= TS_MAX:  # the one test of the time's range
                    raise ValueError
            except (IndexError, ValueError):
                if self._odd(p, line, numbers[i], positions[i]):
                    ignored += 1
                continue
            try:
                if native:  # the frequent verbs told apart by name (verbs.take)
                    if take(mapper, verb, p, ts, positions[i], events):
                        ignored += 1
                elif handler_of(verb, unknown_verb)(mapper, p, ts, positions[i], events):
                    ignored += 1
            except (BadLine, InvalidEvent) as exc:
                skipped.append(Skipped(numbers[i], str(exc), line[:200]))
        dedupe.at = at
        result.lines += len(lines) - blanks
        result.ignored += ignored
        result.duplicates += duplicates

    def _odd(self, p: list[str], line: str, number: int, pos: str) -> bool:
        """A line :meth:`take_lines` does not read in its loop: too few fields, a time that is
        not a number (refused), or out of 1970..3000 (the line is read, and its events refused
        by their own check: :func:`~panneau.plugins.asterisk.verbs.checked_again`). True when
        it is read fine but gives no event."""
        reason = _unreadable(p)
        if not reason:
            made: list[Event] = []
            try:
                if take(self.mapper, p[4], p, decimal(p[0]), pos, made):
                    return True
                self.result.events += checked_again(made)
                return False
            except (BadLine, InvalidEvent) as exc:
                reason = str(exc)
        self.result.skipped.append(Skipped(number, reason, line[:200]))
        return False

    def drain(self) -> ParseResult:
        """What was collected since the last drain."""
        result, self.result = self.result, ParseResult()
        return result


def _unreadable(p: list[str]) -> str:
    """Why a line cut into ``p`` cannot be read at all (too few fields, its time not a
    number); ``""`` when it can."""
    if len(p) < 5:
        return f"expected at least 5 '|'-separated fields, got {len(p)}"
    try:
        number(p[0], "time")
    except BadLine as exc:
        return str(exc)
    return ""


def _stream_lines(read: Callable[[int], str], block_chars: int) -> Iterator[list[str]]:
    """The lines of a text stream without their ends, a list per block of ``read(block_chars)``
    (the last line of a block waits for the next one). A line ends at ``\n``, ``\r\n`` or
    ``\r``, as Python's universal newlines (and the stream's own line iteration, whether it
    translates them or not) split it; a ``\r`` ending a block waits for the next one, which
    may start with its ``\n``."""
    rest = ""
    while block := read(block_chars):
        text = rest + block if rest else block
        held = ""
        if "\r" in text:
            if text[-1] == "\r":
                text, held = text[:-1], "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        rest = lines.pop() + held
        yield lines
    if rest:
        yield [rest.rstrip("\r")]


def _chunks(lines: Iterable[str], size: int, block_chars: int) -> Iterator[list[str]]:
    """``lines`` without their line ends, ``size`` at a time (the last list may be shorter,
    never empty). A text stream (anything with ``read``) is read in blocks of
    ``block_chars``: a third of the cost of taking its lines one at a time and stripping
    each one's end (cachegrind: 1,640 -> 800 instructions a line)."""
    read = getattr(lines, "read", None)
    if read is None:
        it = iter(lines)
        while chunk := list(islice(it, size)):
            yield list(map(str.rstrip, chunk, repeat("\r\n")))
        return
    pending: list[str] = []
    for block in _stream_lines(read, block_chars):
        pending += block
        while len(pending) >= size:
            yield pending[:size]
            del pending[:size]
    if pending:
        yield pending


def parse_batches(
    lines: Iterable[str],
    *,
    source: str = "",
    first_line: int = 1,
    dedupe_window: int = 4096,
    batch_lines: int = 5000,
) -> Iterator[ParseResult]:
    """Parse native queue_log lines, a :class:`ParseResult` every ``batch_lines`` lines (so a
    large file never sits in memory as events); ``source_pos`` is the line number. ``lines``
    is any iterable of lines, with or without their ends, or a text stream, read in blocks
    (see :func:`_chunks`; a line ends at ``\n``, ``\r\n`` or ``\r``)."""
    sink = RecordSink(source, dedupe_window)
    first = first_line
    for chunk in _chunks(lines, batch_lines, _BLOCK_CHARS):
        end = first + len(chunk)
        sink.take_lines(chunk, range(first, end), line_numbers(first, end))
        first = end
        yield sink.drain()
    if first == first_line:
        yield sink.drain()  # nothing read: one empty result


def parse_lines(lines: Iterable[str], *, source: str = "", first_line: int = 1,
                dedupe_window: int = 4096) -> ParseResult:
    """Parse native queue_log lines at once (see :func:`parse_batches`)."""
    return ParseResult.merged(parse_batches(lines, source=source, first_line=first_line,
                                            dedupe_window=dedupe_window))
