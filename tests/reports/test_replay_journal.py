"""``panneau replay journal``: a stored day recomputed from the journal, figure by figure."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from panneau.hub.cli.main import main
from panneau.hub.config import load_config, parse_config
from panneau.hub.engine import Engine
from panneau.hub.events import AgentLoggedIn, CallAbandoned, CallAnswered, CallEnded, CallEntered
from panneau.hub.reports.replay_day import replay_day
from panneau.hub.server.app import Hub
from panneau.hub.server.history import History
from panneau.hub.server.journal import Journal
from tests.hub.conftest import config_text, eventually


def _at(hh, mm, ss=0):
    return datetime(2026, 11, 2, hh, mm, ss, tzinfo=ZoneInfo("Europe/Paris")).timestamp()


def _record(config_path, tamper: bool) -> None:
    config = load_config(config_path)
    journal = Journal(config.hub.database)
    journal.db.execute("DELETE FROM kpi_history")  # the conftest's samples: not this day's
    journal.db.conn.commit()
    engine, history = Engine(config), History(journal, config)

    def accept(*events):
        journal.accept("pbx", events, None, False, max(e.ts for e in events))
        for event in events:
            engine.apply(event)

    def sample(hh, mm, ss=30):
        history.sample(_at(hh, mm, ss), engine.snapshot(_at(hh, mm, ss)))

    accept(AgentLoggedIn(ts=_at(8, 0), agent="ag-ann", queue="support"),
           AgentLoggedIn(ts=_at(8, 0), agent="ag-ben", queue="support"))
    sample(8, 0)
    accept(CallEntered(ts=_at(8, 1), call_id="c1", queue="support"),
           CallAnswered(ts=_at(8, 1, 10), call_id="c1", queue="support", agent="ag-ann",
                        hold_s=10.0))
    sample(8, 1)
    accept(CallEntered(ts=_at(8, 2), call_id="c2", queue="support"),
           CallAbandoned(ts=_at(8, 2, 30), call_id="c2", queue="support", wait_s=30.0))
    sample(8, 2)
    accept(CallEnded(ts=_at(8, 3, 10), call_id="c1", queue="support", agent="ag-ann",
                     hold_s=10.0, talk_s=120.0, ended_by="agent"))
    sample(8, 3)
    sample(8, 4)  # c3 happened (08:03:40) but the hub does not know yet
    accept(CallEntered(ts=_at(8, 4, 40), call_id="c4", queue="support"))
    accept(CallEntered(ts=_at(8, 3, 40), call_id="c3", queue="support"),
           CallAnswered(ts=_at(8, 3, 50), call_id="c3", queue="support", agent="ag-ben",
                        hold_s=10.0))
    sample(8, 5)
    if tamper:  # a figure the events cannot give
        with journal.db.conn:
            journal.db.execute("UPDATE kpi_history SET value = 9 WHERE ts = ? AND key = ?",
                               [_at(8, 5, 30), "site/today/offered"])
    journal.close()


def _replay(capsys, config, *extra):
    code = main(["replay", "journal", "--config", str(config), "--day", "2026-11-02", *extra])
    return code, capsys.readouterr().out


def test_a_day_is_reproduced_and_late_events_explained(report_config, capsys):
    config, _ = report_config
    _record(config, tamper=False)
    code, out = _replay(capsys, config)
    assert code == 0, out
    summary = out.splitlines()[0]
    assert re.search(r"6 samples, \d+ figures compared", summary)
    assert "(0 unexplained); 10 events replayed" in summary
    # the wall said 1 answered at 08:04:30; c3 (answered 08:03:50) arrived later
    assert ("08:04:30 site/today/answered: wall 1, replay 2: events dated before this "
            "sample were accepted after it (late: 2 from pbx)") in out
    # by 08:05:30 the wall had c3 too, ben's occupancy included: the engine put the late call
    # in its place (from 08:03:50), as the replay does
    later = [line for line in out.splitlines() if line.startswith("  08:05:30")]
    assert later == []
    assert "no sample from 00:00:00 to 08:00:30" in out


def test_an_unexplained_difference_fails_and_at_lists_every_figure(report_config, capsys):
    config, _ = report_config
    _record(config, tamper=True)
    code, out = _replay(capsys, config)
    assert code == 1
    assert ("08:05:30 site/today/offered: wall 9, replay 4: no late event, restart or "
            "pruning explains it") in out
    code, out = _replay(capsys, config, "--at", "08:05")
    assert "\nsample at 08:04:30:\n" in out
    line = next(x for x in out.splitlines() if "site/today/answered" in x)
    assert line.startswith("  ≠ site/today/answered") and line.endswith("wall 1  replay 2")
    code, out = _replay(capsys, config, "--at", "08:05:45", "--json")
    body = json.loads(out)
    assert body["unexplained"] == 1 and [s["time"] for s in body["samples"]] == [
        "2026-11-02T08:05:30+01:00"]
    figure = next(f for f in body["samples"][0]["figures"] if f["key"] == "site/today/offered")
    assert figure == {"key": "site/today/offered", "wall": 9.0, "replay": 4.0}


@pytest.mark.parametrize(("extra", "reason"), [
    (["--day", "2026-02-30"], "--day '2026-02-30' is not a date (day is out of range for "
                              "month): give YYYY-MM-DD\n"),
    ([], "--day YYYY-MM-DD is required"),
    (["some.file", "--day", "2026-11-02"], "takes no FILE"),
    (["--day", "2026-11-02", "--at", "8h"], "--at '8h' is not a time of day: give HH:MM\n"),
    # it raised OverflowError (a traceback) for the last day a date holds
    (["--day", "9999-12-31"], "--day '9999-12-31' is outside the years of events (1970..3000)"),
    (["--day", (date.today() + timedelta(days=2)).isoformat()], "has not begun yet"),
])
def test_bad_arguments_are_refused(report_config, capsys, extra, reason):
    config, _ = report_config
    assert main(["replay", "journal", *extra, "--config", str(config)]) == 2
    assert reason in capsys.readouterr().err


def test_a_journal_row_that_is_not_an_event_is_named_and_skipped(report_config, capsys):
    """A bad row (not JSON, NULL) stops nothing: the day is replayed from the other rows, as a
    hub's start replays them, and the report names each skipped row with why."""
    config, _ = report_config
    _record(config, tamper=False)
    journal = Journal(load_config(config).hub.database)
    with journal.db.conn:
        for data in ("{not json", None):
            journal.db.execute("INSERT INTO events (ts, source, kind, data) VALUES (?, ?, ?, ?)",
                               [_at(8, 2, 40), "pbx", "CallEntered", data])
    bad = [row_id for (row_id,) in journal.db.execute(
        "SELECT id FROM events WHERE data IS NULL OR data = '{not json' ORDER BY id")]
    journal.close()
    code, out = _replay(capsys, config)
    assert code == 0, out
    assert "(0 unexplained); 10 events replayed" in out.splitlines()[0]
    assert f"journalled event {bad[0]} refused (source 'pbx'; skipped" in out
    assert "not JSON" in out and "no data (NULL)" in out
    code, out = _replay(capsys, config, "--json")
    report = json.loads(out)
    assert [row["id"] for row in report["skipped_rows"]] == bad
    assert report["events_replayed"] == 10 and report["unexplained"] == 0


async def test_a_running_hubs_samples_are_the_figures_of_their_time(tmp_path, feed_pm):
    """A hub samples the figures of its last publish tick, stamped with that tick's time: the
    replay of its journal gives every sampled figure to the last digit, the ``now`` figures
    that move with the clock (longest wait, expected wait) too. Stamped with the later time of
    the sample, they differed (by up to a tick: 1360.57 s against 1355.88 s for an expected
    wait near overload, "unexplained")."""
    text = config_text(str(tmp_path / "hub.db"), {"count": 6, "answer": False},
                       history_interval_s=1)
    config = parse_config(text, "t.toml")
    key = "queue:support/now/longest_wait_s"
    async with Hub(config, pm=feed_pm) as hub:
        await eventually(lambda: len(hub.journal.history(0, hub.clock() + 60, [key])) >= 3,
                         timeout=30, what="three history samples")
        day = date.fromordinal(hub.engine.clock.day(hub.clock()))
    db = sqlite3.connect(tmp_path / "hub.db")
    try:
        result = replay_day(db, config, day)
    finally:
        db.close()
    assert len(result.samples) >= 3 and all(c.compared for c in result.samples)
    assert [(c.within_tick, c.differences) for c in result.samples] == [
        (0, [])] * len(result.samples)
