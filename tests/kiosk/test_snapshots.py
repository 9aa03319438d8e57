"""What the panel looks like, with fixed data and a fixed clock, at 80×24 and 160×45.

Baselines in ``__snapshots__`` were generated with ``--snapshot-update`` and looked at.
"""

from __future__ import annotations

import pytest
from kiosk_data import T0, alert_values, base_values, fixed_clock, normal_values, view_of

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


def stale_values() -> dict:
    values = normal_values()
    values["source:asterisk"] = {"status": "stale", "since": T0 - 300, "last_event": T0 - 300,
                                 "feeds": ["voice", "agents"]}
    return values


def message_values() -> dict:
    values = normal_values()
    values["message:m1"] = {"id": "m1", "text": "Team meeting at 11:30, keep two on the phones",
                            "sender": "Claire", "sent": T0 - 60, "expires": T0 + 600}
    return values


def app(values: dict, fresh: Link | None = None, colors: str = "full") -> KioskApp:
    return KioskApp(view=view_of(values), link=fresh, clock=fixed_clock, colors=colors)


@pytest.mark.parametrize("size", SIZES)
def test_normal(snap_compare, size):
    assert snap_compare(app(normal_values()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_warn_and_alert(snap_compare, size):
    assert snap_compare(app(alert_values()), terminal_size=size, run_before=_settle_flash)


@pytest.mark.parametrize("size", SIZES)
def test_stale_source(snap_compare, size):
    assert snap_compare(app(stale_values()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_hub_connection_lost(snap_compare, size):
    assert snap_compare(app(normal_values(), Link(False, lost_at=T0 - 90)), terminal_size=size)


def test_refused_token(snap_compare):
    """No tile, no page dots: only why the hub refused the screen and how to fix it."""
    refused = Link(False, rejected="unknown token", rejected_code=4001)
    assert snap_compare(app({}, refused), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES)
def test_message_banner(snap_compare, size):
    assert snap_compare(app(message_values()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_no_data(snap_compare, size):
    assert snap_compare(app(base_values()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_sixteen_colours_alert(snap_compare, size):
    assert snap_compare(app(alert_values(), colors="16"), terminal_size=size,
                        run_before=_settle_flash)


@pytest.mark.parametrize("size", SIZES)
def test_off_hours_clock(snap_compare, size):
    closed = base_values(schedule={"on": "07:30", "off": "19:00",
                                   "days": ["mon", "tue", "wed", "thu", "fri"]})
    assert snap_compare(app(closed), terminal_size=size)


def sped_values() -> dict:
    """A demo's hub (``clock_speed`` 60) three hours ahead of this screen's clock: its figures'
    time and an alert raised on its clock."""
    values, ahead = alert_values(), 3 * 3600
    values["meta"] |= {"clock_speed": 60.0, "as_of": T0 + ahead - 5}
    values["alert:a1"]["since"] += ahead
    return values


@pytest.mark.parametrize("size", SIZES)
def test_sped_hub_clock(snap_compare, size):
    """The top bar read the wall clock's time beside the figures' "as of" and an alert's
    "since" three hours later: every time of day is the hub's now, said once atop."""
    assert snap_compare(app(sped_values()), terminal_size=size, run_before=_settle_flash)


def two_scope_alerts() -> dict:
    """The team and one of its queues alerting, with other numbers; a flapping 15m alert."""
    values = alert_values()
    values["meta"]["queues"] = ["support", "billing"]
    values |= {"kpi:queue:billing/now/calls_waiting": 4,
               "state:queue:billing/now/calls_waiting": "warn",
               "alert:q1": {"key": "queue:billing/now/calls_waiting", "state": "alert",
                            "since": T0 - 60},
               "kpi:team:support/15m/abandon_rate_pct": 14.0,
               "state:team:support/15m/abandon_rate_pct": "alert",
               "alert:q2": {"key": "team:support/15m/abandon_rate_pct", "state": "alert",
                            "since": T0 - 30}}
    return values


@pytest.mark.parametrize("size", SIZES)
def test_alert_page_names_each_figure_once(snap_compare, size):
    assert snap_compare(app(two_scope_alerts()), terminal_size=size, run_before=_settle_flash)


async def _settle_flash(pilot) -> None:
    """Let the alert flash run out so the snapshot shows the steady 'stays marked' state."""
    pilot.app.stop_flash()


@pytest.mark.parametrize("size", SIZES)
def test_trend_page(snap_compare, size):
    assert snap_compare(app(normal_values()), terminal_size=size, run_before=_second_page)


async def _second_page(pilot) -> None:
    pilot.app.next_page()
