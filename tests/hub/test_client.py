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
