"""``panneau replay`` with a plugin's reader that has a bug (raises something other than
``ValueError``) or is interrupted (Ctrl+C on a reader that hangs): one line naming the reader,
its plugin, the file and how far it got, an exit code, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import TextIO

import pytest

from panneau.hub.cli.main import build_parser
from panneau.hub.cli.replay_pipe import can_fork
from panneau.hub.events import CallLost
from panneau.hub.hookspecs import hookimpl
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.sources import FileReader, ReadBatch, SourceSpec

PROCESSES = ["1", pytest.param("2", marks=pytest.mark.skipif(not can_fork(), reason="fork"))]


def _read(failure: BaseException) -> object:
    def read(stream: TextIO, source: str, options: Mapping[str, str]) -> Iterator[ReadBatch]:
        for number, _line in enumerate(stream, 1):
            if number == 3:
                raise failure
            yield ReadBatch([CallLost(ts=1795380000.0 + number, source=source,
                                      source_pos=str(number), call_id=f"c{number}",
                                      queue="support")])

    return read


class BuggyPlugin:
    """A third party's plugin whose readers fail at the file's third line."""

    @hookimpl
    def register_sources(self, register) -> None:
        readers = (FileReader("buggy_log", _read(KeyError("agent"))),
                   FileReader("stuck_log", _read(KeyboardInterrupt())))
        register(SourceSpec("buggy", factory=lambda options: None, readers=readers))


def replay(*argv: str) -> int:
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(BuggyPlugin(), name="panneau-buggy")
    args = build_parser(pm).parse_args(["replay", *argv])
    args.plugin_manager = pm
    return args.run(args)


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_a_reading_process_that_dies_is_said_so(log_file, capsys):
    """The reading process stopped alone (Ctrl+C sent to it only, killed): no traceback."""
    assert replay("stuck_log", str(log_file), "--processes", "2") == 1
    assert capsys.readouterr().err == (
        f"panneau replay: the stuck_log reader of plugin panneau-buggy failed on {log_file} "
        "after 2 events, the last from position 2 (8 of 8 bytes read): its process ended "
        "(exit code 0) before the end of the file (no figures)\n")


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "calls.log"
    path.write_text("a\nb\nc\nd\n")
    return path


@pytest.fixture
def no_cli_log_handler(monkeypatch):
    """Without the stderr handler an earlier ``panneau`` command in this process may have left
    on the root logger (``setup_logging``): the debug traceback is read through caplog, and
    stderr holds the command's own line only."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers",
                        [h for h in root.handlers if not getattr(h, "_panneau", False)])


@pytest.mark.parametrize("processes", PROCESSES)
def test_a_reader_that_raises_gets_one_line_naming_it_and_where_it_was(
        log_file, capsys, caplog, no_cli_log_handler, processes):
    caplog.set_level(logging.DEBUG, "panneau.hub.cli.replay_cmd")
    assert replay("buggy_log", str(log_file), "--processes", processes) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (f"panneau replay: the buggy_log reader of plugin panneau-buggy failed on "
                       f"{log_file} after 2 events, the last from position 2 (8 of 8 bytes "
                       "read): KeyError: 'agent' (a bug of that plugin: --log-level debug shows "
                       "where; no figures)\n")
    trace = "\n".join(r.getMessage() for r in caplog.records)
    assert "in read\n" in trace and "raise failure" in trace  # the plugin's own frame


def test_ctrl_c_on_a_reader_that_hangs_says_where_it_was(log_file, capsys):
    """Ctrl+C raises KeyboardInterrupt where the reader waits (read in this process)."""
    assert replay("stuck_log", str(log_file), "--processes", "1") == 130
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (f"panneau replay: interrupted; the stuck_log reader of plugin "
                       f"panneau-buggy was on {log_file} after 2 events, the last from "
                       "position 2 (8 of 8 bytes read); no figures\n")
