"""The wire protocol, sans I/O: msgpack frames in and out, checked against protocol v1.

Every frame is one msgpack map with a ``type`` key. This module only turns bytes into checked
dicts and dicts into bytes; the websockets server (:mod:`panneau.hub.server.ws`) and the client
(:mod:`panneau.hub.client`) do the I/O. ``docs/protocol.md`` describes each frame.

Rules kept here:

- A frame larger than the limit, not msgpack, not a map with string keys, of an unknown type
  for its direction, or with a missing / mistyped field is refused with :class:`WireError`,
  which carries the websocket close code and a reason meant for humans.
- Unknown *extra* fields are allowed (a newer client may send more); unknown frame *types* are
  refused by the hub and ignored by clients (additive changes stay within version 1).
- ``hello.v`` must equal :data:`VERSION`; anything else (another number, a string, nothing
  usable) is :data:`CLOSE_BAD_VERSION`.
- A known action frame (not ``hello``) with a missing or mistyped field raises a
  :class:`WireError` whose ``action`` is set: the hub answers it with an ``error`` frame and
  keeps the connection (what a well-formed but refused action gets too). Anything it cannot
  read as a frame at all closes the connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import msgpack

__all__ = [
    "CLIENT_FRAMES",
    "CLOSE_AUTH_TIMEOUT",
    "CLOSE_BAD_FRAME",
    "CLOSE_BAD_TOKEN",
    "CLOSE_BAD_VERSION",
    "CLOSE_GOING_AWAY",
    "CLOSE_KEEPALIVE",
    "CLOSE_REASONS",
    "CLOSE_TOKEN_REVOKED",
    "CLOSE_TOO_BIG",
    "CLOSE_TOO_SLOW",
    "EMPTY_ARRAY",
    "EMPTY_MAP",
    "HUB_FRAMES",
    "VERSION",
    "Packed",
    "Splice",
    "WireError",
    "decode",
    "decode_client",
    "decode_hub",
    "encode",
    "encode_str",
    "header",
]

VERSION = 1

CLOSE_GOING_AWAY = 1001  # the hub is shutting down
CLOSE_TOO_BIG = 1009  # a frame over hub.max_frame_bytes (sent by websockets itself)
CLOSE_KEEPALIVE = 1011  # no pong to the hub's ping in time (sent by websockets itself)
CLOSE_BAD_TOKEN = 4001  # hello carried a token the hub does not know
CLOSE_AUTH_TIMEOUT = 4002  # no hello within hub.auth_timeout_s
CLOSE_BAD_FRAME = 4003  # not msgpack, not a map, unknown type, missing or mistyped field
CLOSE_BAD_VERSION = 4004  # hello.v is not a version this hub speaks
CLOSE_TOKEN_REVOKED = 4005  # the session's token was removed from the hub's configuration
CLOSE_TOO_SLOW = 4008  # the client let hub.client_buffer_bytes pile up unread

#: Close codes a client may see, with what they mean.
CLOSE_REASONS: dict[int, str] = {
    CLOSE_GOING_AWAY: "hub shutting down",
    CLOSE_TOO_BIG: "frame too big",
    CLOSE_KEEPALIVE: "keepalive timeout",
    CLOSE_BAD_TOKEN: "bad token",
    CLOSE_AUTH_TIMEOUT: "no hello in time",
    CLOSE_BAD_FRAME: "malformed frame",
    CLOSE_BAD_VERSION: "unsupported protocol version",
    CLOSE_TOKEN_REVOKED: "token revoked",
    CLOSE_TOO_SLOW: "client too slow",
}

_NUM = (int, float)
_OPT_STR = (str, type(None))
_OPT_INT = (int, type(None))

# field -> (accepted types, required)
Fields = dict[str, tuple[tuple[type, ...], bool]]

#: Frames a client sends to the hub.
CLIENT_FRAMES: dict[str, Fields] = {
    "hello": {"v": ((int,), True), "token": ((str,), True),
              "epoch": (_OPT_STR, False), "seq": (_OPT_INT, False)},
    "ack": {"message_id": ((str,), True), "ref": (_OPT_STR, False)},
    "send_message": {"text": ((str,), True), "team": (_OPT_STR, False),
                     "agent": (_OPT_STR, False), "expires_s": (_NUM, False),
                     "ref": (_OPT_STR, False)},
    "annotate": {"key": ((str,), True), "text": ((str,), True), "ref": (_OPT_STR, False),
                 "until": ((*_NUM, type(None)), False)},
    "enter_figure": {"figure": ((str,), True), "amount": (_NUM, True),
                     "team": (_OPT_STR, False), "day": (_OPT_STR, False),
                     "category": (_OPT_STR, False), "corrects": (_OPT_STR, False),
                     "ref": (_OPT_STR, False)},
    "set_target": {"scope": ((str,), True), "kpi": ((str,), True),
                   "target": (_NUM, False), "warn": (_NUM, False), "alert": (_NUM, False),
                   "hysteresis": (_NUM, False), "direction": (_OPT_STR, False),
                   "clear": ((list,), False), "ref": (_OPT_STR, False)},
    "history": {"keys": ((list,), True), "since": (_NUM, True),
                "until": ((*_NUM, type(None)), False), "step_s": ((*_NUM, type(None)), False),
                "ref": (_OPT_STR, False)},
    "pulse_answer": {"score": ((int,), True), "comment": (_OPT_STR, False),
                     "ref": (_OPT_STR, False)},
}

#: Frames the hub sends to a client.
HUB_FRAMES: dict[str, Fields] = {
    "snapshot": {"v": ((int,), True), "epoch": ((str,), True), "seq": ((int,), True),
                 "view": ((dict,), True)},
    "delta": {"epoch": ((str,), True), "seq": ((int,), True), "set": ((dict,), True),
              "unset": ((list,), True)},
    "message": {"message": ((dict,), True)},
    "alert": {"alert": ((dict,), True)},
    "status": {"sources": ((dict,), True)},
    "ok": {"ref": (_OPT_STR, False), "id": (_OPT_STR, False), "removed": ((bool,), False)},
    "series": {"series": ((dict,), True), "since": (_NUM, True), "until": (_NUM, True),
               "step_s": (_NUM, True), "ref": (_OPT_STR, False)},
    "error": {"reason": ((str,), True), "ref": (_OPT_STR, False)},
}


class WireError(Exception):
    """A frame that cannot be accepted: close the connection with ``code`` and ``reason``."""

    def __init__(self, code: int, reason: str, action: str | None = None,
                 ref: str | None = None) -> None:
        super().__init__(code, reason)
        self.code, self.reason = code, reason
        #: The known action frame type whose fields were wrong (answered, not closed).
        self.action = action
        self.ref = ref

    def __str__(self) -> str:
        return f"{self.code} {self.reason}"


def encode(frame: Mapping[str, Any]) -> bytes:
    """One frame as msgpack bytes (the caller builds valid frames; see the tables above)."""
    return msgpack.packb(frame, use_bin_type=True)


def encode_uint(n: int) -> bytes:
    """A non-negative int as msgpack (a delta's ``seq``), without a packer per call."""
    if n < 0x80:
        return bytes((n,))
    if n < 0x10000:
        return (b"\xcc" + bytes((n,))) if n < 0x100 else b"\xcd" + n.to_bytes(2, "big")
    if n < 0x100000000:
        return b"\xce" + n.to_bytes(4, "big")
    return b"\xcf" + n.to_bytes(8, "big")


@lru_cache(maxsize=1024)
def encode_str(text: str) -> bytes:
    """One string as msgpack (the frame field names, an epoch): encoded once."""
    return msgpack.packb(text, use_bin_type=True)


def header(count: int, array: bool) -> bytes:
    """The msgpack header of a map (or ``array``) of ``count`` items."""
    if count < 16:
        return bytes(((0x90 if array else 0x80) | count,))
    if count < 0x10000:
        return (b"\xdc" if array else b"\xde") + count.to_bytes(2, "big")
    return (b"\xdd" if array else b"\xdf") + count.to_bytes(4, "big")


class Packed(dict):
    """A map whose msgpack items are already encoded, in pieces: :attr:`parts` joined are its
    items (keys and values) without the map's header. A view value sent to every audience
    with most of its bytes in common (``meta``: the config's pages and schedule, the step's
    ``as_of``) is spliced from pieces encoded once each, not packed per audience (at a
    ``meta.as_of`` step, every screen's). It is an ordinary ``dict`` for everything else
    (equality, msgpack, reading); never change one once made (:meth:`of`).

    No ``__init__`` of its own: made per screen at each step, a Python ``__init__`` calling
    ``dict``'s cost more than the copy."""

    __slots__ = ("parts",)
    parts: tuple[bytes, ...]

    @staticmethod
    def of(items: Mapping[str, Any], parts: tuple[bytes, ...]) -> Packed:
        """``items`` as a map whose encoded items are ``parts``."""
        packed = Packed(items)
        packed.parts = parts
        return packed

    def packed(self) -> tuple[bytes, ...]:
        """The map's encoding: its header, then :attr:`parts`."""
        return (header(len(self), False), *self.parts)


class Splice(NamedTuple):
    """The encoded items of a msgpack map (key, value pairs) or array, without the header.

    Splices of one kind are joined by writing one header for their total count followed by
    their bodies: the bytes of a part of a view shared by many audiences are encoded once and
    put in each audience's frame as they are (the frame is the same msgpack map as if it had
    been encoded whole). A named tuple: a tick makes one or two per changed part, at a step
    one a screen (a frozen dataclass's ``__init__`` cost three ``object.__setattr__``).
    """

    count: int
    bodies: tuple[bytes, ...]
    array: bool = False

    @staticmethod
    def of_map(items: Mapping[str, Any]) -> Splice:
        if len(items) == 1:  # one key holding a Packed value (``meta``): spliced as it is
            ((key, value),) = items.items()
            if type(value) is Packed:
                return _splice(Splice, (1, (encode_str(key), header(len(value), False),
                                            *value.parts), False))
        data = msgpack.packb(items, use_bin_type=True)
        return _splice(Splice, (len(items), (data[len(header(len(items), False)):],), False))

    @staticmethod
    def of_array(items: Sequence[Any]) -> Splice:
        data = msgpack.packb(items, use_bin_type=True)
        return _splice(Splice, (len(items), (data[len(header(len(items), True)):],), True))

    @staticmethod
    def join(splices: Sequence[Splice], array: bool) -> Splice:
        return Splice(sum(s.count for s in splices),
                      tuple(b for s in splices for b in s.bodies if b), array)

    def header(self) -> bytes:
        """The map or array header for :attr:`count` items."""
        return header(self.count, self.array)


#: ``_splice(Splice, (count, bodies, array))``: a Splice made without the named tuple's
#: ``__new__`` (Python code, a call's cost each; these are made per part and tick)
_splice = tuple.__new__

#: The splices of an empty map and an empty array (also ``Splice.EMPTY_MAP`` and
#: ``Splice.EMPTY_ARRAY``).
EMPTY_MAP = Splice(0, ())
EMPTY_ARRAY = Splice(0, (), True)
Splice.EMPTY_MAP = EMPTY_MAP  # type: ignore[attr-defined]
Splice.EMPTY_ARRAY = EMPTY_ARRAY  # type: ignore[attr-defined]


def decode(data: bytes | str, schema: Mapping[str, Fields], max_bytes: int) -> dict[str, Any]:
    """Decode and check one frame against ``schema``; raises :class:`WireError`."""
    if isinstance(data, str):
        raise WireError(CLOSE_BAD_FRAME, "text frame: frames are binary msgpack")
    if len(data) > max_bytes:
        raise WireError(CLOSE_TOO_BIG, f"frame of {len(data)} bytes is over {max_bytes}")
    try:
        frame = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except (ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError,
            msgpack.StackError) as exc:
        raise WireError(CLOSE_BAD_FRAME, f"not a msgpack frame ({type(exc).__name__})") from None
    if not isinstance(frame, dict):
        raise WireError(CLOSE_BAD_FRAME, "a frame must be a msgpack map")
    kind = frame.get("type")
    fields = schema.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise WireError(CLOSE_BAD_FRAME, f"unknown frame type {str(kind)[:40]!r}")
    if kind == "hello" and "v" in frame and (frame["v"] != VERSION or type(frame["v"]) is not int):
        raise WireError(CLOSE_BAD_VERSION,
                        f"protocol version {frame['v']!r} not supported (hub speaks {VERSION})")
    action = None if kind == "hello" else kind
    ref = frame.get("ref") if isinstance(frame.get("ref"), str) else None
    for name, (types, required) in fields.items():
        if name not in frame:
            if required:
                raise WireError(CLOSE_BAD_FRAME, f"{kind}: missing field {name!r}", action, ref)
            continue
        value = frame[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise WireError(CLOSE_BAD_FRAME, f"{kind}.{name}: wrong type {type(value).__name__}",
                            action, ref)
    return frame


def decode_client(data: bytes | str, max_bytes: int) -> dict[str, Any]:
    """A frame the hub received from a client."""
    return decode(data, CLIENT_FRAMES, max_bytes)


def decode_hub(data: bytes | str, max_bytes: int = 64 * 1024 * 1024) -> dict[str, Any]:
    """A frame a client received from the hub.

    A ``delta`` whose four fields have their exact types (what every hub sends: nearly
    every frame a screen reads) is taken as it is, without walking the schema; anything
    else is checked by :func:`decode`, which raises what it always did.
    """
    if type(data) is bytes and len(data) <= max_bytes:
        try:
            frame = _unpack(data)
        except Exception:  # decode() below says what is wrong
            frame = None
        if type(frame) is dict and frame.get("type") == "delta" \
                and type(frame.get("seq")) is int and type(frame.get("set")) is dict \
                and type(frame.get("unset")) is list and type(frame.get("epoch")) is str:
            return frame
    return decode(data, HUB_FRAMES, max_bytes)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=True)
