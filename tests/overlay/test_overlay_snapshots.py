"""What the overlay looks like at 40×10 and 60×15, from fixed views and a fixed clock.

Baselines in ``__snapshots__/`` were generated with ``--snapshot-update`` and looked at.
"""

from __future__ import annotations

import pytest
from overlay_views import (
    NOW,
    agent_values,
    make_view,
    pbx_down,
    small_team,
    with_alert,
    with_message,
)

from panneau.hub.freshness import Link
from panneau.hub.view import kpi_key
from panneau.overlay.app import OverlayApp

SIZES = [pytest.param((40, 10), id="40x10"), pytest.param((60, 15), id="60x15")]
LIVE = Link(connected=True, last_frame_at=NOW - 1)


def app(values: dict, link: Link = LIVE, one_line: bool = False) -> OverlayApp:
    return OverlayApp(view=make_view(values), link=link, clock=lambda: NOW, one_line=one_line)


def stale_values() -> dict:
    values = agent_values()
    values["meta"]["as_of"] = NOW - 95
    return values


@pytest.mark.parametrize("size", SIZES)
def test_normal(snap_compare, size):
    assert snap_compare(app(agent_values()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_alert(snap_compare, size):
    assert snap_compare(app(with_alert(agent_values())), terminal_size=size)


def two_alerts(values: dict) -> dict:
    values["alert:a2"] = {"key": "agent:alice/15m/aht_s", "state": "warn", "value": 312}
    return with_alert(values)


@pytest.mark.parametrize("size", SIZES)
def test_two_alerts(snap_compare, size):
    assert snap_compare(app(two_alerts(agent_values())), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_message(snap_compare, size):
    assert snap_compare(app(with_message(agent_values())), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_stale(snap_compare, size):
    assert snap_compare(app(stale_values(), Link(True, NOW - 95)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_source_down(snap_compare, size):
    """The agent's state, the queue and the figures the phone system fed are greyed and
    marked; CSAT (fed by a live survey source) is not."""
    assert snap_compare(app(pbx_down(agent_values())), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_offline_small_team(snap_compare, size):
    assert snap_compare(app(small_team(agent_values()), Link(False, NOW - 75)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_one_line(snap_compare, size):
    assert snap_compare(app(with_message(with_alert(agent_values())), one_line=True),
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_one_line_by_key(snap_compare, size):
    assert snap_compare(app(agent_values()), press=["o"], terminal_size=size)


def test_one_line_in_a_one_row_pane(snap_compare):
    assert snap_compare(app(with_alert(agent_values()), one_line=True), terminal_size=(80, 1))


@pytest.mark.parametrize("size", SIZES)
def test_ticket_agent(snap_compare, size):
    """An agent who also handles tickets: the catalogue's longer labels keep every value of a
    column in one place (cut with … in two columns, never run into the value)."""
    values = agent_values()
    values |= {kpi_key("agent:alice", "today", kpi): v for kpi, v in
               {"tickets_created": 3, "tickets_solved": 12, "tickets_pending": 1}.items()}
    assert snap_compare(app(values), terminal_size=size)


def test_ticket_agent_with_an_alert_and_a_message_at_the_smallest_size(snap_compare):
    """Four rows for ten figures at 40×10: two columns of readable labels (never three cut to
    four letters, ``Tick 3`` beside ``Tick 12``) and what does not fit counted, ``+N more``."""
    values = with_message(with_alert(agent_values()))
    values |= {kpi_key("agent:alice", "today", kpi): v for kpi, v in
               {"tickets_created": 3, "tickets_solved": 12, "tickets_pending": 1,
                "frt_avg_min": 42}.items()}
    assert snap_compare(app(values), terminal_size=(40, 10))
