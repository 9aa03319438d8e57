"""The queue_log line parser: verbs, old field counts, bad lines, real samples, fuzz."""

from __future__ import annotations

import dataclasses
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panneau.hub.events import (
    EVENT_TYPES,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    CallLeft,
    InvalidEvent,
    RingNoAnswer,
    SystemRestart,
    checked_builder,
    unchecked_builder,
)
from panneau.hub.testing import figures
from panneau.plugins.asterisk.queue_log import (
    LineDeduper,
    ParseResult,
    RecordSink,
    _stream_lines,
    line_numbers,
    parse_batches,
    parse_lines,
    split_line,
)
from panneau.plugins.asterisk.record import BadLine
from panneau.plugins.asterisk.verbs import HANDLERS, KNOWN_VERBS, VerbMapper, take


def kinds(result) -> Counter:
    return Counter(e.kind for e in result.events)


def one(line: str):
    result = parse_lines([line], source="pbx")
    assert not result.skipped, result.skipped
    return result.events


# --- verb by verb -----------------------------------------------------------------------------


def test_enterqueue_with_and_without_later_fields():
    (new,) = one("1795378661|1795378661.1|sales|NONE|ENTERQUEUE||5550107|1|Jane Doe")
    assert new == CallEntered(ts=1795378661.0, source="pbx", source_pos="1",
                              call_id="1795378661.1", queue="sales", caller_id="5550107",
                              position=1)
    (old,) = one("1100000000|1100000000.1|sales|NONE|ENTERQUEUE||5550107")  # Asterisk 1.4
    assert (old.caller_id, old.position) == ("5550107", None)
    (restricted,) = one("1100000000|1100000000.2|sales|NONE|ENTERQUEUE|||2")
    assert (restricted.caller_id, restricted.position) == (None, 2)


def test_connect_and_its_older_shapes():
    (new,) = one("1795378662|1795378661.1|sales|Dave|CONNECT|1|1795378661.4|3")
    assert isinstance(new, CallAnswered)
    assert (new.agent, new.hold_s, new.ring_s) == ("Dave", 1.0, 3.0)
    (v12,) = one("1100000000|1100000000.1|sales|SIP/200|CONNECT|7")  # Asterisk 1.2: holdtime only
    assert (v12.hold_s, v12.ring_s) == (7.0, None)


def test_call_endings_and_transfers():
    caller, agent, old, blind, attended = (
        one(line)[0]
        for line in (
            "10|c1|q|Ann|COMPLETECALLER|4|60|1",
            "10|c1|q|Ann|COMPLETEAGENT|4|61|1",
            "10|c1|q|Ann|TRANSFER|200|internal|4|62",  # Asterisk 1.4: no origposition
            "10|c1|q|Ann|BLINDTRANSFER|200|internal|4|63|1",
            "10|c1|q|Ann|ATTENDEDTRANSFER|BRIDGE|b-1|4|64|1",
        )
    )
    assert all(isinstance(e, CallEnded) and e.hold_s == 4.0 for e in (caller, agent, old, blind))
    assert [(e.ended_by, e.transfer, e.talk_s) for e in (caller, agent, old, blind, attended)] == [
        ("caller", None, 60.0), ("agent", None, 61.0), ("transfer", None, 62.0),
        ("transfer", "blind", 63.0), ("transfer", "attended", 64.0)]
    assert blind.transfer_to == "200@internal"  # extension@context, for level-2 targets
    assert attended.transfer_to is None and old.transfer_to is None


def test_unanswered_outcomes():
    (abandon,) = one("50|c2|q|NONE|ABANDON|2|3|40")
    assert abandon == CallAbandoned(ts=50.0, source="pbx", source_pos="1", call_id="c2",
                                    queue="q", wait_s=40.0, position=2, orig_position=3)
    left = [one(line)[0] for line in ("50|c|q|NONE|EXITWITHTIMEOUT|1|1|45",
                                      "50|c|q|NONE|EXITEMPTY|1|1|5",
                                      "50|c|q|NONE|EXITWITHKEY|5|1|1|12",
                                      "50|c|q|NONE|WITHDRAW|1|1|9|info")]
    assert all(isinstance(e, CallLeft) for e in left)
    assert [(e.reason, e.wait_s, e.key) for e in left] == [
        ("timeout", 45.0, None), ("empty", 5.0, None), ("key", 12.0, "5"),
        ("withdrawn", 9.0, None)]


def test_waittime_missing_on_old_lines_comes_from_enterqueue():
    # Before Asterisk 13, EXITWITHKEY logged only key|position; SYSCOMPAT never logs a wait.
    result = parse_lines(["100|c3|q|NONE|ENTERQUEUE||555|1", "130|c3|q|NONE|EXITWITHKEY|5|1",
                          "200|c4|q|NONE|ENTERQUEUE||556|1", "209|c4|q|Ann|SYSCOMPAT|",
                          "300|c5|q|NONE|EXITWITHKEY|5|1"])
    left = [e for e in result.events if isinstance(e, CallLeft)]
    assert [(e.reason, e.wait_s, e.agent) for e in left] == [("key", 30.0, None),
                                                             ("syscompat", 9.0, "Ann")]
    # c5 entered before what we read: its wait cannot be known, so the line is reported.
    assert [(s.line, s.reason) for s in result.skipped] == [
        (5, "EXITWITHKEY: no waittime and the call's ENTERQUEUE was not seen")]


def test_rings_members_and_system_markers():
    rna, canceled = one("10|c|q|Bob|RINGNOANSWER|15000")[0], one("11|c|q|Bob|RINGCANCELED|400")[0]
    assert isinstance(rna, RingNoAnswer) and (rna.ring_ms, rna.canceled) == (15000, False)
    assert (canceled.ring_ms, canceled.canceled) == (400, True)
    login, paused = one("10|MANAGER|q|PJSIP/400|ADDMEMBER|PAUSED")
    assert login == AgentLoggedIn(ts=10.0, source="pbx", source_pos="1", agent="PJSIP/400",
                                  queue="q")
    assert isinstance(paused, AgentPaused) and paused.queue == "q"
    (pause,) = one("10|NONE|q|Bob|PAUSE|Lunch")
    assert (pause.queue, pause.reason) == ("q", "Lunch")
    (agent_login,) = one("10|1.1|NONE|Agent/7|AGENTLOGIN|PJSIP/7-0001")
    assert agent_login.queue is None
    (start,) = one("10|NONE|NONE|NONE|QUEUESTART|")
    (reload_,) = one("10|NONE|NONE|NONE|CONFIGRELOAD|")
    assert start == SystemRestart(ts=10.0, source="pbx", source_pos="1")
    assert reload_.reload_only is True


def test_pauseall_and_custom_verbs_are_read_but_give_no_event():
    # Asterisk writes PAUSEALL *and* one PAUSE per queue: only the per-queue lines count.
    result = parse_lines(["10|NONE|NONE|Dave|PAUSEALL|Lunch", "10|NONE|sales|Dave|PAUSE|Lunch",
                          "11|c|q|NONE|DID|+15550001", "12|c|q|NONE|INFO|x|y",
                          "13|NONE|NONE|NONE|HEARTBEAT|", "14|c|NONE|Agent/1|OUTDIAL|555",
                          "15|NONE|q|SIP/1|PENALTY|3"])
    assert (result.lines, result.ignored, result.skipped) == (7, 6, [])
    assert kinds(result) == {"agent_paused": 1}


def test_every_app_queue_verb_is_known_by_name():
    assert {"ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER",
            "BLINDTRANSFER", "ATTENDEDTRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY",
            "EXITWITHKEY", "WITHDRAW", "RINGNOANSWER", "RINGCANCELED", "AGENTDUMP", "SYSCOMPAT",
            "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "PENALTY",
            "RINGINUSE", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF",
            "OUTCALL", "QUEUESTART", "CONFIGRELOAD"} == set(KNOWN_VERBS)



def _outcome(handle, fields: list[str]) -> tuple:
    """What a handler does with one line cut into ``fields``, on a fresh mapper."""
    made: list = []
    try:
        gives_none = handle(VerbMapper("pbx"), list(fields), 1_795_000_000.0, "7", made)
    except (BadLine, InvalidEvent) as exc:
        return "refused", str(exc), made
    return "read", bool(gives_none), made


@pytest.mark.parametrize("verb", [*sorted(KNOWN_VERBS), "DID", ""])
@pytest.mark.parametrize("data", [[], ["3", "c1.1", "2"], ["1", "60", "1"], ["x", "y", "z"],
                                  ["200", "ctx", "3", "40", "1"], ["-1", "2", "3", "4"],
                                  ["1", "1", "12", "9"], ["PAUSED"]])
@pytest.mark.parametrize("names", [("c1", "sales", "Ann"), ("c1", "NONE", "NONE")])
def test_take_reads_each_verb_as_its_handler_does(verb, data, names):
    """``take`` tells the frequent verbs apart by name and calls their handlers directly: each
    verb's events, refusals and "no event" are those of the handler ``HANDLERS`` names for it;
    a verb it does not know gives no event, an empty one is refused."""
    fields = ["1795000000", *names, verb, *data]
    got = _outcome(lambda *args: take(args[0], verb, *args[1:]), fields)
    if verb in HANDLERS:
        assert got == _outcome(HANDLERS[verb], fields)
    elif verb:
        assert got == ("read", True, [])
    else:
        assert got == ("refused", "empty event name", [])


# --- bad input --------------------------------------------------------------------------------


def test_malformed_lines_are_skipped_with_their_line_number():
    lines = [
        "1795378657|NONE|NONE|NONE|QUEUESTART|",
        "garbage without pipes",
        "",  # blank: nothing to read, not counted
        "yesterday|c|q|NONE|ENTERQUEUE||555|1",
        "20|c|q|Ann|CONNECT|soon|b|3",
        "21|c|NONE|NONE|ENTERQUEUE||555|1",
        "22|c|q|NONE|ABANDON|1|1",  # waittime missing and ENTERQUEUE not seen
        "23|c|q|Ann|COMPLETEAGENT|4",
        "24|c|q|NONE|CONNECT|4|b|1",
        "25|c|q|Ann|",
        "1795378661|1795378661.1|sales|NONE|ENTERQUEUE||5550107|1",
    ]
    result = parse_lines(lines)
    assert [(s.line, s.reason) for s in result.skipped] == [
        (2, "expected at least 5 '|'-separated fields, got 1"),
        (4, "time 'yesterday' is not a number"),
        (5, "CONNECT: holdtime 'soon' is not a number"),
        (6, "ENTERQUEUE: no queue name"),
        (7, "ABANDON: no waittime and the call's ENTERQUEUE was not seen"),
        (8, "COMPLETEAGENT: missing calltime"),
        (9, "CONNECT: no agent"),
        (10, "empty event name"),
    ]
    assert result.skipped[0].describe() == "line 2: expected at least 5 '|'-separated fields, got 1"
    # What could be read is kept: the first and the last line.
    assert kinds(result) == {"system_restart": 1, "call_entered": 1}
    assert result.lines == 10


def test_exact_repeats_are_dropped_within_the_window():
    line = "10|c|q|NONE|ENTERQUEUE||555|1"
    assert parse_lines([line, line, line]).duplicates == 2
    assert len(parse_lines([line, line], dedupe_window=0).events) == 2
    other = [f"{i}|c{i}|q|NONE|ENTERQUEUE||555|1" for i in range(20, 30)]
    assert parse_lines([line, *other, line], dedupe_window=5).duplicates == 0


# --- real samples -----------------------------------------------------------------------------


def test_asterisk_live_recording_parses_fully(fixtures_dir):
    result = parse_lines((fixtures_dir / "asterisk_live" / "queue_log").open(), source="pbx")
    # 333 lines; `cut -d'|' -f5 | sort | uniq -c` gives: ENTERQUEUE 119, CONNECT 64,
    # COMPLETEAGENT 42, COMPLETECALLER 22, ABANDON 51, EXITWITHTIMEOUT 4, RINGCANCELED 2,
    # PAUSE 7, UNPAUSE 7, PAUSEALL 7, UNPAUSEALL 7, QUEUESTART 1.
    assert (result.lines, result.skipped, result.duplicates) == (333, [], 0)
    assert result.ignored == 14  # the PAUSEALL/UNPAUSEALL lines (their PAUSE lines count)
    assert kinds(result) == {
        "call_entered": 119, "call_answered": 64, "call_ended": 42 + 22, "call_abandoned": 51,
        "call_left": 4, "ring_no_answer": 2, "agent_paused": 7, "agent_unpaused": 7,
        "system_restart": 1,
    }
    # Asterisk's own QueueParams after the run (asterisk_queuestatus_after.json): support
    # Completed 41 and Abandoned 34 (= its ABANDON + EXITWITHTIMEOUT lines); sales 23 and 21.
    for queue, completed, unanswered in (("support", 41, 34), ("sales", 23, 21)):
        mine = [e for e in result.events if getattr(e, "queue", None) == queue]
        assert sum(isinstance(e, CallEnded) for e in mine) == completed
        assert sum(isinstance(e, CallAbandoned | CallLeft) for e in mine) == unanswered


def test_freepbx_shaped_log_with_dupes_and_blank_lines(data_dir):
    # Hand-written in the shape of the asterisk2slack fixture: 19 lines, 2 blank. Non-blank 17:
    # DID, INFO, HEARTBEAT are custom verbs (3 ignored); ENTERQUEUE of the first call is
    # repeated 3 times (3 duplicates); the 3 COMPLETEAGENT lines of the third call differ in
    # origposition, so they are not exact repeats and stay (the engine keys calls by id).
    result = parse_lines((data_dir / "freepbx_like_queue_log").open())
    assert (result.lines, result.ignored, result.duplicates, result.skipped) == (17, 3, 3, [])
    assert kinds(result) == {"call_entered": 2, "ring_no_answer": 2, "call_answered": 3,
                             "call_ended": 4}
    out_of_order = [e for e in result.events if e.call_id == "1700000244.150"]
    assert out_of_order[0].ts == 1700000250.0  # kept even though earlier than the line before


def test_asterisk2slack_sample(shared_file):
    path = shared_file("asterisk_queue_log", "asterisk2slack_fixture_queue_log")
    result = parse_lines(path.open())
    # 23 lines, 2 of them blank → 21 read. 1 DID (ignored). The first ENTERQUEUE line is
    # repeated 6 times (6 duplicates). Left: 2 ENTERQUEUE, 3 RINGNOANSWER, 3 CONNECT,
    # 2 COMPLETECALLER + 4 COMPLETEAGENT (origposition 1, 4, 5, 6: not exact repeats).
    assert (result.lines, result.ignored, result.duplicates, result.skipped) == (21, 1, 6, [])
    assert kinds(result) == {"call_entered": 2, "ring_no_answer": 3, "call_answered": 3,
                             "call_ended": 6}


# --- fuzz -------------------------------------------------------------------------------------

_verbs = st.sampled_from(sorted(KNOWN_VERBS | {"DID", "OUTDIAL", "", "connect"}))
_field = st.one_of(st.text(max_size=12), st.integers(-5, 10**6).map(str),
                   st.sampled_from(["NONE", "", "1.5", "nan", "inf", "-0", "1e309"]))
_shaped = st.builds(
    lambda ts, verb, fields: "|".join([ts, *fields[:3], verb, *fields[3:]]),
    st.one_of(st.integers(0, 2**40).map(str), _field), _verbs, st.lists(_field, max_size=9),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_shaped, st.text(max_size=80)), max_size=15))
def test_no_input_raises(lines):
    result = parse_lines(lines)
    assert result.lines == sum(1 for line in lines if line.rstrip("\r\n").strip())
    assert result.lines == (len(result.skipped) + result.ignored + result.duplicates
                            + len({e.source_pos for e in result.events}))


@pytest.mark.parametrize("outcome", [
    "1795378600|c1|support|Alice|CONNECT|2|c1.1|1",
    "1795378600|c1|support|NONE|ABANDON|1|1|2",
])
def test_an_outcome_written_before_its_own_enterqueue_in_the_same_second(outcome):
    """What an export sorted by a one-second ``time`` column gives: one call, offered once."""
    enter = "1795378600|c1|support|NONE|ENTERQUEUE||5551234|1"
    later = "1795378660|c1|support|Alice|COMPLETECALLER|2|60|1"
    tail = [later] if "CONNECT" in outcome else []
    shuffled = figures(parse_lines([outcome, enter, *tail]).events, at=1795378700)
    causal = figures(parse_lines([enter, outcome, *tail]).events, at=1795378700)
    for kpi in ("offered", "answered", "abandoned", "calls_waiting"):
        assert shuffled.get(f"site/today/{kpi}") == causal.get(f"site/today/{kpi}"), kpi
    assert shuffled["site/today/offered"] == 1


# --- the fast path builds what the checked constructor builds, and refuses what it refuses ------

_signed = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(str),
                    st.sampled_from(["", "NONE", " 3 ", "-0.5", "-1.5", "1e309", "PAUSED"]))
_any_ts = st.one_of(st.integers(-10**12, 10**12).map(str),
                    st.sampled_from(["32503680000", "32503680000.5", "-0.0", "1e308"]))
_signed_line = st.builds(
    lambda ts, call, queue, agent, verb, data: "|".join([ts, call, queue, agent, verb, *data]),
    _any_ts, st.sampled_from(["c1", "c2", "NONE"]), st.sampled_from(["q", "NONE"]),
    st.sampled_from(["Ann", "NONE"]), _verbs, st.lists(_signed, max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(_signed_line, max_size=20))
def test_every_event_is_the_one_its_checked_constructor_builds(lines):
    """Events are built without their checks when the parser has made them itself (signs and
    the time range): rebuilding each through the checked constructor gives the same event, and
    every refusal is in the event's own words."""
    result = parse_lines(lines, source="pbx")
    for event in result.events:
        assert dataclasses.replace(event) == event  # raises InvalidEvent if it was not valid
    for skipped in result.skipped:
        assert skipped.reason  # a reason, and the line is counted once
    assert result.lines == (len(result.skipped) + result.ignored + result.duplicates
                            + len({e.source_pos for e in result.events}))


@pytest.mark.parametrize("line, reason", [
    ("-5|c|q|Ann|CONNECT|1", "call_answered: ts must be a time in 1970..3000, got -5.0"),
    ("10|c|q|Ann|CONNECT|-1|x|2", "call_answered: hold_s must be a finite number >= 0, got -1.0"),
    ("10|c|q|Ann|CONNECT|-1|x|y", "CONNECT: ringtime 'y' is not a number"),  # the mapper first
    ("10|c|q|Ann|COMPLETEAGENT|1|-60", "call_ended: talk_s must be a finite number >= 0, "
                                       "got -60.0"),
    ("10|c|q|NONE|ABANDON|-2|1|5", "call_abandoned: position must be None or a finite number "
                                   ">= 0, got -2"),
    ("10|c|q|Bob|RINGNOANSWER|-1.5", "ring_no_answer: ring_ms must be None or a finite number "
                                     ">= 0, got -1"),
    ("4e10|NONE|q|Bob|PAUSE|x", "agent_paused: ts must be a time in 1970..3000, got 40000000000.0"),
    ("4e10|NONE|q|Bob|ADDMEMBER|PAUSED", "agent_logged_in: ts must be a time in 1970..3000, got "
                                         "40000000000.0"),
    ("-1|NONE|NONE|NONE|QUEUESTART|", "system_restart: ts must be a time in 1970..3000, got -1.0"),
    ("-1|c|NONE|NONE|ENTERQUEUE||555|1", "ENTERQUEUE: no queue name"),  # the mapper first
    ("-1|c|q|Ann|CONNECT|-1|x|2", "call_answered: ts must be a time in 1970..3000, got -1.0"),
    ("1e400|c|q|NONE|ENTERQUEUE||555|1", "time '1e400' is not a number"),
    ("-1|c|q|NONE||x", "empty event name"),
])
def test_refusals_are_the_events_own(line, reason):
    """The time's range is tested once a line, before the verb's handler: a line out of
    1970..3000 is still read by its handler (its own refusals first), then refused by its
    events' checked constructors, in their words; by the records' path (exports) too."""
    result = parse_lines([line])
    (skipped,) = result.skipped
    assert skipped.reason == reason
    assert (result.events, result.lines) == ([], 1)
    sink = RecordSink("", 0)
    sink.add(1, line, line, split_line, line, "1")
    assert [s.reason for s in sink.drain().skipped] == [reason]


def test_a_time_out_of_range_on_a_line_without_event_is_ignored():
    result = parse_lines(["-1|c|q|NONE|DID|555", "4e10|NONE|NONE|Ann|PAUSEALL|"])
    assert (result.skipped, result.ignored, result.lines) == ([], 2, 2)


def test_unchecked_and_checked_builders_build_the_same_event():
    samples = parse_lines([
        "10|c|q|NONE|ENTERQUEUE||555|1", "12|c|q|Bob|RINGNOANSWER|800", "13|c|q|Ann|CONNECT|3|x|1",
        "20|c|q|Ann|BLINDTRANSFER|200|ctx|3|7|1", "30|d|q|NONE|ENTERQUEUE||556|1",
        "40|d|q|NONE|ABANDON|1|1|10", "50|e|q|NONE|EXITWITHKEY|5|1|1|12",
        "60|NONE|q|Ann|ADDMEMBER|PAUSED", "61|NONE|q|Ann|UNPAUSE|", "62|NONE|q|Ann|REMOVEMEMBER|",
        "70|NONE|NONE|NONE|QUEUESTART|"]).events
    assert {type(e) for e in samples} == {
        CallEntered, RingNoAnswer, CallAnswered, CallEnded, CallAbandoned, CallLeft,
        AgentLoggedIn, AgentPaused, AgentUnpaused, AgentLoggedOut, SystemRestart}
    for sample in samples:
        cls = type(sample)
        values = [getattr(sample, f.name) for f in dataclasses.fields(cls)]
        fast, checked = unchecked_builder(cls)(*values), checked_builder(cls)(*values)
        assert fast == checked == sample and hash(fast) == hash(checked)
        assert type(fast) is cls and cls in EVENT_TYPES.values()
    with pytest.raises(InvalidEvent, match="hold_s must be a finite number >= 0"):
        checked_builder(CallAnswered)(10.0, "", "", "c", "q", "Ann", -1.0, None)


# --- batches: where a batch ends changes nothing ------------------------------------------------

_live_lines = st.sampled_from([
    "1795378661|c1|sales|NONE|ENTERQUEUE||5550107|1", "1795378662|c1|sales|Dave|CONNECT|1|c1.4|1",
    "1795378700|c1|sales|Dave|COMPLETECALLER|1|38|1", "1795378663|c2|sales|NONE|ENTERQUEUE||555|2",
    "1795378670|c2|sales|NONE|ABANDON|2|2|7", "1795378671|NONE|sales|Dave|PAUSE|Lunch",
    "1795378680|NONE|sales|Dave|UNPAUSE|", "", "\r", "garbage", "1795378690|c3|q|A|CONNECT|x|y|1"])


@settings(max_examples=100, deadline=None)
@given(st.lists(_live_lines, max_size=40), st.integers(1, 9))
def test_batches_of_any_size_give_what_one_batch_gives(lines, size):
    """Repeats straddling a batch's end are still dropped, line numbers still the file's, blank
    and CRLF lines still ignored: the events, skips and counts of small batches are one batch's."""
    lines = [line + "\r\n" for line in lines]
    whole = parse_lines(lines)
    parts = ParseResult.merged(parse_batches(lines, batch_lines=size))
    assert parts == whole


_line_ends = st.sampled_from(["\n", "\r\n", "\r", "\n\r", "\r\r\n", " \n", ""])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_live_lines, _line_ends), max_size=40), st.sampled_from([None, ""]),
       st.integers(1, 70))
def test_a_text_stream_read_in_blocks_gives_its_lines(pairs, newline, block):
    """A stream is read in blocks, its lines cut at ``\n``, ``\r\n`` or ``\r`` wherever a
    block ends (a ``\r\n`` split between two blocks too): the lines its own iteration gives,
    without their ends, translated or not; parsed, the same result as those lines."""
    text = "".join(line + end for line, end in pairs)
    by_line = [line.rstrip("\r\n") for line in io.StringIO(text, newline=newline)]
    stream = io.StringIO(text, newline=newline)
    blocks = list(_stream_lines(stream.read, block))
    assert [line for lines in blocks for line in lines] == by_line
    got = ParseResult.merged(parse_batches(io.StringIO(text, newline=newline), batch_lines=7))
    assert got == parse_lines(by_line)


@settings(max_examples=200, deadline=None)
@given(st.integers(-2500, 10**12), st.integers(0, 3000))
def test_line_numbers_are_the_numbers_text(first, count):
    """The ``source_pos`` of a batch's lines, across thousands and below 1000 (negative too)."""
    assert line_numbers(first, first + count) == [str(n) for n in range(first, first + count)]
    assert line_numbers(first, first - count) == []


def test_line_numbers_of_a_file_start_at_its_first_line():
    lines = [f"1795378661|c{n}|sales|NONE|ENTERQUEUE||555|1" for n in range(2500)]
    result = parse_lines(lines, first_line=998)
    assert [e.source_pos for e in result.events] == [str(n) for n in range(998, 3498)]


@settings(max_examples=100, deadline=None)
@given(st.lists(_live_lines, max_size=60), st.integers(1, 9), st.integers(0, 4))
def test_repeats_are_dropped_exactly_within_a_small_window(lines, size, window):
    """Whatever the batch size, a line is a repeat when it is one of the last ``window``
    distinct lines kept (a full window pushes its oldest out), as LineDeduper says line by line."""
    reference = LineDeduper(window)
    kept = [line.rstrip("\r\n") for line in lines]
    expected = sum(1 for line in kept if line.strip() and reference.seen(line))
    got = ParseResult.merged(parse_batches(lines, batch_lines=size, dedupe_window=window))
    assert got.duplicates == expected
