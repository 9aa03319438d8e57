"""The command line: every subcommand explains itself; unbuilt ones say so and fail."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from panneau.hub.cli.main import build_parser, main, standalone_command
from panneau.hub.plugins import collect_commands, make_plugin_manager
from panneau.plugins import STANDALONE_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(build_parser(make_plugin_manager(load_entry_points=False))
                  ._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_design_commands_exist():
    for name in ("hub", "kiosk", "overlay", "console", "demo", "replay", "config", "plugins",
                 "message", "export", "plugin", "import-survey"):
        assert name in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: panneau {command}" in out
    assert "example:\n  panneau " in out


def test_a_standalone_command_is_the_one_its_plugin_registers():
    registry = collect_commands(make_plugin_manager(load_entry_points=False))
    for name, module in STANDALONE_COMMANDS.items():
        assert registry.specs[name] is importlib.import_module(module).COMMAND


@pytest.mark.parametrize(("argv", "name"), [
    (["kiosk", "--hub", "ws://h:1"], "kiosk"),
    (["--log-level", "debug", "kiosk"], "kiosk"),
    (["--log-level=debug", "kiosk", "--help"], "kiosk"),
    (["--help", "kiosk"], None),  # the whole command line's help
    (["--version", "kiosk"], None),
    (["overlay", "--hub", "ws://h:1"], None),
    (["hub"], None),
    ([], None),
])
def test_which_command_lines_run_without_loading_the_plugins(argv, name):
    spec = standalone_command(argv)
    assert (spec.name if spec else None) == name


def test_a_standalone_command_refuses_bad_input_like_the_others(capsys):
    assert main(["kiosk", "--hub", "http://hub.lan:8765", "--token", "t"]) == 2
    assert "panneau kiosk: not a hub address: 'http://hub.lan:8765'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["kiosk", "--token", "t"])
    assert info.value.code == 2
    assert "the following arguments are required: --hub" in capsys.readouterr().err


def test_top_level_help_lists_commands():
    result = subprocess.run([sys.executable, "-m", "panneau.hub.cli.main", "--help"],
                            capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert name in result.stdout


def test_config_check_ok_on_the_example_with_every_plugin(capsys):
    assert main(["config", "check", str(ROOT / "panneau.example.toml")]) == 0
    assert capsys.readouterr().out.endswith("panneau.example.toml: OK\n")


def test_config_check_lists_every_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[hub]\nport = 1\n[[teams]]\nid = "a"\n[[teams]]\nid = "a"\n')
    assert main(["config", "check", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("bad.toml:2: hub.port: unknown key (known keys: " + out[0].split(
        "known keys: ")[1])
    assert out[1].endswith("bad.toml:6: teams[1].id: duplicate team id 'a'")
    assert out[2] == "2 problems found"


def test_plugins_lists_entry_point_plugin(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "echo  [panneau-echo 0.0.1 (entry point)]" in out
    assert "    sources: echo" in out


def test_log_level_is_validated(capsys):
    with pytest.raises(SystemExit):
        main(["--log-level", "loud", "plugins"])


def test_replay_names_the_readers_it_knows_and_checks_their_options(tmp_path, capsys):
    log = tmp_path / "queue_log"
    log.write_text("1767261600|c1|support|NONE|ENTERQUEUE||+331|1\n")
    assert main(["replay", "nope", str(log)]) == 2
    err = capsys.readouterr().err
    assert "no source reads 'nope' files" in err
    assert "asterisk_queue_log, csv_calls, queue_log, queue_log_csv" in err
    assert main(["replay", "queue_log", str(log), "--option", "timezone=UTC"]) == 2
    assert capsys.readouterr().err == ("panneau replay: --option 'timezone=UTC': queue_log "
                                       "files take no --option\n")  # said 'KEY in: none'
    assert main(["replay", "queue_log"]) == 2
    assert "queue_log needs a FILE" in capsys.readouterr().err
    # the source kind's name replays with its first reader
    assert main(["replay", "asterisk_queue_log", str(log), "--json"]) == 0
    assert '"calls_waiting": 1' in capsys.readouterr().out
