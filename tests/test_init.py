"""``panneau init``: a config that checks, random tokens in 0600 files that the hub accepts."""

from __future__ import annotations

import asyncio
import os
import stat
import tomllib

import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.cli.main import main
from panneau.hub.config import load_config
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.hub.server.app import Hub


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def first_frame(url: str, token: str) -> dict:
    async with connect(url) as ws:
        await ws.send(wire.encode({"type": "hello", "v": 1, "token": token}))
        return wire.decode_hub(await asyncio.wait_for(ws.recv(), 10))


@pytest.mark.parametrize("hashed", [False, True])
async def test_init_writes_a_config_whose_token_files_open_the_screens(tmp_path, capsys, hashed):
    folder = tmp_path / "site"
    assert main(["init", str(folder), *(["--hash"] if hashed else [])]) == 0
    out = capsys.readouterr().out
    config_path, tokens = folder / "panneau.toml", folder / "tokens"
    assert f"--token-file {tokens / 'kiosk-support.token'}" in out
    assert mode(config_path) == 0o600 and mode(tokens) == 0o700
    files = sorted(tokens.iterdir())
    assert {mode(f) for f in files} == {0o600}
    values = {f.stem: f.read_text().strip() for f in files}
    assert len(set(values.values())) == len(values) and min(map(len, values.values())) >= 8
    text = config_path.read_text()
    assert ("token_sha256" in text) is hashed
    assert any(v in text for v in values.values()) is not hashed
    assert "8 characters or more" in text
    # what the hub does with a changed token (it said "then restart the hub": no need)
    assert "restart the hub" not in text and "no restart" in text
    tomllib.loads(text)
    config = load_config(config_path, collect_sources(make_plugin_manager()))
    assert config.hub.database == str(folder.resolve() / "panneau.db")
    config.hub.listen = config.hub.http_listen = "127.0.0.1:0"
    async with Hub(config) as hub:
        kiosk = await first_frame(hub.ws_url, values["kiosk-support"])
        assert kiosk["type"] == "snapshot" and kiosk["view"]["meta"]["team"] == "support"
        agent = await first_frame(hub.ws_url, values["agent-alice"])
        assert agent["view"]["meta"]["identity"] == "alice"
        assert (await first_frame(hub.ws_url, values["manager"]))["type"] == "snapshot"


def test_init_overwrites_nothing(tmp_path, capsys):
    (tmp_path / "panneau.toml").write_text("# mine\n")
    assert main(["init", str(tmp_path)]) == 1
    assert "panneau.toml exists: nothing was written" in capsys.readouterr().err
    assert (tmp_path / "panneau.toml").read_text() == "# mine\n"
    assert not (tmp_path / "tokens").exists()
