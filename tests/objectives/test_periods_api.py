"""``GET /api/v1/periods``: week, month, quarter or custom figures per scope from the day
rollups, beside the previous period and last year's; figures derived by hand from the
fixture journal (tests/objectives/conftest.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from tests.objectives.conftest import at

AUTH = {"Authorization": "Bearer manager-token-1"}


async def test_period_figures_of_every_scope_over_the_api(config):
    now = at("2026-11-04 09:30")
    async with Hub(config, pm=make_plugin_manager(), clock=lambda: now) as hub:
        async with asyncio.timeout(10):
            await hub.rollups_ready.wait()
        async with httpx.AsyncClient(base_url=hub.http_url, headers=AUTH) as client:
            week = (await client.get("/api/v1/periods",
                                     params={"period": "2026-W45"})).json()
            csv = await client.get("/api/v1/periods", params={
                "period": "2026-11-02..2026-11-03", "scope": "team:support",
                "kpi": "answered,abandon_rate_pct", "format": "csv"})
            current = (await client.get("/api/v1/periods",
                                        params={"period": "week", "scope": "site"})).json()
            long = (await client.get("/api/v1/periods", params={
                "period": "2026-01-01..2027-12-31", "scope": "team:support"})).json()
            bad = await client.get("/api/v1/periods", params={"period": "2026-Q5"})
            odd = await client.get("/api/v1/periods", params={"scope": "room:1"})
            kiosk = await client.get("/api/v1/periods", headers={
                "Authorization": "Bearer kiosk-token-support"})
    assert (week["period"], week["first"], week["last"]) == ("2026-W45", "2026-11-02",
                                                            "2026-11-08")
    support = {d["scope"]: d for d in week["data"]}["team:support"]
    assert [d["scope"] for d in week["data"]] == ["site", "team:support"]
    # Week 45: offered 12, answered 9, abandoned 3 -> 25 % (not the mean of the daily 20 %
    # and 50 %); complaints 5 (billing, corrected from 3) + 2 (delay).
    figures = support["figures"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (12, 9, 3)
    assert figures["abandon_rate_pct"] == pytest.approx(25.0)
    assert figures["complaints"] == 7
    assert support["complaints_by_category"] == {"billing": 5, "delay": 2}
    assert support["previous"]["answered"] == 4  # week 44: Friday's 4 calls
    assert support["last_year"] is None  # no rollup of week 45 of 2025
    # The custom range Mon-Tue: the same figures; the two days before it (a weekend without
    # events, so without rollups) and last year: empty.
    assert csv.text.splitlines() == [
        "period,scope,kpi,value,previous,last_year",
        "2026-11-02..2026-11-03,team:support,abandon_rate_pct,25.0,,",
        "2026-11-02..2026-11-03,team:support,answered,9.0,,"]
    assert current["period"] == "2026-W45"  # the week holding 4 Nov
    # Two years: a year back it would hold its own 2026 (the same figures again), so no
    # last year's figures at all.
    assert long["data"][0]["figures"]["answered"] >= 9 and long["data"][0]["last_year"] is None
    assert bad.status_code == 400 and bad.json()["error"].startswith("period: ")
    assert odd.status_code == 400 and "room:1" in odd.json()["error"]
    assert kiosk.status_code == 403
