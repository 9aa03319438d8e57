"""Tests of the example CSV plugin, written as a plugin author would, with panneau.hub.testing."""

from __future__ import annotations

import json

import panneau_csv_calls
import pytest
from panneau_csv_calls.rows import parse_row, parse_time

from panneau.hub.cli.main import main
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.hub.testing import RecordingContext, append_lines, figures, make_source, run_source

HEADER = "call_id,queue,caller,entered,answered,ended,agent,outcome"
ROWS = [
    "c1,support,+331001,2026-01-05T09:00:00+00:00,2026-01-05T09:00:12+00:00,"
    "2026-01-05T09:03:12+00:00,alice,answered",
    "c2,support,+331002,2026-01-05T09:01:00+00:00,,2026-01-05T09:01:40+00:00,,abandoned",
    "c3,support,+331003,1767603720,1767603750,1767603800,bob,transferred",
]


def test_an_answered_row_gives_entered_answered_ended():
    entered, answered, ended = parse_row(ROWS[0].split(","), "acd", "1")
    assert (entered.kind, answered.kind, ended.kind) == (
        "call_entered", "call_answered", "call_ended")
    assert answered.hold_s == 12.0 and ended.talk_s == 180.0 and ended.ended_by == "caller"
    assert entered.ts == parse_time("2026-01-05T09:00:00+00:00") == 1767603600.0


@pytest.mark.parametrize(("row", "message"), [
    ("c9,support,,1,2,3,alice", "expected 8 fields"),
    ("c9,support,,1,2,3,alice,lost", "unknown outcome 'lost'"),
    ("c9,support,,1,5,3,alice,answered", "entered <= answered <= ended"),
    ("c9,support,,2026-01-05T09:00:00,,3,,abandoned", "has no UTC offset"),
])
def test_bad_rows_are_refused_with_a_reason(row, message):
    with pytest.raises(ValueError, match=message):
        parse_row(row.split(","), "acd", "1")


def test_installed_through_the_panneau_entry_point():
    registry = collect_sources(make_plugin_manager())
    assert registry.provider["csv_calls"] == "csv_calls"


async def test_source_follows_the_file_and_resumes_after_its_checkpoint(tmp_path):
    path = tmp_path / "calls.csv"
    await append_lines(path, [HEADER, ROWS[0], "garbage", ROWS[1]])
    options = {"path": str(path), "poll_s": 0.01}
    ctx = RecordingContext("acd")
    await run_source(make_source(panneau_csv_calls, "csv_calls", options), ctx,
                     until=lambda c: len(c.events) == 5)
    assert ctx.skips == [(f"byte {len(HEADER) + len(ROWS[0]) + 10}: expected 8 fields, got 1",
                          1)]
    assert ctx.checkpoint == {"inode": path.stat().st_ino, "offset": path.stat().st_size}
    assert ctx.status == "live"

    await append_lines(path, [ROWS[2]])  # written while the hub was down
    again = ctx.restarted()
    await run_source(make_source(panneau_csv_calls, "csv_calls", options), again,
                     until=lambda c: c.events)
    assert [e.call_id for e in again.events] == ["c3"] * 3
    assert again.events[-1].ended_by == "transfer"


async def test_a_missing_file_is_reported_down(tmp_path):
    ctx = RecordingContext("acd")
    source = make_source(panneau_csv_calls, "csv_calls", {"path": str(tmp_path / "nope.csv")})
    await run_source(source, ctx, until=lambda c: c.status == "down")
    assert "cannot read" in ctx.statuses[-1][1]


# docs: begin figures
def test_figures_from_the_rows():
    events = [e for i, row in enumerate(ROWS) for e in parse_row(row.split(","), "acd", str(i))]
    kpis = figures(events)
    assert kpis["queue:support/today/offered"] == 3
    assert kpis["queue:support/today/answered"] == 2
    assert kpis["queue:support/today/abandoned"] == 1
# docs: end figures


# docs: begin replay
def test_a_saved_file_is_replayed_by_panneau_replay(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([HEADER, *ROWS, "c9,support,,1,2"]) + "\n")
    assert main(["replay", "csv_calls", str(path), "--json"]) == 0
    out = capsys.readouterr()
    support = json.loads(out.out)["queues"]["support"]
    assert (support["offered"], support["answered"], support["abandoned"]) == (3, 2, 1)
    assert json.loads(out.out)["skipped_lines"] == 1
    assert out.err == "skipped line 5: expected 8 fields, got 5\n"
    semicolons = tmp_path / "calls-semicolons.csv"
    semicolons.write_text(ROWS[1].replace(",", ";") + "\n")
    assert main(["replay", "csv_calls", str(semicolons), "--option", "delimiter=;",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["queues"]["support"]["abandoned"] == 1
# docs: end replay
