"""The overlay's behaviour in a running app (Textual pilot), with fixed views and clock."""

from __future__ import annotations

import pytest
from helpers import wait_for
from overlay_views import NOW, agent_values, make_view, with_alert, with_message

from panneau.hub.freshness import Link
from panneau.hub.view import state_key
from panneau.overlay.app import OverlayApp
from panneau.overlay.widgets import AlertBar, MessageBar, OneLine, StateBar


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_app(values: dict, clock: Clock | None = None) -> OverlayApp:
    return OverlayApp(view=make_view(values), link=Link(True, NOW - 1),
                      clock=clock or Clock(NOW), tick_s=0.05)


def text_of(app: OverlayApp, widget_type) -> str:
    return str(app.screen.query_one(widget_type).render())


async def test_acknowledge_marks_the_message_and_goes_to_the_next():
    values = with_message(agent_values())
    values["message:m0"] = values["message:m1"] | {"id": "m0", "text": "Older", "sent": NOW - 600}
    app = make_app(values)
    async with app.run_test(size=(60, 15)) as pilot:
        assert "[a] ok" in text_of(app, MessageBar) and "Team huddle" in text_of(app, MessageBar)
        await pilot.press("a")
        assert app.acked_here == {"m1"}
        assert "Older" in text_of(app, MessageBar)  # the next one waiting comes first
        await pilot.press("a")
        assert app.acked_here == {"m1", "m0"}
        assert "✓ sent" in text_of(app, MessageBar)
        await pilot.press("a")  # nothing left: nothing happens
        assert app.acked_here == {"m1", "m0"}


async def test_o_folds_to_one_line_and_back():
    app = make_app(agent_values())
    async with app.run_test(size=(60, 15)) as pilot:
        one_line = app.screen.query_one(OneLine)
        assert not one_line.display
        await pilot.press("o")
        assert one_line.display and not app.screen.query_one("#full").display
        assert "Q ✓2 ✓0:41 SL ✓84%" in text_of(app, OneLine)
        await pilot.press("o")
        assert not one_line.display and app.screen.query_one("#full").display


async def test_new_alert_flashes_once_and_takes_no_focus():
    values = agent_values()
    app = make_app(values)
    async with app.run_test(size=(40, 10)) as pilot:
        bar = app.screen.query_one(AlertBar)
        bar.flash_s = 0.2
        assert not bar.has_class("-shown")
        with_alert(values)
        app.view.apply_snapshot("e1", 1, values)
        app.refresh_model()  # the model holds the alert now: the bar lights up at once
        assert bar.has_class("-shown") and bar.has_class("-fresh")
        await pilot.pause()
        assert "5 waiting, longest 2:10" in text_of(app, AlertBar)
        assert app.focused is None
        await wait_for(pilot, lambda: not bar.has_class("-fresh"))
        assert bar.has_class("-shown")  # calm, still shown
        app.refresh_model()
        assert not bar.has_class("-fresh")  # the same alert does not flash again
        values["alert:a1"] = {**values["alert:a1"], "state": "warn"}  # eased: no flash
        values[state_key("queue:support", "now", "calls_waiting")] = "warn"
        app.view.apply_snapshot("e1", 2, values)
        app.refresh_model()
        assert bar.has_class("-shown") and not bar.has_class("-fresh")
        values["alert:a1"] = {**values["alert:a1"], "state": "alert", "since": NOW - 5}
        values[state_key("queue:support", "now", "calls_waiting")] = "alert"
        app.view.apply_snapshot("e1", 3, values)  # worse again: raised anew, flashes
        app.refresh_model()
        assert bar.has_class("-fresh")


async def test_time_in_state_and_stale_mark_follow_the_clock():
    clock = Clock(NOW)
    app = make_app(agent_values(), clock)
    async with app.run_test(size=(60, 15)) as pilot:
        assert "On call 3:41" in text_of(app, StateBar) and "live" in text_of(app, StateBar)
        clock.now = NOW + 60  # the next tick redraws
        await wait_for(pilot, lambda: "On call 4:41" in text_of(app, StateBar))
        assert "⚠ data 1:01 old" in text_of(app, StateBar)  # last frame at NOW - 1


async def test_message_bar_hidden_without_messages():
    app = make_app(agent_values())
    async with app.run_test(size=(60, 15)):
        assert not app.screen.query_one(MessageBar).display


@pytest.mark.parametrize("size,more", [((60, 15), " (+2 more)"), ((40, 10), " +2")])
async def test_more_alerts_and_messages_are_counted_in_words(size, more):
    """``✖ billing: SL (all callers) 15m 38% +11`` read as 38 % up 11 points: the count of
    the other alerts (and messages) says what it counts, in a shorter form only where the
    alert's own text would be cut for the words."""
    values = with_message(with_alert(agent_values()))
    values["message:m0"] = values["message:m1"] | {"id": "m0", "text": "Older", "sent": NOW - 600}
    for n in range(2, 4):
        values[f"alert:a{n}"] = {"key": f"queue:q{n}/15m/service_level_offered_pct",
                                 "state": "warn", "value": 70 + n, "since": NOW - 20,
                                 "text": f"q{n}: SL (all callers) 15m {70 + n}%"}
    app = make_app(values)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        alert, message = text_of(app, AlertBar), text_of(app, MessageBar)
    assert alert == f"✖ support: 5 waiting, longest 2:10{more}"
    assert message.endswith(" (+1 more)"), message


async def test_a_long_alert_is_cut_in_its_name_never_through_its_figure():
    """At 40×10 a live hub's ``✖ billing: SL (all callers) 15m 44% +11`` showed ``15m 4…``:
    the name gives way, the window and the figure stay whole."""
    values = agent_values()
    values["alert:a1"] = {"key": "queue:billing/15m/service_level_offered_pct", "state": "alert",
                          "value": 44, "since": NOW - 20,
                          "text": "billing: SL (all callers) 15m 44%"}
    for n in range(2, 13):
        values[f"alert:a{n}"] = {"key": f"queue:q{n}/15m/asa_s", "state": "warn",
                                 "value": n, "since": NOW - 20, "text": f"q{n}: ASA 15m 0:{n:02}"}
    app = make_app(values)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        shown = text_of(app, AlertBar)
    assert shown.endswith(" 15m 44% +11") and "…" in shown, shown
    assert len(shown) <= 40 - 2, shown  # the bar's padding
