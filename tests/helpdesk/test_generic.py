"""The generic source: dropped CSV/JSON files and a polled JSON endpoint, mapped by config."""

from __future__ import annotations

import logging
import os
import time

import httpx
import pytest
from aiohttp import web

from panneau.hub.testing import ManualClock, RecordingContext, make_source, running
from panneau.hub.toolkit.fetch import Fetcher, FetchError
from panneau.hub.toolkit.mapping import RowMapping, row_to_survey
from panneau.plugins import generic
from panneau.plugins.generic.source import FolderReader
from tests.helpdesk.conftest import run_until

SURVEY_MAPPING = {
    "kind": "survey", "survey": "nps",
    "fields": {"id": "Response ID", "time": "Submitted", "score": "Score",
               "ticket_id": "Ticket", "agent": "Agent", "comment": "Comment"},
    "time_format": "%d/%m/%Y %H:%M", "timezone": "Europe/Paris",
}
SURVEY_CSV = """Response ID,Submitted,Score,Ticket,Agent,Comment
r1,02/03/2026 10:00,10,101,Alice,Great
r2,02/03/2026 10:05,9,102,Alice,
r3,02/03/2026 10:10,7,103,Bob,"ok, I guess"
r4,02/03/2026 10:15,3,104,Bob,Slow
r5,02/03/2026 10:20,eleven,105,Bob,
,02/03/2026 10:25,8,106,Bob,
r6,02/03/2026 10:30,12,107,Bob,
r7,31/02/2026 10:30,5,108,Bob,
r8,02/03/2026 10:35,6,109
"""


#: The hub's clock in these tests: the afternoon of the rows' day (2026-03-02 12:00 UTC).
NOON = 1772452800.0


@pytest.fixture
def ctx() -> RecordingContext:
    """The context of a source named ``src``, its clock after the rows' times."""
    return RecordingContext("src", clock=ManualClock(NOON))


def write_old(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    old = time.time() - 3600
    os.utime(path, (old, old))


def folder_source(tmp_path, mapping=SURVEY_MAPPING, **extra):
    return make_source(generic, "generic", {"folder": str(tmp_path), "mapping": mapping,
                                            "settle_s": 1.0, **extra})


async def read_folder(ctx, source) -> None:
    await FolderReader(ctx, source.options).poll_once()


async def test_survey_csv_rows_bad_rows_reported_with_file_and_line(tmp_path, ctx):
    write_old(tmp_path / "export-1.csv", SURVEY_CSV)
    await read_folder(ctx, folder_source(tmp_path))
    assert [(e.response_id, e.score, e.agent) for e in ctx.events] == [
        ("r1", 10, "Alice"), ("r2", 9, "Alice"), ("r3", 7, "Bob"), ("r4", 3, "Bob")]
    assert ctx.events[0].ts == 1772442000  # 10:00 Paris = 09:00 UTC
    assert ctx.events[2].comment == "ok, I guess" and ctx.events[1].comment is None
    assert ctx.skipped_details == [
        "export-1.csv:6: score 'eleven' is not a number (map it in score_map)",
        "export-1.csv:7: no id (column 'Response ID' is missing or empty)",
        "export-1.csv:8: score 12 is outside 0..10",
        "export-1.csv:9: time: cannot read time '31/02/2026 10:30'",
        "export-1.csv:10: 4 cells where the header has 6",
    ]
    assert ctx.checkpoint["files"] == ["export-1.csv"]


async def test_a_file_is_never_read_twice(tmp_path, ctx):
    source = folder_source(tmp_path)
    write_old(tmp_path / "export-1.csv", SURVEY_CSV)
    await read_folder(ctx, source)
    await read_folder(ctx, source)
    again = ctx.restarted()
    await read_folder(again, source)
    assert len(ctx.events) == 4 and again.events == [] and len(ctx.checkpoints) == 1
    # the next export repeats r1..r4 and adds r9: only r9 is new
    write_old(tmp_path / "export-2.csv", SURVEY_CSV.split("r5,")[0] +
              "r9,02/03/2026 11:00,8,110,Alice,\n")
    await read_folder(again, source)
    assert [e.response_id for e in again.events] == ["r9"]


async def test_files_still_being_written_wait(tmp_path, ctx):
    (tmp_path / "fresh.csv").write_text(SURVEY_CSV)
    source = folder_source(tmp_path, settle_s=60.0)
    await read_folder(ctx, source)
    assert ctx.events == [] and ctx.checkpoints == []


async def test_ticket_rows_from_json_lines(tmp_path, ctx):
    mapping = {"kind": "ticket",
               "fields": {"id": "number", "updated": "sys.updated", "created": "sys.created",
                          "status": "state", "assignee": "owner", "group": "team",
                          "first_reply_at": "first_response", "type": "kind"},
               "status_map": {"In Progress": "open", "Resolved": "solved", "Awaiting": "pending"}}
    write_old(tmp_path / "crm.jsonl", "\n".join([
        '{"number": "C1", "sys": {"created": "2026-03-02T08:00:00Z", '
        '"updated": "2026-03-02T08:00:00Z"}, "state": "In Progress", "owner": "Alice", '
        '"kind": "Incident"}',
        '{"number": "C1", "sys": {"created": "2026-03-02T08:00:00Z", '
        '"updated": "2026-03-02T09:00:00Z"}, "state": "Resolved", "owner": "Alice", '
        '"first_response": "2026-03-02T08:30:00Z"}',
        'not json',
        '{"number": "C2", "sys": {"updated": "2026-03-02T09:10:00Z"}, "state": "Escalated"}',
        '{"number": "C1", "sys": {"created": "2026-03-02T08:00:00Z", '
        '"updated": "2026-03-02T09:00:00Z"}, "state": "Resolved"}',
    ]) + "\n")
    await read_folder(ctx, folder_source(tmp_path, mapping=mapping, pattern="*.jsonl"))
    assert ctx.kinds() == ["ticket_created", "ticket_metrics", "ticket_updated", "ticket_solved"]
    assert ctx.events[1].first_reply_min == 30.0
    assert (ctx.events[0].ticket_type, ctx.events[2].ticket_type) == ("Incident", None)
    assert [s.split(": ")[0] for s in ctx.skipped_details] == ["crm.jsonl:3", "crm.jsonl:4"]
    assert "status 'Escalated' is not mapped (add it to status_map)" in ctx.skipped_details[1]


async def test_json_nested_too_deep_is_a_bad_row_not_a_crash(tmp_path, ctx):
    """A row of arrays nested past Python's recursion limit is skipped with its line (it
    raised RecursionError: the source failed on that file at every restart, and the rows
    around it and the files after it were never read)."""
    deep = "[" * 100_000 + "]" * 100_000
    write_old(tmp_path / "a.jsonl", "\n".join([
        '{"Response ID": "r1", "Submitted": "02/03/2026 10:00", "Score": "9"}', deep,
        '{"Response ID": "r2", "Submitted": "02/03/2026 10:05", "Score": "7"}']) + "\n")
    write_old(tmp_path / "b.json", deep)
    await read_folder(ctx, folder_source(tmp_path, pattern="*.json*"))
    assert [e.response_id for e in ctx.events] == ["r1", "r2"]
    assert [s.partition(": ")[::2] for s in ctx.skipped_details] == [
        ("a.jsonl:2", "not JSON: nested too deep"),
        ("b.json", "cannot read the file: not JSON: nested too deep")]
    assert sorted(ctx.checkpoint["files"]) == ["a.jsonl", "b.json"]


async def test_a_number_no_float_holds_is_a_bad_row_not_a_crash(tmp_path, ctx):
    """A JSON score of 10**400 (valid JSON, no float holds it) raised OverflowError out of
    the reader; it is a bad row named with its line, the rows around it kept."""
    write_old(tmp_path / "a.jsonl", "\n".join([
        '{"Response ID": "r1", "Submitted": "02/03/2026 10:00", "Score": "9"}',
        '{"Response ID": "r2", "Submitted": "02/03/2026 10:01", "Score": 1%s}' % ("0" * 400),
        '{"Response ID": "r3", "Submitted": "02/03/2026 10:05", "Score": "7"}']) + "\n")
    await read_folder(ctx, folder_source(tmp_path, pattern="*.jsonl"))
    assert [e.response_id for e in ctx.events] == ["r1", "r3"]
    assert [s.partition(": ")[0] for s in ctx.skipped_details] == ["a.jsonl:2"]
    assert "is not a number" in ctx.skipped_details[0]


def test_a_relationship_export_says_so_on_its_answers():
    fields = {"id": "id", "time": "t", "score": "s"}
    row = {"id": "r1", "t": "2026-03-02T09:00:00Z", "s": "4"}
    m = RowMapping(kind="survey", survey="csat", fields=fields, about="relationship")
    assert row_to_survey(row, m, "g", "p").about == "relationship"
    assert row_to_survey(row, RowMapping(kind="survey", fields=fields), "g", "p").about is None


def test_score_map_for_worded_answers():
    m = RowMapping(kind="survey", survey="csat", fields={"id": "id", "time": "t", "score": "s"},
                   score_map={"Very satisfied": 5, "Unhappy": 1})
    row = {"id": "x", "t": "2026-03-02T10:00:00Z", "s": "Very satisfied"}
    response = row_to_survey(row, m, "g", "p")
    assert (response.score, response.scale_min, response.scale_max) == (5, 1, 5)


BAD_OPTIONS = """[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{db}"
[[sources]]
name = "crm"
plugin = "generic"
[sources.options]
folder = "/srv/drop"
url = "http://127.0.0.1:9/x"
poll_interval_s = 0
settle_s = -5
[sources.options.mapping]
kind = "survey"
scale_min = 5
scale_max = 1
[sources.options.mapping.fields]
id = "a"
time = "b"
rating = "c"
"""


def test_config_check_refuses_unusable_options_as_the_hub_does(tmp_path, capsys):
    """One check for both: ``config check`` lists each problem at its line, and ``panneau
    hub`` refuses the file with the very same lines (not a source down at every restart)."""
    from panneau.hub.cli.main import main

    config = tmp_path / "panneau.toml"
    config.write_text(BAD_OPTIONS.format(db=tmp_path / "hub.db"))
    assert main(["config", "check", str(config)]) == 1
    out = capsys.readouterr().out.splitlines()
    at = f"{config}:{{}}: sources[0].options."
    assert out == [
        at.format(10) + "url: give exactly one of folder or url",
        at.format(11) + "poll_interval_s: must be greater than 0, got 0",
        at.format(12) + "settle_s: must be 0 or more, got -5",
        at.format(15) + "mapping.scale_min: 5 must be below scale_max (1)",
        at.format(17) + "mapping.fields.score: required for survey rows",
        at.format(20) + "mapping.fields.rating: not a survey field (known: id, time, score, "
                        "survey, call_id, ticket_id, agent, queue, comment)",
        "6 problems found"]
    assert main(["hub", "--config", str(config)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"panneau hub: {line}" for line in out[:-1]]
    assert not (tmp_path / "hub.db").exists()


def test_a_source_built_from_unusable_options_is_refused():
    with pytest.raises(ValueError) as err:
        make_source(generic, "generic", {
            "mapping": {"kind": "survey", "fields": {"id": "a", "time": "b", "score": "c"}}})
    assert str(err.value) == "options.folder: give exactly one of folder or url"


async def test_missing_folder_is_reported_down_then_recovers(tmp_path):
    folder = tmp_path / "drop"
    ctx = RecordingContext("src", clock=ManualClock(NOON))
    source = folder_source(folder, poll_interval_s=0.02)
    async with running(source, ctx):
        await ctx.wait_for(lambda c: c.status == "down")
        folder.mkdir()
        write_old(folder / "a.csv", SURVEY_CSV)
        await ctx.wait_for(lambda c: len(c.events) == 4 and c.status == "live")
    assert ("down", f"folder {folder} does not exist") in ctx.statuses
    assert ctx.statuses[-1] == ("live", "")


async def test_json_endpoint_polled_with_since_and_secret_header(server, ctx, monkeypatch):
    monkeypatch.setenv("CRM_TOKEN", "crm-secret-77")
    items = [{"ref": "S1", "at": "2026-03-02T09:00:00Z", "stars": 5, "kind": "csat"},
             {"ref": "S2", "at": "2026-03-02T09:30:00Z", "stars": 2, "kind": "csat"},
             {"ref": "S3", "at": "2026-03-02T09:40:00Z", "stars": 0, "kind": "csat"}]
    seen_queries = []

    async def answers(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer crm-secret-77":
            return web.json_response({"error": "no"}, status=401)
        seen_queries.append(dict(request.query))
        return web.json_response({"data": {"items": items}})

    server.route("GET", "/api/answers", answers)
    url = await server.start()
    source = make_source(generic, "generic", {
        "url": f"{url}/api/answers?view=open", "records": "data.items", "since_param": "after",
        "headers": {"Authorization": "Bearer ${CRM_TOKEN}"}, "poll_interval_s": 0.02,
        "mapping": {"kind": "survey", "fields": {"id": "ref", "time": "at", "score": "stars",
                                                 "survey": "kind"}}})
    await run_until(source, ctx, lambda: len(seen_queries) >= 3)
    assert [e.response_id for e in ctx.events] == ["S1", "S2"]  # once each, however often polled
    # the URL's own query string is kept next to the source's own parameter
    assert seen_queries[0] == {"view": "open"}
    assert seen_queries[1] == {"view": "open", "after": "2026-03-02T09:30:00Z"}
    assert ctx.skipped_details[0].endswith("record 3: score 0 is outside 1..5")


async def test_an_endpoint_answering_json_nested_too_deep_is_a_fetch_error(server):
    """A polled endpoint (CRM, helpdesk API) answering arrays nested past the recursion limit:
    a FetchError saying its answer is not JSON, as for any other garbage (RecursionError
    escaped the fetcher and ended the source, restarted with backoff, unexplained)."""
    async def deep(request: web.Request) -> web.Response:
        return web.Response(text="[" * 100_000 + "]" * 100_000, content_type="application/json")

    server.route("GET", "/cases", deep)
    await server.start()
    async with httpx.AsyncClient() as client:
        fetcher = Fetcher(client, logging.getLogger("test"))
        with pytest.raises(FetchError, match="response is not JSON"):
            await fetcher.get_json(f"{server.url}/cases")


def cases_endpoint(server, items: list[dict], queries: list[dict]) -> None:
    async def cases(request: web.Request) -> web.Response:
        queries.append(dict(request.query))
        return web.json_response({"data": {"items": items}})

    server.route("GET", "/api/cases", cases)


def crm_source(url: str):
    return make_source(generic, "generic", {
        "url": f"{url}/api/cases", "records": "data.items", "since_param": "after",
        "poll_interval_s": 0.02,
        "mapping": {"kind": "ticket", "fields": {"id": "number", "updated": "updated",
                                                 "status": "state"}}})


async def test_a_row_dated_ahead_of_the_clock_is_skipped_and_never_becomes_the_cursor(
        server, ctx):
    """One CRM row updated "in 2999" made every later poll ask for rows after 2999 (nothing,
    for ever: the cursor is checkpointed); one in epoch milliseconds put the source in a
    restart loop (the cursor's year 58882 is out of range). Both are bad rows now."""
    items = [{"number": "C1", "updated": "2026-03-02T09:00:00Z", "state": "open"},
             {"number": "C2", "updated": "2999-01-01T00:00:00Z", "state": "open"},
             {"number": "C3", "updated": 1772442000000, "state": "open"}]
    queries: list[dict] = []
    cases_endpoint(server, items, queries)
    source = crm_source(await server.start())
    await run_until(source, ctx, lambda: len(queries) >= 3)
    assert [e.ticket_id for e in ctx.events] == ["C1"]
    assert queries[1:3] == [{"after": "2026-03-02T09:00:00Z"}] * 2
    url = f"{server.url}/api/cases"
    assert ctx.skipped_details[:2] == [
        f"{url} record 2: updated 2999-01-01T00:00:00Z is ahead of the hub's clock "
        "(2026-03-02T12:00:00Z): check the sender's clock and time zone",
        f"{url} record 3: updated 1772442000000 looks like epoch milliseconds: send epoch "
        "seconds"]
    assert ctx.checkpoint["newest"] == 1772442000.0 and ctx.status == "live"


async def test_a_cursor_saved_ahead_of_the_clock_is_dropped(server):
    """A checkpoint written before such rows were refused asks again from the start."""
    ctx = RecordingContext("src", {"tickets": {}, "newest": 32503593600.0},  # 2999-12-31
                           clock=ManualClock(NOON))
    queries: list[dict] = []
    cases_endpoint(server, [{"number": "C1", "updated": "2026-03-02T09:00:00Z",
                             "state": "open"}], queries)
    await run_until(crm_source(await server.start()), ctx, lambda: len(queries) >= 2)
    assert queries[:2] == [{}, {"after": "2026-03-02T09:00:00Z"}]
    assert [e.ticket_id for e in ctx.events] == ["C1"]
