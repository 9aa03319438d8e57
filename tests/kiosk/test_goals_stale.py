"""The Objectives and Scorecard pages mark a figure fed by a stale or down source, or shown
while the hub link is lost, as its tile does: greyed, ``◌ stale`` (its objective too)."""

from __future__ import annotations

import io

import pytest
from goals_data import goal_values
from kiosk_data import T0, base_values, fixed_clock, kpis, normal_values, view_of
from rich.console import Console

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import PageSpec, build_page, page_specs
from panneau.kiosk.widgets.goals import GoalsBoard

#: A survey source that stopped: it feeds CSAT only.
SURVEYS_STALE = {"source:surveys": {"status": "stale", "since": T0 - 600,
                                    "last_event": T0 - 601, "detail": "",
                                    "feeds": ["surveys"]}}


def values(kind: str, extra: dict | None = None) -> dict:
    return {**normal_values(), **goal_values(), **(extra or {}),
            **base_values(pages=[{"title": kind.title(), "kind": kind}])}


def board_lines(app: KioskApp) -> list[str]:
    """The goals board as drawn on screen, one string a line."""
    board = app.panel.query_one(GoalsBoard)
    console = Console(width=board.size.width, record=True, file=io.StringIO())
    console.print(board.render())
    return console.export_text().splitlines()


def line_of(lines: list[str], start: str, width: int | None = None) -> str:
    """The first row that names ``start`` (a scorecard's perspectives stand side by side:
    the row only, not the one beside it)."""
    line = next(line for line in lines if f" {start}" in f" {line}")
    at = line.index(start)
    return line[at:at + width if width else None]


async def test_objectives_mark_the_key_results_of_a_stale_source_and_their_objective():
    app = KioskApp(view=view_of(values("objectives", SURVEYS_STALE)), clock=fixed_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        lines = board_lines(app)
        assert "◌ stale" in line_of(lines, "CSAT")
        assert "◌ stale" in line_of(lines, "Customers are helped")  # its objective
        assert "at risk" in line_of(lines, "FCR")  # a voice figure: the surveys never fed it
        assert "◌" not in line_of(lines, "Keep every caller")
        assert app.panel.query_one(GoalsBoard).stale == {("team:support", "csat_pct")}
        # the hub link lost: every figure is doubtful, every objective marked
        app.set_view(app.view, Link(connected=False, lost_at=T0 - 30))
        await pilot.pause()
        lines = board_lines(app)
        for start in ("Customers are helped", "FCR", "CSAT", "Keep every caller",
                      "Abandon rate", "SL (all callers)"):
            assert "◌ stale" in line_of(lines, start), start
        app.set_view(view_of(values("objectives")), Link(connected=True))
        await pilot.pause()
        assert not any("◌" in line for line in board_lines(app))


async def test_scorecard_rows_of_a_down_source_read_stale_with_their_figure():
    down = {"source:pbx": {"status": "down", "since": T0 - 60, "last_event": T0 - 61,
                           "detail": "", "feeds": ["voice"]}}
    app = KioskApp(view=view_of(values("scorecard", down)), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        lines = board_lines(app)
        assert "◌ 72% stale" in line_of(lines, "SL (all callers)", 70)
        assert "◌ 7.5% stale" in line_of(lines, "Abandon rate", 70)
        assert "◌" not in line_of(lines, "CSAT", 70)  # a survey figure, its source is live
        assert "◌" not in line_of(lines, "Cost per contact", 70)


def test_a_figure_has_one_state_on_its_tile_and_on_the_goals_pages():
    extra = {**SURVEYS_STALE, **kpis("today", csat_pct=(83.0, "ok"), fcr_pct=(77.0, "ok"))}
    view = view_of(values("objectives", extra))
    tiles = build_page(view, PageSpec("Today", ("csat_pct", "fcr_pct")), Link(True)).tiles
    goals = build_page(view, page_specs(view)[0], Link(True))
    assert {t.kpi: t.stale for t in tiles} == {"csat_pct": True, "fcr_pct": False}
    assert goals.stale_goals == {("team:support", "csat_pct")}
    lost = build_page(view, page_specs(view)[0], Link(connected=False))
    assert {kpi for _, kpi in lost.stale_goals} == {
        "fcr_pct", "csat_pct", "abandon_rate_pct", "service_level_offered_pct"}


@pytest.mark.parametrize("kind", ["objectives", "scorecard"])
def test_goal_pages_with_a_stale_source(snap_compare, kind):
    extra = {**SURVEYS_STALE, "source:pbx": {
        "status": "down", "since": T0 - 60, "last_event": T0 - 61, "detail": "",
        "feeds": ["service_level_offered_pct"]}}
    app = KioskApp(view=view_of(values(kind, extra)), clock=fixed_clock)
    assert snap_compare(app, terminal_size=(100, 30))
