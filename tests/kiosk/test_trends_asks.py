"""The kiosk's Trends page asks the hub again for its series when they can have changed, at
most once a minute of the wall clock (hub/chart_asks.py).

At ×60 (``panneau demo --speed 60``) it asked every wall second: "once a minute" was read on
the hub's clock, which the kiosk redraws on each of its minutes.
"""

from __future__ import annotations

from kiosk_data import T0, held, trends_values, view_of

from panneau.hub.charts import history_frames, zone_of
from panneau.kiosk.app import KioskApp

W0 = 1_700_000_000.0  # the wall clock's


def trends_kiosk(speed: float | None, wall: list[float]) -> tuple[KioskApp, list[dict]]:
    """A kiosk on its Trends page alone, its wall clock ``wall[0]``, and the frames it sends."""
    values = trends_values()
    values["meta"]["pages"] = held([{"title": "Trends", "kind": "trends"}])
    values["meta"]["as_of"] = T0
    if speed is not None:
        values["meta"]["clock_speed"] = speed
    kiosk = KioskApp(view=view_of(values), clock=lambda: wall[0])
    asked: list[dict] = []

    async def record(frame: dict) -> bool:
        asked.append(frame)
        return True

    kiosk.send_frame = record  # what the page would send (the hub side: tests/hub)
    return kiosk, asked


def answered(kiosk: KioskApp) -> None:
    """The hub's answers to the kiosk's asks, ending with the figures it shows now."""
    now, view = kiosk.clock(), kiosk.view
    for frame in history_frames("team:support", now, zone_of(kiosk.meta.get("timezone"))):
        series = {k: [[now, float(view.values[f"kpi:{k}"])]] for k in frame["keys"]
                  if f"kpi:{k}" in view.values}
        kiosk.chart_answers[frame["ref"]] = {**frame, "type": "series", "series": series}


async def test_a_sped_hubs_trends_page_asks_once_a_wall_minute_not_every_second():
    wall = [W0]
    kiosk, asked = trends_kiosk(60.0, wall)
    async with kiosk.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert [f["ref"] for f in asked] == ["chart:day", "chart:period"]
        answered(kiosk)
        for _ in range(30):  # a wall second each: a minute of the hub's clock, redrawn
            wall[0] += 1.0
            kiosk.redraw()
        await pilot.pause()
        assert len(asked) == 2  # half an hour of the hub's clock: nothing asked
        wall[0] += 30.0  # a wall minute since the ask, half hours closed on the hub's clock
        kiosk.redraw()
        await pilot.pause()
        assert len(asked) == 4


async def test_at_speed_one_it_asks_a_minute_on_as_before_when_a_figure_moved_not_when_none_did():
    wall = [T0]
    kiosk, asked = trends_kiosk(None, wall)
    async with kiosk.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert len(asked) == 2
        answered(kiosk)
        wall[0] += 61.0
        kiosk.redraw()
        await pilot.pause()
        assert len(asked) == 2  # the charts would come back the same
        kiosk.view.values["kpi:team:support/today/answered"] += 1
        kiosk.redraw()
        await pilot.pause()
        assert len(asked) == 4  # as it did every minute
