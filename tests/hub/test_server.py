"""The hub over real sockets: snapshot then deltas, resume, health, metrics, webhooks."""

import asyncio
import json

import aiohttp
import pytest
from websockets.asyncio.client import connect

from panneau.hub.client import HubClient


async def test_snapshot_then_deltas_follow_the_feed(start_hub, tools):
    async with start_hub(feed={"count": 40, "interval_s": 0.01}) as hub:
        ws = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        first = await tools.recv(ws)
        assert first["type"] == "snapshot" and first["v"] == 1 and first["epoch"] == hub.epoch
        assert first["view"]["meta"]["role"] == "kiosk"
        assert first["view"]["meta"]["team"] == "support"
        status = await tools.recv(ws)
        assert status["type"] == "status" and "feed" in status["sources"]
        seq = first["seq"]
        frames = await tools.recv_until(
            ws, lambda f: f["type"] == "delta"
            and f["set"].get("kpi:team:support/today/answered", 0) >= 10)
        deltas = [f for f in frames if f["type"] == "delta"]
        assert [d["seq"] for d in deltas] == list(range(seq + 1, seq + 1 + len(deltas)))
        await ws.close()


async def test_resume_gets_only_the_missed_deltas(start_hub, tools):
    async with start_hub(feed={"count": 0, "interval_s": 0.02}) as hub:
        client = HubClient(hub.ws_url, tools.agent_token("ag-ann"), backoff_min=0.05,
                           backoff_max=0.1)
        kinds, seqs_after_resume = [], []
        resumed = False
        async with asyncio.timeout(10):
            async for update in client.updates():
                kinds.append(update.kind)
                if update.kind == "delta" and client.view.seq >= 3 and not resumed:
                    held = client.view.seq
                    await client.disconnect()  # the feed goes on
                    # ten more calls (six for ag-ann's team) while disconnected
                    more = hub.journal.count_events("feed") + 20
                    await tools.eventually(lambda m=more: hub.journal.count_events("feed") >= m)
                    await hub.wait_idle()
                    resumed = True
                elif resumed and update.kind == "delta":
                    seqs_after_resume.append(update.frame["seq"])
                    if len(seqs_after_resume) >= 3:
                        break
        await client.close()
        assert kinds.count("snapshot") == 1  # the reconnect did not need a snapshot
        assert kinds.count("connected") == 2 and "disconnected" in kinds
        assert seqs_after_resume[0] == held + 1  # the first missed delta, no gap, no repeat
        assert seqs_after_resume == list(range(held + 1, held + 1 + len(seqs_after_resume)))


async def test_a_resume_from_another_epoch_gets_a_snapshot(start_hub, tools):
    async with start_hub(feed={"count": 5}) as hub:
        ws = await tools.hello(hub.ws_url, tools.MANAGER, epoch="old-epoch", seq=3)
        assert (await tools.recv(ws))["type"] == "snapshot"
        await ws.close()


async def test_healthz_and_metrics_on_both_ports(start_hub, tools):
    async with start_hub(feed={"count": 20, "interval_s": 0.001}) as hub:
        ws = await tools.hello(hub.ws_url, tools.MANAGER)
        await tools.recv(ws)
        await tools.eventually(lambda: hub.journal.count_events("feed") == 5 + 2 * 20)
        await hub.wait_idle()
        async with aiohttp.ClientSession() as http:
            for base in (hub.ws_url.replace("ws://", "http://"), hub.http_url):
                async with http.get(base + "/healthz") as r:
                    assert r.status == 200
                    health = json.loads(await r.text())
                assert health["sources"]["feed"]["status"] == "live"
                assert health["sources"]["feed"]["accepted"] == 5 + 2 * 20
                assert health["sources"]["feed"]["last_event_age_s"] >= 0
                assert health["clients"]["manager"] == 1
                async with http.get(base + "/metrics") as r:
                    text = await r.text()
                assert 'panneau_events_accepted_total{source="feed"} 45' in text
                assert 'panneau_clients{role="manager"} 1' in text
                assert "panneau_bytes_sent_total " in text
                assert "panneau_engine_apply_seconds_total " in text
        await ws.close()


async def test_webhook_routes_and_their_errors(start_hub, tools):
    async with start_hub(feed={"count": 1}) as hub:
        await tools.eventually(lambda: hub.journal.count_events("feed") == 5 + 2)  # route added
        async with aiohttp.ClientSession() as http:
            url = hub.http_url + "/hooks/feed/ping"
            async with http.post(url, data=b"hello") as r:
                assert r.status == 200
                assert await r.json() == {"got": "hello", "path": "/hooks/feed/ping"}
            async with http.post(url, data=b"boom") as r:
                assert r.status == 500 and "ValueError" in (await r.json())["error"]
            async with http.post(url, data=b"exit") as r:  # sys.exit() stopped the hub
                assert r.status == 500 and "RuntimeError" in (await r.json())["error"]
            async with http.post(url, data=b"hello") as r:
                assert r.status == 200
            async with http.post(hub.http_url + "/hooks/feed/nope", data=b"") as r:
                assert r.status == 404
            async with http.post(hub.http_url + "/hooks/other/ping", data=b"") as r:
                assert r.status == 404 and "no source" in (await r.json())["error"]
            async with http.post(url, data=b"x" * (1024 * 1024 + 1)) as r:
                assert r.status == 413
            hub.routes.remove_source("feed")  # as when the source is down
            async with http.post(url, data=b"") as r:
                assert r.status == 503 and "not running" in (await r.json())["error"]


async def test_a_webhook_asked_with_another_method_answers_405_and_loses_nothing(start_hub,
                                                                                  tools):
    async with start_hub(feed={"count": 3}) as hub:
        accepted = 5 + 2 * 3
        await tools.eventually(lambda: hub.journal.count_events("feed") == accepted)
        url = hub.http_url + "/hooks/feed/ping"
        async with aiohttp.ClientSession() as http:
            for method in ("GET", "PUT", "DELETE", "HEAD"):
                async with http.request(method, url) as r:
                    assert r.status == 405, method
                    assert r.headers["Allow"] == "POST"
                    if method != "HEAD":
                        assert (await r.json())["error"] == (
                            f"/hooks/feed/ping takes POST, not {method}")
            async with http.post(url, data=b"hello") as r:  # the route still works
                assert r.status == 200
            async with http.get(hub.http_url + "/hooks/feed/nope") as r:  # no such path
                assert r.status == 404
        assert hub.journal.count_events("feed") == accepted
        assert hub.metrics.webhooks["405"] == 4


async def test_plain_get_on_the_ws_port_is_not_a_websocket(start_hub):
    async with start_hub() as hub:
        url = hub.ws_url.replace("ws://", "http://") + "/"
        async with aiohttp.ClientSession() as http, http.get(url) as r:
            assert r.status == 426  # upgrade required
        async with connect(hub.ws_url) as ws:
            await ws.send(b"")
            await asyncio.wait_for(ws.wait_closed(), 5)


async def test_a_restart_replays_the_journal_and_resumes_after_the_checkpoint(start_hub, tools):
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        async with asyncio.timeout(5):
            while hub.journal.count_events("feed") < 5 + 2 * 10:
                await asyncio.sleep(0.02)
        await hub.wait_idle()
        answered = hub.snapshot.get("site", "today", "answered")
    assert answered == 10
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        # the engine state saved at stop reflects every journalled event: none replayed
        # (full replays: tests/hub/test_engine_state.py)
        assert hub.replayed == 0 and hub.metrics.apply_count == 0
        ws = await tools.hello(hub.ws_url, tools.MANAGER)
        snapshot = await tools.recv(ws)
        assert snapshot["view"]["kpi:site/today/answered"] == 10
        # "live" is set after the checkpoint is read and before any emit: once it shows, the
        # resumed source has had its chance to emit again
        await tools.eventually(lambda: hub.supervisor.states["feed"].status == "live")
        await hub.wait_idle()
        assert hub.journal.count_events("feed") == 5 + 2 * 10  # nothing emitted twice
        await ws.close()


async def test_a_port_in_use_fails_start_cleanly(start_hub, tmp_path, tools, feed_pm):
    from panneau.hub.config import parse_config
    from panneau.hub.server.app import Hub

    async with start_hub() as first:
        text = tools.config_text(str(tmp_path / "other.db")).replace(
            'listen = "127.0.0.1:0"', f'listen = "127.0.0.1:{first.ws_port}"', 1)
        second = Hub(parse_config(text), pm=feed_pm)
        with pytest.raises(OSError):
            async with second:
                pass
        assert second.journal is not None
        with pytest.raises(Exception, match="closed"):
            second.journal.count_events()
