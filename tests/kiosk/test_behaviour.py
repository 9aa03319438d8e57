"""The panel in motion (App.run_test + Pilot): rotation, alerts, staleness, expiry, resize."""

from __future__ import annotations

import time

from helpers import wait_for
from kiosk_data import (
    GARBAGE,
    PAGES,
    SCOPE,
    T0,
    alert_values,
    base_values,
    fixed_clock,
    normal_values,
    view_of,
)
from textual.widgets import Static

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp
from panneau.kiosk.widgets import Banner, BigNumber, BottomBar, KpiTile, TopBar


def tiles(app: KioskApp) -> dict[str, KpiTile]:
    return {w.tile.kpi: w for w in app.panel.tiles()}


async def test_pages_rotate_with_their_own_dwell():
    pages = [{**PAGES[0], "dwell_s": 0.3}, {**PAGES[1], "dwell_s": 1.2}]
    values = {**normal_values(), **base_values(pages=pages)}
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    armed: list[tuple[str, float]] = []  # (page shown, its rotation delay)
    turns: list[tuple[str, float]] = []  # (page left, when): timers fire late, never early
    real_set_timer, real_next_page = app.set_timer, app.next_page

    def set_timer(delay, callback, *args, **kwargs):  # the real methods, with a record
        if callback == app.next_page:
            armed.append((app.page_title, delay))
        return real_set_timer(delay, callback, *args, **kwargs)

    def next_page() -> None:
        turns.append((app.page_title, time.monotonic()))
        real_next_page()

    app.set_timer, app.next_page = set_timer, next_page
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(turns) >= 2)
        assert [title for title, _ in turns[:2]] == ["Queue now", "Today"]
        assert armed[:2] == [("Queue now", 0.3), ("Today", 1.2)]
        assert turns[1][1] - turns[0][1] >= 1.2  # "Today" stayed its own 1.2 s
        today = {"service_level_offered_pct", "abandon_rate_pct", "asa_s", "answered"}
        await wait_for(pilot, lambda: app.page_title == "Queue now")
        app.next_page()  # the bars follow the page shown (rotation goes on meanwhile)
        await wait_for(pilot, lambda: set(tiles(app)) == today
                       and app.panel.query_one(BottomBar).pages == "○● 2/2"
                       and app.panel.query_one(TopBar).title == "Today")


async def test_a_rotation_while_the_app_shuts_down_draws_nothing():
    """Under load a page's rotation timer fired while run_test closed the app, after its
    screens were gone: ``self.screen`` raised ScreenStackError and failed the test."""
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(80, 24)):
        pass
    assert not app.is_running and not app.screen_stack
    app.next_page()  # what the rotation timer calls: nothing left to draw on


async def test_alert_jumps_to_front_flashes_then_stays_marked():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock, flash_period_s=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.page_title == "Queue now"
        toggles: list[bool] = []
        real_flash = app.panel.flash

        def flash(kpis: set[str], on: bool) -> None:  # the real method, with a record
            toggles.append(on)
            real_flash(kpis, on)

        app.panel.flash = flash
        app.set_view(view_of(alert_values()))
        await wait_for(pilot, lambda: set(tiles(app)) == {"calls_waiting"})
        assert app.page_title == "Alert"
        await wait_for(pilot, lambda: "flash" not in app._alarms)
        assert toggles == [True, False, True, False, True, False]
        tile = tiles(app)["calls_waiting"]
        assert not tile.has_class("-flash")
        assert tile.has_class("-alert")
        assert tile.head.startswith("✖ Calls waiting · now ALERT")
        assert tile.rows()[0].strip() == tile.head  # drawn as its first row
        banner = app.panel.query_one(Banner)
        assert banner.notices[0].kind == "alert"


async def test_flapping_alerts_jump_to_the_alert_page_once_per_rotation():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)

    def flap(alert_id: str) -> dict:  # the last alert went away, a new one came
        values = normal_values() | {k: v for k, v in alert_values().items()
                                    if not k.startswith("alert:")}
        return values | {f"alert:{alert_id}": alert_values()["alert:a1"]}

    async with app.run_test(size=(80, 24)) as pilot:
        app.set_view(view_of(flap("a1")))
        await wait_for(pilot, lambda: app.page_title == "Alert")
        app.next_page()  # the rotation goes on: Alert, Queue now, Today
        await wait_for(pilot, lambda: app.page_title == "Queue now")
        app.set_view(view_of(flap("a2")))
        await wait_for(pilot, lambda: app._seen_alerts.keys() == {"a2"})
        assert app.page_title == "Queue now"  # no jump: "Today" has not been shown yet
        assert app.panel.query_one(Banner).notices[0].text.startswith("Calls waiting · now")
        app.next_page()
        await wait_for(pilot, lambda: app.page_title == "Today")
        app.set_view(view_of(flap("a3")))
        await wait_for(pilot, lambda: app.page_title == "Alert")  # a rotation later: it jumps


async def test_an_alert_raised_anew_after_easing_jumps_again_an_easing_does_not():
    """The hub raises an alert eased to warn anew when it gets worse again (a new ``since``,
    an ``alert`` frame): the panel jumps and flashes as for a new alert; the easing (the same
    alert saying warn) does neither."""
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)

    def alerting(state: str, since: float) -> dict:
        values = alert_values()
        values[f"state:{SCOPE}/now/calls_waiting"] = state
        return values | {"alert:a1": {**values["alert:a1"], "state": state, "since": since}}

    async with app.run_test(size=(80, 24)) as pilot:
        app.set_view(view_of(alerting("alert", T0 - 120)))
        await wait_for(pilot, lambda: app.page_title == "Alert")
        for title in ("Queue now", "Today"):  # a whole rotation: the next raise may jump
            app.next_page()
            await wait_for(pilot, lambda t=title: app.page_title == t)
        app.set_view(view_of(alerting("warn", T0 - 120)))  # eased: in force, says warn
        await wait_for(pilot, lambda: app.panel.query_one(Banner).notices[0].kind == "warn")
        assert app.page_title == "Today" and app._pages_before_jump == 0
        app.set_view(view_of(alerting("alert", T0 - 30)))  # worse again: raised anew
        await wait_for(pilot, lambda: app.page_title == "Alert")
        assert app._seen_alerts == {"a1": T0 - 30}


async def test_connection_loss_greys_figures_and_keeps_values():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        assert not any(w.has_class("-stale") for w in tiles(app).values())
        app.set_view(app.view, Link(False, lost_at=T0 - 90))
        await pilot.pause()
        assert all(w.has_class("-stale") for w in tiles(app).values())
        assert tiles(app)["calls_waiting"].number.value == "1"
        text = app.panel.query_one(Banner).notices[0].text
        assert text.startswith("Hub connection lost since 10:58")
        app.set_view(app.view, Link(True))
        await pilot.pause()
        assert not any(w.has_class("-stale") for w in tiles(app).values())
        assert not app.panel.query_one(Banner).display


async def test_message_disappears_when_it_expires():
    clock = [T0]
    values = normal_values()
    values["message:m1"] = {"id": "m1", "text": "Coffee is here", "sender": "Lea",
                            "sent": T0, "expires": T0 + 0.3}
    app = KioskApp(view=view_of(values), clock=lambda: clock[0])
    async with app.run_test(size=(80, 24)) as pilot:
        assert [n.text for n in app.panel.query_one(Banner).notices] == ["Lea: Coffee is here"]
        clock[0] = T0 + 1
        await wait_for(pilot, lambda: not app.panel.query_one(Banner).notices)


async def test_off_hours_dims_to_a_clock_and_comes_back():
    closed = base_values(schedule={"on": "08:00", "off": "18:00", "days": ["mon"]})
    app = KioskApp(view=view_of(closed), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen is app.night
        assert app.night.query_one("#clock-time", BigNumber).value == "11:00"
        note = app.night.query_one("#clock-note", Static)
        assert str(note.render()) == "Outside opening hours (Mon 08:00–18:00)"
        app.set_view(view_of(normal_values()))
        await pilot.pause()
        assert app.screen is app.panel


async def test_survives_resize_and_a_burst_of_updates():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        tile = tiles(app)["calls_waiting"]

        def block_rows() -> int:
            return sum(1 for row in tile.rows() if set(row) & set("█▀▄"))

        await wait_for(pilot, lambda: block_rows() > 1)  # big digits laid out
        tall = block_rows()
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: 0 < block_rows() < tall)
        for n in range(50):  # redraws are coalesced: the last value wins
            values = normal_values()
            values["kpi:team:support/now/calls_waiting"] = n
            app.set_view(view_of(values))
        await pilot.pause()
        assert tile.number.value == "49"


async def test_a_garbled_view_still_draws():
    app = KioskApp(view=view_of(GARBAGE), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert tiles(app)["calls_waiting"].number.value == "-"
        assert app.panel.query_one(BottomBar).as_of == "as of —"
        app.set_view(view_of({"meta": "nonsense"}))
        await pilot.pause()
        assert app.page_title == "Queue now"  # the config's default pages


async def test_alert_tiles_of_one_kpi_stay_told_apart_on_a_narrow_wall():
    """Three alerts on the service level (the team's 15m, queue billing's 30m, queue support's
    15m) side by side at 80×24: each tile's head was cut to 'SL (all callers) ·…', the three
    alike. The KPI's name gives way first, so each keeps its scope and window."""
    values = normal_values()
    sl = "service_level_offered_pct"
    keys = [f"{SCOPE}/15m/{sl}", f"queue:billing/30m/{sl}", f"queue:support/15m/{sl}"]
    for n, key in enumerate(keys):
        values[f"kpi:{key}"], values[f"state:{key}"] = 70.0 + n, "warn"
        values[f"alert:s{n}"] = {"key": key, "state": "warn", "value": 70.0 + n,
                                 "since": T0 - 60}
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.page_title == "Alert" and len(app.panel.tiles()) == 3)
        heads = [tile.rows()[0].strip() for tile in app.panel.tiles()]
    assert all(head.startswith("▲ SL (") and "…" in head for head in heads), heads
    assert sorted(head.split(" · ", 1)[1].removesuffix(" WARN") for head in heads) == [
        "15m", "billing 30m", "support 15m"], heads


async def test_a_comparison_too_long_for_one_line_moves_down_whole():
    """At 80×24 ``↓-2 yesterday  =+0 last week`` did not fit its tile and wrapped as
    ``↓-2 yesterday  =+0`` over ``last week``: read as "=+0 yesterday". Each comparison now
    keeps its figure and its day on one line; a long note still wraps at its spaces."""
    values = normal_values()
    values[f"annotation:{SCOPE}/now/calls_waiting"] = {"text": "phone outage from 10:05 to 10:40, "
                                                 "calls rerouted to Lyon"}
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "calls_waiting" in tiles(app))
        tile = tiles(app)["calls_waiting"]
        width = tile.content_size.width
        lines = [row.strip() for row in tile.rows()]
        at = lines.index("↓-2 yesterday")
        assert lines[at:at + 3] == ["↓-2 yesterday", "=+0 last week", "✎ phone outage from"], (
            width, lines)
    assert width < len("↓-2 yesterday  =+0 last week")
