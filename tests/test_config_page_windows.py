"""A kiosk page shows each of its KPIs in the page's window: a KPI the engine never gives in
that window (calls waiting over 15 minutes, calls answered "now") would read "no data" on
the wall all day, so `panneau config check` refuses it, naming the page's line."""

from __future__ import annotations

import pytest

from panneau.hub.config import ConfigError, parse_config


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "t.toml")
    return info.value.messages


def page(window: str, kpis: str, trend: str | None = None) -> str:
    text = f'[[kiosk.pages]]\ntitle = "p"\nwindow = "{window}"\nkpis = {kpis}\n'
    return text + (f'trend = "{trend}"\n' if trend else "")


def test_an_instant_kpi_on_a_page_of_another_window_is_refused():
    assert errors(page("15m", '["abandon_rate_pct", "calls_waiting"]')) == [
        "t.toml:4: kiosk.pages[0].kpis[1]: 'calls_waiting' is only in the \"now\" window "
        "(an instant figure): it would read no data on a \"15m\" page; put it on a page "
        'with window = "now"'
    ]


def test_a_counted_kpi_on_a_now_page_is_refused():
    assert errors(page("now", '["calls_waiting", "answered"]')) == [
        "t.toml:4: kiosk.pages[0].kpis[1]: 'answered' has no \"now\" window: it would read "
        'no data on a "now" page; put it on a page with window = "today", "15m", "30m" '
        'or "60m"'
    ]


def test_a_trend_of_a_kpi_the_window_lacks_is_refused():
    assert errors(page("today", '["answered"]', trend="longest_wait_s")) == [
        "t.toml:5: kiosk.pages[0].trend: 'longest_wait_s' is only in the \"now\" window "
        "(an instant figure): it would read no data on a \"today\" page; put it on a page "
        'with window = "now"'
    ]


@pytest.mark.parametrize("window", ["now", "today", "15m", "30m", "60m"])
def test_levels_show_in_every_window(window):
    parse_config(page(window, '["backlog", "tickets_pending"]'), "t.toml")


def test_the_default_and_example_pages_are_accepted():
    parse_config(page("now", '["calls_waiting", "longest_wait_s", "agents_available"]')
                 + page("60m", '["answered", "service_level_offered_pct"]',
                        trend="service_level_offered_pct"), "t.toml")
