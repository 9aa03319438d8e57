"""Days and times typed on the command line (export --from/--to, replay journal --day/--at,
input --day, annotate --until, replay --at): one rule for all, the years of events
(1970..3000), and errors that name the option and what was typed. Run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from panneau.hub.cli.annotate_cmd import parse_until
from panneau.hub.server.journal import Journal

PANNEAU = str(Path(sys.executable).parent / "panneau")
OUTSIDE = "is outside the years of events (1970..3000)"
NOWHERE = ["--hub", "ws://127.0.0.1:9", "--token", "x" * 16]  # refused before connecting


@pytest.fixture
def config(tmp_path) -> str:
    Journal(tmp_path / "hub.db").close()
    path = tmp_path / "panneau.toml"
    path.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\ntimezone = "Europe/Paris"\n')
    return str(path)


@pytest.mark.parametrize(("args", "code", "said"), [
    (["export", "--from", "1969-12-31"], 2, f"panneau export: --from '1969-12-31' {OUTSIDE}"),
    (["export", "--to", "9999-12-31"], 2, f"panneau export: --to '9999-12-31' {OUTSIDE}"),
    (["export", "--from", "3001-01-01T10:00"], 2,
     f"panneau export: --from '3001-01-01T10:00' {OUTSIDE}"),
    (["export", "--from", "2026-13-01"], 2, "panneau export: --from '2026-13-01' is not a "
     "date (month must be in 1..12): give YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    (["export", "--to", "yesterday"], 2, "panneau export: --to 'yesterday' is not a date: "
     "give YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    (["replay", "journal", "--day", "0001-01-01"], 2,
     f"panneau replay journal: --day '0001-01-01' {OUTSIDE}"),
    (["replay", "journal", "--day", "2026-02-30"], 2, "panneau replay journal: --day "
     "'2026-02-30' is not a date (day is out of range for month): give YYYY-MM-DD"),
    (["replay", "journal", "--day", "2026-11-02", "--at", "25:00"], 2,
     "panneau replay journal: --at '25:00' is not a time of day (hour must be in 0..23): "
     "give HH:MM"),
    (["input", "leavers", "1", "--day", "0001-01-01", *NOWHERE], 2,
     f"panneau input: --day '0001-01-01' {OUTSIDE}"),
    (["input", "leavers", "1", "--day", "soon", *NOWHERE], 2,
     "panneau input: --day 'soon' is not a date: give YYYY-MM-DD"),
    (["annotate", *NOWHERE, "site/today/answered", "x", "--until", "9999-12-31T00:00"], 2,
     f"panneau annotate: --until '9999-12-31T00:00' {OUTSIDE}"),
])
def test_a_day_or_time_out_of_the_years_of_events_is_refused_naming_the_option(
        config, args, code, said):
    if args[0] in ("export", "replay"):
        args = [*args, "--config", config]
    out = subprocess.run([PANNEAU, *args], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stderr) == (code, said + "\n")


def test_the_first_and_last_days_of_those_years_are_taken(config):
    out = subprocess.run([PANNEAU, "export", "--config", config, "--from", "1970-01-01",
                          "--to", "2999-12-31"], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout) == (0, "time,scope,window,kpi,value,note\n"), out.stderr
    out = subprocess.run([PANNEAU, "replay", "journal", "--config", config, "--day",
                          "1970-01-01"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "no history sample stored that day" in out.stdout, out.stderr


@pytest.mark.parametrize("content", [b"", b"hub.db was overwritten by a text editor\n"])
def test_a_database_that_is_no_journal_is_named_not_a_traceback(tmp_path, content):
    """export and replay journal on such a file ended in sqlite3's OperationalError ('no
    such table: kpi_history') or DatabaseError ('file is not a database')."""
    (tmp_path / "hub.db").write_bytes(content)
    config = tmp_path / "panneau.toml"
    config.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n')
    said = f"{tmp_path / 'hub.db'} is not a Panneau journal (hub.database)"
    for args, code in ((["export", "--from", "2026-11-01"], 1),
                       (["replay", "journal", "--day", "2026-11-01"], 2)):
        out = subprocess.run([PANNEAU, *args, "--config", str(config)], capture_output=True,
                             text=True, timeout=60)
        assert (out.returncode, out.stderr) == (code, f"panneau {' '.join(args[:-2])}: "
                                                      f"{said}\n")


@pytest.fixture
def in_paris(monkeypatch):
    """This process's local time is Paris's."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield ZoneInfo("Europe/Paris")
    monkeypatch.undo()
    time.tzset()


def test_annotate_until_a_time_of_day_is_the_next_one(in_paris):
    """``--until 09:00`` given at 17:00 was this morning's 09:00, which the hub refuses: it is
    tomorrow's, over a change of the clocks too (the night of 28-29 March 2026: 15 h, not 16)."""
    evening = datetime(2026, 3, 28, 17, 0, tzinfo=in_paris).timestamp()
    assert parse_until("09:00", evening) == datetime(2026, 3, 29, 9, 0,
                                                     tzinfo=in_paris).timestamp()
    assert parse_until("09:00", evening) - evening == 15 * 3600
    assert parse_until("18:30", evening) == evening + 5400  # still ahead today: today's
    assert parse_until("17:00", evening) == evening + 23 * 3600  # now is not ahead: tomorrow
    assert parse_until("2026-03-29T09:00", evening) - evening == 15 * 3600  # that day's offset
