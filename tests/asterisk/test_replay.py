"""``panneau replay``: the recorded Asterisk run gives Asterisk's own figures."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from panneau.hub.cli.main import main
from panneau.hub.cli.replay_pipe import can_fork, read_in_child
from panneau.hub.events import AgentRung, CallLost
from panneau.hub.sources import ReadBatch


@pytest.fixture
def live(fixtures_dir):
    return fixtures_dir / "asterisk_live"


def replay_json(capsys, *args: str) -> dict:
    assert main(["replay", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def lines_of(path) -> list[list[str]]:
    return [line.split("|") for line in path.read_text().splitlines() if line]


def test_replay_json_matches_asterisk_queue_params(capsys, live):
    data = replay_json(capsys, "queue_log", str(live / "queue_log"))
    assert set(data) == {"at", "queues", "agents", "teams", "skipped_lines", "window"}
    assert (data["window"], data["skipped_lines"], data["teams"]) == ("today", 0, {})
    assert data["at"] == float(lines_of(live / "queue_log")[-1][0])  # default: end of file
    # QueueParams from the same Asterisk after the last call (support: Completed 41,
    # Abandoned 34, SL 39.0, SL2 56.0; sales: 23, 21, 60.9, 63.6).
    blocks = json.loads((live / "asterisk_queuestatus_after.json").read_text())["blocks"]
    params = {b["Queue"]: b for b in blocks if b.get("Event") == "QueueParams"}
    assert set(data["queues"]) == set(params) == {"support", "sales"}
    for queue, p in params.items():
        mine = data["queues"][queue]
        assert mine["completed"] == float(p["Completed"])
        assert type(mine["completed"]) is int and type(mine["offered"]) is int  # counts as ints
        assert mine["unanswered"] == float(p["Abandoned"])
        assert mine["service_level_pct"] == pytest.approx(float(p["ServicelevelPerf"]), abs=0.1)
        assert mine["service_level2_pct"] == pytest.approx(float(p["ServicelevelPerf2"]),
                                                           abs=0.1)
        assert (mine["calls_waiting"], mine["longest_wait_s"], mine["paused"]) == (0, 0, 0)
    assert set(data["agents"]) == {"Alice", "Bob", "Carol", "Dave", "Erin"}
    members = {b["Name"]: int(b["CallsTaken"]) for b in blocks if b.get("Event") == "QueueMember"}
    # Asterisk's CallsTaken counts completed calls per member, like our per-agent figure.
    assert {a: int(v["completed"]) for a, v in data["agents"].items()} == members


def test_at_and_service_level_options(capsys, live):
    rows = lines_of(live / "queue_log")
    at = 1795378800
    iso = datetime.fromtimestamp(at, UTC).isoformat()
    by_epoch = replay_json(capsys, "queue_log", str(live / "queue_log"), "--at", str(at))
    by_iso = replay_json(capsys, "queue_log", str(live / "queue_log"), "--at", iso)
    assert by_epoch == by_iso and by_epoch["at"] == at
    entered = sum(1 for r in rows if r[4] == "ENTERQUEUE" and r[2] == "support"
                  and float(r[0]) <= at)
    assert by_epoch["queues"]["support"]["offered"] == entered
    # T = 60: Asterisk's SL counts completed calls whose holdtime (field 6) is within T.
    data = replay_json(capsys, "queue_log", str(live / "queue_log"), "--service-level", "60")
    done = [r for r in rows if r[4].startswith("COMPLETE") and r[2] == "support"]
    within = sum(1 for r in done if float(r[5]) <= 60)
    assert data["queues"]["support"]["service_level_pct"] == pytest.approx(
        100 * within / len(done))


def test_table_export_and_bad_lines(capsys, data_dir, tmp_path):
    assert main(["replay", "queue_log_csv", str(data_dir / "pbxware_like_export.csv"),
                 "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["skipped_lines"] == 2
    assert data["queues"]["HELP"]["offered"] == 5
    assert captured.err.startswith("skipped line 24: time 'not-a-time'")
    log = tmp_path / "queue_log"
    log.write_text("1|c1|q|NONE|ENTERQUEUE||555|1\nnonsense\n2|c1|q|Ann|CONNECT|x|b|1\n")
    assert main(["replay", "queue_log", str(log)]) == 0
    captured = capsys.readouterr()
    assert "skipped lines: 2" in captured.out and "queue q" in captured.out
    assert captured.err.splitlines() == [
        "skipped line 2: expected at least 5 '|'-separated fields, got 1",
        "skipped line 3: CONNECT: holdtime 'x' is not a number"]


def test_unreadable_inputs_fail_clearly(capsys, tmp_path):
    assert main(["replay", "queue_log", str(tmp_path / "absent")]) == 2
    assert capsys.readouterr().err == f"panneau replay: no file at {tmp_path / 'absent'}\n"
    bad = tmp_path / "export.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    assert main(["replay", "queue_log_csv", str(bad)]) == 2
    assert "not a queue_log export" in capsys.readouterr().err
    assert main(["replay", "queue_log", str(bad), "--at", "tomorrow"]) == 2
    assert "--at 'tomorrow' is not a time: give 2026-11-22T17:00" in capsys.readouterr().err
    for at in ("9999-12-31T00:00", "1e20", "nan", "-5"):  # the first two: a traceback
        assert main(["replay", "queue_log", str(bad), "--at", at]) == 2
        assert f"--at {at!r} is outside the years of events (1970..3000)" in \
            capsys.readouterr().err
    # a file with no queue_log line at all: said, and not a success
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\nmilk|eggs\n")
    assert main(["replay", "queue_log", str(notes), "--json"]) == 1
    err = capsys.readouterr().err
    assert f"no queue_log event in {notes} (2 lines skipped)" in err
    assert "skipped line 1:" in err


def test_at_before_the_first_event_says_so(capsys, live):
    assert main(["replay", "queue_log", str(live / "queue_log"), "--json",
                 "--at", "2020-01-01T00:00:00"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["queues"] == {}
    assert "no event at or before --at 2020-01-01T00:00:00+00:00: the file starts at " in err


def test_config_brings_teams_and_timezone(capsys, live, tmp_path):
    config = tmp_path / "panneau.toml"
    config.write_text('[hub]\ntimezone = "Europe/Paris"\n\n[[teams]]\nid = "front"\n'
                      'queues = ["support"]\nagents = ["Alice", "Bob", "Carol"]\n')
    # 1795378800 is 2026-11-22 20:20 UTC, 21:20 in Paris: a naive --at is read in Paris time.
    data = replay_json(capsys, "queue_log", str(live / "queue_log"), "--config", str(config),
                       "--at", "2026-11-22T21:20:00")
    assert data["at"] == 1795378800
    assert set(data["teams"]) == {"front"}
    assert data["teams"]["front"]["offered"] == data["queues"]["support"]["offered"]


# --- two processes ------------------------------------------------------------------------------


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_two_processes_give_the_same_figures(capsys, live, data_dir):
    log = str(live / "queue_log")
    for extra in ([], ["--at", "1795378800"]):
        one = replay_json(capsys, "queue_log", log, "--processes", "1", *extra)
        two = replay_json(capsys, "queue_log", log, "--processes", "2", *extra)
        assert one == two and one["queues"]["support"]["offered"] > 0
    export = str(data_dir / "pbxware_like_export.csv")
    assert main(["replay", "queue_log_csv", export, "--json", "--processes", "2"]) == 0
    two = capsys.readouterr()
    assert main(["replay", "queue_log_csv", export, "--json", "--processes", "1"]) == 0
    assert capsys.readouterr() == two  # the skipped lines too, in the same order


def _messy_log(live, path) -> None:
    """The live recording 40 times over, an hour apart (some 13,000 lines, three batches of the
    reader), written with CRLF, blank and bad lines, repeats at each batch's end and a last
    line cut short."""
    lines = []
    for hour in range(40):
        for fields in lines_of(live / "queue_log"):
            fields[0] = str(int(fields[0]) + 3600 * hour)
            if fields[1] != "NONE":
                fields[1] += f".{hour}"
            lines.append("|".join(fields))
            if len(lines) % 5000 in (4999, 0, 1):  # repeated across the end of a batch
                lines.append(lines[-1])
            if len(lines) % 997 == 0:
                lines += ["", "garbage", f"{fields[0]}|c|q|A|CONNECT|x|y|1"]
    path.write_bytes("\r\n".join(lines)[:-4].encode())


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_two_processes_read_a_messy_file_as_one(capsys, live, tmp_path):
    log = tmp_path / "queue_log"
    _messy_log(live, log)
    outputs = []
    for processes in ("1", "2"):
        assert main(["replay", "queue_log", str(log), "--json", "--processes", processes]) == 0
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]  # figures, and the skipped lines in the same order
    figures = json.loads(outputs[0].out)
    assert figures["skipped_lines"] >= 13 and figures["queues"]["support"]["offered"] > 800


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_a_refused_file_is_refused_the_same_from_the_reading_process(capsys, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    assert main(["replay", "queue_log_csv", str(bad), "--processes", "2"]) == 2
    assert f"panneau replay: {bad}: not a queue_log export" in capsys.readouterr().err


class Rung(AgentRung):
    """A plugin's own event class: crosses the pipe pickled."""


def _foreign() -> list[ReadBatch]:
    return [ReadBatch([Rung(ts=5.0, call_id="c", queue="q", agent="a")], ["line 1: x"]),
            ReadBatch([CallLost(ts=6.0, source="s", source_pos="2", call_id="c", queue="q")])]


def _broken() -> Iterator[ReadBatch]:
    yield ReadBatch([])
    raise KeyError("a reader's bug")


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_the_reading_process_passes_every_batch_and_its_failures():
    got = list(read_in_child(_foreign, lambda: 7))
    assert [(b.events, list(b.skipped), at) for b, at in got] == [
        (b.events, list(b.skipped), 7) for b in _foreign()]
    assert type(got[0][0].events[0]) is Rung
    with pytest.raises(RuntimeError, match="KeyError: \"a reader's bug\""):
        list(read_in_child(_broken, lambda: 0))


def test_a_replay_gives_the_collector_its_settings_back(capsys, live):
    before = gc.get_threshold()
    replay_json(capsys, "queue_log", str(live / "queue_log"))
    assert gc.get_threshold() == before and gc.isenabled()
