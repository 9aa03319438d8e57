"""deploy/panneau-hub.service: the hub as a system service, as docs/install.md sets it up
(``panneau init /var/lib/panneau``, then the unit). There was no unit for the hub at all."""

from __future__ import annotations

import shlex
from pathlib import Path

from panneau.hub.cli.hub_cmd import STOP_DEADLINE_S
from panneau.hub.cli.main import main
from panneau.hub.config import load_config
from panneau.hub.plugins import collect_sources, make_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "panneau-hub.service"


def settings() -> dict[str, str]:
    return dict(line.split("=", 1) for line in UNIT.read_text().splitlines()
                if line and line[0].isalpha() and "=" in line)


def test_the_unit_runs_the_hub_on_its_config_and_reloads_stops_and_restarts_it():
    unit = settings()
    command = shlex.split(unit["ExecStart"])
    assert command[0].endswith("/bin/panneau") and command[1:3] == ["hub", "--config"]
    config = Path(command[3])
    writable = unit["ReadWritePaths"].split()
    # the database next to the config (init puts it there) and the config itself, which
    # `panneau targets set` and a manager's set_target replace, are writable
    assert str(config.parent) in writable and unit["WorkingDirectory"] in writable
    assert unit["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert unit["Restart"] == "always" and unit["User"] == "panneau"
    assert float(unit["TimeoutStopSec"]) > STOP_DEADLINE_S  # the hub's own deadline first
    assert "--token" not in unit["ExecStart"]


def test_init_in_the_units_folder_puts_everything_the_hub_writes_there(tmp_path):
    folder = tmp_path / "var-lib-panneau"
    assert main(["init", str(folder)]) == 0
    config = load_config(folder / "panneau.toml", collect_sources(make_plugin_manager()))
    assert Path(config.hub.database).parent == folder.resolve()
    assert "panneau init /var/lib/panneau" in (ROOT / "docs" / "install.md").read_text()
