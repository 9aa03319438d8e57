"""SIGKILL the hub process while the simulator feeds it, restart it: nothing lost or doubled."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from panneau.hub.events import event_to_dict
from panneau.hub.server.journal import Journal
from panneau.plugins.simulator.model import Simulation
from panneau.plugins.simulator.options import SimulatorOptions

PANNEAU = Path(sys.executable).parent / "panneau"
OPTIONS = {"scenario": "incident", "seed": 5, "warmup_s": 300.0}

CONFIG = """
[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{db}"
clock_speed = 500.0

[[sources]]
name = "pbx"
plugin = "simulator"
[sources.options]
scenario = "incident"
seed = 5
warmup_s = 300.0

[[tokens]]
role = "manager"
token = "manager-token-1"
"""


def _start(config: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PANNEAU_LOAD_PLUGINS": ""}
    proc = subprocess.Popen([str(PANNEAU), "--log-level", "warning", "hub", "--config",
                             str(config)], stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()  # "panneau hub: websocket ws://... http http://..."
    assert line.startswith("panneau hub:"), line
    return proc, line.split()[-1]


def _health(http: str) -> dict:
    with urllib.request.urlopen(http + "/healthz", timeout=5) as response:
        return json.load(response)


def _wait_accepted(http: str, at_least: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = _health(http)
        if health["events_accepted"] >= at_least:
            return health
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} events accepted in {timeout} s")


def test_sigkill_while_feeding_then_restart_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "crash.db"
    config = tmp_path / "hub.toml"
    config.write_text(CONFIG.format(db=db))
    proc, http = _start(config)
    try:
        first = _wait_accepted(http, 400)["events_accepted"]
        before_kill = _wait_accepted(http, first + 1)["events_accepted"]  # still feeding
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    journal = Journal(db)
    kept = journal.count_events("pbx")
    assert kept >= before_kill  # everything the hub said it accepted is in the journal
    journal.close()

    proc, http = _start(config)
    try:
        _wait_accepted(http, 200)  # the new process resumed after the checkpoint
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()

    journal = Journal(db)
    checkpoint = journal.checkpoint("pbx")
    stored = [event_to_dict(e) for e in journal.events()]
    journal.close()
    assert len(stored) >= kept + 200
    positions = [int(e["source_pos"]) for e in stored]
    assert positions == list(range(positions[0], positions[0] + len(stored)))  # no gap, no dup
    # the same seed and origin, simulated in one go up to the checkpoint, gives exactly
    # the journalled events: none lost at the kill, none emitted twice after the restart
    sim = Simulation(SimulatorOptions(**OPTIONS), checkpoint["origin"], "pbx")
    expected = [event_to_dict(e) for e in sim.advance(checkpoint["reached"])]
    assert stored == expected
