"""The read-only reporting API, with a real HTTP client against a real hub."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.catalogue import KPIS
from panneau.hub.config import load_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub

REPORTING = {"Authorization": "Bearer reporting-token"}
DAY2 = {"from": "2026-11-02", "to": "2026-11-02"}  # "to": the whole day


@pytest.fixture
async def api(report_config):
    """An httpx client on a running hub's HTTP port (history from the conftest)."""
    config = load_config(report_config[0])
    async with (Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub,
                httpx.AsyncClient(base_url=hub.http_url, timeout=10) as client):
        client.hub = hub
        yield client


async def test_only_reporting_and_manager_tokens_read(api):
    response = await api.get("/api/v1/catalogue")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith(
        "Bearer")
    bad = await api.get("/api/v1/catalogue", headers={"Authorization": "Bearer nope-nope"})
    assert bad.status_code == 401 and bad.json() == {"error": "unknown token"}
    for token, role in (("agent-token", "agent"), ("kiosk-token", "kiosk")):
        refused = await api.get("/api/v1/kpis", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403 and refused.json()["error"] == (
            f"{role} tokens cannot read reports; use a reporting or manager token")
    for token in ("reporting-token", "manager-token"):
        ok = await api.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert [k["id"] for k in ok.json()["data"]] == list(KPIS)


async def test_a_reporting_token_opens_no_screen(api):
    ws = await connect(api.hub.ws_url)
    await ws.send(wire.encode({"type": "hello", "v": 1, "token": "reporting-token"}))
    await ws.wait_closed()
    assert ws.close_code == wire.CLOSE_BAD_TOKEN and "HTTP API" in ws.close_reason


async def test_kpis_by_hour_as_json_and_csv(api):
    params = {**DAY2, "scope": "team:support", "kpi": "service_level_pct"}
    body = (await api.get("/api/v1/kpis", params=params, headers=REPORTING)).json()
    assert body["interval"] == "hour" and body["timezone"] == "Europe/Paris"
    assert body["from"] == "2026-11-02T00:00:00+01:00" and body["next"] is None
    # samples at 08:00 90, 08:30 85 | 09:00 75, 09:30 72: the last of each hour
    assert [(r["time"], r["value"]) for r in body["data"]] == [
        ("2026-11-02T08:00:00+01:00", 85.0), ("2026-11-02T09:00:00+01:00", 72.0)]
    as_csv = await api.get("/api/v1/kpis", params={**params, "format": "csv"},
                           headers=REPORTING)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["time"], r["scope"], r["window"], r["kpi"], float(r["value"])) for r in table] == [
        (r["time"], r["scope"], r["window"], r["kpi"], r["value"]) for r in body["data"]]
    negotiated = await api.get("/api/v1/kpis", params=params,
                               headers={**REPORTING, "Accept": "text/csv"})
    assert negotiated.text == as_csv.text
    days = (await api.get("/api/v1/kpis", headers=REPORTING, params={
        "from": "2026-11-01", "to": "2026-11-03", "interval": "day",
        "scope": "team:support,queue:support"})).json()["data"]
    assert [(r["time"][:10], r["scope"], r["value"]) for r in days] == [
        ("2026-11-02", "queue:support", 12.5), ("2026-11-02", "team:support", 72.0),
        ("2026-11-03", "team:support", 82.0)]


async def test_pages_follow_next_without_repeat_or_gap(api, samples):
    whole = (await api.get("/api/v1/kpis", headers=REPORTING, params={
        "from": "2026-11-01", "to": "2026-11-03", "interval": "sample"})).json()["data"]
    assert len(whole) == len(samples)
    pages, url = [], "/api/v1/kpis?from=2026-11-01&to=2026-11-03&interval=sample&limit=4"
    while url is not None:
        body = (await api.get(url, headers=REPORTING)).json()
        assert body["count"] <= 4
        pages.append(body["data"])
        url = body["next"]
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    assert [r for page in pages for r in page] == whole
    first = await api.get("/api/v1/kpis", headers=REPORTING, params={
        "from": "2026-11-01", "to": "2026-11-03", "interval": "hour", "limit": 2,
        "format": "csv"})
    link = first.headers["Link"]
    assert link.startswith("<") and link.endswith('>; rel="next"') and "cursor=" in link
    second = await api.get(link[1:link.index(">")], headers=REPORTING)
    rows = [list(csv.reader(io.StringIO(r.text)))[1:] for r in (first, second)]
    assert len(rows[0]) == len(rows[1]) == 2 and not set(map(tuple, rows[0])) & set(
        map(tuple, rows[1]))


@pytest.mark.parametrize(("params", "reason"), [
    ({"from": "2026-13-01"}, "from: '2026-13-01' is not a date (month must be in 1..12); "
                             "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    ({"to": "friday"}, "to: 'friday' is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    ({"from": "2026-11-03", "to": "2026-11-02"}, "to: must be after from"),
    ({"interval": "week"}, "interval: expected one of sample, hour, day"),
    ({"kpi": "answered,nope"}, "kpi: unknown nope"),
    ({"window": "5m"}, "window: unknown 5m"),
    ({"limit": "0"}, "limit: between 1 and"),
    ({"from": "0001-01-01", "to": "9999-12-31"}, "to: date value out of range"),  # was a 500
    ({"limit": "lots"}, "limit: expected a whole number"),
    ({"cursor": "garbage!"}, "cursor: not one this API gave"),
    ({"format": "xml"}, "format: expected json or csv"),
    ({"scope": "bogus"}, "scope: expected site"),  # was 200 and no row, as for a quiet team
    ({"scope": "team:support,team:suport"}, "scope: no team 'suport' (teams: support)"),
])
async def test_bad_parameters_are_refused_with_the_reason(api, params, reason):
    response = await api.get("/api/v1/kpis", params=params, headers=REPORTING)
    assert response.status_code == 400 and response.json()["error"].startswith(reason)


async def test_a_team_the_hub_does_not_have_is_refused_by_periods_too(api):
    """A BI tool's typo in a team read as a team without figures: 200 and empty figures."""
    response = await api.get("/api/v1/periods", params={"scope": "team:suport"},
                             headers=REPORTING)
    assert response.status_code == 400
    assert response.json()["error"] == "scope: no team 'suport' (teams: support)"
    ok = await api.get("/api/v1/periods", params={"scope": "team:support,queue:any,agent:x"},
                       headers=REPORTING)
    assert ok.status_code == 200  # queues and agents need not be configured


async def test_scopes_list_the_configuration(api):
    body = (await api.get("/api/v1/scopes", headers=REPORTING)).json()
    assert [(s["scope"], s["kind"], s["teams"]) for s in body["data"]] == [
        ("site", "site", []), ("team:support", "team", ["support"]),
        ("queue:support", "queue", ["support"]), ("agent:ag-ann", "agent", ["support"]),
        ("agent:ag-ben", "agent", ["support"]), ("agent:ag-cid", "agent", ["support"])]
    as_csv = await api.get("/api/v1/scopes", params={"format": "csv"}, headers=REPORTING)
    assert as_csv.text.splitlines()[:2] == ["scope,kind,name,teams", "site,site,Site,"]


def test_openapi_file_names_every_route_and_parameter(api):
    text = (Path(__file__).parents[2] / "docs" / "openapi.yaml").read_text()
    routes = {r.resource.canonical for r in api.hub.http.app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/api/")}
    assert routes == {"/api/v1/kpis", "/api/v1/periods", "/api/v1/scopes", "/api/v1/catalogue"}
    assert all(f"\n  {route}:\n" in text for route in routes)
    for name in ("from", "to", "scope", "kpi", "window", "interval", "limit", "cursor",
                 "format", "period"):
        assert f"{{name: {name}, in: query" in text
