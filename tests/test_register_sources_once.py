"""A plugin's ``register_sources`` hook is called once by a hub: at its start, not again.

``panneau hub`` called it twice at start (once to check the config, once more in the hub it
then built), and again on each reload (twice for a manager's ``set_target``: the file's
check, then the reload). A real ``panneau hub`` process with a real installed plugin that
counts its calls in a file (its source the echo plugin's: tests/plugin_dists).
"""

from __future__ import annotations

import asyncio
import json
import signal
import urllib.request
from pathlib import Path

from tests.hub.conftest import eventually
from tests.test_plugins import PANNEAU, _env, install_plugin

COUNTED = '''
import os

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau_echo import EchoOptions, EchoSource


@hookimpl
def register_sources(register):
    with open(os.environ["COUNTED_CALLS"], "a") as calls:
        calls.write("register_sources\\n")
    register(SourceSpec(name="counted", factory=EchoSource, options=EchoOptions))
'''


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


async def test_a_hub_calls_register_sources_once_at_start_and_not_on_reload(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "counted", COUNTED)
    calls: Path = tmp_path / "calls.txt"
    config = tmp_path / "panneau.toml"
    config.write_text('[hub]\nlisten = "127.0.0.1:0"\nhttp_listen = "127.0.0.1:0"\n'
                      f'database = "{tmp_path / "hub.db"}"\n'
                      '[[sources]]\nname = "pbx"\nplugin = "counted"\n'
                      '[[tokens]]\nrole = "manager"\ntoken = "manager-token-1"\n')
    env = {**_env(site), "PANNEAU_LOAD_PLUGINS": "counted", "COUNTED_CALLS": str(calls)}
    with (tmp_path / "hub.log").open("w") as log:  # a file: a full pipe would stop the hub
        proc = await asyncio.create_subprocess_exec(
            PANNEAU, "hub", "--config", str(config), env=env, stdout=asyncio.subprocess.PIPE,
            stderr=log)
    try:
        async with asyncio.timeout(60):
            urls = (await proc.stdout.readline()).decode().split()
            assert "http" in urls, urls
            http_url = urls[urls.index("http") + 1]
        await eventually(lambda: _get(f"{http_url}/healthz")["sources"].get("pbx", {}).get(
            "status") == "live", timeout=60, what="the source live")
        assert calls.read_text().splitlines() == ["register_sources"]  # once at start
        proc.send_signal(signal.SIGHUP)  # a reload: the sources the hub knows, kept
        await eventually(lambda: _get(f"{http_url}/healthz")["config"]["reloads"] >= 1,
                         timeout=60, what="the reload done")
        assert calls.read_text().splitlines() == ["register_sources"]
    finally:
        if proc.returncode is None:
            proc.terminate()
        await asyncio.wait_for(proc.communicate(), 60)
