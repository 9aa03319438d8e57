"""Every command that reads or writes the journal, given a ``hub.database`` that cannot be one
(a folder, another program's file): one line naming the file and why, never a sqlite3
traceback, and nothing changed — the config file ``targets set`` edits included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PANNEAU = str(Path(sys.executable).parent / "panneau")
THRESHOLD = '[[thresholds]]\nkpi = "calls_waiting"\nwarn = 3.0\nalert = 6.0\n'


@pytest.fixture(params=["folder", "notes"])
def database(request, tmp_path) -> tuple[Path, str]:
    """The unusable ``hub.database`` and the end of what commands that write it say."""
    if request.param == "folder":
        path = tmp_path / "hub.db"
        path.mkdir()
        return path, "it is a folder"
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n")
    return path, "it is not an SQLite database (another program's file?)"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PANNEAU, *args], capture_output=True, text=True, timeout=60)


def test_commands_name_a_database_that_cannot_be_the_journal(tmp_path, database):
    path, why = database
    config = tmp_path / "panneau.toml"
    text = f'[hub]\ndatabase = "{path}"\n{THRESHOLD}'
    config.write_text(text)
    cannot = f"cannot use {path} as the hub's database: {why}"

    out = run("targets", "set", "site", "calls_waiting", "--warn", "4", "--config", str(config))
    assert (out.returncode, out.stderr) == (
        2, f"panneau targets set: refused, nothing changed:\npanneau targets set: {cannot}\n")
    assert config.read_text() == text

    (tmp_path / "s.csv").write_text("id,t,s\nr1,2026-11-30T05:00:00Z,5\n")
    (tmp_path / "m.toml").write_text('survey = "csat"\n[fields]\nid = "id"\ntime = "t"\n'
                                     'score = "s"\n')
    out = run("import-survey", str(tmp_path / "s.csv"), "--mapping", str(tmp_path / "m.toml"),
              "--config", str(config))
    assert (out.returncode, out.stderr) == (2, f"panneau import-survey: {cannot}\n")

    said = f"{path} is not a Panneau journal (hub.database)"
    for args, code in ((["export", "--from", "2026-11-01"], 1),
                       (["replay", "journal", "--day", "2026-11-01"], 2)):
        out = run(*args, "--config", str(config))
        assert (out.returncode, out.stderr) == (code, f"panneau {' '.join(args[:-2])}: "
                                                      f"{said}\n")
    if path.is_file():
        assert path.read_text() == "my notes, not a database\n"
    else:
        assert list(path.iterdir()) == []
