"""CSV exports of the realtime queue_log table: data, data1..5 and the PBXware layout."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panneau.hub.events import AgentPaused, CallAbandoned, CallEnded, CallLeft, RingNoAnswer
from panneau.plugins.asterisk.realtime import detect_layout, read_export


def kinds(result) -> Counter:
    return Counter(e.kind for e in result.events)


def test_layouts_are_told_apart_by_their_header():
    assert detect_layout(["time", "callid", "queuename", "agent", "event", "data"]) == "single"
    assert detect_layout(["id", "time", "callid", "queuename", "agent", "event", "data",
                          "data1", "data2", "data3", "data4", "data5"]) == "adaptive"
    assert detect_layout(["uid", "date_time", "callid", "queue_name", "type", "event",
                          "param1", "param2", "param3"]) == "pbxware"
    with pytest.raises(ValueError, match="no column agent, event"):
        detect_layout(["time", "callid", "queuename"])
    with pytest.raises(ValueError, match="empty export"):
        read_export([])


def test_single_data_column_in_local_time(data_dir):
    result = read_export((data_dir / "realtime_single.csv").open(), source="db",
                         timezone="Europe/Paris")
    # 8 rows: QUEUESTART, a call entered/answered/completed, a call that left with key 5,
    # a PAUSE, and a row whose time is 'yesterday' (skipped, row 8).
    assert [(s.line, s.reason) for s in result.skipped] == [
        (8, "time 'yesterday' is neither an epoch nor a date-time")]
    assert kinds(result) == {"system_restart": 1, "call_entered": 2, "call_answered": 1,
                             "call_ended": 1, "call_left": 1, "agent_paused": 1}
    entered = result.events[1]
    # 09:00:05.123456 in Paris (UTC+1 in November) is 08:00:05.123456 UTC.
    assert entered.ts == datetime(2026, 11, 22, 8, 0, 5, 123456, tzinfo=UTC).timestamp()
    assert (entered.caller_id, entered.position, entered.source_pos) == ("5550100", 1, "row:2")
    left = next(e for e in result.events if isinstance(e, CallLeft))
    assert (left.reason, left.key, left.wait_s) == ("key", "5", 30.0)
    pause = next(e for e in result.events if isinstance(e, AgentPaused))
    assert (pause.agent, pause.queue, pause.reason) == ("Alice", "support", "Lunch")


def test_adaptive_data1_to_data5(data_dir):
    result = read_export((data_dir / "realtime_adaptive.csv").open())
    assert result.skipped == []
    ended = next(e for e in result.events if isinstance(e, CallEnded))
    assert (ended.hold_s, ended.talk_s, ended.ended_by) == (4.0, 60.0, "caller")
    rings = [e for e in result.events if isinstance(e, RingNoAnswer)]
    assert [(r.ring_ms, r.canceled) for r in rings] == [(15000, False), (400, True)]
    abandon = next(e for e in result.events if isinstance(e, CallAbandoned))
    assert (abandon.position, abandon.orig_position, abandon.wait_s) == (1, 1, 20.0)
    # Row 7 has its data only in the redundant `data` column: ADDMEMBER PAUSED.
    assert [e.kind for e in result.events[-2:]] == ["agent_logged_in", "agent_paused"]


def test_pbxware_shaped_export(data_dir):
    # Hand-written in PBXware's layout, 25 rows (see the file): 2 OUT* rows ignored (OUTDIAL,
    # OUTANSWER), 1 OUTDIAL row repeated (same but uid: duplicate), row 24 has a bad time and
    # row 25 a bad ring time; the other 20 rows give one event each.
    result = read_export((data_dir / "pbxware_like_export.csv").open())
    assert (result.lines, result.ignored, result.duplicates) == (25, 2, 1)
    assert [(s.line, s.reason) for s in result.skipped] == [
        (24, "time 'not-a-time' is neither an epoch nor a date-time"),
        (25, "CONNECT: ringtime 'x' is not a number")]
    assert kinds(result) == {"system_restart": 2, "agent_logged_in": 2, "agent_logged_out": 2,
                             "call_entered": 5, "ring_no_answer": 1, "call_answered": 3,
                             "call_ended": 3, "call_abandoned": 1, "call_left": 1}
    by_kind = {e.kind: e for e in result.events}
    assert by_kind["ring_no_answer"].ring_ms == 10000  # PBXware keeps the ring ms in htime
    assert (by_kind["call_abandoned"].wait_s, by_kind["call_abandoned"].position) == (45.0, 1)
    assert by_kind["call_left"].wait_s == 300.0
    answered = [e for e in result.events if e.kind == "call_answered"]
    assert next((a.agent, a.hold_s, a.ring_s) for a in answered) == ("Agent/201", 15.0, 5.0)
    ended = [(e.ended_by, e.transfer, e.talk_s) for e in result.events if e.kind == "call_ended"]
    assert ended == [("agent", None, 100.0), ("transfer", "blind", 44.0),
                     ("transfer", "attended", 30.0)]


def test_pbxware_sample(shared_file):
    path = shared_file("asterisk_queue_log", "pbxware_queue_log_export_2018.csv")
    result = read_export(path.open())
    # SOURCES.md counts per verb: RINGNOANSWER 360, ENTERQUEUE 108, CONNECT 93, COMPLETEAGENT 51,
    # COMPLETECALLER 38, ADDMEMBER 26, AGENTCALLBACKLOGIN 14, ABANDON 12, CONFIGRELOAD 11,
    # REMOVEMEMBER 10, AGENTCALLBACKLOGOFF 10, QUEUESTART 7, ATTENDEDTRANSFER 1,
    # EXITWITHTIMEOUT 1, BLINDTRANSFER 1, and 257 OUT* rows. 5 OUTDIAL rows repeat the row
    # before them but for `uid` (duplicates), so 252 OUT* rows are ignored.
    assert (result.lines, result.skipped, result.duplicates, result.ignored) == (1000, [], 5, 252)
    assert kinds(result) == {
        "ring_no_answer": 360, "call_entered": 108, "call_answered": 93,
        "call_ended": 51 + 38 + 1 + 1, "agent_logged_in": 26 + 14, "agent_logged_out": 10 + 10,
        "system_restart": 7 + 11, "call_abandoned": 12, "call_left": 1,
    }
    assert sum(getattr(e, "reload_only", False) for e in result.events) == 11


def test_the_other_pbxware_files_are_refused_clearly(shared_file):
    # queues.csv and pause_reasons.csv sit beside the export: they are not queue_log exports.
    for name in ("pbxware_queues_2018.csv", "pbxware_pause_reasons_2018.csv"):
        path = shared_file("asterisk_queue_log", name)
        with pytest.raises(ValueError, match="not a queue_log export: no column time"):
            read_export(path.open())


_cell = st.one_of(st.text(max_size=10), st.sampled_from(
    ["ENTERQUEUE", "CONNECT", "ABANDON", "2026-11-22 09:00:00", "1795338005", "", "NONE", "x"]))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([
    "time,callid,queuename,agent,event,data",
    "time,callid,queuename,agent,event,data1,data2,data3,data4,data5",
    "uid,date_time,callid,queue_name,type,event,param1,param2,param3,entpos,expos,htime,ttime",
]), st.lists(st.lists(_cell, max_size=14), max_size=8))
def test_no_export_row_raises(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header.split(","))
    writer.writerows(rows)
    result = read_export(io.StringIO(buffer.getvalue()))
    assert result.lines == len(result.skipped) + result.ignored + result.duplicates + len(
        {e.source_pos for e in result.events})
