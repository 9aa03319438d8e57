"""E-mailed reports, received by a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import email
import io
from datetime import datetime
from email import policy
from functools import partial
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest
from aiosmtpd.smtp import SMTP as SmtpServer

from panneau.hub.config import load_config
from panneau.hub.events import (
    AgentLoggedIn,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    FigureEntered,
)
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.hub.server.journal import Journal
from tests.hub.conftest import eventually

_eventually = partial(eventually, timeout=15.0)

PARIS = ZoneInfo("Europe/Paris")
#: ``[reports]`` sending to the test's SMTP server (``{port}``), without schedules.
SMTP = """
[reports]
smtp_host = "127.0.0.1"
smtp_port = {port}
smtp_security = "none"
sender = "panneau@example.com"
send_at = "07:00"
"""
REPORTS = SMTP + """
[[reports.schedules]]
period = "day"
to = ["boss@example.com"]
scopes = ["team:support"]

[[objectives]]
title = "Callers answered"
team = "support"
period = "month"

[[objectives.key_results]]
kpi = "abandon_rate_pct"
target = 5.0
deadline = "2026-11-30"
"""


#: A card of three KPIs: training hours with a target of its own, no threshold.
SCORECARD = """
[scorecard]
period = "month"
kpis = [{ kpi = "occupancy_pct", perspective = "cost", role = "leading" },
        { kpi = "abandon_rate_pct", perspective = "process" },
        { kpi = "training_hours", perspective = "people", role = "leading", target = 8.0 }]
"""


def _at(day, hh, mm, ss=0):
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=PARIS).timestamp()


class Inbox:
    """The SMTP server's handler: keeps what it accepts, refuses ``refuse`` times first."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
async def inbox():
    handler = Inbox()
    server = await asyncio.get_running_loop().create_server(
        lambda: SmtpServer(handler, hostname="mail.test"), "127.0.0.1", 0)
    handler.port = server.sockets[0].getsockname()[1]
    yield handler
    server.close()
    await server.wait_closed()


def _day_of_calls(config_path, db, port):
    """2026-11-02 on the support queue, as the hub journalled and sampled it.

    c1 08:01 answered after 10 s, 120 s talk; c2 08:02 abandoned after 30 s; c3 09:10
    abandoned after 20 s; c4 09:20 answered after 4 s, 120 s talk. So: 4 offered, 2 answered,
    abandon rate 50 %, ASA (10 + 4) / 2 = 7 s, AHT 120 s (no wrap-up), service level 2 of 4
    callers (2 of 2 answered, the Asterisk way); one call lost in the 8
    o'clock hour, one in the 9 o'clock one."""
    config_path.write_text(config_path.read_text() + REPORTS.format(port=port))
    journal = Journal(db)
    journal.db.execute("DELETE FROM kpi_history")
    journal.db.conn.commit()
    events = [
        AgentLoggedIn(ts=_at(2, 8, 0), agent="ag-ann", queue="support"),
        CallEntered(ts=_at(2, 8, 1), call_id="c1", queue="support"),
        CallAnswered(ts=_at(2, 8, 1, 10), call_id="c1", queue="support", agent="ag-ann",
                     hold_s=10.0),
        CallEntered(ts=_at(2, 8, 2), call_id="c2", queue="support"),
        CallAbandoned(ts=_at(2, 8, 2, 30), call_id="c2", queue="support", wait_s=30.0),
        CallEnded(ts=_at(2, 8, 3, 10), call_id="c1", queue="support", agent="ag-ann",
                  hold_s=10.0, talk_s=120.0, ended_by="agent"),
        CallEntered(ts=_at(2, 9, 10), call_id="c3", queue="support"),
        CallAbandoned(ts=_at(2, 9, 10, 20), call_id="c3", queue="support", wait_s=20.0),
        CallEntered(ts=_at(2, 9, 20), call_id="c4", queue="support"),
        CallAnswered(ts=_at(2, 9, 20, 4), call_id="c4", queue="support", agent="ag-ann",
                     hold_s=4.0),
        CallEnded(ts=_at(2, 9, 22, 4), call_id="c4", queue="support", agent="ag-ann",
                  hold_s=4.0, talk_s=120.0, ended_by="agent"),
    ]
    journal.accept("pbx", events, None, False, _at(2, 9, 23))
    for ts, offered, abandoned in ((_at(2, 8, 59), 2, 1), (_at(2, 9, 59), 4, 2)):
        journal.add_history(ts, [("team:support/today/offered", offered),
                                 ("team:support/today/abandoned", abandoned)])
    journal.close()


def _hub(config_path, clock):
    hub = Hub(load_config(config_path), pm=make_plugin_manager(load_entry_points=False),
              clock=clock)
    hub.reports.check_s, hub.reports.backoff_min = 0.05, 0.1
    return hub


async def test_the_daily_report_is_received_once_with_hand_derived_figures(
        report_config, inbox):
    path, db = report_config
    _day_of_calls(path, db, inbox.port)
    clock = lambda: _at(3, 7, 30)  # noqa: E731  the next morning, after send_at
    async with _hub(path, clock) as hub:
        await _eventually(lambda: hub.reports.sent == 1)
    [mail] = inbox.messages
    assert mail["Subject"] == "Panneau: Daily report 2026-11-02"
    assert mail["To"] == "boss@example.com" and mail["From"] == "panneau@example.com"
    text = mail.get_body(("plain",)).get_content()
    lines = [line.strip() for line in text.splitlines()]
    assert "== Team support (1 of 1 days with data)" in text
    for expected in ("Offered: 4", "Answered: 2", "ASA: 0:07", "AHT: 2:00",
                     "Abandon rate: 50%",
                     "SL (all callers): 50%",  # 2 answered within 20 s of 4 callers
                     "SL (Asterisk): 100%  target 85%  [ok]"):  # thresholded: 2 of 2 answered
        assert expected in lines, (expected, lines)
    assert lines[lines.index("Worst hours (calls lost):") + 1:][:2] == [
        "Mon 02 08:00  1 lost of 2", "Mon 02 09:00  1 lost of 2"]
    assert "Objective Callers answered (2026-11): on track" in lines, lines[-6:]
    assert "Abandon rate 50% → 5.0% by 2026-11-30, on track" in lines  # objectives.py judges
    html = mail.get_body(("html",)).get_content()
    assert "<td>Abandon rate</td><td align=right>50%</td>" in html
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "panneau-2026-11-02.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert book.sheetnames[:3] == ["Summary", "Site", "Teams"]
    header, *rows = list(book["Teams"].iter_rows(values_only=True))
    assert rows[-1][header.index("offered")] == 4
    # a restart the same morning does not send it again
    async with _hub(path, clock) as hub:
        await _eventually(lambda: hub.reports.states.get("day:boss@example.com") is not None
                          and hub.reports.states["day:boss@example.com"].last_period)
        assert hub.reports.sent == 0  # the state is set after a send too: it came from the journal
    assert len(inbox.messages) == 1


async def test_the_report_carries_the_entered_figures_and_the_scorecards(report_config, inbox):
    """Training hours and complaints a manager entered for the day, and the scorecard's
    figures (occupancy, with the card's target and state), are in the mail as they are on the
    screens' scorecard: the mail had the key and thresholded figures only."""
    path, db = report_config
    _day_of_calls(path, db, inbox.port)
    path.write_text(path.read_text() + SCORECARD)
    journal = Journal(db)
    journal.accept("input", [
        FigureEntered(ts=_at(2, 17, 0), entry_id="e1", figure="training_hours", amount=6.0,
                      team="support", by="boss", source="input"),
        FigureEntered(ts=_at(2, 17, 1), entry_id="e2", figure="complaints", amount=3.0,
                      team="support", category="billing", by="boss", source="input")],
        None, False, _at(2, 17, 2))
    journal.close()
    async with _hub(path, lambda: _at(3, 7, 30)) as hub:
        await _eventually(lambda: hub.reports.sent == 1)
    [mail] = inbox.messages
    lines = [line.strip() for line in mail.get_body(("plain",)).get_content().splitlines()]
    # the card's own target, not met (no threshold: warn, as on the screens' scorecard)
    assert "Training hours: 6.0h  target 8.0h  [warn]" in lines, lines
    assert "Complaints: 3" in lines, lines
    # ann logged in from 08:00 to the working day's end at midnight (16 h), on calls for
    # 2 × 120 s: 240 / 57,600 = 0.42 %
    assert "Occupancy: 0.4%" in lines, lines
    assert lines.count("Abandon rate: 50%") == 1  # a key figure on the card is listed once
    html = mail.get_body(("html",)).get_content()
    assert "<td>Training hours</td><td align=right>6.0h</td>" in html


async def test_a_refusing_server_is_retried_with_backoff_and_shown_in_healthz(
        report_config, inbox):
    path, db = report_config
    _day_of_calls(path, db, inbox.port)
    inbox.refuse = 2
    async with _hub(path, lambda: _at(5, 9, 0)) as hub:  # down on the 3rd and 4th
        state = None
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            async with asyncio.timeout(15):
                while state is None or not state["error"]:
                    state = (await client.get("/healthz")).json()["reports"].get(
                        "day:boss@example.com")
                    await asyncio.sleep(0.02)
            assert "451" in state["error"] and state["attempts"] >= 1
            assert state["retry_in_s"] is not None
            await _eventually(lambda: hub.reports.sent == 1)
            state = (await client.get("/healthz")).json()["reports"]["day:boss@example.com"]
    assert inbox.refused == 2 and len(inbox.messages) == 1
    assert state["error"] is None and state["last_period"] == "2026-11-04"
    # caught up once: only the latest finished day, not one mail per missed day
    assert inbox.messages[0]["Subject"] == "Panneau: Daily report 2026-11-04"
