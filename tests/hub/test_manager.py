"""Manager actions: messages (also from `panneau message`), acks, annotations; export."""

import asyncio
import contextlib
import csv
import io
import sys
from pathlib import Path

from panneau.hub import wire
from panneau.hub.cli.main import main
from panneau.hub.server.app import ALERT_STEP_S
from panneau.hub.server.history import AGENT_REF_KPIS

PANNEAU = Path(sys.executable).parent / "panneau"


async def test_panneau_message_reaches_the_team_and_acks_reach_the_manager(start_hub, tools):
    async with start_hub(feed={"count": 3}) as hub:
        support = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        sales = await tools.hello(hub.ws_url, tools.kiosk_token("sales"))
        ann = await tools.hello(hub.ws_url, tools.agent_token("ag-ann"))
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        proc = await asyncio.create_subprocess_exec(
            str(PANNEAU), "message", "--hub", hub.ws_url, "--token", tools.MANAGER,
            "--team", "support", "--expires", "30m", "Huddle at 3",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err
        message_id = out.decode().split()[-1]
        for ws in (support, ann):
            frame = (await tools.recv_until(ws, lambda f: f["type"] == "message"))[-1]
            assert frame["message"]["id"] == message_id
            assert frame["message"]["text"] == "Huddle at 3"
            assert frame["message"]["to"] == {"team": "support", "agent": None}
            assert 1790 < frame["message"]["expires"] - frame["message"]["sent"] <= 1800
        await ann.send(wire.encode({"type": "ack", "message_id": message_id, "ref": "a"}))
        assert (await tools.recv_until(ann, lambda f: f["type"] == "ok"))[-1]["id"] == message_id
        frames = await tools.recv_until(manager, lambda f: f["type"] == "delta" and f["set"].get(
            f"message:{message_id}", {}).get("acked_by") == ["ag-ann"])
        assert frames[0]["view"]["meta"]["identity"] == "boss"  # the manager token's label
        sent = next(f for f in frames if f["type"] == "message")["message"]
        assert sent["sender"] == "boss" and sent["acked_by"] == []
        ann_view = (await tools.recv_until(
            ann, lambda f: f["type"] == "delta" and f"message:{message_id}" in f["set"]))[-1]
        assert ann_view["set"][f"message:{message_id}"]["acked_by"] == ["ag-ann"]
        await sales.send(wire.encode({"type": "ack", "message_id": "x"}))  # kiosks do not ack
        got = [f for f in await tools.recv_until(sales, lambda f: f["type"] == "error")]
        assert not any(f["type"] == "message" for f in got)  # not for the sales team
        assert hub.journal.acks() == {message_id: ["ag-ann"]}
        for ws in (support, sales, ann, manager):
            await ws.close()


async def test_panneau_message_reports_a_refused_token_and_bad_values(start_hub, tools):
    async with start_hub() as hub:
        for args, words, code in (
                (["--token", "wrong-token-1", "hi"], "refused the token", 1),
                (["--token", tools.MANAGER, "--team", "nope", "hi"], "no team", 1),
                (["--token", tools.MANAGER, "--expires", "soon", "hi"], "not a duration", 2)):
            proc = await asyncio.create_subprocess_exec(
                str(PANNEAU), "message", "--hub", hub.ws_url, *args,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, err = await asyncio.wait_for(proc.communicate(), 20)
            assert proc.returncode == code and words in err.decode()


async def test_annotations_are_stored_and_shown_in_the_scope(start_hub, tools):
    async with start_hub(feed={"count": 3}) as hub:
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        await manager.send(wire.encode({"type": "annotate", "ref": "n1", "text": "phone outage",
                                        "key": "kpi:team:support/today/service_level_pct"}))
        ok = (await tools.recv_until(manager, lambda f: f["type"] in ("ok", "error")))[-1]
        assert ok == {"type": "ok", "ref": "n1", "id": "team:support/today/service_level_pct"}
        frame = (await tools.recv_until(kiosk, lambda f: f["type"] == "delta" and any(
            k.startswith("annotation:") for k in f["set"])))[-1]
        note = frame["set"]["annotation:team:support/today/service_level_pct"]
        assert note["text"] == "phone outage" and note["by"] == "boss"
        await manager.send(wire.encode({"type": "annotate", "key": "bad key", "text": "x"}))
        error = (await tools.recv_until(manager, lambda f: f["type"] == "error"))[-1]
        assert "annotation key" in error["reason"]
        assert hub.journal.annotations()["team:support/today/service_level_pct"]["by"] == "boss"
        await kiosk.close()
        await manager.close()


async def test_history_is_sampled_and_exported_as_csv(start_hub, tools, tmp_path, capsys):
    async with start_hub(feed={"count": 6}) as hub:
        async with asyncio.timeout(5):
            while hub.journal.count_events("feed") < 5 + 12:
                await asyncio.sleep(0.02)
        await hub.wait_idle()
        now = hub.clock()
        rows = hub.history.sample(now - 120, hub.snapshot)
        hub.history.sample(now - 60, hub.snapshot)
        flat = hub.snapshot.flat()
        extra = hub.history.extra  # what insight rules read a week later

        def is_kept(key: str) -> bool:
            scope, window, kpi = key.split("/")
            if scope.startswith("agent:"):
                return window == "today" and kpi in AGENT_REF_KPIS
            return window in ("now", "today") or kpi in extra.get(window, ())

        kept = {k for k in flat if is_kept(k)}
        assert {k.split("/")[1] for k in kept} == {"now", "today", *extra}  # the pages' windows
        assert {k.split("/")[2] for k in kept if k.startswith("agent:")} <= set(AGENT_REF_KPIS)
        assert rows == len(kept) > 0 and len(kept) < len(flat) / 2  # no rolling windows
        assert {k for _, k, _ in hub.journal.history(now - 120, now)} == kept
        hub.history.sample(now - 86400, hub.snapshot)
        hub.history.sample(now - 7 * 86400 + 20, hub.snapshot)
        hub.history.refresh(now - 60, hub.snapshot.values)
        trend = hub.history.trends["team:support/today/answered"]
        assert trend == [[now - 120, 4.0], [now - 60, 4.0]]  # calls 0, 1, 2, 5 of 6
        assert hub.history.refs["site/today/answered"] == {"yesterday": 6.0, "last_week": 6.0}
        assert hub.history.refs["agent:ag-ann/today/answered"] == {
            "yesterday": flat["agent:ag-ann/today/answered"], "last_week": 2.0}  # calls 0, 5
        assert {k.split("/")[2] for k in hub.history.refs if k.startswith("agent:")} == {
            k for k in AGENT_REF_KPIS if flat.get(f"agent:ag-ann/today/{k}") is not None}
        assert not any(k.startswith("agent:") for k in hub.history.trends)
        hub.tick()  # the views now carry the refs
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        ann = await tools.hello(hub.ws_url, tools.agent_token("ag-ann"))
        kiosk_keys, ann_keys = [(await tools.recv(ws))["view"] for ws in (kiosk, ann)]
        assert ann_keys["ref:agent:ag-ann/today/answered"]["last_week"] == 2.0
        assert not any(k.startswith("ref:agent:") for k in kiosk_keys)
        assert not any(k.startswith("ref:agent:") and "ag-ann" not in k for k in ann_keys)
        for ws in (kiosk, ann):
            await ws.close()
    config = tmp_path / "hub.toml"
    config.write_text(tools.config_text(str(tmp_path / "hub.db")))
    assert main(["export", "--config", str(config), "--kpi", "answered",
                 "--scope", "site"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["scope"], r["kpi"], r["value"]) for r in table if r["window"] == "today"] == [
        ("site", "answered", "6")] * 4
    assert main(["export", "--config", str(config), "-o", str(tmp_path / "x.csv")]) == 0
    assert main(["export", "--config", str(config), "-o", str(tmp_path / "x.xlsx")]) == 0
    csv_said, xlsx_said = capsys.readouterr().err.splitlines()  # the same rows, as a workbook
    assert csv_said.split(" to ")[0] == xlsx_said.split(" to ")[0] != "wrote 0 values"


async def test_alerts_reach_the_audiences_of_their_scope_only(start_hub, tools):
    async with start_hub(feed={"count": 20, "interval_s": 0.02, "answer": False}) as hub:
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        other = await tools.hello(hub.ws_url, tools.agent_token("ag-eve"))  # sales
        # judged at the next whole second of event time (ALERT_STEP_S) after the calls queued;
        # the team's and the queue's alerts rise together, in either order, each with its view
        # key, so wait for the queue's alert frame and its view key whatever came first
        key = "queue:support/now/calls_waiting"
        seen: set[str] = set()

        def queue_alert_and_view_key(f: dict) -> bool:
            if f["type"] == "alert" and f["alert"]["key"] == key and f["alert"]["state"] == "alert":
                seen.add("alert")
            if f"alert:{key}" in (f.get("view") or f.get("set") or {}):
                seen.add("view")
            return seen == {"alert", "view"}

        frames = await tools.recv_until(kiosk, queue_alert_and_view_key, timeout=ALERT_STEP_S + 20)
        alerts = [f["alert"] for f in frames if f["type"] == "alert"]
        assert {a["key"].split("/")[0] for a in alerts} <= {"team:support", "queue:support"}
        got = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.5):
                while True:
                    got.append(await tools.recv(other))
        assert not any(f["type"] == "alert" and "support" in f["alert"]["key"] for f in got)
        await kiosk.close()
        await other.close()


async def test_manager_state_survives_a_restart_and_a_built_hub_holds_every_part(
        start_hub, tools, tmp_path, feed_pm):
    from panneau.hub.config import parse_config
    from panneau.hub.server.app import Hub
    from panneau.hub.server.manager import Annotation

    async with start_hub() as hub:
        message = hub.manager.add_message("Huddle", "boss", "support", None, 600)
        hub.manager.ack(message.id, "ag-ann")
        hub.manager.ack(message.id, "ag-ann")  # idempotent
        hub.manager.annotate("site/today/offered", "storm", "boss")
        hub.manager.annotate("site/today/answered", "gone", "boss")
        hub.manager.annotate("site/today/answered", "", "boss")  # removed
        assert set(hub.frames.handlers) == set(wire.CLIENT_FRAMES) - {"hello"}
    config = parse_config(tools.config_text(str(tmp_path / "hub.db")), "test.toml")
    built = Hub(config, pm=feed_pm)  # every part exists before start(); nothing listens yet
    try:
        assert (built.ws_port, built.http_port, built.manager.messages) == (0, 0, [])
        assert built.supervisor.states == {} and built.frames.manager is built.manager
        built.manager.load()
        assert built.manager.messages == [message]
        assert built.manager.acks == {message.id: ["ag-ann"]}
        assert list(built.manager.annotations) == ["site/today/offered"]
        assert built.manager.annotations["site/today/offered"].text == "storm"
        assert isinstance(built.manager.annotations["site/today/offered"], Annotation)
        built.manager.expire(message.expires)
        assert built.manager.messages == []
    finally:
        await built.stop()
