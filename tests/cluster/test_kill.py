"""Real processes, kill -9 at any moment: a site hub, an edge hub and the nats-server itself.

The site follows a real Asterisk queue_log (tests/fixtures/asterisk_live) written in chunks;
after each chunk one of the three processes is killed with SIGKILL and started again. At the
end every hub's journal, and so its figures, equals a replay of the queue_log: nothing lost,
nothing counted twice.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from panneau.hub.config import parse_config
from panneau.hub.events import event_from_dict, event_to_dict
from panneau.hub.testing import figures
from panneau.plugins.asterisk.queue_log import parse_lines
from tests.cluster.conftest import free_port

LIVE = Path(__file__).parents[1] / "fixtures" / "asterisk_live" / "queue_log"
TEAMS = """
[queues.support]
service_level_s = 20
[queues.sales]
service_level_s = 20
[[teams]]
id = "support"
queues = ["support"]
agents = ["Alice", "Bob", "Carol"]
[[teams]]
id = "sales"
queues = ["sales"]
agents = ["Dave", "Erin"]
[[tokens]]
role = "manager"
token = "manager-token-1"
"""


def hub_text(db: Path, cluster: str, sources: str = "") -> str:
    return (f'[hub]\nlisten = "127.0.0.1:{free_port()}"\n'
            f'http_listen = "127.0.0.1:{free_port()}"\ndatabase = "{db}"\n'
            f"{TEAMS}{sources}[cluster]\n{cluster}")


class HubProcess:
    """``panneau hub --config FILE`` in its own process."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log, self.proc = config, log, None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "panneau.hub.cli.main", "hub", "--config",
                 str(self.config)], stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def journal(db: Path) -> list[dict]:
    """The events a hub journalled, as :func:`_content`."""
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=10) as conn:
        try:
            rows = conn.execute("SELECT data FROM events ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # the hub has not created its tables yet
            return []
    return [_content(json.loads(data)) for (data,) in rows]


def _content(event: dict) -> dict:
    """An event without where it came from (source name and position differ by reader)."""
    return {k: v for k, v in event.items() if k not in ("source", "source_pos")}


def wait(predicate, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_kill_9_of_site_edge_or_server_loses_and_doubles_nothing(tmp_path, nats_server):
    lines = LIVE.read_text().splitlines(keepends=True)
    replay = parse_lines([ln.rstrip("\n") for ln in lines], source="pbx")
    expected = [_content(event_to_dict(e)) for e in replay.events]
    queue_log = tmp_path / "queue_log"
    queue_log.write_text("")
    site_db, edge_db = tmp_path / "site.db", tmp_path / "edge.db"
    site_toml, edge_toml = tmp_path / "site.toml", tmp_path / "edge.toml"
    source = (f'[[sources]]\nname = "pbx"\nplugin = "asterisk_queue_log"\n'
              f'[sources.options]\npath = "{queue_log}"\npoll_interval_s = 0.05\n')
    site_toml.write_text(hub_text(site_db, f'role = "site"\nsite = "paris"\nservers = '
                                           f'["{nats_server.url}"]\nheartbeat_s = 0.2\n', source))
    edge_toml.write_text(hub_text(edge_db, f'role = "edge"\nsites = ["paris"]\nservers = '
                                           f'["{nats_server.url}"]\n'))
    site = HubProcess(site_toml, tmp_path / "site.log")
    edge = HubProcess(edge_toml, tmp_path / "edge.log")
    victims = ["site", "edge", "nats", "site", "edge", "nats", "site", "edge"]
    chunk = len(lines) // (len(victims) + 1) + 1
    try:
        site.start()
        edge.start()
        for i, victim in enumerate(victims):
            seen = len(journal(site_db))  # before the lines: the site may read them at once
            with queue_log.open("a") as f:
                f.writelines(lines[i * chunk:(i + 1) * chunk])
            wait(lambda s=seen: len(journal(site_db)) > s, "the site reading the new lines")
            if victim == "nats":
                nats_server.kill()
                nats_server.start()
            else:
                process = site if victim == "site" else edge
                process.kill()
                process.start()
        with queue_log.open("a") as f:
            f.writelines(lines[len(victims) * chunk:])
        wait(lambda: len(journal(site_db)) == len(expected), "the site journal to be whole")
        wait(lambda: len(journal(edge_db)) >= len(expected), "the edge to catch up")
    finally:
        site.stop()
        edge.stop()
    assert journal(site_db) == expected  # nothing lost or doubled by the site's restarts
    assert journal(edge_db) == expected  # nor by the edge's, the server's or the site's
    config = parse_config(TEAMS, "teams.toml")
    at = 1795378657.0 + 3600
    replayed = figures([event_from_dict(e) for e in expected], config=config, at=at)
    assert figures([event_from_dict(e) for e in journal(edge_db)], config=config,
                   at=at) == replayed
