"""Each bad client input closes that connection with the documented code; others go on."""

import asyncio

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from panneau.hub import wire

CASES = {
    "bad token": (lambda t: {"type": "hello", "v": 1, "token": "not-a-token"},
                  wire.CLOSE_BAD_TOKEN, "unknown token"),
    "wrong version": (lambda t: {"type": "hello", "v": 9, "token": t.MANAGER},
                      wire.CLOSE_BAD_VERSION, "version 9"),
    "garbage": (lambda t: b"\xc1\xff\x00garbage", wire.CLOSE_BAD_FRAME, "not a msgpack"),
    "not hello first": (lambda t: {"type": "ack", "message_id": "x"},
                        wire.CLOSE_BAD_FRAME, "first frame must be hello"),
    "missing field": (lambda t: {"type": "hello", "v": 1}, wire.CLOSE_BAD_FRAME, "token"),
    "oversized": (lambda t: b"\x00" * 5000, wire.CLOSE_TOO_BIG, ""),
    "no hello": (None, wire.CLOSE_AUTH_TIMEOUT, "no hello within 0.3 s"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_closes_only_that_connection(start_hub, tools, case):
    make, code, words = CASES[case]
    async with start_hub(feed={"count": 0, "interval_s": 0.02}, auth_timeout_s=0.3,
                         max_frame_bytes=4096) as hub:
        good = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        assert (await tools.recv(good))["type"] == "snapshot"
        async with connect(hub.ws_url) as bad:
            if make is not None:
                frame = make(tools)
                await bad.send(frame if isinstance(frame, bytes) else msgpack.packb(frame))
            received = []
            with pytest.raises(ConnectionClosed):  # once the hub closes it
                async with asyncio.timeout(5):
                    while True:
                        received.append(await bad.recv())
            assert received == []  # nothing is sent before a valid hello
            assert bad.close_code == code
            assert words in bad.close_reason
        # the good client still gets deltas afterwards
        frames = await tools.recv_until(good, lambda f: f["type"] == "delta")
        assert frames[-1]["epoch"] == hub.epoch
        assert hub.clients_by_role()["kiosk"] == 1
        await good.close()


async def test_a_bad_frame_after_hello_closes_with_bad_frame(start_hub, tools):
    async with start_hub() as hub:
        ws = await tools.hello(hub.ws_url, tools.MANAGER)
        await tools.recv(ws)
        await ws.send(msgpack.packb({"type": "hello", "v": 1, "token": tools.MANAGER}))
        await asyncio.wait_for(ws.wait_closed(), 5)
        assert ws.close_code == wire.CLOSE_BAD_FRAME and "twice" in ws.close_reason


async def test_refused_actions_answer_error_and_keep_the_connection(start_hub, tools):
    async with start_hub() as hub:
        ws = await tools.hello(hub.ws_url, tools.agent_token("ag-ann"))
        await tools.recv(ws)
        await ws.send(wire.encode({"type": "send_message", "text": "hi", "expires_s": 60,
                                   "ref": "r1"}))
        error = (await tools.recv_until(ws, lambda f: f["type"] == "error"))[-1]
        assert error == {"type": "error", "reason": "only a manager may send messages",
                         "ref": "r1"}
        await ws.send(wire.encode({"type": "ack", "message_id": "nope"}))
        error = (await tools.recv_until(ws, lambda f: f["type"] == "error"))[-1]
        assert "no message 'nope'" in error["reason"]
        await ws.close()


async def test_a_malformed_action_is_answered_with_error_and_keeps_the_connection(start_hub,
                                                                                 tools):
    async with start_hub() as hub:
        ws = await tools.hello(hub.ws_url, tools.MANAGER)
        await tools.recv(ws)
        bad = [({"type": "send_message", "text": "hi", "expires_s": "60", "ref": "a"},
                "send_message.expires_s: wrong type str"),
               ({"type": "ack", "message_id": None, "ref": "b"}, "ack.message_id: wrong type"),
               ({"type": "annotate", "text": "x", "ref": "c"}, "annotate: missing field 'key'"),
               ({"type": "annotate", "key": "site/today/happiness", "text": "x", "ref": "d"},
                "unknown KPI 'happiness'"),
               ({"type": "annotate", "key": "team:nope/today/answered", "text": "x",
                 "ref": "e"}, "no team 'nope'")]
        for frame, reason in bad:
            await ws.send(wire.encode(frame))
            error = (await tools.recv_until(ws, lambda f: f["type"] in ("error", "ok")))[-1]
            assert error["type"] == "error" and reason in error["reason"], (frame, error)
            assert error["ref"] == frame["ref"]
        # still connected; expires_s may be left out (an hour), and no ref asked → none given
        await ws.send(wire.encode({"type": "send_message", "text": "Huddle", "team": "support"}))
        ok = (await tools.recv_until(ws, lambda f: f["type"] in ("error", "ok")))[-1]
        assert ok["type"] == "ok" and "ref" not in ok
        message = hub.manager.message(ok["id"])
        assert message.expires - message.sent == 3600.0
        await ws.close()
