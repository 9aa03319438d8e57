"""Send each audience its view: a snapshot on connect, then deltas with ``seq`` and ``epoch``.

Rules kept here (see websockets' "broadcast" topic for the trade-off):

- A view is the union of *parts* (:class:`~panneau.hub.server.views.Part`): one per scope an
  audience sees, the agents, the sources, its messages, its ``meta``. A part is shared by
  every audience that sees it, and each tick it is looked at once: when what it is built
  from is unchanged (the engine hands out the same dicts for a scope whose figures did not
  move) nothing is done; otherwise it is rebuilt, diffed against its last values and its
  change encoded **once** as msgpack (the ``set`` pairs and ``unset`` items).
- Only the audiences using a changed part get a frame: a changed part adds itself to each
  of its users' lists, so a tick's work per audience is what changed for it, never a scan
  of its parts. Their ``delta`` is spliced from the shared bytes (audiences whose lists are
  equal share one body): only its ``seq`` and the websocket header are put together per
  audience, in one join. A snapshot is spliced the same way from each part's encoded values.
- A tick's frames go out as early as they can: the shared parts that may have changed are
  looked at most-shared first; when the last of an audience's shared parts has been, its
  own parts (its scope, its meta…) are, and its delta is written at once, while the rest
  are still being rebuilt — the screens (other processes) start reading while the hub
  builds. At 2,000 screens a marker's first frame went out after all 80-odd touched parts;
  now after the engine snapshot, the topics and the first two parts.
- Writes never wait: a frame goes into the connection's write buffer at once (like
  ``websockets.broadcast``). A connection whose unsent bytes exceed
  ``hub.client_buffer_bytes`` is dropped (close 4008): a client that does not read never
  slows the others, and never makes the hub hold unbounded memory.
- The last ``hub.resume_history`` deltas of each audience are kept, and never more bytes of
  them than two snapshots of that view (at least 16 KiB), kept as the websocket frames
  written: past that a snapshot is the cheaper way back, and an agent's history stays
  within a few kB. A client that reconnects
  with the same ``epoch`` and a ``seq`` still covered gets exactly the deltas it missed;
  otherwise a fresh snapshot. An audience without clients is kept for ``idle_keep_s`` so its
  screens can resume, then forgotten.
- The hub decides when to call :meth:`Publisher.publish` (on the leading edge of a quiet
  hub's first event, then at most ``hub.max_frames_per_s`` times a second under load).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from websockets.asyncio.server import ServerConnection
from websockets.protocol import State

from panneau.hub import wire
from panneau.hub.server.metrics import Metrics
from panneau.hub.server.views import SCOPES_TOPIC, Audience, Part, Patched, Topic

__all__ = ["AudienceState", "Client", "Publisher", "ViewParts"]

log = logging.getLogger(__name__)

#: Deltas kept for a resume weigh at most this many snapshots of the view, and at least
#: :data:`MIN_RESUME_BYTES`.
RESUME_SNAPSHOTS = 2
MIN_RESUME_BYTES = 16 * 1024
_SET, _UNSET = wire.encode_str("set"), wire.encode_str("unset")
_EMPTY_ARRAY = wire.EMPTY_ARRAY
_encode_uint, _join, _OPEN = wire.encode_uint, b"".join, State.OPEN
#: ``"set"`` and ``"unset"`` with the header of a small map or array (up to 15 items).
_SET_HEADS = tuple(_SET + wire.header(n, False) for n in range(16))
_UNSET_HEADS = tuple(_UNSET + wire.header(n, True) for n in range(16))
#: The values of every part that has none (most audiences' goals, insights, messages and
#: pulse): one shared dict instead of one each; part values are never changed in place.
_NO_VALUES: dict[str, Any] = {}


def ws_binary_head(size: int) -> bytes:
    """The header of an unmasked, final, binary websocket frame of ``size`` bytes (RFC 6455,
    5.2)."""
    if size < 126:
        return bytes((0x82, size))
    if size < 0x10000:
        return b"\x82\x7e" + size.to_bytes(2, "big")
    return b"\x82\x7f" + size.to_bytes(8, "big")


def ws_binary_frame(data: bytes) -> bytes:
    """An unmasked, final, binary websocket frame holding ``data``."""
    return ws_binary_head(len(data)) + data


#: An encoded change as a delta splices it: ``[1]`` its ``set`` items, ``[2]`` its ``unset``
#: keys (a part's change, :data:`_Change`, or a change of an audience's parts list).
_Encoded = tuple[Any, ...]


class ViewParts(Protocol):
    """Where views come from (:class:`panneau.hub.server.views.Views`)."""

    def parts_for(self, audience: Audience) -> tuple[Part, ...]: ...
    def topic(self, part: Part) -> Topic: ...
    def build(self, part: Part) -> dict[str, Any]: ...


@dataclass(eq=False, slots=True)
class Client:
    """One accepted connection."""

    conn: ServerConnection
    audience: Audience
    label: str = ""
    dropped: bool = False
    token: bytes = b""  # the SHA-256 digest of the token it presented


@dataclass(eq=False, slots=True)
class _PartState:
    """A part's last values and its users.

    Most parts have one user (an agent's own figures, an audience's meta, messages…), so
    ``users`` is a tuple (56 bytes for one; a list took 88, a set 216), replaced when a user
    comes or goes, and ``full`` is kept only for parts several audiences share: a one-user
    part is encoded whole only for its own snapshot, kept it would stay in memory for
    nothing. A change, encoded, lives as long as its tick (kept here, every part's last
    change stayed in memory: a screen's last ``meta`` 400 bytes).
    """

    values: dict[str, Any]
    users: tuple[AudienceState, ...] = ()
    full: wire.Splice | None = None  # the values, encoded when a snapshot needs them


@dataclass(eq=False, slots=True)
class AudienceState:
    """An audience's parts, its seq, recent deltas and its connections (slotted, and the
    history a list: a deque takes 600 bytes even empty; it holds a few deltas)."""

    audience: Audience
    parts: tuple[Part, ...] = ()
    pstates: list[_PartState] = field(default_factory=list)  # the states of ``parts``
    seq: int = 0
    #: the last deltas as written (websocket frames), of consecutive seqs, the last one's
    #: ``history_seq`` (no ``(seq, frame)`` pair each: 84 bytes a delta kept)
    history: list[bytes] = field(default_factory=list)
    history_seq: int = 0
    history_bytes: int = 0
    resume_bytes: int = MIN_RESUME_BYTES
    clients: list[Client] = field(default_factory=list)  # a set of one takes 216 bytes
    idle_since: float | None = None
    #: This tick's changes of its parts list (a manager's scopes come and go): the keys of
    #: parts gone, and the parts new to it.
    #: (empty tuples until a change: two empty lists took 112 bytes an audience)
    own: tuple[_Encoded, ...] = ()
    added: tuple[Part, ...] = ()


class Publisher:
    """Shared parts, per-audience seqs and resume buffers, non-blocking writes."""

    def __init__(self, *, epoch: str, views: ViewParts, metrics: Metrics, resume_history: int,
                 buffer_bytes: int, idle_keep_s: float = 300.0) -> None:
        self.epoch, self.views, self.metrics = epoch, views, metrics
        self.resume_history, self.buffer_bytes = resume_history, buffer_bytes
        self.idle_keep_s = idle_keep_s
        self.audiences: dict[Audience, AudienceState] = {}
        self.parts: dict[Part, _PartState] = {}
        #: each topic's parts with their states (a step tick goes through every screen's meta:
        #: no look-up of each part's state)
        self.by_topic: dict[Topic, dict[Part, _PartState]] = {}
        self.tick = 0
        #: audiences without clients (forgotten after ``idle_keep_s``), and managers whose
        #: parts list changed with the change still to send: a tick looks at these only
        self._idle: dict[AudienceState, None] = {}
        self._owed: dict[AudienceState, None] = {}
        self._delta_start = b"\x85" + wire.encode_str("type") + wire.encode_str("delta") + \
            wire.encode_str("epoch") + wire.encode_str(epoch) + wire.encode_str("seq")
        self._drops: set[asyncio.Task] = set()
        self._sweep: _Tick | None = None  # a step tick whose frames are still going out

    # --- parts ---------------------------------------------------------------------------

    def _use(self, state: AudienceState, part: Part) -> _PartState:
        ps = self.parts.get(part)
        if ps is None:
            ps = self.parts[part] = _PartState(self.views.build(part) or _NO_VALUES)
            self.by_topic.setdefault(self.views.topic(part), {})[part] = ps
        ps.users += (state,)
        return ps

    def _unuse(self, state: AudienceState, part: Part) -> None:
        ps = self.parts.get(part)
        if ps is not None:
            if state in ps.users:
                users = list(ps.users)
                users.remove(state)
                ps.users = tuple(users)
            if not ps.users:
                del self.parts[part]
                topic = self.views.topic(part)
                del self.by_topic[topic][part]
                if not self.by_topic[topic]:
                    del self.by_topic[topic]

    @staticmethod
    def _full(ps: _PartState) -> wire.Splice:
        full = ps.full
        if full is None:
            full = wire.Splice.of_map(ps.values)
            if len(ps.users) > 1:
                ps.full = full
        return full

    def _audience(self, audience: Audience) -> AudienceState:
        state = self.audiences.get(audience)
        if state is None:
            state = self.audiences[audience] = AudienceState(audience)
            state.parts = self.views.parts_for(audience)
            state.pstates = [self._use(state, part) for part in state.parts]
        return state

    def view(self, audience: Audience) -> dict[str, Any]:
        """The view last sent to ``audience`` (tests, diagnostics)."""
        state = self._audience(audience)
        out: dict[str, Any] = {}
        for part in state.parts:
            out.update(self.parts[part].values)
        return out

    # --- connections -----------------------------------------------------------------

    def attach(self, client: Client, epoch: str | None, seq: int | None,
               status: dict[str, Any]) -> str:
        """Send the snapshot (or missed deltas) then ``status``; returns what was sent."""
        state = self._audience(client.audience)
        missed = self._missed(state, epoch, seq)
        if missed is None:
            sent = "snapshot"
            data = self._snapshot(state)
            state.resume_bytes = max(MIN_RESUME_BYTES, RESUME_SNAPSHOTS * len(data))
            self.write([client], data, "snapshot")
        else:
            sent = f"resume ({len(missed)} deltas)"
            for frame in missed:  # kept as websocket frames
                size = len(frame) - (2 if frame[1] < 126 else 4 if frame[1] == 126 else 10)
                self.write_frame([client], frame, size, "delta")
        self.write([client], wire.encode({"type": "status", "sources": status}), "status")
        if client.dropped:
            return "dropped"
        state.clients.append(client)
        state.idle_since = None
        self._idle.pop(state, None)
        return sent

    def rescope(self, client: Client, audience: Audience, label: str,
                status: dict[str, Any]) -> str:
        """Move a connection to another audience (its token now gives that one): it gets the
        new audience's snapshot, which replaces its whole view, then that audience's deltas."""
        self.detach(client)
        client.audience, client.label = audience, label
        return self.attach(client, None, None, status)

    def _snapshot(self, state: AudienceState) -> bytes:
        view = wire.Splice.join([self._full(self.parts[p]) for p in state.parts], array=False)
        return b"".join((b"\x85", wire.encode_str("type"), wire.encode_str("snapshot"),
                         wire.encode_str("v"), wire.encode(wire.VERSION),
                         wire.encode_str("epoch"), wire.encode_str(self.epoch),
                         wire.encode_str("seq"), wire.encode(state.seq),
                         wire.encode_str("view"), view.header(), *view.bodies))

    def _missed(self, state: AudienceState, epoch: str | None, seq: int | None
                ) -> list[bytes] | None:
        if epoch != self.epoch or seq is None or seq > state.seq:
            return None
        if seq == state.seq:
            return []
        history, last = state.history, state.history_seq
        if last != state.seq:  # a step's sweep under way: what it sent is not kept yet
            return None
        first = last - len(history) + 1
        if not history or first > seq + 1:
            return None
        return history[seq + 1 - first:]

    def detach(self, client: Client) -> None:
        state = self.audiences.get(client.audience)
        if state is not None:
            if client in state.clients:
                state.clients.remove(client)
            if not state.clients and state.idle_since is None:
                state.idle_since = time.monotonic()
                self._idle[state] = None

    def clients(self) -> Iterable[Client]:
        for state in self.audiences.values():
            yield from state.clients

    # --- publishing ------------------------------------------------------------------

    def publish(self, topics: Iterable[Topic]) -> int:
        """Rebuild the parts of the ``topics`` that changed and send the audiences using a
        part that did change their delta; returns the frames built.

        Frames go out as early as the tick allows: the parts that may have changed are
        looked at most-shared first (the shared queue every screen sees, then each team's),
        and an audience's delta is written as soon as the last of its parts that may have
        changed has been looked at, while the others are still being rebuilt (at 2,000
        screens the first frame used to wait for all 80-odd parts of a marker's tick).

        A step tick's sweep still under way (:meth:`begin_step`) waits for this tick and goes
        on after it (:meth:`sweep`): this tick's frames go out first, at an event's cost.
        An audience the sweep had not reached gets, in this tick's frame, the step's changes
        of the parts this tick changes again, the two folded into one (encoded once, so the
        frame's body stays shared): its screens never get a part's older values after its
        newer ones. The step's other changes (at a minute's turn, each agent's figures) and
        what it has for the audience's own parts (its ``meta``) follow in the sweep's frame,
        built then — unless this tick looks at that part itself, and sends both at once.
        """
        tick = self._begin(topics)
        try:
            tick.shared_pass(early=True)
            tick.run(None)
        finally:  # the frames written are kept for resumes whatever happened
            tick.done()
            step = tick.step
            if step is not None and step is self._sweep and step.idle():
                self._sweep = None  # this tick sent all the step had left
        return tick.built

    def begin_step(self, topics: Iterable[Topic]) -> int:
        """Start a tick whose work is mostly each audience's own (a ``meta.as_of`` step: every
        audience's ``meta``): its shared parts are rebuilt now, and the audiences' frames go
        out by :meth:`sweep`, a slice at a time, so that an event coming meanwhile does not
        wait for any of them (its tick, :meth:`publish`, goes ahead of what is left). Returns
        the frames built (none yet; a step's sweep still under way is finished first)."""
        if self._sweep is not None:
            self.sweep(math.inf)
        tick = self._begin(topics)
        try:
            tick.shared_pass(early=False)
        except BaseException:
            tick.done()
            raise
        self._sweep = tick
        return tick.built

    @property
    def sweeping(self) -> bool:
        """Whether a step tick's frames are still to be sent (:meth:`sweep`)."""
        return self._sweep is not None

    def sweep(self, budget_s: float) -> int:
        """Send the step tick's next frames for about ``budget_s`` seconds (``math.inf``: all
        of them); returns the frames built."""
        tick = self._sweep
        if tick is None:
            return 0
        built = tick.built
        try:
            finished = tick.run(time.perf_counter() + budget_s)
        except BaseException:
            finished = True
            raise
        finally:
            if finished:
                self._sweep = None
                tick.done()
        return tick.built - built

    def _begin(self, topics: Iterable[Topic]) -> _Tick:
        """A new tick: idle audiences forgotten, managers' parts followed, the parts that may
        have changed listed (shared ones most-shared first), a paused sweep carried."""
        self.tick += 1
        now = time.monotonic()
        topics = set(topics)
        for state in [s for s in self._idle if now - s.idle_since > self.idle_keep_s]:
            del self.audiences[state.audience], self._idle[state]
            self._owed.pop(state, None)
            for part in state.parts:
                self._unuse(state, part)
        reparted: list[AudienceState] = []
        if SCOPES_TOPIC in topics:
            for audience, state in self.audiences.items():
                if audience.role == "manager" and self._reparts(state):
                    reparted.append(state)
                    self._owed[state] = None
        tick = _Tick(self)
        paused = self._sweep
        if paused is not None:  # a step's sweep under way: this tick goes ahead of its rest
            paused.done()  # what it wrote is kept for resumes before this tick's frames
            paused.forget_gone(reparted)
            tick.step = paused
        # each audience with something to send → its changed parts, in the order they changed
        # (the same order for every audience, so equal lists mean equal delta bodies)
        self._owed = {s: None for s in self._owed if s.own or s.added}
        tick.touched = {s: [] for s in self._owed}
        shared, single = tick.shared, tick.single
        # the parts that may have changed: shared ones, most-shared first; one audience's own
        # (its scope, meta…) are looked at when its last shared one has been
        by_topic = self.by_topic
        for topic in topics:
            held = by_topic.get(topic)
            for part, ps in held.items() if held else ():
                if len(ps.users) == 1:
                    single.setdefault(ps.users[0], []).append((ps, part))
                else:
                    shared.append((ps, part))
        # most-shared first; parts with the same first user (a team's scope and its queue,
        # used by the same screens) next to each other, so those screens are done sooner
        shared.sort(key=lambda c: (-len(c[0].users), id(c[0].users[0]) if c[0].users else 0))
        return tick

    @staticmethod
    def _refresh(ps: _PartState, values: dict[str, Any]) -> _Change | None:
        """Take a part's new values; when they changed, encode the change once and return it
        (``(part state, set, unset, set items, unset keys)``, one tuple for all its users).
        The diff of :func:`panneau.hub.view.diff`, written out (at a step, once a screen)."""
        old = ps.values
        if values is old:
            return None
        ps.values, ps.full = values or _NO_VALUES, None
        if type(values) is Patched and values.base is old:  # only these keys can differ
            sets = {k: v for k in values.changed if old[k] != (v := values[k])}
            return (ps, wire.Splice.of_map(sets), _EMPTY_ARRAY, sets, []) if sets else None
        sets = {k: v for k, v in values.items() if k not in old or old[k] != v}
        if old.keys() <= values.keys():
            if not sets:
                return None
            return ps, wire.Splice.of_map(sets), _EMPTY_ARRAY, sets, []
        unset = [k for k in old if k not in values]
        return ps, wire.Splice.of_map(sets), wire.Splice.of_array(unset), sets, unset

    def _reparts(self, state: AudienceState) -> bool:
        """Follow a change of an audience's parts (before the parts are brought up to date:
        the keys of gone parts are unset as last sent; new parts are sent whole after);
        returns whether they changed."""
        parts = self.views.parts_for(state.audience)
        if parts == state.parts:
            return False
        new, old = set(parts), set(state.parts)
        for part in state.parts:
            if part not in new:
                unset = list(self.parts[part].values)
                self._unuse(state, part)
                state.own += ((None, wire.EMPTY_MAP, wire.Splice.of_array(unset)),)
        for part in parts:
            if part not in old:
                self._use(state, part)
                state.added += (part,)
        state.parts = parts
        state.pstates = [self.parts[p] for p in parts]
        return True

    @staticmethod
    def _delta_body(changes: Iterable[_Encoded]) -> bytes:
        """The ``set`` and ``unset`` fields of a delta, spliced from encoded changes (each
        change's ``[1]`` and ``[2]``: a :data:`_Change`, or a change of an audience's parts
        list; one join: at a ``meta.as_of`` step every audience's body is its own)."""
        sets, unsets, n_set, n_unset = [_SET], [_UNSET], 0, 0
        for c in changes:
            change, unset = c[1], c[2]
            if change.count:
                n_set += change.count
                sets += change.bodies
            if unset.count:
                n_unset += unset.count
                unsets += unset.bodies
        sets[0] = _SET_HEADS[n_set] if n_set < 16 else _SET + wire.header(n_set, False)
        unsets[0] = _UNSET_HEADS[n_unset] if n_unset < 16 else \
            _UNSET + wire.header(n_unset, True)
        return b"".join(sets + unsets)

    def delta_frame(self, seq: int, changes: list[tuple[wire.Splice, wire.Splice]]) -> bytes:
        """A ``delta`` frame spliced from encoded changes (``(set, unset)`` pairs)."""
        body = self._delta_body([(None, *c) for c in changes])
        return b"".join((self._delta_start, wire.encode_uint(seq), body))

    def _trim(self, state: AudienceState) -> None:
        """Drop an audience's oldest deltas over its count or bytes budget (one is kept)."""
        history, drop, size = state.history, 0, state.history_bytes
        while len(history) - drop > self.resume_history or (
                size > state.resume_bytes and len(history) - drop > 1):
            size -= len(history[drop])
            drop += 1
        state.history_bytes = size
        if drop:
            del history[:drop]

    def send(self, frame: dict[str, Any], audiences: Callable[[Audience], bool],
             scope: str | None = None) -> int:
        """Send a frame outside the view (message, alert) to the audiences it is for;
        returns how many audiences it went to.

        With ``scope`` (an alert's KPI scope) only the audiences whose view holds that scope
        (they use its part, whole or cut down for a small team) and managers are asked: an
        audience can see no key of a scope it has no part of (both follow
        :func:`~panneau.hub.server.views.scopes_for`), and asking all of them cost 2,000
        ``key_visible`` calls an alert at 2,000 screens.
        """
        data, sent = wire.encode(frame), 0
        for state in self._scope_users(scope) if scope else self.audiences.values():
            if state.clients and audiences(state.audience):
                self.write(state.clients, data, frame["type"])
                sent += 1
        return sent

    def _scope_users(self, scope: str) -> list[AudienceState]:
        found = dict.fromkeys(s for s in self.audiences.values() if s.audience.role == "manager")
        for kind in ("scope", "small"):
            ps = self.parts.get(Part(kind, scope))
            if ps is not None:
                found.update(dict.fromkeys(ps.users))
        return list(found)

    def send_each(self, make: Callable[[Audience], dict[str, Any] | None]) -> int:
        """Send a frame built per audience (``None``: nothing for that audience); returns
        how many audiences got one."""
        sent = 0
        for audience, state in self.audiences.items():
            if state.clients:
                frame = make(audience)
                if frame is not None:
                    self.write(state.clients, wire.encode(frame), frame["type"])
                    sent += 1
        return sent

    def write(self, clients: Iterable[Client], data: bytes, kind: str) -> None:
        """Write without waiting; drop any connection whose buffer is over the limit.

        Like ``websockets.broadcast``, but the websocket frame is put together once for all
        the connections (the hub's connections are uncompressed and never fragment a message,
        so a binary frame is its two-to-ten-byte header and the data) and handed straight to
        each transport.
        """
        self.write_frame(clients, ws_binary_frame(data), len(data), kind)

    def write_frame(self, clients: Iterable[Client], frame: bytes, size: int, kind: str
                    ) -> None:
        """:meth:`write` of a websocket frame already put together (``size``: its data)."""
        n = self._write_frame(clients, frame)
        if n:
            self.metrics.frames_sent[kind] += n
            self.metrics.bytes_sent += size * n

    def _write_frame(self, clients: Iterable[Client], frame: bytes) -> int:
        """Write ``frame`` to each open connection without waiting, dropping any over the
        buffer limit once it has been written to all (a drop takes the connection out of
        its audience's set: done inside the loop, it cut the tick short); returns how many
        it was written to."""
        n, limit, slow = 0, self.buffer_bytes, None
        for client in clients:
            conn = client.conn
            transport = conn.transport
            if client.dropped or transport is None or conn.protocol.state is not _OPEN:
                continue
            transport.write(frame)
            n += 1
            if transport.get_write_buffer_size() > limit:
                slow = [*(slow or ()), client]
        for client in slow or ():
            self.drop(client, wire.CLOSE_TOO_SLOW, "client too slow")
        return n

    def drop(self, client: Client, code: int, reason: str) -> None:
        """Forget a connection now and close it (aborting if the close cannot get through)."""
        client.dropped = True
        self.detach(client)
        self.metrics.clients_dropped[reason] += 1
        log.warning("dropping %s client %s: %s", client.audience.key,
                    client.conn.remote_address, reason)
        task = asyncio.get_running_loop().create_task(self._close(client.conn, code, reason))
        self._drops.add(task)
        task.add_done_callback(self._drops.discard)

    @staticmethod
    async def _close(conn: ServerConnection, code: int, reason: str) -> None:
        try:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(code, reason), 2.0)
        finally:
            if conn.transport is not None:
                conn.transport.abort()


#: A part's change in one tick: its state, the encoded ``set`` items and ``unset`` keys, and
#: the change itself (to fold two changes of a part into one, :meth:`_Tick.folded`).
_Change = tuple[_PartState, wire.Splice, wire.Splice, dict[str, Any], list[str]]


class _Tick:
    """The deltas of one publish tick: the parts to look at, each audience's changes, bodies
    shared by the audiences whose changes are the same, each audience's frame written at
    once; the frames kept for resumes, and the frames and bytes counted in the metrics, once
    all are written (keeping them was a tenth of a marker's publish CPU at 2,000 screens,
    ahead of the last frames).

    A step tick's audiences are finished from :attr:`queue` a slice at a time. An event tick
    that starts before the end goes ahead of the rest (:attr:`step`): an audience it sends a
    frame takes, in that frame, the step's changes not sent to it yet of the parts this tick
    changes too, folded (and the step's own parts of it this tick looks at anyway); the
    step's sweep sends what is left after. (Carried the other way, the step's own parts in
    each event frame, every remaining screen's event frame was its own: ~90 ms of CPU at
    2,000 screens against ~45 for the same event alone.)"""

    __slots__ = ("at", "bodies", "built", "bytes", "folds", "frames", "kept", "merged",
                 "pub", "queue", "shared", "single", "start", "step", "touched", "write")

    def __init__(self, pub: Publisher) -> None:
        self.pub, self.built, self.frames, self.bytes = pub, 0, 0, 0
        self.start, self.write = pub._delta_start, pub._write_frame
        #: delta bodies shared by audiences whose changes are the same: the body, the
        #: changes (their ids stay theirs for the tick), the headers put together for it
        self.bodies: dict[tuple[int, ...], tuple[bytes, list[_Change], dict[int, bytes]]] = {}
        self.kept: list[tuple[AudienceState, bytes]] = []  # in each one's seq order
        self.touched: dict[AudienceState, list[_Change]] = {}
        self.shared: list[tuple[_PartState, Part]] = []
        self.single: dict[AudienceState, list[tuple[_PartState, Part]]] = {}
        self.queue: list[AudienceState] = []  # audiences to finish by :meth:`run`
        self.at = 0
        self.step: _Tick | None = None  # a step tick's sweep this tick goes ahead of
        self.folds: dict[tuple[int, int], tuple[_Change, _Change, _Change]] = {}
        #: a paused step's changes and this tick's, by their ids → their body (:meth:`body`)
        self.merged: dict[tuple[tuple[int, ...], tuple[int, ...]],
                          tuple[bytes, list[_Change], dict[int, bytes]]] = {}

    def idle(self) -> bool:
        """Whether nothing is left to look at or send (a paused step's sweep)."""
        return not self.touched and not self.single

    def forget_gone(self, users: Iterable[AudienceState]) -> None:
        """Drop what this paused tick holds for parts ``users`` no longer use (a manager's
        scopes changed since: the keys of a part gone are unset, never sent again)."""
        for user in users:
            live = set(map(id, user.pstates))
            for store in (self.touched, self.single):
                held = store.get(user)
                if held:
                    store[user] = [c for c in held if id(c[0]) in live]

    def shared_pass(self, early: bool) -> None:
        """Rebuild the shared parts, most-shared first. ``early``: an audience is finished
        (its own parts looked at, its frame written) as soon as its last shared part has
        been, the others still to rebuild; else the audiences are queued in that order for
        :meth:`run`. Either way the audiences left are queued after.

        Each user's last shared part is found with dict operations (no count kept per user
        and part), and each changed part is added to its users' lists, made for a user when
        the first of its parts changes: at a step tick, whose shared parts mostly have not
        changed, an empty list for each of the 1,681 users of a shared part at 2,000 screens
        made the tick a fifth dearer (what an event just behind a step waits for)."""
        shared, single, touched = self.shared, self.single, self.touched
        last: dict[AudienceState, int] = {}
        for i, (ps, _) in enumerate(shared):
            last.update(dict.fromkeys(ps.users, i))
        ready_at: list[list[AudienceState]] = [[] for _ in shared]
        for user, i in last.items():
            ready_at[i].append(user)
        ready = self.finish_all if early else self.queue.extend
        ready([u for u in single if u not in last])  # no shared part to wait for
        refresh, build, get = self.pub._refresh, self.pub.views.build, touched.get
        for i, (ps, part) in enumerate(shared):
            change = refresh(ps, build(part))
            if change is not None:
                for user in ps.users:
                    mine = get(user)
                    if mine is None:
                        touched[user] = [change]
                    else:
                        mine.append(change)
            if ready_at[i]:  # its users' last shared part: their frames go out now
                ready(ready_at[i])
        # then what is left: parts lists changed with no part to look at
        done = set(self.queue) if not early else ()
        self.queue += [u for u in dict.fromkeys([*single, *touched]) if u not in done]

    def run(self, until: float | None) -> bool:
        """Finish the queued audiences, until ``time.perf_counter()`` passes ``until`` (never
        with ``None``); returns whether all are."""
        queue, finish, clock, at = self.queue, self.finish, time.perf_counter, self.at
        try:
            while at < len(queue):
                at += 1
                finish(queue[at - 1])
                if until is not None and clock() > until:
                    break
        finally:  # where to go on from, whatever happened
            self.at = at
        return at >= len(queue)

    def finish_all(self, users: list[AudienceState]) -> None:
        """:meth:`finish` each of ``users``; those with nothing but shared changes to send
        (most, at an event's tick) in one loop: their body found by their changes, shared
        with every audience that has the same. Behind a paused step, by the step's changes
        not sent to it yet and this tick's: put together (:meth:`after`) once per pair of
        lists, not once a screen (that made an event's tick during a step's sweep a tenth
        dearer than alone)."""
        single, touched, send, bodies = self.single, self.touched, self.send, self.bodies
        if self.step is not None:
            self._finish_all_behind(users, self.step.touched)
            return
        for user in users:
            if user in single or user.own or user.added:
                self.finish(user)
                continue
            order = touched.pop(user, None)
            if order:  # shared parts only
                held = bodies.get(tuple(map(id, order))) or self.body(order)
                send(user, held[0], held[2])

    def _finish_all_behind(self, users: list[AudienceState],
                           earlier_of: dict[AudienceState, list[_Change]]) -> None:
        """:meth:`finish_all` behind a paused step whose changes not sent yet are
        ``earlier_of`` each audience's: those of the parts this tick changes too go first in
        its frame, folded (:meth:`after`, once per pair of change lists, not once a screen);
        the others stay for the sweep (:meth:`behind`)."""
        single, touched, send, bodies = self.single, self.touched, self.send, self.bodies
        merged, again_of = self.merged, {}
        for user in users:
            if user in single or user.own or user.added:
                self.finish(user)
                continue
            order = touched.pop(user, None)
            if not order:
                continue
            earlier = earlier_of.get(user)
            key = tuple(map(id, order))
            if earlier:
                again = again_of.get(key)
                if again is None:
                    again = again_of[key] = {id(c[0]) for c in order}
                both = [c for c in earlier if id(c[0]) in again]
                if both:
                    rest = [c for c in earlier if id(c[0]) not in again]
                    if rest:
                        earlier_of[user] = rest
                    else:
                        del earlier_of[user]
                    pair = (tuple(map(id, both)), key)
                    held = merged.get(pair)
                    if held is None:
                        held = merged[pair] = self.body(self.after(both, order))
                    send(user, held[0], held[2])
                    continue
            held = bodies.get(key) or self.body(order)
            send(user, held[0], held[2])

    def finish(self, user: AudienceState) -> None:
        """Look at its own parts, then send its frame (if anything changed for it), with
        what a paused step had not sent it of the parts it shares first."""
        step = self.step
        order = self.touched.pop(user, None)  # its shared parts' changes
        mine = self.single.pop(user, None)
        if mine:
            refresh, build = self.pub._refresh, self.pub.views.build
            for ps, part in mine:
                change = refresh(ps, build(part))
                if change is not None:
                    if order is None:
                        order = [change]
                    else:
                        order.append(change)
            if step is not None and user in step.single:  # looked at: not again by the step
                seen = {id(ps) for ps, _ in mine}
                left = [c for c in step.single[user] if id(c[0]) not in seen]
                if left:
                    step.single[user] = left
                else:
                    del step.single[user]
        if order is None:
            return
        if step is not None:
            earlier = step.touched.get(user)
            if earlier and (user.own or user.added):  # its parts changed: sent now, whole
                order = self.after(step.touched.pop(user), order)
            elif earlier:
                order, rest = self.behind(earlier, order)
                if rest:
                    step.touched[user] = rest
                else:
                    del step.touched[user]
        self.changes(user, order)

    def behind(self, earlier: list[_Change], order: list[_Change]
               ) -> tuple[list[_Change], list[_Change]]:
        """This tick's changes ``order`` with a paused step's not sent yet, ``earlier``, of
        the parts ``order`` changes too (:meth:`after`: folded, so that a screen never gets a
        part's older values after its newer ones), and the step's others, left to its sweep.

        Carried here as well, the step's changes made every frame of an event's tick its own
        at a minute's turn (each agent's own figures move then): at 1,000 screens a marker
        just behind one took ~3× the CPU of a marker alone and sent 4.7× the bytes, the
        managers' frames with every agent's figures; the sweep sends them anyway, with each
        screen's ``meta``."""
        if not order:
            return earlier, []
        again = {id(c[0]) for c in order}
        both = [c for c in earlier if id(c[0]) in again]
        if not both:
            return order, earlier
        return self.after(both, order), [c for c in earlier if id(c[0]) not in again]

    def after(self, earlier: list[_Change], order: list[_Change]) -> list[_Change]:
        """A paused step's changes ``earlier`` then this tick's ``order``, as one list: a part
        changed by both (a minute's turn, then an event) has its two changes folded into
        one, so that the frame stays one and its body shared."""
        if not order:
            return earlier
        again = {id(c[0]): i for i, c in enumerate(order)}
        if not any(id(c[0]) in again for c in earlier):
            return earlier + order
        order, first = list(order), []
        for older in earlier:
            i = again.get(id(older[0]))
            if i is None:
                first.append(older)
            else:
                order[i] = self.folded(older, order[i])
        return first + order

    def folded(self, older: _Change, newer: _Change) -> _Change:
        """One change of a part that does what ``older`` then ``newer`` did (encoded once a
        tick for every audience that gets both)."""
        key = (id(older), id(newer))
        held = self.folds.get(key)
        if held is None:
            new_set, new_unset = newer[3], newer[4]
            gone = set(new_unset)
            sets = {k: v for k, v in older[3].items() if k not in gone}
            sets.update(new_set)
            unset = [k for k in older[4] if k not in new_set and k not in gone] + new_unset
            held = self.folds[key] = (older, newer, (
                newer[0], wire.Splice.of_map(sets),
                wire.Splice.of_array(unset) if unset else _EMPTY_ARRAY, sets, unset))
        return held[2]

    def changes(self, state: AudienceState, order: list[_Change]) -> None:
        """Send ``state`` its delta: the changes of ``order`` (and of its parts list)."""
        pub = self.pub
        if not state.own and not state.added:  # the common case: shared bytes only
            if order:
                if len(order[-1][0].users) == 1:  # a part of its own: a body of its own
                    self.send(state, pub._delta_body(order))
                else:
                    held = self.body(order)
                    self.send(state, held[0], held[2])
            return
        parts = pub.parts
        added = {id(parts[p]) for p in state.added}
        changes: list[_Encoded] = [c for c in order if id(c[0]) not in added]
        changes += state.own  # parts gone: their keys unset
        changes += [(None, pub._full(parts[p]), _EMPTY_ARRAY)
                    for p in state.added]  # parts new to it: all their keys, as of now
        state.own, state.added = (), ()
        if changes:
            self.send(state, pub._delta_body(changes))

    def body(self, order: list[_Change]) -> tuple[bytes, list[_Change], dict[int, bytes]]:
        """The delta body of the changes ``order`` (of shared parts), shared by every
        audience of this tick whose changes are the same, with its headers (:meth:`send`);
        kept with its changes, so that their ids stay theirs for the tick."""
        key = tuple(map(id, order))
        held = self.bodies.get(key)
        if held is None:
            held = self.bodies[key] = (self.pub._delta_body(order), order, {})
        return held

    def send(self, state: AudienceState, body: bytes,
             heads: dict[int, bytes] | None = None) -> None:
        """Write ``state``'s next delta, of ``body``, to its connections. ``heads``: the
        websocket header and the delta's first fields by the length of the encoded ``seq``,
        kept with a body many audiences share (put together once, not once a screen)."""
        seq = state.seq = state.seq + 1
        packed = _encode_uint(seq)
        start = self.start
        size = len(start) + len(packed) + len(body)
        if heads is None:  # a body of its own: one join
            frame = _join((ws_binary_head(size), start, packed, body))
        else:
            head = heads.get(len(packed))
            if head is None:
                head = heads[len(packed)] = ws_binary_head(size) + start
            frame = _join((head, packed, body))
        self.kept.append((state, frame))
        self.built += 1
        if state.clients:
            n = self.write(state.clients, frame)
            self.frames += n
            self.bytes += size * n

    def done(self) -> None:
        pub = self.pub
        most, trim = pub.resume_history, pub._trim
        for state, frame in self.kept:  # kept for resumes, within each one's budget
            history = state.history
            history.append(frame)
            state.history_seq += 1
            state.history_bytes += len(frame)
            if len(history) > most or state.history_bytes > state.resume_bytes:
                trim(state)
        self.kept = []
        if self.frames:
            metrics = self.pub.metrics
            metrics.frames_sent["delta"] += self.frames
            metrics.bytes_sent += self.bytes
            self.frames = self.bytes = 0
