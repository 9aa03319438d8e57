"""The sans-I/O codec: frames in, checked dicts out, clear errors with close codes."""

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from panneau.hub import wire

LIMIT = 65536


def test_round_trip_of_every_client_frame():
    frames = [
        {"type": "hello", "v": 1, "token": "t", "epoch": "e", "seq": 3},
        {"type": "ack", "message_id": "m1"},
        {"type": "send_message", "text": "hi", "team": "support", "expires_s": 60},
        {"type": "annotate", "key": "site/today/offered", "text": "storm"},
    ]
    for frame in frames:
        assert wire.decode_client(wire.encode(frame), LIMIT) == frame


def test_hub_frames_decode_for_clients():
    frame = {"type": "delta", "epoch": "e", "seq": 2, "set": {"kpi:site/now/x": 1.5},
             "unset": ["a"]}
    assert wire.decode_hub(wire.encode(frame)) == frame


@pytest.mark.parametrize(("data", "code", "words"), [
    (b"\xc1garbage", wire.CLOSE_BAD_FRAME, "not a msgpack"),
    (msgpack.packb([1, 2]), wire.CLOSE_BAD_FRAME, "must be a msgpack map"),
    (msgpack.packb({"type": "nope"}), wire.CLOSE_BAD_FRAME, "unknown frame type"),
    (msgpack.packb({"type": "snapshot", "v": 1, "epoch": "e", "seq": 0, "view": {}}),
     wire.CLOSE_BAD_FRAME, "unknown frame type"),  # a hub frame is not a client frame
    (msgpack.packb({"type": "hello", "v": 1}), wire.CLOSE_BAD_FRAME, "missing field 'token'"),
    (msgpack.packb({"type": "hello", "v": 1, "token": 5}), wire.CLOSE_BAD_FRAME, "wrong type"),
    (msgpack.packb({"type": "hello", "v": True, "token": "t"}), wire.CLOSE_BAD_VERSION,
     "not supported"),
    (msgpack.packb({"type": "hello", "v": "1", "token": "t"}), wire.CLOSE_BAD_VERSION,
     "not supported"),
    (msgpack.packb({"type": "hello", "v": 2, "token": "t"}), wire.CLOSE_BAD_VERSION,
     "version 2"),
    (msgpack.packb({1: 2}), wire.CLOSE_BAD_FRAME, "not a msgpack"),
    ("text", wire.CLOSE_BAD_FRAME, "text frame"),
    (b"\x00" * (LIMIT + 1), wire.CLOSE_TOO_BIG, "over"),
])
def test_bad_frames_are_refused_with_a_code_and_reason(data, code, words):
    with pytest.raises(wire.WireError) as info:
        wire.decode_client(data, LIMIT)
    assert info.value.code == code
    assert words in info.value.reason


def test_extra_fields_are_allowed():
    frame = {"type": "ack", "message_id": "m", "future_field": [1]}
    assert wire.decode_client(wire.encode(frame), LIMIT)["future_field"] == [1]


@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_frame_or_a_wire_error(data):
    try:
        frame = wire.decode_client(data, LIMIT)
    except wire.WireError as exc:
        assert exc.code in wire.CLOSE_REASONS
    else:
        assert frame["type"] in wire.CLIENT_FRAMES
