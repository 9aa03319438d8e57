"""Live targets: ``panneau targets set`` and file edits reach a running hub without a restart."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.cli.main import main
from panneau.hub.config import load_config
from panneau.hub.events import AgentLoggedIn
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.hub.server.journal import Journal
from tests.hub.conftest import eventually as _eventually

KEY = "target:team:support/service_level_pct"


async def _frame(ws, timeout: float = 10.0) -> dict:
    return wire.decode_hub(await asyncio.wait_for(ws.recv(), timeout))


async def _until(ws, predicate, timeout: float = 10.0) -> dict:
    """Frames until one satisfies ``predicate`` (bounded by ``timeout``)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = await _frame(ws, timeout)
            if predicate(frame):
                return frame


@pytest.fixture
async def live(report_config):
    """A running hub watching its config file, and a manager screen connected to it."""
    path, db = report_config
    journal = Journal(db)  # a journalled event: the support team has figures, so targets
    now = time.time()
    journal.accept("pbx", [AgentLoggedIn(ts=now, agent="ag-ann", queue="support")], None,
                   False, now)
    journal.close()
    hub = Hub(load_config(path), pm=make_plugin_manager(load_entry_points=False),
              config_path=path)
    async with hub:
        ws = await connect(hub.ws_url, max_size=None)
        await ws.send(wire.encode({"type": "hello", "v": 1, "token": "manager-token"}))
        first = await _frame(ws)
        yield hub, ws, first, path
        await ws.close()


async def test_a_target_set_reaches_the_screens_without_a_reconnect(live, capsys):
    hub, ws, first, path = live
    assert first["view"][KEY]["target"] == 85.0
    text_before = path.read_text()
    assert main(["targets", "set", "team:support", "service_level_pct", "--target", "90",
                 "--warn", "82", "--by", "anne", "--config", str(path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("service_level_pct for team:support: target 85 → 90, warn 80 → 82")
    text = path.read_text()
    assert "# the support team's service level: warn at 80 %, alert at 70 %" in text
    assert text.replace("target = 90.0", "target = 85.0").replace(
        "warn = 82.0", "warn = 80.0") == text_before  # nothing else moved
    delta = await _until(ws, lambda f: f["type"] == "delta" and KEY in f.get("set", {}))
    assert delta["set"][KEY]["target"] == 90.0 and delta["set"][KEY]["warn"] == 82.0
    assert ws.close_code is None  # the same connection, never dropped
    changes = hub.journal.config_changes()
    assert [(c["by"], c["what"], c["old"], c["new"]) for c in changes] == [
        ("anne", "threshold team:support service_level_pct",
         {"target": 85.0, "warn": 80.0, "alert": 70.0},
         {"target": 90.0, "warn": 82.0, "alert": 70.0})]
    assert hub.reloader.public()["reloads"] == 1


@pytest.mark.parametrize(("argv", "reason"), [
    (["team:support", "service_level_pct", "--warn", "60"], "alert must be below or equal"),
    (["team:nobody", "service_level_pct", "--warn", "60"], "no team 'nobody'"),
    (["agent:ag-ann", "aht_s", "--warn", "600"], "thresholds apply to site, team"),
    (["site", "happiness", "--warn", "3"], "unknown KPI 'happiness'"),
    (["site", "asa_s"], "nothing to change"),
    # written to the file and taken by the hub: a target of nan, a warning level of inf
    (["site", "asa_s", "--target", "nan"], "target: expected a finite number, got nan"),
    (["site", "asa_s", "--warn", "inf"], "warn: expected a finite number, got inf"),
])
def test_a_bad_value_is_refused_and_the_file_kept(report_config, capsys, argv, reason):
    path = report_config[0]
    before = path.read_text()
    assert main(["targets", "set", *argv, "--config", str(path)]) == 2
    assert reason in capsys.readouterr().err
    assert path.read_text() == before
    journal = Journal(report_config[1])
    assert journal.config_changes() == []
    journal.close()


async def test_a_broken_edit_is_refused_and_the_running_config_kept(live):
    hub, ws, _, path = live
    good = path.read_text()
    path.write_text(good.replace("warn = 80.0", "warn = eighty"))
    await _eventually(lambda: hub.reloader.error is not None)
    async with httpx.AsyncClient(base_url=hub.http_url) as client:
        health = (await client.get("/healthz")).json()
    assert "invalid TOML: Invalid value (at line 17" in health["config"]["error"]
    assert hub.config.thresholds[0].warn == 80.0  # still running on the old one
    path.write_text(good.replace("warn = 80.0", "warn = 81.0")
                    .replace('http_listen = "127.0.0.1:0"', 'http_listen = "127.0.0.1:9"'))
    delta = await _until(ws, lambda f: f["type"] == "delta" and KEY in f.get("set", {}))
    assert delta["set"][KEY]["warn"] == 81.0
    state = hub.reloader.public()
    assert state["error"] is None and state["restart_needed_for"] == ["hub.http_listen"]
    assert hub.config.hub.http_listen == "127.0.0.1:0"  # a port is bound once


async def test_tokens_reload_live(live):
    hub, _, _, path = live
    path.write_text(path.read_text().replace('token = "reporting-token"',
                                             'token = "reporting-token-2"'))
    await _eventually(lambda: hub.reloader.public()["reloads"] == 1)
    async with httpx.AsyncClient(base_url=hub.http_url) as client:
        old = await client.get("/api/v1/scopes",
                               headers={"Authorization": "Bearer reporting-token"})
        new = await client.get("/api/v1/scopes",
                               headers={"Authorization": "Bearer reporting-token-2"})
    assert (old.status_code, new.status_code) == (401, 200)
    assert hub.reloader.public()["restart_needed_for"] == []


async def test_the_set_target_frame_writes_journals_and_applies(live):
    hub, ws, _, path = live
    await ws.send(wire.encode({"type": "set_target", "scope": "team:support",
                               "kpi": "service_level_pct", "target": 88, "ref": "t1"}))
    ok = await _until(ws, lambda f: f["type"] in ("ok", "error") and f.get("ref") == "t1")
    assert ok["type"] == "ok" and ok["old"]["target"] == 85.0 and ok["new"]["target"] == 88.0
    delta = await _until(ws, lambda f: f["type"] == "delta" and KEY in f.get("set", {}))
    assert delta["set"][KEY]["target"] == 88.0
    assert "target = 88.0" in path.read_text()
    assert hub.journal.config_changes()[-1]["by"] == "boss"  # the manager token's label
    before = path.read_text()
    await ws.send(wire.encode({"type": "set_target", "scope": "team:support",
                               "kpi": "service_level_pct", "alert": 95, "ref": "t2"}))
    error = await _until(ws, lambda f: f.get("ref") == "t2")
    assert error["type"] == "error" and "alert must be below or equal to warn" in error["reason"]
    assert path.read_text() == before and len(hub.journal.config_changes()) == 1
    kiosk = await connect(hub.ws_url, max_size=None)
    await kiosk.send(wire.encode({"type": "hello", "v": 1, "token": "kiosk-token"}))
    await kiosk.send(wire.encode({"type": "set_target", "scope": "site", "kpi": "asa_s",
                                  "warn": 30, "ref": "k"}))
    refused = await _until(kiosk, lambda f: f.get("ref") == "k")
    assert refused == {"type": "error", "reason": "only a manager may change targets",
                       "ref": "k"}
    await kiosk.close()


def test_what_a_reload_takes_live_and_what_waits(report_config):
    from panneau.hub.config import parse_config
    from panneau.hub.server.reload import split_changes

    text = report_config[0].read_text()
    running = parse_config(text)
    new = parse_config(text.replace('agents = ["ag-ann", "ag-ben", "ag-cid"]',
                                    'agents = ["ag-ann", "ag-ben"]')
                       .replace("warn = 80.0", "warn = 79.0")
                       .replace('timezone = "Europe/Paris"', 'timezone = "UTC"')
                       + '[[objectives]]\ntitle = "T"\n[[objectives.key_results]]\n'
                         'kpi = "csat_pct"\ntarget = 90.0\n')
    result = split_changes(running, new)
    assert result.live == ("thresholds", "objectives")
    assert result.restart == ("hub.timezone", "teams")
    assert result.config.thresholds[0].warn == 79.0 and result.config.objectives
    assert result.config.hub.timezone == "Europe/Paris" and result.config.teams == running.teams


async def test_an_edit_saved_in_another_encoding_is_refused_and_the_running_config_kept(live):
    """A running hub told of a file saved as Latin-1 — by its watcher, by SIGHUP, by a
    manager's set_target — names the problem (/healthz, the frame's answer) and keeps the
    configuration it runs."""
    hub, ws, _, path = live
    good = path.read_text()
    bad = good.replace("warn = 80.0", "warn = 81.0  # équipe").encode("latin-1")
    line = good[:good.index("warn = 80.0")].count("\n") + 1
    why = f"{path}:{line}: not UTF-8 text (byte 0xe9): save the file as UTF-8"
    path.write_bytes(bad)
    await _eventually(lambda: hub.reloader.error is not None)  # the watcher
    async with httpx.AsyncClient(base_url=hub.http_url) as client:
        health = (await client.get("/healthz")).json()
    assert health["config"]["error"] == why
    hub.reloader.error = None
    assert hub.reloader.reload_file() is None  # what SIGHUP does
    assert hub.reloader.error == why
    await ws.send(wire.encode({"type": "set_target", "scope": "team:support",
                               "kpi": "service_level_pct", "target": 88, "ref": "t"}))
    answer = await _until(ws, lambda f: f.get("ref") == "t")
    assert answer == {"type": "error", "reason": why, "ref": "t"}
    assert ws.close_code is None and path.read_bytes() == bad
    assert hub.config.thresholds[0].warn == 80.0  # still running on the old one
    assert hub.journal.config_changes() == []
