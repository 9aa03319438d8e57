"""The panel in motion (App.run_test + Pilot): rotation, alerts, staleness, expiry, resize."""

from __future__ import annotations

from kiosk_data import PAGES, T0, alert_values, base_values, fixed_clock, normal_values, view_of

from kiosk.app import KioskApp
from kiosk.model import Freshness
from kiosk.widgets import Banner, BigNumber, BottomBar, KpiTile, TopBar


def tiles(app: KioskApp) -> dict[str, KpiTile]:
    return {w.tile.kpi: w for w in app.panel.query(KpiTile)}


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Pause until ``condition()`` holds (bounded)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached in time")


async def test_pages_rotate_with_their_own_dwell():
    pages = [{**PAGES[0], "dwell_s": 0.2}, {**PAGES[1], "dwell_s": 1.0}]
    values = {**normal_values(), **base_values(pages=pages)}
    app = KioskApp(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.page_title == "Queue now"
        assert app.panel.query_one(BottomBar).pages == "●○ 1/2"
        await wait_for(pilot, lambda: app.page_title == "Today")
        today = {"service_level_pct", "abandon_rate_pct", "asa_s", "answered"}
        await wait_for(pilot, lambda: set(tiles(app)) == today)
        assert app.panel.query_one(BottomBar).pages == "○● 2/2"
        assert "Today" in app.panel.query_one(TopBar).title
        await pilot.pause(0.3)  # shorter than the second page's dwell: still there
        assert app.page_title == "Today"
        await wait_for(pilot, lambda: app.page_title == "Queue now")


async def test_alert_jumps_to_front_flashes_then_stays_marked():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock, flash_period_s=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.page_title == "Queue now"
        app.set_view(view_of(alert_values()))
        await pilot.pause()
        assert app.page_title == "Alert"
        tile = tiles(app)["calls_waiting"]
        await wait_for(pilot, lambda: tile.has_class("-flash"))
        await wait_for(pilot, lambda: "flash" not in app._alarms)
        assert not tile.has_class("-flash")
        assert tile.has_class("-alert")
        assert tile.query_one(".head").content.startswith("✖ Calls waiting · now ALERT")
        banner = app.panel.query_one(Banner)
        assert banner.notices[0].kind == "alert"


async def test_connection_loss_greys_figures_and_keeps_values():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        assert not any(w.has_class("-stale") for w in tiles(app).values())
        app.set_view(app.view, Freshness(False, since=T0 - 90))
        await pilot.pause()
        assert all(w.has_class("-stale") for w in tiles(app).values())
        assert tiles(app)["calls_waiting"].query_one(BigNumber).value == "1"
        text = app.panel.query_one(Banner).notices[0].text
        assert text.startswith("Hub connection lost since 10:58")
        app.set_view(app.view, Freshness(True))
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
        app.set_view(view_of(normal_values()))
        await pilot.pause()
        assert app.screen is app.panel


async def test_survives_resize_and_a_burst_of_updates():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        big = tiles(app)["calls_waiting"].query_one(BigNumber)
        tall = len(big._layout())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert big.content_size.height < tall
        for n in range(50):  # redraws are coalesced: the last value wins
            values = normal_values()
            values["kpi:team:support/now/calls_waiting"] = n
            app.set_view(view_of(values))
        await pilot.pause()
        assert big.value == "49"
