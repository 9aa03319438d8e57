"""The SQLite journal: atomic accept, ordered replay, history, messages, retention."""

import subprocess
import sys
from pathlib import Path

import pytest

from panneau.hub.events import AgentLoggedIn, CallEntered
from panneau.hub.server.journal import Journal, JournalError

PANNEAU = Path(sys.executable).parent / "panneau"


def _events(n, start=0):
    return [CallEntered(ts=1000.0 + i, source="pbx", source_pos=str(i), call_id=f"c{i}",
                        queue="support") for i in range(start, start + n)]


def test_events_and_checkpoint_are_stored_together_and_replayed_in_order(tmp_path):
    journal = Journal(tmp_path / "j.db")
    journal.accept("pbx", _events(3), {"line": 3}, True, now=1.0)
    journal.accept("crm", [AgentLoggedIn(ts=5.0, source="crm", agent="a1")], None, False, 2.0)
    journal.accept("pbx", _events(2, 3), {"line": 5}, True, now=3.0)
    journal.close()
    again = Journal(tmp_path / "j.db")
    assert again.checkpoint("pbx") == {"line": 5}
    assert again.checkpoint("crm") is None
    kinds = [(e.source, e.source_pos) for e in again.events()]
    assert kinds == [("pbx", "0"), ("pbx", "1"), ("pbx", "2"), ("crm", ""), ("pbx", "3"),
                     ("pbx", "4")]
    assert again.count_events("pbx") == 5


def test_a_failing_accept_stores_neither_events_nor_checkpoint(tmp_path):
    journal = Journal(tmp_path / "j.db")
    journal.accept("pbx", _events(2), {"line": 2}, True, now=1.0)
    with pytest.raises(TypeError):  # the checkpoint cannot be stored: nothing is
        journal.accept("pbx", _events(3, 2), {"line": object()}, True, now=2.0)
    assert journal.count_events() == 2
    assert journal.checkpoint("pbx") == {"line": 2}


def test_history_messages_acks_annotations_and_retention(tmp_path):
    journal = Journal(tmp_path / "j.db")
    day = 86400.0
    journal.add_history(10 * day, [("site/today/offered", 5.0), ("site/now/x", None)])
    journal.add_history(10 * day + 60, [("site/today/offered", 7.0)])
    assert journal.history(0, 11 * day) == [(10 * day, "site/today/offered", 5.0),
                                            (10 * day + 60, "site/today/offered", 7.0)]
    assert journal.value_near("site/today/offered", 10 * day + 50, 30) == 7.0
    assert journal.value_near("site/today/offered", 10 * day + 500, 30) is None
    keys = [f"agent:a{i}/today/answered" for i in range(1200)]  # over one IN (...) chunk
    assert journal.add_history(10 * day + 120, [(k, i) for i, k in enumerate(keys)]) == 1200
    journal.add_history(10 * day + 150, [(keys[-1], -1.0)])
    near = journal.values_near([*keys, "site/today/offered", "nowhere"], 10 * day + 125, 70)
    assert near == {**{k: float(i) for i, k in enumerate(keys)}, "site/today/offered": 7.0}
    assert journal.values_near(keys[-1:], 10 * day + 140, 30) == {keys[-1]: -1.0}
    journal.add_message({"id": "m1", "text": "hi", "sender": "boss", "team": None,
                         "agent": None, "sent": 10 * day, "expires": 10 * day + 60})
    journal.add_ack("m1", "a1", 10 * day + 1)
    journal.add_ack("m1", "a1", 10 * day + 2)
    assert journal.acks() == {"m1": ["a1"]}
    assert [m["id"] for m in journal.messages(10 * day)] == ["m1"]
    assert journal.messages(10 * day + 61) == []
    journal.set_annotation("site/today/offered", "storm", "boss", 10 * day)
    assert journal.annotations()["site/today/offered"]["text"] == "storm"
    journal.set_annotation("site/today/offered", "", "boss", 10 * day)
    assert journal.annotations() == {}
    journal.accept("pbx", _events(2), None, False, 0.0)  # ts 1000: very old
    assert journal.prune(now=100 * day, retention_days=89) == 2
    assert journal.count_events() == 0
    assert journal.history(0, 200 * day) == []
    assert journal.acks() == {}


def test_a_database_that_cannot_be_a_journal_is_refused_in_words_and_left_as_it_was(
        tmp_path, tools):
    """``hub.database`` naming a folder, another program's file or a missing folder: the hub
    said a sqlite3 traceback (or a bare errno line); now one line naming the setting, the
    file left untouched."""
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"my notes, not a database\n" * 100)
    (tmp_path / "folder.db").mkdir()
    cases = {
        tmp_path / "folder.db": "it is a folder",
        junk: "it is not an SQLite database (another program's file?)",
        tmp_path / "nowhere" / "hub.db": f"the folder {tmp_path / 'nowhere'} does not exist",
    }
    for path, why in cases.items():
        with pytest.raises(JournalError) as caught:
            Journal(path)
        assert str(caught.value) == f"cannot use {path} as the hub's database: {why}"
        config = tmp_path / "panneau.toml"
        config.write_text(tools.config_text(str(path)))
        done = subprocess.run([str(PANNEAU), "hub", "--config", str(config)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert done.stderr.splitlines()[-1] == f"panneau hub: {caught.value}", done.stderr
        assert "Traceback" not in done.stderr
    assert junk.read_bytes() == b"my notes, not a database\n" * 100
    assert not (tmp_path / "nowhere").exists()
