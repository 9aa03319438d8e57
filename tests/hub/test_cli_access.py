"""How CLI commands reach the hub: token from a file or the environment, at-once errors."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.hub.conftest import AGENTS

PANNEAU = Path(sys.executable).parent / "panneau"
TEAMS = ", ".join(sorted(AGENTS))  # the teams of the test hub's config


async def panneau(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        str(PANNEAU), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})})
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_message_takes_its_token_from_a_file_or_the_environment(start_hub, tools,
                                                                      tmp_path):
    token_file = tmp_path / "manager.token"
    token_file.write_text(tools.MANAGER + "\n")
    async with start_hub() as hub:
        code, out, err = await panneau("message", "--hub", hub.ws_url, "--token-file",
                                       str(token_file), "--team", "support", "from a file")
        assert code == 0 and out.startswith("sent message "), err
        code, out, err = await panneau("message", "--hub", hub.ws_url, "from the environment",
                                       env={"PANNEAU_TOKEN": tools.MANAGER})
        assert code == 0 and out.startswith("sent message "), err
        texts = {m.text for m in hub.manager.messages}
        assert texts == {"from a file", "from the environment"}
    env = {"PANNEAU_TOKEN": ""}
    code, _, err = await panneau("message", "--hub", "ws://127.0.0.1:9", "hi", env=env)
    assert code == 2 and "no token: give --token-file FILE, set $PANNEAU_TOKEN" in err
    code, _, err = await panneau("message", "--hub", "ws://127.0.0.1:9", "--token-file",
                                 str(tmp_path / "nope.token"), "hi")
    assert code == 2 and f"cannot read the token file {tmp_path / 'nope.token'}" in err


async def test_a_message_to_a_team_or_agent_the_hub_lacks_says_the_hub_refused_it(
        start_hub, tools):
    """``--team nope`` said only ``no team 'nope'`` (exit 1): nothing told that the hub, the
    only one that knows the teams, refused it, nor which teams it has."""
    async with start_hub() as hub:
        args = ("message", "--hub", hub.ws_url, "--token", tools.MANAGER)
        code, out, err = await panneau(*args, "--team", "nope", "Huddle at 3")
        assert (code, out, err) == (1, "", "panneau message: the hub refused it: no team "
                                           f"'nope' in the hub's config (its teams: {TEAMS})\n")
        code, out, err = await panneau(*args, "--agent", "nobody", "Huddle at 3")
        assert (code, out, err) == (1, "", "panneau message: the hub refused it: no agent "
                                           "'nobody' in any team of the hub's config\n")
        assert hub.manager.messages == []
        code, out, err = await panneau(*args, "--team", "support", "Huddle at 3")
        assert code == 0 and out.startswith("sent message "), err
        assert [m.team for m in hub.manager.messages] == ["support"]



async def test_annotate_until_a_time_of_day_already_past_means_tomorrow(start_hub, tools):
    """``--until 09:00`` given after 09:00 was sent as this morning's 09:00: the hub refused
    it ("annotation until is not in the future", exit 1) where a manager means tomorrow's."""
    key = "team:support/today/service_level_pct"
    past = datetime.now(UTC) - timedelta(minutes=2)
    async with start_hub() as hub:
        code, out, err = await panneau("annotate", "--hub", hub.ws_url, "--token", tools.MANAGER,
                                       key, "storm", "--until", f"{past:%H:%M}",
                                       env={"TZ": "UTC"})
        assert (code, out) == (0, f"commented {key}\n"), err
        note = hub.journal.annotations()[key]
        assert 86400 - 600 < note["until"] - note["ts"] <= 86400 - 120

async def test_message_to_a_closed_port_or_a_bare_address_fails_at_once(tools):
    guard = socket.socket()  # bound, not listening: connections to it are refused
    guard.bind(("127.0.0.1", 0))
    port = guard.getsockname()[1]
    try:
        code, _, err = await panneau("message", "--hub", f"ws://127.0.0.1:{port}", "--token",
                                     tools.MANAGER, "--timeout", "120", "hi")
    finally:
        guard.close()
    assert code == 1
    assert f"connection refused by ws://127.0.0.1:{port}" in err
    assert "no answer" not in err  # it did not wait for the 120 s timeout
    for url in (f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"):
        code, _, err = await panneau("message", "--hub", url, "--token", tools.MANAGER, "hi")
        assert code == 2 and "use ws://HOST:PORT" in err, err  # as the screens: 1 said the
        # hub refused what was never sent


async def test_screens_say_what_is_wrong_before_starting(tools, tmp_path):
    binary = tmp_path / "token.bin"
    binary.write_bytes(b"\xa9\xff\x00token")
    cases = [
        (["kiosk", "--hub", "localhost:8765", "--token", "x" * 10], "use ws://HOST:PORT"),
        (["overlay", "--hub", "ws://127.0.0.1:9", "--token-file", str(tmp_path / "missing")],
         "cannot read the token file"),
        (["console", "--hub", "ws://127.0.0.1:9", "--token", "x" * 10, "--ca-file", "ca.pem"],
         "need a wss:// hub address"),
        # a token file that is no text (the key pasted from a binary, a wrong file): it said
        # only "'utf-8' codec can't decode byte 0xa9…", naming no file
        (["kiosk", "--hub", "ws://127.0.0.1:9", "--token-file", str(binary)],
         f"{binary}:1: not UTF-8 text (byte 0xa9): is it the token file?"),
        (["kiosk", "--hub", "wss://127.0.0.1:9", "--token", "x" * 10, "--ca-file",
          str(tmp_path / "missing.pem")], "cannot use"),
        # the commands that send the hub one request: exit 1 as if the hub had refused
        (["message", "--hub", "ws://127.0.0.1:9", "--token", "x" * 10, "--ca-file", "ca.pem",
          "hi"], "need a wss:// hub address"),
        (["input", "--hub", "ws://127.0.0.1:9", "--token-file", str(binary), "leavers", "1"],
         f"{binary}:1: not UTF-8 text (byte 0xa9): is it the token file?"),
        (["annotate", "--hub", "wss://127.0.0.1:9", "--token", "x" * 10, "--ca-file",
          str(tmp_path / "missing.pem"), "site/today/offered", "x"], "cannot use"),
    ]
    for args, words in cases:
        code, _, err = await panneau(*args, env={"PANNEAU_TOKEN": ""})
        assert code == 2 and words in err, (args, err)


async def test_annotate_sets_and_removes_a_comment_and_export_lists_both(
        start_hub, tools, tmp_path):
    key = "team:support/today/service_level_pct"
    async with start_hub() as hub:
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        await tools.recv(kiosk)
        args = ("annotate", "--hub", hub.ws_url, "--token", tools.MANAGER)
        code, out, err = await panneau(*args, key, "phone outage 10:05-10:40", "--until", "2h")
        assert (code, out) == (0, f"commented {key}\n"), err
        [*_, shown] = await tools.recv_until(
            kiosk, lambda f: f["type"] == "delta" and f"annotation:{key}" in f["set"])
        note = shown["set"][f"annotation:{key}"]
        assert note["text"] == "phone outage 10:05-10:40" and note["by"] == "boss"
        assert 7190 < note["until"] - note["ts"] <= 7200
        code, out, err = await panneau(*args, "--remove", key)
        assert (code, out) == (0, f"removed the comment of {key}\n"), err
        await tools.recv_until(
            kiosk, lambda f: f["type"] == "delta" and f"annotation:{key}" in f["unset"])
        code, out, err = await panneau(*args, "--remove", key)  # said "removed" too
        assert (code, out, err) == (1, "", f"panneau annotate: no annotation {key}\n")
        code, _, err = await panneau(*args, "team:support/answered", "no window")
        assert code == 2 and "annotation key must be <scope>/<window>/<kpi>" in err
        code, _, err = await panneau(*args, "team:support/today/happiness", "x")
        assert (code, err) == (2, "panneau annotate: unknown KPI 'happiness'\n")
        code, _, err = await panneau(*args, "team:nope/today/answered", "x")  # the hub's config
        assert (code, err) == (1, "panneau annotate: the hub refused it: no team 'nope' in "
                                  f"the hub's config (its teams: {TEAMS})\n")
        code, _, err = await panneau(*args, key, "x", "--until", "soon")
        assert code == 2 and "--until: not a duration, HH:MM or date-time: 'soon'" in err
        code, _, err = await panneau(*args, key)
        assert code == 2 and "give TEXT, or --remove" in err
        await kiosk.close()
    config = tmp_path / "hub.toml"
    config.write_text(tools.config_text(str(tmp_path / "hub.db")))
    code, out, err = await panneau("export", "--config", str(config), "--scope", "team:support")
    assert code == 0, err
    rows = [line.split(",", 5) for line in out.splitlines()]
    assert rows[0] == ["time", "scope", "window", "kpi", "value", "note"]
    notes = [(r[1], r[2], r[3], r[4], r[5]) for r in rows[1:] if r[5]]
    assert notes[0][:4] == ("team:support", "today", "service_level_pct", "")
    assert notes[0][4].startswith("phone outage 10:05-10:40 (until ")
    assert notes[1] == ("team:support", "today", "service_level_pct", "", "(removed)")
    assert len(notes) == 2  # the removal of nothing is not logged


async def test_message_expires_out_of_bounds_is_refused_naming_the_option(start_hub, tools):
    async with start_hub() as hub:
        sent = ("message", "--hub", hub.ws_url, "--token", tools.MANAGER)
        for expires, words in (("8d", "--expires 8d is over 7d (604800 s)"),
                               ("0", "--expires 0 must be over 0 s"),
                               ("soon", "--expires: not a duration: 'soon' (seconds, or "
                                        "with a unit: 90s, 30m, 2h, 1d)")):
            code, _, err = await panneau(*sent, "--expires", expires, "lost")
            assert code == 2 and words in err, (expires, err)
            assert "expires_s" not in err
        code, out, err = await panneau(*sent, "--expires", "7d", "a week")
        assert code == 0 and out.startswith("sent message "), err
        code, out, err = await panneau(*sent, "--expires", "90", "ninety seconds")
        assert code == 0, err
        kept = {m.text: m.expires - m.sent for m in hub.manager.messages}
        assert kept == {"a week": 7 * 86400, "ninety seconds": 90}
