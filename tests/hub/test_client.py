"""HubClient: backoff bounds, rejection, a fresh snapshot when a delta is out of step."""

import asyncio
import random

from panneau.hub.client import HubClient, backoff_delay


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    rng = random.Random(7)
    for attempt in range(40):
        ceiling = min(30.0, 0.5 * 2 ** attempt)
        for _ in range(20):
            assert ceiling / 2 <= backoff_delay(attempt, 0.5, 30.0, rng) <= ceiling
    assert len({backoff_delay(3, 0.5, 30.0, rng) for _ in range(20)}) > 1  # jittered


async def test_a_refused_token_is_reported_as_rejected_and_retried(start_hub):
    async with start_hub() as hub:
        client = HubClient(hub.ws_url, "wrong-token-1", backoff_min=0.01, backoff_max=0.02)
        kinds = []
        async with asyncio.timeout(10):
            async for update in client.updates():
                kinds.append(update.kind)
                if kinds.count("rejected") == 2:
                    break
        assert kinds == ["rejected", "rejected"]
        assert client.close_code == 4001 and client.close_reason == "unknown token"
        assert not client.connected


async def test_an_out_of_step_delta_makes_the_client_resync(start_hub, tools):
    async with start_hub(feed={"count": 0, "interval_s": 0.02}) as hub:
        client = HubClient(hub.ws_url, tools.MANAGER, backoff_min=0.01, backoff_max=0.02)
        kinds = []
        async with asyncio.timeout(10):
            async for update in client.updates():
                kinds.append(update.kind)
                if update.kind == "snapshot" and kinds.count("snapshot") == 1:
                    client.view.seq -= 1  # as if a delta had been lost
                if kinds.count("snapshot") == 2:
                    break
        assert kinds[:3] == ["connected", "snapshot", "status"]
        assert "disconnected" in kinds  # it reconnected without resuming
        assert client.view.epoch == hub.epoch
        await client.close()


async def test_messages_reach_the_view_whole_in_order_and_text_is_dropped():
    """HubConnection hands each binary message on as it is complete: a fragmented one is
    joined, a text message (not the protocol's) is dropped, control frames go through
    websockets (the server's ping is answered), the close ends the updates' connection."""
    from websockets.asyncio.server import serve

    from panneau.hub import wire

    snapshot = wire.encode({"type": "snapshot", "v": 1, "epoch": "e1", "seq": 0,
                            "view": {"kpi:site/today/offered": 1}})
    delta = wire.encode({"type": "delta", "epoch": "e1", "seq": 1,
                         "set": {"kpi:site/today/offered": 2, "kpi:site/now/calls_waiting": 4},
                         "unset": ["kpi:site/today/offered"]})
    later = wire.encode({"type": "delta", "epoch": "e1", "seq": 2,
                         "set": {"kpi:site/today/answered": 3}, "unset": []})

    async def handler(ws):
        await ws.recv()  # hello
        await ws.send(snapshot)
        await ws.send("a text message is not a frame")
        await ws.send([delta[:5], delta[5:20], delta[20:]])  # one message in three frames
        await ws.ping()
        await ws.send(later)
        await ws.close(1001)

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        client = HubClient(url, "t", backoff_min=0.01, backoff_max=0.02)
        kinds = []
        async with asyncio.timeout(10):
            async for update in client.updates():
                kinds.append(update.kind)
                if update.kind == "disconnected":
                    break
        await client.close()
    assert kinds == ["connected", "snapshot", "delta", "delta", "disconnected"]
    assert client.view.seq == 2 and client.close_code == 1001
    assert client.view.values == {"kpi:site/now/calls_waiting": 4,
                                  "kpi:site/today/answered": 3}


async def test_frames_cut_anywhere_by_the_network_reach_the_view_whole():
    """Once open, HubConnection cuts the hub's frames itself: frames of every length form
    (7-bit, 16-bit, 64-bit) arriving a few bytes at a time, with a ping and a fragmented
    message between them, are handed on whole and in order; the ping is answered."""
    from websockets.asyncio.server import serve

    from panneau.hub import wire
    from panneau.hub.server.publisher import ws_binary_frame

    def delta(seq: int, figures: int) -> bytes:
        return wire.encode({"type": "delta", "epoch": "e1", "seq": seq, "unset": [],
                            "set": {f"kpi:queue:q{seq}/today/k{i}": i for i in range(figures)}})

    frames = [wire.encode({"type": "snapshot", "v": 1, "epoch": "e1", "seq": 0, "view": {}}),
              delta(1, 3000), delta(2, 20), delta(3, 2)]
    assert [len(f) > 65535 for f in frames[1:]] == [True, False, False]
    raw = b"".join(ws_binary_frame(f) for f in frames)
    answered = asyncio.Event()

    async def handler(ws):
        await ws.recv()  # hello
        for at in range(0, len(raw) - 1000, 7):  # most of it a few bytes at a time
            ws.transport.write(raw[at:at + 7])
            await asyncio.sleep(0)
        ws.transport.write(raw[at + 7:])
        await (await ws.ping())
        answered.set()
        fragmented = delta(4, 5)
        await ws.send([fragmented[:9], fragmented[9:]])  # in two frames
        await ws.send(delta(5, 20))
        await ws.close(1001)

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        client = HubClient(url, "t", backoff_min=0.01, backoff_max=0.02)
        seqs, cut = [], []
        async with asyncio.timeout(20):
            async for update in client.updates():
                if update.kind in ("snapshot", "delta"):
                    seqs.append(update.frame["seq"])
                    cut.append(client._ws._cut)
                if update.kind == "disconnected":
                    break
        await client.close()
    assert seqs == [0, 1, 2, 3, 4, 5] and answered.is_set()
    assert cut[:4] == [True] * 4  # cut here, not by websockets' parser
    assert len(client.view.values) == 3000 + 20 + 2 + 5 + 20
    assert client.view.values["kpi:queue:q1/today/k2999"] == 2999
