"""A group hub's objectives, scorecards, periods API and e-mailed report over ``site:<name>``.

Two site hubs hold a day of calls in their journals and publish them to a real nats-server; a
group hub folds both streams (its clock on that evening), stops, and starts again the next
morning: its day rollups of ``site:paris`` equal the Paris hub's own ``site`` rollups, the
objectives and scorecards read them, and Paris's report is received by a real SMTP server. A
reload naming a site the group does not have is refused and loses nothing.
"""

from __future__ import annotations

import contextlib
import io
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console

from panneau.hub.config import load_config, parse_config
from panneau.hub.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    FigureEntered,
)
from panneau.hub.goals_display import objectives_table
from panneau.hub.periods import period_of
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.hub.server.journal import Journal
from panneau.hub.server.rollups import Rollups, period_figures
from tests.cluster.test_group_hub import view_when
from tests.hub.conftest import MANAGER, config_text, eventually
from tests.reports.test_mail import SMTP, inbox  # noqa: F401  inbox: the real SMTP server

until = partial(eventually, timeout=30.0)
PARIS_WALL = "paris-wall-token"
PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 2)
#: Compared between a site's own ``site`` and the group's ``site:<name>`` over the day.
FIGURES = ("offered", "answered", "abandoned", "abandon_rate_pct", "asa_s", "aht_s",
           "cost_total", "cost_per_contact")

#: Each site's objective: an abandon rate of 10 % or less this month.
GOALS = "".join(f"""
[[objectives]]
title = "{name} answers"
period = "month"
[[objectives.key_results]]
kpi = "abandon_rate_pct"
target = 10.0
scope = "site:{name.lower()}"
""" for name in ("Paris", "Lyon"))

REPORTS = SMTP + """
[[reports.schedules]]
period = "day"
to = ["paris.manager@example.com"]
scopes = ["site:paris"]
"""


def at(hh: int, mm: int, ss: int = 0, day: int = 2) -> float:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=PARIS).timestamp()


def calls(answered: int, abandoned: int, rate: float) -> list:
    """A morning on the support queue: ``answered`` calls held 10 s and talked 60 s, then
    ``abandoned`` calls given up after 30 s (the same call ids at every site); one agent
    logged in from 8:00 to 12:00 at the site's hourly cost ``rate``, and a cost of 100."""
    out: list = [FigureEntered(ts=at(7, 0), entry_id="rate", figure="hourly_cost", amount=rate),
                 FigureEntered(ts=at(7, 0), entry_id="cost", figure="cost", amount=100.0),
                 AgentLoggedIn(ts=at(8, 0), agent="ag-ann", queue="support"),
                 AgentLoggedOut(ts=at(12, 0), agent="ag-ann")]
    for i in range(answered + abandoned):
        ts, call = at(8, 1 + 2 * i), f"c{i}"
        out.append(CallEntered(ts=ts, call_id=call, queue="support"))
        if i < answered:
            out += [CallAnswered(ts=ts + 10, call_id=call, queue="support", agent="ag-ann",
                                 hold_s=10.0),
                    CallEnded(ts=ts + 70, call_id=call, queue="support", agent="ag-ann",
                              hold_s=10.0, talk_s=60.0, ended_by="agent")]
        else:
            out.append(CallAbandoned(ts=ts + 30, call_id=call, queue="support", wait_s=30.0))
    return out


#: Paris: 3 answered, 1 lost (abandon rate 25 %), 4 h at 30 an hour; Lyon: 2 answered, none
#: lost (0 %), 4 h at 20 an hour.
SITES = {"paris": calls(3, 1, 30.0), "lyon": calls(2, 0, 20.0)}


def site_config(tmp_path, server, site: str):
    """A site hub without sources of its own whose journal already holds its day of calls."""
    db = tmp_path / f"{site}.db"
    journal = Journal(db)
    journal.accept("pbx", SITES[site], None, False, at(12, 0))
    journal.close()
    text = config_text(str(db), timezone="Europe/Paris")
    return parse_config(text + f'[cluster]\nrole = "site"\nsite = "{site}"\n'
                               f'servers = ["{server.url}"]\nheartbeat_s = 0.2\n', f"{site}.toml")


def group_file(tmp_path, server, extra: str = ""):
    """The group hub's config file (its objectives, ``extra``, a manager and a Paris wall)."""
    text = config_text(str(tmp_path / "group.db"), timezone="Europe/Paris").split("[[tokens]]")[0]
    path = tmp_path / "group.toml"
    path.write_text(text + GOALS + extra
                    + f'[[tokens]]\nrole = "manager"\ntoken = "{MANAGER}"\n'
                      f'[[tokens]]\nrole = "kiosk"\ntoken = "{PARIS_WALL}"\n'
                      'scope = "site:paris"\n'
                      f'[cluster]\nrole = "group"\nsites = ["paris", "lyon"]\n'
                      f'servers = ["{server.url}"]\n')
    return path


@contextlib.asynccontextmanager
async def running(config, clock=None, path=None):
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False), config_path=path,
                   **({"clock": clock} if clock else {})) as hub:
        yield hub


def day_figures(journal: Journal, scope: str) -> dict:
    got = period_figures(Rollups(journal), scope, period_of("day", DAY), compare=False)
    assert got.days_covered == 1
    return {k: got.figures.get(k) for k in FIGURES}


async def test_objectives_scorecards_and_a_report_of_one_site_on_a_group_hub(
        tmp_path, nats_server, inbox):  # noqa: F811
    fed = sum(len(events) for events in SITES.values())
    # the evening of the 2nd: the group hub folds both sites' streams
    async with running(site_config(tmp_path, nats_server, "paris")) as paris, \
            running(site_config(tmp_path, nats_server, "lyon")) as lyon, \
            running(load_config(group_file(tmp_path, nats_server)), lambda: at(20, 0)) as group:
        await until(lambda: group.journal.count_events() == fed)
        alone = {"paris": day_figures(paris.journal, "site"),
                 "lyon": day_figures(lyon.journal, "site")}
    # the next morning, with Paris's daily report configured: the day's rollups are read
    path = group_file(tmp_path, nats_server, REPORTS.format(port=inbox.port))
    async with running(load_config(path), lambda: at(7, 30, day=3), path) as group:
        group.reports.check_s = 0.05
        await until(lambda: group.reports.sent == 1)
        assert alone["paris"] == day_figures(group.journal, "site:paris")
        assert alone["lyon"] == day_figures(group.journal, "site:lyon")
        assert alone["paris"]["abandon_rate_pct"] == 25.0
        assert day_figures(group.journal, "site")["abandon_rate_pct"] == 100 / 6  # 1 of 6
        # labour: each site's 4 h at its own rate; the group's cost is the sum of the sites'
        assert (alone["paris"]["cost_total"], alone["lyon"]["cost_total"]) == (220.0, 180.0)
        group_day = day_figures(group.journal, "site")
        assert (group_day["cost_total"], group_day["cost_per_contact"]) == (400.0, 80.0)

        goals = group.goals
        paris_kr, = goals["objective:0"]["key_results"]
        lyon_kr, = goals["objective:1"]["key_results"]
        assert (paris_kr["scope"], paris_kr["value"]) == ("site:paris", 25.0)
        assert (lyon_kr["scope"], lyon_kr["value"], lyon_kr["status"]) == (
            "site:lyon", 0.0, "achieved")
        # 25 % for 10 %, no baseline: 10 / 25 = 40 % of the way, 2.5 of November's 30 days over
        assert (paris_kr["progress_pct"], paris_kr["status"]) == (40.0, "on track")
        cards = {key: {row["kpi"]: row["value"] for row in card["rows"]}
                 for key, card in goals.items() if key.startswith("scorecard:")}
        assert {"scorecard:site", "scorecard:site:paris", "scorecard:site:lyon"} <= set(cards)
        assert cards["scorecard:site:paris"]["abandon_rate_pct"] == 25.0
        assert cards["scorecard:site:lyon"]["abandon_rate_pct"] == 0.0
        assert {key: cards[key]["cost_per_contact"] for key in cards
                if key.startswith("scorecard:site")} == {
            "scorecard:site": 80.0, "scorecard:site:paris": 220 / 3, "scorecard:site:lyon": 90.0}
        # a wall of Paris gets Paris's objective and scorecard, not Lyon's
        wall = await view_when(group, PARIS_WALL, lambda v: "objective:0" in v)
        assert {k for k in wall if k.startswith(("objective:", "scorecard:"))} == {
            "objective:0", "scorecard:site:paris"}
        assert wall["objective:0"]["key_results"][0]["value"] == 25.0
        screen = Console(width=80, record=True, file=io.StringIO())
        screen.print(objectives_table([wall["objective:0"]]))
        assert "2026-11 · site:paris" in screen.export_text()  # whose objective it is

        async with httpx.AsyncClient(base_url=group.http_url, headers={
                "Authorization": f"Bearer {MANAGER}"}) as client:
            got = (await client.get("/api/v1/periods", params={
                "period": DAY.isoformat(), "scope": "site:paris,site:lyon"})).json()
            assert [d["figures"]["offered"] for d in got["data"]] == [4, 2]
            refused = await client.get("/api/v1/periods", params={"scope": "site:nice"})
            assert refused.status_code == 400
            assert "site:<name> with a site of [cluster] sites (paris, lyon)" in (
                refused.json()["error"])
            scopes = (await client.get("/api/v1/scopes")).json()["data"]
            assert [s["scope"] for s in scopes[:3]] == ["site", "site:paris", "site:lyon"]

        # a reload naming a site the group does not have is refused; nothing is lost
        path.write_text(path.read_text().replace('scope = "site:lyon"', 'scope = "site:nice"'))
        assert group.reloader.reload_file() is None
        assert ("objectives[1].key_results[0].scope: unknown scope 'site:nice': use site, "
                "site:<name> with a site of [cluster] sites (paris, lyon)") in group.reloader.error
        assert group.config.objectives[1].key_results[0].scope == "site:lyon"
        assert group.goals["objective:1"]["key_results"][0]["value"] == 0.0

    [mail] = inbox.messages
    assert mail["Subject"] == "Panneau: Daily report 2026-11-02"
    assert mail["To"] == "paris.manager@example.com"
    lines = [line.strip() for line in mail.get_body(("plain",)).get_content().splitlines()]
    assert "== Site paris (1 of 1 days with data)" in lines
    for expected in ("Offered: 4", "Answered: 3", "Abandon rate: 25%", "ASA: 0:10",
                     "AHT: 1:00"):
        assert expected in lines, (expected, lines)
    assert "Objective Paris answers (2026-11): on track" in lines, lines
    assert "Abandon rate 25% → 10% by 2026-11-30, on track" in lines
    assert not [line for line in lines if "Lyon" in line or "lyon" in line]
