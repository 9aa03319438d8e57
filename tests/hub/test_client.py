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
