"""The demo's nats-server ends with the demo's process, however that ends: a demo killed
(a closed terminal, ``kill -9``) left its nats-server running on its port, with its store."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from panneau.plugins.simulator.command import nats_server_binary
from tests.hub.conftest import eventually

CHILD = """
import asyncio, sys
from pathlib import Path
from panneau.plugins.simulator.command import nats_server

async def main():
    async with nats_server(Path(sys.argv[1])) as url:
        print(url, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


def _alive_with(marker: str) -> list[int]:
    """Pids of live (not zombie) processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError, ValueError):
            continue
        if marker in cmd and "nats-server" in cmd and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux") or nats_server_binary() is None,
                    reason="Linux's parent-death signal and a nats-server binary")
async def test_the_demos_nats_server_ends_when_the_demo_is_killed(tmp_path):
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(tmp_path), stdout=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(60):
            url = (await child.stdout.readline()).decode().strip()
        assert url.startswith("nats://127.0.0.1:")
        assert len(_alive_with(str(tmp_path))) == 1
        os.kill(child.pid, signal.SIGKILL)  # no finally runs in the demo
        await child.wait()
        await eventually(lambda: not _alive_with(str(tmp_path)), 30,
                         "the nats-server ends with its parent")
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        for pid in _alive_with(str(tmp_path)):  # only a failing run leaves one
            os.kill(pid, signal.SIGKILL)
