"""The pure parts: formatting, page building, staleness, notices, schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk_data import GARBAGE, T0, alert_values, base_values, kpis, normal_values, view_of

from panneau.hub.display import compare, format_delta, format_value
from panneau.hub.freshness import Link
from panneau.kiosk.model import build_page, notices, page_specs
from panneau.kiosk.schedule import (
    as_of_text,
    clock_label,
    closed_text,
    is_on,
    seconds_to_next_minute,
)


def hhmm(ts: float) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo("Europe/Paris")).strftime("%H:%M")


def test_format_units():
    assert format_value("longest_wait_s", 245) == "4:05"
    assert format_value("longest_wait_s", 3725) == "1:02:05"
    assert format_value("service_level_pct", 86.4) == "86%"
    assert format_value("abandon_rate_pct", 3.24) == "3.2%"
    assert format_value("frt_avg_min", 12.4) == "12m"
    assert format_value("nps", 35.2) == "+35"
    assert format_value("calls_waiting", 0) == "0"
    assert format_value("calls_waiting", None) == "-"
    assert format_value("asa_s", float("nan")) == "-"
    assert format_delta("asa_s", -12) == "-0:12"
    assert format_delta("service_level_pct", 5.4) == "+5.4%"


def test_compare_uses_preferred_direction():
    assert compare("service_level_pct", 90, 80) == (1, True)
    assert compare("calls_waiting", 5, 2) == (1, False)
    assert compare("agents_on_call", 5, 2) == (1, None)
    assert compare("calls_waiting", None, 2) == (0, None)


def test_no_data_is_a_dash_never_zero():
    view = view_of(base_values())
    page = build_page(view, page_specs(view)[0], Link(True))
    assert {t.text for t in page.tiles} == {"-"}
    assert {t.state for t in page.tiles} == {"nodata"}


def test_states_and_refs():
    view = view_of(normal_values())
    page = build_page(view, page_specs(view)[0], Link(True))
    waiting = page.tiles[0]
    assert (waiting.text, waiting.state, waiting.stale) == ("1", "ok", False)
    assert waiting.refs == (("yesterday", -1, True, "-2"), ("last_week", 0, None, "+0"))
    assert page.tiles[3].state == "none"  # on call: data, no threshold


def test_trend_comes_from_history():
    view = view_of(normal_values())
    page = build_page(view, page_specs(view)[1], Link(True))
    assert len(page.trend) == 60 and page.trend[0] == 70.0
    assert page.trend_label == "SL (all callers) trend"


def test_alert_page_goes_first():
    view = view_of(alert_values())
    specs = page_specs(view)
    assert specs[0].is_alert and specs[0].kpis == ("calls_waiting",)
    page = build_page(view, specs[0], Link(True))
    assert (page.tiles[0].text, page.tiles[0].state) == ("9", "alert")
    assert [s.title for s in specs[1:]] == ["Queue now", "Today"]


def test_stale_source_greys_only_what_it_feeds():
    values = normal_values()
    values.update(kpis("today", csat_pct=(91.0, "ok")))
    values["source:asterisk"] = {"status": "stale", "since": T0 - 300, "last_event": T0 - 300,
                                 "detail": "no events for 5 min", "feeds": ["voice"]}
    view = view_of(values)
    spec = replace(page_specs(view)[1], kpis=("service_level_pct", "csat_pct"))
    page = build_page(view, spec, Link(True))
    assert {t.kpi: t.stale for t in page.tiles} == {"service_level_pct": True, "csat_pct": False}
    assert page.stale_trend
    lines = notices(view, Link(True), T0, hhmm)
    assert lines[0].kind == "stale"
    assert lines[0].text == ("Source asterisk stale since 10:55, last event 10:55: "
                             "no events for 5 min")


def test_lost_connection_greys_everything_and_says_since_when():
    view = view_of(normal_values())
    fresh = Link(False, lost_at=T0 - 60)
    page = build_page(view, page_specs(view)[0], fresh)
    assert all(t.stale for t in page.tiles)
    assert page.tiles[0].text == "1"  # last value kept
    assert notices(view, fresh, T0, hhmm)[0].text.startswith("Hub connection lost since 10:59")


def test_messages_expire_and_newest_first():
    values = normal_values()
    values["message:m1"] = {"id": "m1", "text": "old", "sender": "Ana", "sent": T0 - 50,
                            "expires": T0 + 60}
    values["message:m2"] = {"id": "m2", "text": "new", "sender": None, "sent": T0 - 10,
                            "expires": None}
    values["message:m3"] = {"id": "m3", "text": "gone", "sent": T0 - 900, "expires": T0 - 1}
    texts = [n.text for n in notices(view_of(values), Link(True), T0, hhmm)]
    assert texts == ["new", "Ana: old"]


def test_schedule():
    tz = ZoneInfo("Europe/Paris")
    office = {"on": "08:00", "off": "18:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
    assert is_on(office, datetime(2026, 11, 27, 9, 0, tzinfo=tz))  # Friday
    assert not is_on(office, datetime(2026, 11, 27, 18, 0, tzinfo=tz))
    assert not is_on(office, datetime(2026, 11, 28, 11, 0, tzinfo=tz))  # Saturday
    night = {"on": "22:00", "off": "06:00", "days": ["fri"]}
    assert is_on(night, datetime(2026, 11, 28, 5, 59, tzinfo=tz))  # Friday's night shift
    assert not is_on(night, datetime(2026, 11, 28, 22, 0, tzinfo=tz))
    assert is_on(None, datetime(2026, 11, 28, 3, 0, tzinfo=tz))
    assert seconds_to_next_minute(T0 + 15) == 45


def test_alert_page_shows_each_kpi_once_in_its_shortest_window():
    values = alert_values()
    for window in ("today", "15m", "30m"):
        values[f"alert:queue:support/{window}/abandon_rate_pct"] = {
            "key": f"queue:support/{window}/abandon_rate_pct", "state": "alert",
            "since": T0 - 30, "text": "raw hub text"}
    values["alert:old"] = {"key": "team:support/now/agents_paused", "state": "ok"}  # over
    view = view_of(values)
    spec = page_specs(view)[0]
    assert spec.kpis == ("calls_waiting", "abandon_rate_pct")
    assert spec.scopes == (("team:support", "now"), ("queue:support", "15m"))
    labels = [t.label for t in build_page(view, spec, Link(True)).tiles]
    assert labels == ["Calls waiting · now", "Abandon rate · support 15m"]
    alert_lines = [n.text for n in notices(view, Link(True), T0, hhmm) if n.kind == "alert"]
    assert alert_lines == ["Calls waiting · now, Abandon rate · support 15m (since 10:58)"]


def test_one_figure_one_state_banner_page_and_tile_read_the_state_key():
    values = alert_values()
    values["state:team:support/now/calls_waiting"] = "warn"  # the alert entry still says alert
    view = view_of(values)
    [notice] = notices(view, Link(True), T0, hhmm)
    assert (notice.kind, notice.text) == ("warn", "Calls waiting · now (since 10:58)")
    spec = page_specs(view)[0]
    assert spec.is_alert and [t.state for t in build_page(view, spec, Link(True)).tiles] == [
        "warn"]
    queue_now = build_page(view, page_specs(view)[1], Link(True))
    assert {t.kpi: t.state for t in queue_now.tiles}["calls_waiting"] == "warn"
    values["state:team:support/now/calls_waiting"] = "ok"  # recovered: no alert anywhere
    view = view_of(values)
    assert not notices(view, Link(True), T0, hhmm)
    assert not page_specs(view)[0].is_alert


def test_a_long_banner_names_four_figures_and_counts_the_others():
    values = alert_values()
    for n, kpi in enumerate(("asa_s", "aht_s", "abandon_rate_pct", "fcr_pct", "csat_pct")):
        values[f"alert:x{n}"] = {"key": f"team:support/60m/{kpi}", "state": "alert",
                                 "since": T0 - 60}
    [notice] = notices(view_of(values), Link(True), T0, hhmm)
    assert notice.text == ("Calls waiting · now, ASA · 60m, AHT · 60m, Abandon rate · 60m"
                           " and 2 more (since 10:58)")


def test_a_queue_with_the_team_figure_is_shown_once():
    values = alert_values()
    values["meta"]["queues"] = ["support"]
    values |= {"kpi:queue:support/now/calls_waiting": 9,
               "state:queue:support/now/calls_waiting": "alert",
               "alert:q1": {"key": "queue:support/now/calls_waiting", "state": "alert",
                            "since": T0 - 60}}
    spec = page_specs(view_of(values))[0]
    assert spec.scopes == (("team:support", "now"),)
    values["kpi:queue:support/now/calls_waiting"] = 7  # another number: another figure
    view = view_of(values)
    spec = page_specs(view)[0]
    assert spec.scopes == (("team:support", "now"), ("queue:support", "now"))
    assert [t.label for t in build_page(view, spec, Link(True)).tiles] == [
        "Calls waiting · now", "Calls waiting · support now"]
    [notice] = notices(view, Link(True), T0, hhmm)
    assert notice.text == "Calls waiting · now, Calls waiting · support now (since 10:58)"


def test_the_night_clock_says_when_the_panel_opens():
    office = {"on": "07:30", "off": "19:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
    assert closed_text(office) == "Outside opening hours (Mon–Fri 07:30–19:00)"
    assert closed_text({**office, "days": ["mon", "tue", "sat", "sun"]}) == (
        "Outside opening hours (Mon, Tue, Sat, Sun 07:30–19:00)")
    assert closed_text({"on": "22:00", "off": "06:00"}) == (
        "Outside opening hours (every day 22:00–06:00)")
    assert closed_text("weekdays") == "Outside opening hours"


def test_garbage_in_the_view_shows_as_no_data_and_never_raises():
    view = view_of(GARBAGE)
    specs = page_specs(view)
    assert [s.title for s in specs] == ["ok"]
    page = build_page(view, specs[0], Link(True))
    assert (page.tiles[0].text, page.tiles[0].state, page.tiles[0].stale) == ("-", "nodata", True)
    assert page.trend == (2.0, 6.5)
    texts = [n.text for n in notices(view, Link(True), T0, hhmm)]
    assert texts == ["Source pbx stale since ?", "bye", "hello"]


def test_the_clock_says_once_when_the_hubs_runs_faster():
    """A demo's or a trial's hub (``[hub] clock_speed``) dates its figures on its own clock,
    hours ahead of the wall clock within minutes: the panel shows every time of day on it and
    says so once, before the top bar's time (the figures' time says nothing more)."""
    paris = ZoneInfo("Europe/Paris")
    assert as_of_text({"as_of": T0}, paris) == f"as of {hhmm(T0)}:00"
    assert as_of_text({}, paris) == "as of —"
    assert as_of_text({"as_of": T0, "clock_speed": 60.0}, paris) == f"as of {hhmm(T0)}:00"
    assert [clock_label(meta) for meta in ({}, {"clock_speed": 1}, {"clock_speed": 60.0},
                                           {"clock_speed": 0.5}, {"clock_speed": "60"},
                                           {"clock_speed": -2})] == [
        "", "", "hub clock ×60 · ", "hub clock ×0.5 · ", "", ""]
    # its minute comes every wall second at ×60, never sooner than a second
    assert seconds_to_next_minute(T0 + 15, 60.0) == 1.0
    assert seconds_to_next_minute(T0 + 15, 0.5) == 90.0
    assert seconds_to_next_minute(T0 + 15, 3600.0) == 1.0
