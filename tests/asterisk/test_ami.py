"""The asterisk_ami source against a real AMI server on 127.0.0.1 replaying recorded replies.

The server speaks the protocol from transcripts: banner, the recorded Login reply (with the
client's ActionID put back), the recorded QueueStatus reply, Ping, then a recorded event stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from panoramisk.message import Message

import panneau.plugins.asterisk as asterisk
from panneau.hub.events import AgentStatus, CallEnded, CallLeft
from panneau.hub.testing import ManualClock, RecordingContext, figures, make_source, running
from panneau.plugins.asterisk.ami_events import AmiTranslator

AMI = Path(__file__).resolve().parents[1] / "fixtures" / "ami"
LIVE = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk_live"


def server_blocks(path: Path) -> list[str]:
    """The server's messages of a panoramisk transcript (client actions and banner removed)."""
    text = path.read_text().replace("\r\n", "\n")
    blocks = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if not ln.startswith("Asterisk Call Manager/")]
        if lines and lines[0].startswith(("Response:", "Event:")):
            blocks.append("\n".join(lines))
    return blocks


def live_stream() -> list[str]:
    """Every event block of the recorded Asterisk 23 session (ami_events.txt.gz)."""
    raw = gzip.decompress((LIVE / "ami_events.txt.gz").read_bytes()).decode()
    return [b for b in raw.replace("\r\n", "\n").split("\n\n") if b.startswith("Event:")]


def live_status() -> list[str]:
    """The QueueStatus reply recorded from the same Asterisk, as AMI text."""
    blocks = json.loads((LIVE / "asterisk_queuestatus_after.json").read_text())["blocks"]
    return ["\n".join(f"{k}: {v}" for k, v in block.items()) for block in blocks]


class AmiServer:
    """A TCP server on 127.0.0.1 that answers like the recorded Asterisk."""

    def __init__(self, login: list[str], status: list[str], stream: list[str] = (),
                 banner: str = "Asterisk Call Manager/13.0.0",
                 later: list[tuple[list[str], list[str]]] = (),
                 answer_pings: bool = True) -> None:
        """``status`` and ``stream`` answer the first connection; ``later`` the next ones (the
        last entry's status repeats, with no stream)."""
        self.login, self.banner = login, banner
        self.sessions = [(status, list(stream)), *later]
        self.logins = 0
        self.secrets: list[str] = []
        self.events_asked: list[str] = []
        self.answer_pings = answer_pings
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.handlers: set[asyncio.Task] = set()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> AmiServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        await self.drop()
        self.server.close()
        await self.server.wait_closed()
        async with asyncio.timeout(5):  # closed connections end their handlers
            await asyncio.gather(*self.handlers, return_exceptions=True)

    async def drop(self) -> None:
        """Close every client connection (a network cut as seen from the client)."""
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    def _send(self, writer: asyncio.StreamWriter, blocks: list[str], action_id: str) -> None:
        for block in blocks:
            lines = [f"ActionID: {action_id}" if ln.lower().startswith("actionid:") else ln
                     for ln in block.split("\n")]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        self.handlers.add(asyncio.current_task())
        number, self.connections = self.connections, self.connections + 1
        status, stream = self.sessions[min(number, len(self.sessions) - 1)]
        if number >= len(self.sessions):
            stream = []
        writer.write(f"{self.banner}\r\n".encode())
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            for _ in range(1000):  # bounded: a test session sends a handful of actions
                raw = await reader.readuntil(b"\r\n\r\n")
                fields = dict(ln.split(": ", 1) for ln in raw.decode().split("\r\n") if ": " in ln)
                fields = {k.lower(): v for k, v in fields.items()}
                action, action_id = fields.get("action", "").lower(), fields.get("actionid", "")
                if action == "login":
                    self.logins += 1
                    self.secrets.append(fields.get("secret", ""))
                    self.events_asked.append(fields.get("events", ""))
                    self._send(writer, self.login, action_id)
                    if "Response: Error" in self.login[0]:
                        await writer.drain()
                        break
                elif action == "queuestatus":
                    self._send(writer, status, action_id)
                    self._send(writer, stream, "")
                elif action == "ping":
                    if not self.answer_pings:
                        continue
                    self._send(writer, ["Response: Success\nPing: Pong\nActionID: x"], action_id)
                else:
                    self._send(writer, ["Response: Error\nMessage: Invalid/unknown command\n"
                                        "ActionID: x"], action_id)
                await writer.drain()
        writer.close()


def ami_source(port: int, **options):
    return make_source(asterisk, "asterisk_ami", {
        "host": "127.0.0.1", "port": port, "username": "panneau", "secret": "s3cret",
        "reconnect_min_s": 0.01, "reconnect_max_s": 0.05, "connect_timeout_s": 2.0, **options})


def kinds(ctx: RecordingContext) -> Counter:
    return Counter(ctx.kinds())


async def test_login_and_queue_status_seed_of_an_asterisk_11():
    login, status = server_blocks(AMI / "panoramisk_login_ok.txt"), server_blocks(
        AMI / "panoramisk_queue_status.txt")
    async with AmiServer(login, status, banner="Asterisk Call Manager/1.3") as server:
        ctx = RecordingContext("pbx", clock=ManualClock(1413885000.0))
        async with running(ami_source(server.port), ctx):
            await ctx.wait_for(lambda c: c.status == "live")
    # The recorded reply lists 6 members (XiVO: Name + Location): 5 with Status 1, not paused;
    # Agent/999 with Status 5 (unavailable) and Paused 1. No caller is waiting.
    assert kinds(ctx) == {"agent_logged_in": 6, "agent_paused": 1, "agent_status": 6}
    statuses = {e.agent: (e.state, e.paused) for e in ctx.events if isinstance(e, AgentStatus)}
    assert statuses["Agent/220"] == ("available", False)
    assert statuses["Agent/999"] == ("unavailable", True)
    assert {e.queue for e in ctx.events} == {"xxxxxxxxxxxxxxxx-tous"}
    assert ctx.checkpoint == {"waiting": []}
    assert server.logins == 1


async def test_refused_login_is_down_and_retried_with_backoff():
    login = server_blocks(AMI / "panoramisk_login_failed.txt")
    async with AmiServer(login, []) as server:
        ctx = RecordingContext("pbx")
        async with running(ami_source(server.port), ctx):
            await ctx.wait_for(lambda c: server.logins >= 3)
    downs = [detail for status, detail in ctx.statuses if status == "down"]
    assert downs[0].startswith(f"127.0.0.1:{server.port}: login refused: Authentication failed")
    assert "retry in 0.01s" in downs[0] and "retry in 0.02s" in downs[1]  # doubling
    assert ctx.events == []


async def test_secret_comes_from_the_environment(monkeypatch):
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    async with AmiServer(login, status_reply()) as server:
        source = make_source(asterisk, "asterisk_ami", {"port": server.port, "username": "u"})
        ctx = RecordingContext("pbx")
        with pytest.raises(ValueError, match="no secret"):
            await source.run(ctx)
        assert ctx.statuses == [("down", "no AMI secret: set ASTERISK_AMI_SECRET or "
                                         "options.secret")]
        monkeypatch.setenv("ASTERISK_AMI_SECRET", "from-env")
        async with running(source, ctx):
            await ctx.wait_for(lambda c: c.status == "live")
        assert server.secrets == ["from-env"]


async def test_unreachable_server_is_down():
    async with AmiServer([], []) as server:
        port = server.port
    ctx = RecordingContext("pbx")
    async with running(ami_source(port), ctx):
        await ctx.wait_for(lambda c: c.status == "down")
    assert "ConnectionRefusedError" in ctx.statuses[-1][1]


async def test_asterisk_23_live_stream_and_reconnect():
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    async with AmiServer(login, live_status(), live_stream()) as server:
        ctx = RecordingContext("pbx", clock=ManualClock(1795379700.0))
        async with running(ami_source(server.port), ctx):
            await ctx.wait_for(lambda c: len(c.events) >= 5 + 5 + 512, timeout=10)
            # Counts in the stream: QueueCallerJoin 119, AgentCalled 68, AgentConnect 64,
            # AgentComplete 64, QueueCallerAbandon 55 (51 ABANDON + 4 timeouts: AMI tells them
            # apart no more than Asterisk's own counter does), QueueMemberStatus 128,
            # QueueMemberPause 14 (7 with Paused 1). The seed: 5 members, none paused.
            assert kinds(ctx) == {
                "agent_logged_in": 5, "agent_status": 5 + 128, "call_entered": 119,
                "agent_rung": 68, "call_answered": 64, "call_ended": 64, "call_abandoned": 55,
                "agent_paused": 7, "agent_unpaused": 7,
            }
            # Two AgentComplete events lack the caller's Uniqueid: found again by member.
            assert len({e.call_id for e in ctx.events if isinstance(e, CallEnded)}) == 64
            assert ctx.skipped_count == 0
            assert ctx.checkpoint == {"waiting": []}  # every caller of the stream has left


async def test_agent_state_mode_emits_only_agent_states():
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    async with AmiServer(login, live_status(), live_stream()) as server:
        ctx = RecordingContext("pbx")
        async with running(ami_source(server.port, emit="agent_state", queues=["sales"]), ctx):
            # Seed: Dave and Erin; stream: 46 QueueMemberStatus + 8 QueueMemberPause on sales.
            await ctx.wait_for(lambda c: len(c.events) == 2 + 46 + 8, timeout=10)
    assert set(ctx.kinds()) == {"agent_status"}
    assert server.events_asked == ["agent"]  # QueueMember* only: no call event subscription
    assert {e.queue for e in ctx.events} == {"sales"}
    assert {e.agent for e in ctx.events} == {"Dave", "Erin"}
    paused = [e for e in ctx.events if e.paused]
    assert paused and all(e.reason for e in paused)


def status_reply(*entries: tuple[str, int]) -> list[str]:
    """A QueueStatus reply (shape of §2.1 in the research notes) with waiting callers."""
    return [
        "Response: Success\nActionID: x\nEventList: start\nMessage: Queue status will follow",
        "Event: QueueParams\nQueue: support\nCalls: 1\nActionID: x",
        "Event: QueueMember\nQueue: support\nName: Alice\nLocation: Local/alice@agents/n\n"
        "Status: 1\nPaused: 0\nInCall: 0\nActionID: x",
        *(f"Event: QueueEntry\nQueue: support\nPosition: 1\nChannel: PJSIP/100-0001\n"
          f"Uniqueid: {call_id}\nCallerIDNum: 5550199\nWait: {wait}\nActionID: x"
          for call_id, wait in entries),
        "Event: QueueStatusComplete\nActionID: x\nEventList: Complete",
    ]


def join(call_id: str) -> str:
    return (f"Event: QueueCallerJoin\nPrivilege: agent,all\nChannel: PJSIP/1-{call_id}\n"
            f"CallerIDNum: 5550199\nUniqueid: {call_id}\nQueue: support\nPosition: 1\nCount: 1")


async def test_reconnect_and_restart_reseed_without_counting_a_caller_twice():
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    later = [(status_reply(("1.2", 30)), []), (status_reply(("1.2", 90)), [])]
    clock = ManualClock(1795379100.0)
    async with AmiServer(login, status_reply(), [join("1.1"), join("1.2")],
                         later=later) as server:
        ctx = RecordingContext("pbx", clock=clock)
        async with running(ami_source(server.port), ctx):
            await ctx.wait_for(lambda c: c.kinds().count("call_entered") == 2)
            assert ctx.checkpoint["waiting"] == [["1.1", "support", 1795379100.0],
                                                 ["1.2", "support", 1795379100.0]]
            before = len(ctx.events)
            await server.drop()  # 1.1 leaves while the link is down; 1.2 still waits
            await ctx.wait_for(lambda c: server.logins == 2 and c.status == "live")
            assert ("down" in {s for s, _ in ctx.statuses})
        after = ctx.events[before:]
        # 1.1 left while the link was down, its outcome unseen: lost, not counted again;
        # 1.2 still waits where it was, not announced again.
        assert [e.kind for e in after] == ["call_lost", "agent_logged_in", "agent_status"]
        assert (after[0].call_id, after[0].queue) == ("1.1", "support")
        seen = figures(ctx.events, at=1795379100.0)
        assert seen["site/today/offered"] == 2  # not 3: no caller counted twice
        assert seen["site/now/calls_waiting"] == 1
        # The hub restarts: the checkpoint says 1.2 was announced, so it is not announced again.
        again = ctx.restarted()
        async with running(ami_source(server.port), again):
            await again.wait_for(lambda c: c.status == "live")
        assert again.kinds() == ["agent_logged_in", "agent_status"]
        assert again.checkpoint["waiting"] == [["1.2", "support", 1795379100.0]]  # as first seen


async def test_asterisk_13_console_capture(shared_file):
    path = shared_file("asterisk_ami", "callme_asterisk13_console_ami_debug_queue_call.log")
    text = path.read_text()
    stream = [part.split("\n\n")[0] for part in text.split("<-- Examining AMI event: -->\n")[1:]]
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    status = ["Response: Success\nActionID: x\nMessage: Queue status will follow",
              "Event: QueueStatusComplete\nActionID: x"]
    async with AmiServer(login, status, stream) as server:
        ctx = RecordingContext("pbx")
        async with running(ami_source(server.port), ctx):
            await ctx.wait_for(lambda c: "call_ended" in c.kinds() and len(c.events) == 8)
    # One call on Q1 to SIP/777: Join, AgentCalled, QueueMemberStatus 1 → 6 → 2 → 1,
    # AgentConnect (hold 9, ring 9), AgentComplete (talk 3, caller hung up).
    assert ctx.kinds() == ["agent_status", "call_entered", "agent_status", "agent_rung",
                           "agent_status", "call_answered", "call_ended", "agent_status"]
    assert [e.state for e in ctx.events if isinstance(e, AgentStatus)] == [
        "available", "ringing", "on_call", "available"]
    ended = ctx.events[6]
    assert (ended.hold_s, ended.talk_s, ended.ended_by, ended.agent) == (9.0, 3.0, "caller",
                                                                          "SIP/777")


# --- the translator alone -------------------------------------------------------------------


def msg(text: str) -> Message:
    return Message.from_line(text.replace("\n", "\r\n"))


def test_asterisk_11_names_and_a_caller_who_left_with_a_key():
    t = AmiTranslator("pbx", leave_grace_s=5)
    out = []
    for block, at in (
        ("Event: Join\nChannel: SIP/1-01\nCallerIDNum: 555\nQueue: q\nPosition: 1\nCount: 1\n"
         "Uniqueid: 1.1", 100.0),
        ("Event: Join\nChannel: SIP/2-01\nCallerIDNum: 556\nQueue: q\nPosition: 2\nCount: 2\n"
         "Uniqueid: 1.2", 101.0),
        ("Event: Leave\nChannel: SIP/1-01\nQueue: q\nCount: 1\nPosition: 1\nUniqueid: 1.1", 130.0),
        ("Event: Leave\nChannel: SIP/2-01\nQueue: q\nCount: 0\nPosition: 1\nUniqueid: 1.2", 131.0),
        ("Event: AgentConnect\nQueue: q\nUniqueid: 1.2\nChannel: SIP/2-01\nMember: SIP/200\n"
         "MemberName: Ann\nHoldtime: 30\nBridgedChannel: 1.3\nRingtime: 2", 131.0),
        ("Event: QueueMemberPaused\nQueue: q\nLocation: SIP/200\nMemberName: Ann\nPaused: 1\n"
         "Reason: Lunch", 132.0),
    ):
        out += t.event(msg(block), at)
    assert [e.kind for e in out] == ["call_entered", "call_entered", "call_answered",
                                     "agent_paused"]
    assert (out[2].hold_s, out[2].ring_s, out[3].reason) == (30.0, 2.0, "Lunch")
    assert t.tick(134.0) == []  # 1.1 left at 130: still within the grace
    (left,) = t.tick(135.0)
    assert left == CallLeft(ts=130.0, source="pbx", source_pos=left.source_pos, call_id="1.1",
                            queue="q", reason="key", wait_s=30.0)


def test_bad_and_foreign_messages_give_no_event_but_are_reported():
    t = AmiTranslator("pbx")
    assert t.event(msg("Event: AgentConnect\nQueue: q\nMemberName: Ann"), 1.0) == []
    assert t.event(msg("Event: VarSet\nVariable: X\nValue: 1"), 1.0) == []
    assert t.event({"Event": "QueueCallerJoin", "Queue": "q"}, 1.0) == []
    assert t.problems == ["AgentConnect: no Uniqueid, Queue, member or HoldTime",
                          "QueueCallerJoin: no Uniqueid or Queue"]
    repeated = "Event: QueueMemberStatus\nSequenceNumber: 7\nQueue: q\nMemberName: A\nStatus: 1"
    assert len(t.event(msg(repeated), 1.0)) == 1
    assert t.event(msg(repeated), 1.0) == []  # same SequenceNumber: a debug-capture repeat


@pytest.mark.parametrize(("status", "in_call", "state"), [
    ("1", "0", "available"), ("1", "1", "on_call"), ("6", "0", "ringing"),
    ("2", "1", "on_call"), ("5", "0", "unavailable"), ("0", "", "available"),
    ("junk", "", "unavailable"),
])
def test_device_states(status, in_call, state):
    (event,) = AmiTranslator("pbx").event(msg(
        f"Event: QueueMemberStatus\nQueue: q\nInterface: PJSIP/1\nMemberName: Ann\n"
        f"Status: {status}\nInCall: {in_call}\nPaused: 0"), 5.0)
    assert (event.agent, event.state, event.paused) == ("Ann", state, False)


_value = st.one_of(st.text(max_size=8), st.sampled_from(["1", "0", "support", "1.5", "nan", ""]))
_message = st.builds(
    lambda name, fields: {"Event": name, **fields},
    st.sampled_from(["QueueCallerJoin", "Join", "QueueCallerLeave", "Leave", "QueueCallerAbandon",
                     "AgentCalled", "AgentRingNoAnswer", "AgentConnect", "AgentComplete",
                     "QueueMemberStatus", "QueueMemberAdded", "QueueMemberPause",
                     "QueueMemberPaused", "QueueMemberRemoved", "QueueEntry", "Other"]),
    st.dictionaries(st.sampled_from(["Queue", "Uniqueid", "MemberName", "Interface", "Location",
                                     "HoldTime", "TalkTime", "RingTime", "Status", "Paused",
                                     "InCall", "Reason", "DestUniqueid", "Wait", "Position",
                                     "SequenceNumber", "Timestamp"]), _value),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_message, max_size=12), st.sampled_from(["all", "agent_state"]))
def test_no_ami_message_raises(messages, mode):
    t = AmiTranslator("pbx", mode=mode, leave_grace_s=0)
    t.seed(messages, 100.0)
    for message in messages:
        t.event(message, 100.0)
    t.tick(200.0)


async def test_an_unanswered_ping_is_reported_as_such_and_reconnects():
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    async with AmiServer(login, status_reply(), answer_pings=False) as server:
        ctx = RecordingContext("pbx")
        async with running(ami_source(server.port, ping_interval_s=0.05,
                                      connect_timeout_s=0.2), ctx):
            await ctx.wait_for(lambda c: any("no answer to Ping within 0.2s" in detail
                                             for _, detail in c.statuses), timeout=10)
            await ctx.wait_for(lambda c: server.logins >= 2, timeout=10)
    assert server.events_asked[0] == "call,agent"
    assert not any("connection closed" in detail for _, detail in ctx.statuses)


async def test_a_quiet_link_whose_pings_are_answered_sends_heartbeats():
    login = server_blocks(AMI / "panoramisk_login_ok.txt")
    async with AmiServer(login, status_reply()) as server:
        ctx = RecordingContext("pbx")
        async with running(ami_source(server.port, ping_interval_s=0.05), ctx):
            await ctx.wait_for(lambda c: c.heartbeats >= 3, timeout=10)
    assert ctx.statuses[-1][0] == "live"


def test_a_status_reply_out_of_range_is_reported_and_the_rest_kept():
    """Found by test_no_ami_message_raises: a caller waiting longer than the clock allows
    (Wait 110 s at 100 s after 1970) cannot be an event; it is reported, the others kept."""
    t = AmiTranslator("pbx", leave_grace_s=0)
    events = t.seed([{"Event": "QueueEntry", "Queue": "q1", "Uniqueid": "old", "Wait": "110"},
                     {"Event": "QueueEntry", "Queue": "q1", "Uniqueid": "new", "Wait": "5"}],
                    100.0)
    assert [(type(e).__name__, e.call_id, e.ts) for e in events] == [("CallEntered", "new", 95.0)]
    assert len(t.problems) == 1 and t.problems[0].startswith("QueueEntry refused:")
