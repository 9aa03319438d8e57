"""The kiosk's Objectives and Scorecard pages at 80×24 and 160×45 (baselines looked at)."""

from __future__ import annotations

import pytest
from goals_data import goal_values
from kiosk_data import base_values, fixed_clock, normal_values, view_of

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import build_page, page_specs

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


def app(kind: str, extra: dict | None = None) -> KioskApp:
    values = {**normal_values(), **goal_values(), **(extra or {}),
              **base_values(pages=[{"title": kind.title(), "kind": kind}])}
    return KioskApp(view=view_of(values), clock=fixed_clock)


@pytest.mark.parametrize("size", SIZES)
def test_objectives_page(snap_compare, size):
    assert snap_compare(app("objectives"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_scorecard_page(snap_compare, size):
    assert snap_compare(app("scorecard"), terminal_size=size)


def test_goal_pages_hold_the_views_goals_only():
    values = {**goal_values(), **base_values(pages=[
        {"title": "Objectives", "kind": "objectives"}, {"title": "Scorecard", "kind": "scorecard"},
        {"title": "Bad", "kind": "pie chart"}])}
    view = view_of(values)
    specs = page_specs(view)
    assert [s.kind for s in specs] == ["objectives", "scorecard"]  # a bad kind is left out
    objectives = build_page(view, specs[0], Link(True))
    assert [o["title"] for o in objectives.goals] == [
        "Customers are helped the first time", "Keep every caller"]
    card = build_page(view, specs[1], Link(True))
    assert card.goals[0]["scope"] == "team:support" and card.tiles == ()


PULSE = {"question": "How was your week?", "period": "2026-W48", "answers": 12, "mean": 3.58,
         "counts": [0, 2, 4, 4, 2]}


def test_the_scorecard_page_shows_the_teams_pulse_aggregate():
    values = {**goal_values(), "pulse:team:support": PULSE, "pulse:team:sales": {
        **PULSE, "answers": 40}, **base_values(pages=[{"title": "Card", "kind": "scorecard"}])}
    view = view_of(values)
    card = build_page(view, page_specs(view)[0], Link(True))
    assert card.goals[1] == PULSE  # its own team's, not another team's
    from rich.console import Console

    from panneau.hub.goals_display import pulse_line
    console = Console(width=80, record=True)
    console.print(pulse_line(PULSE))
    console.print(pulse_line({**PULSE, "answers": None, "mean": None, "counts": None}))
    assert console.export_text().splitlines() == [
        "Team pulse (anonymous) 3.6 / 5 from 12 answers · 2026-W48",
        "Team pulse (anonymous) too few answers yet · 2026-W48"]


@pytest.mark.parametrize("size", SIZES)
def test_scorecard_page_with_pulse(snap_compare, size):
    assert snap_compare(app("scorecard", {"pulse:team:support": PULSE}), terminal_size=size)


def test_the_scorecard_names_its_period_and_a_row_without_value_reads_one_mark():
    """The board's heading names the period, whose and its days (every other page names its
    scope and window); a figure without value reads "—" alone, not "— -" (a mark and a
    placeholder), and "◌ stale" when doubtful, not "◌ - stale"."""
    from rich.console import Console

    from panneau.hub.goals_display import scorecard_period, scorecard_table
    card = goal_values()["scorecard:team:support"]
    assert scorecard_period(card) == "2026-11 · support · 1 Nov – 30 Nov"
    assert scorecard_period({**card, "scope": "site:paris", "period": "2026-W48",
                             "first": "2026-11-23", "last": "2026-11-29"}) == (
        "2026-W48 · site:paris · 23 Nov – 29 Nov")
    rows = [{**row, "value": None} if row["kpi"] in ("nps", "csat_pct") else row
            for row in card["rows"]]
    console = Console(width=100, record=True)
    console.print(scorecard_table({**card, "rows": rows}, stale=lambda kpi, scope: kpi == "nps"))
    text = " ".join(console.export_text().split())
    assert "— -" not in text and "◌ -" not in text
    assert "CSAT lag — was 81%" in text and "NPS lag ◌ stale ASA" in text


def test_a_link_or_key_result_without_value_reads_the_no_data_mark():
    """Cause → effect and a key result's "value → target" read "—" without a value, as every
    other figure in text (the big digits' "-" read as a minus there: "- → 80%")."""
    from panneau.hub.display import ASCII_SYMBOLS
    from panneau.hub.goals_display import objectives_table, scorecard_table
    values = goal_values()
    card = values["scorecard:team:support"]
    links = [{**link, "effect_value": None} if link["cause"] == "fcr_pct"
             else {**link, "cause_value": None, "effect_value": None}
             if link["cause"] == "kb_freshness_pct" else link for link in card["links"]]
    objective = values["objective:0"]
    results = [{**kr, "value": None, "progress_pct": None, "status": "no data"}
               if kr["kpi"] == "fcr_pct" else kr for kr in objective["key_results"]]
    card_text = " ".join(_text(scorecard_table({**card, "links": links}), 100).split())
    assert "FCR → Cost per contact 77% → —" in card_text
    assert "KB up to date → Self-service — → —" in card_text
    goals = " ".join(_text(objectives_table([{**objective, "key_results": results}]), 100).split())
    assert "FCR — → 80% by 31 Dec" in goals and "- →" not in goals
    ascii_goals = _text(objectives_table([{**objective, "key_results": results}],
                                         ASCII_SYMBOLS), 100)
    assert "FCR - → 80% by 31 Dec" in " ".join(ascii_goals.split())  # the console font's mark


async def test_the_kiosks_scorecard_page_shows_its_period_over_the_board():
    kiosk = app("scorecard")
    async with kiosk.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        board = kiosk.screen.query_one("#goals")
        text = _text(board.render(), 76)
        assert text.splitlines()[0].strip() == "2026-11 · support · 1 Nov – 30 Nov"


def _text(renderable, width: int) -> str:
    """What a renderable reads as text, ``width`` columns wide."""
    from rich.console import Console
    console = Console(width=width, record=True)
    console.print(renderable)
    return console.export_text()
