"""A group hub's names and scopes, without NATS: each site kept apart, the total of all sites.

The group engine is fed the two sites' events as the group hub's fold hands them over
(:func:`namespaced`), and its ``site:<name>`` figures are compared with a replay of each site's
own events on the site's own config.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from panneau.hub.cluster.group import namespaced
from panneau.hub.config import ConfigError, parse_config
from panneau.hub.config.sites import expand_group
from panneau.hub.engine import Engine
from panneau.hub.events import (
    AgentLoggedIn,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    FigureEntered,
    SurveyResponse,
    SurveySent,
    SystemRestart,
    TicketCreated,
)
from panneau.hub.protocol_schema import KEY_PATTERNS
from panneau.hub.testing import snapshot
from panneau.hub.view import parse_key, parse_scope
from tests.hub.conftest import config_text

T0 = 1_795_860_000.0
COUNTS = ("offered", "answered", "abandoned", "service_level_pct", "asa_s", "avg_talk_s",
          "tickets_created", "training_hours", "headcount", "cost_total")


def site_text() -> str:
    """The hub tests' config (teams support and sales) without its tokens."""
    return config_text(":memory:").split("[[tokens]]")[0]


def group_config(extra: str = ""):
    return parse_config(site_text() + '[cluster]\nrole = "group"\nsites = ["paris", "lyon"]\n'
                        + extra, "group.toml")


def site_events(n: int, *, answered: int, agent: str = "ag-ann") -> list:
    """``n`` support calls with the same call ids at every site; the first ``answered`` are
    answered and ended, the others abandoned; one ticket without a group."""
    out: list = [AgentLoggedIn(ts=T0, agent=agent),
                 TicketCreated(ts=T0 + 1, ticket_id="t1")]
    # figures entered by hand at the site: for a team, and for the whole site (no team)
    out += [FigureEntered(ts=T0 + 2, entry_id="e1", figure="training_hours", amount=n,
                          team="support"),
            FigureEntered(ts=T0 + 2, entry_id="e2", figure="headcount", amount=10 + n),
            FigureEntered(ts=T0 + 2, entry_id="e3", figure="cost", amount=100.0 * n),
            FigureEntered(ts=T0 + 2, entry_id="e4", figure="hourly_cost", amount=20.0 + n)]
    for i in range(n):
        ts, call = T0 + 10 * (i + 1), f"c{i}"
        out.append(CallEntered(ts=ts, call_id=call, queue="support", caller_id="555"))
        if i < answered:
            out.append(CallAnswered(ts=ts + 2, call_id=call, queue="support", agent=agent,
                                    hold_s=2.0))
            out.append(CallEnded(ts=ts + 5, call_id=call, queue="support", agent=agent,
                                 hold_s=2.0, talk_s=3.0, ended_by="caller"))
        else:
            out.append(CallAbandoned(ts=ts + 4, call_id=call, queue="support", wait_s=4.0))
    return out


def fold(sites: dict[str, list]) -> list:
    """The events as a group hub journals them: each site's names prefixed, the source named
    after the site (as its ``nats_site`` source emits them), in time order."""
    events = [replace(namespaced(e, site), source=site) for site, evs in sites.items()
              for e in evs]
    return sorted(events, key=lambda e: e.ts)


def figures(snap, scope: str) -> dict:
    return {k: snap.get(scope, "today", k) for k in COUNTS}


def test_each_site_s_figures_equal_a_replay_of_that_site_alone():
    paris, lyon = site_events(6, answered=4), site_events(3, answered=3)
    at = T0 + 200
    group = snapshot(fold({"paris": paris, "lyon": lyon}), config=group_config(), at=at)
    site = parse_config(site_text(), "site.toml")
    for name, events in (("paris", paris), ("lyon", lyon)):
        alone = snapshot(events, config=site, at=at)
        assert figures(group, f"site:{name}") == figures(alone, "site")
        assert figures(group, f"team:{name}:support") == figures(alone, "team:support")
        assert figures(group, f"queue:{name}:support") == figures(alone, "queue:support")
        assert group.get(f"agent:{name}:ag-ann", "today", "answered") == alone.get(
            "agent:ag-ann", "today", "answered")
    # the group total adds both sites' calls; the same call ids were never merged
    assert group.get("site", "today", "offered") == 9
    assert group.get("site", "today", "answered") == 7
    assert group.get("site", "today", "abandoned") == 2
    assert group.get("site", "today", "tickets_created") == 2
    # entered figures: a flow adds up, a level (headcount) stays with its site
    assert group.get("site:paris", "today", "training_hours") == 6
    assert group.get("site", "today", "training_hours") == 9
    assert group.get("site:lyon", "today", "headcount") == 13
    assert group.get("site", "today", "headcount") is None
    # labour: each site's hours at its own rate; the group's cost is the sum of the sites'
    alone = {name: snapshot(events, config=site, at=at) for name, events in (
        ("paris", paris), ("lyon", lyon))}
    total = sum(a.get("site", "today", "cost_total") for a in alone.values())
    assert total > 600 + 300  # labour counted
    assert group.get("site", "today", "cost_total") == pytest.approx(total)
    assert group.get("site", "today", "cost_per_contact") == pytest.approx(total / 7)
    # the two "support" teams stay apart, and nothing is counted under the bare names
    assert not {"team:support", "queue:support", "agent:ag-ann"} & set(group.values)


def without_rate(events: list) -> list:
    return [e for e in events if not (isinstance(e, FigureEntered)
                                      and e.figure == "hourly_cost")]


def test_a_site_without_a_rate_is_priced_at_the_group_hub_s_own_else_has_no_labour():
    paris, lyon = site_events(6, answered=4), without_rate(site_events(3, answered=3))
    at, events = T0 + 200, fold({"paris": paris, "lyon": lyon})
    site = parse_config(site_text(), "site.toml")
    paris_alone = snapshot(paris, config=site, at=at).get("site", "today", "cost_total")
    # without a group rate Lyon's hours carry no labour cost, as on Lyon's own hub
    group = snapshot(events, config=group_config(), at=at)
    assert snapshot(lyon, config=site, at=at).get("site", "today", "cost_total") == 300
    assert group.get("site:lyon", "today", "cost_total") == 300
    assert group.get("site", "today", "cost_total") == pytest.approx(paris_alone + 300)
    # the group hub's own rate (a manager's ``panneau input`` there: source "input", no team)
    # prices the hours of a site without a rate of its own: as if Lyon had entered it
    rate = FigureEntered(ts=T0 + 3, entry_id="g1", figure="hourly_cost", amount=30.0,
                         source="input")
    group = snapshot([*events, rate], config=group_config(), at=at)
    lyon_at_30 = snapshot([*lyon, replace(rate, source="lyon")], config=site, at=at).get(
        "site", "today", "cost_total")
    assert lyon_at_30 > 300
    for scope, expected in (("site:paris", paris_alone), ("site:lyon", lyon_at_30),
                            ("site", paris_alone + lyon_at_30)):
        assert group.get(scope, "today", "cost_total") == pytest.approx(expected), scope
    # a team without a rate of its own uses its site's, else the group's
    paris_support = snapshot(paris, config=site, at=at).get("team:support", "today",
                                                            "cost_total")
    assert group.get("team:paris:support", "today", "cost_total") == pytest.approx(
        paris_support)
    assert group.get("team:lyon:support", "today", "cost_total") == pytest.approx(
        snapshot([*lyon, replace(rate, source="lyon")], config=site, at=at).get(
            "team:support", "today", "cost_total"))


def test_the_group_s_day_rollup_adds_its_sites_labour_as_the_live_figure_does():
    paris, lyon = site_events(6, answered=4), site_events(3, answered=3)
    at = T0 + 200
    engine = Engine(group_config())
    engine.apply_all(fold({"paris": paris, "lyon": lyon}))
    snap = engine.snapshot(at)
    counted = engine.counted_day(engine.clock.day(at))
    labour = {scope: counted[scope]["labour_cost"] for scope in ("site", "site:paris",
                                                                  "site:lyon")}
    assert labour["site:paris"] > 0 and labour["site:lyon"] > 0
    assert labour["site"] == pytest.approx(labour["site:paris"] + labour["site:lyon"])
    # the live figure: cost entered (900) plus the same labour
    assert snap.get("site", "today", "cost_total") == pytest.approx(900 + labour["site"])
    # a rate entered later the same day reprices today, live and rollup alike, at once
    engine.apply(FigureEntered(ts=at, entry_id="lyon:e5", figure="hourly_cost", amount=46.0,
                               source="lyon", corrects="lyon:e4"))
    snap = engine.snapshot(at + 1)
    counted = engine.counted_day(engine.clock.day(at))
    assert counted["site:lyon"]["labour_cost"] == pytest.approx(2 * labour["site:lyon"])
    assert counted["site"]["labour_cost"] == pytest.approx(
        labour["site:paris"] + 2 * labour["site:lyon"])
    assert snap.get("site", "today", "cost_total") == pytest.approx(
        900 + counted["site"]["labour_cost"])


def test_a_site_s_restart_ends_only_that_site_s_calls():
    paris = [CallEntered(ts=T0, call_id="c1", queue="support")]
    lyon = [CallEntered(ts=T0, call_id="c1", queue="support")]
    events = fold({"paris": paris, "lyon": lyon})
    events.append(SystemRestart(ts=T0 + 5, source="paris"))  # source: the site (edge_sources)
    group = snapshot(events, config=group_config(), at=T0 + 10)
    assert group.get("site:paris", "now", "calls_waiting") == 0
    assert group.get("site:lyon", "now", "calls_waiting") == 1
    assert group.get("site", "now", "calls_waiting") == 1


def test_namespaced_prefixes_every_identifier_and_keeps_the_rest():
    event = CallAnswered(ts=T0, call_id="a:1", queue="support", agent="ann", hold_s=1.5,
                         source="x", source_pos="7")
    folded = namespaced(event, "paris")
    assert (folded.call_id, folded.queue, folded.agent) == ("paris:a:1", "paris:support",
                                                            "paris:ann")
    assert (folded.hold_s, folded.source, folded.source_pos) == (1.5, "x", "7")
    assert namespaced(TicketCreated(ts=T0, ticket_id="t", group="billing"), "lyon").group == (
        "lyon:billing")
    assert namespaced(SystemRestart(ts=T0), "lyon") == SystemRestart(ts=T0)
    # a sent survey and its answer keep the same id, so the response rate still pairs them
    sent = namespaced(SurveySent(ts=T0, survey_id="R1", survey="csat"), "lyon")
    answer = namespaced(SurveyResponse(ts=T0, response_id="R1", survey="csat", score=5,
                                       scale_min=1, scale_max=5), "lyon")
    assert sent.survey_id == answer.response_id == "lyon:R1"


def test_the_group_config_has_each_site_s_teams_queues_and_thresholds():
    config = group_config('[queues.support]\nservice_level_s = 30\n'
                          '[[thresholds]]\nkpi = "asa_s"\nteam = "support"\nwarn = 30.0\n'
                          '[[thresholds]]\nkpi = "answered"\nteam = "lyon:sales"\n'
                          'target = 10.0\n'
                          '[[tokens]]\nrole = "kiosk"\ntoken = "group-wall-1"\nscope = "site"\n'
                          '[[tokens]]\nrole = "kiosk"\ntoken = "paris-wall-1"\n'
                          'scope = "site:paris"\n'
                          '[[tokens]]\nrole = "kiosk"\ntoken = "lyon-support"\n'
                          'team = "lyon:support"\n'
                          '[[tokens]]\nrole = "agent"\ntoken = "paris-ann-1"\n'
                          'agent = "paris:ag-ann"\n')
    teams = {t.id: t for t in config.teams}
    assert set(teams) == {"paris:support", "lyon:support", "paris:sales", "lyon:sales"}
    assert teams["lyon:support"].queues == ["lyon:support"]
    assert teams["lyon:support"].agents == ["lyon:ag-ann", "lyon:ag-ben", "lyon:ag-cid"]
    assert teams["lyon:support"].name == "support · lyon"
    assert set(config.queues) == {"paris:support", "lyon:support"}
    assert {(t.kpi, t.team) for t in config.thresholds} == {
        ("calls_waiting", None), ("asa_s", "paris:support"), ("asa_s", "lyon:support"),
        ("answered", "lyon:sales")}
    assert expand_group(config) == config  # once is enough


def test_the_group_config_has_each_site_s_second_level():
    config = group_config('[kpi]\nlevel2_queues = ["expert", "paris:vip"]\n'
                          'level2_groups = ["Level 2"]\n'
                          'level2_transfer_targets = ["8002@from-internal"]\n')
    assert config.kpi.level2_queues == ["paris:expert", "lyon:expert", "paris:vip"]
    assert config.kpi.level2_groups == ["paris:Level 2", "lyon:Level 2"]
    assert config.kpi.level2_transfer_targets == ["8002@from-internal"]  # not a site's name
    assert expand_group(config) == config


@pytest.mark.parametrize(("extra", "message"), [
    ('[[tokens]]\nrole = "kiosk"\ntoken = "kiosk-wall-1"\nteam = "support"\n',
     "tokens[0].team: no team 'support'"),
    ('[[tokens]]\nrole = "kiosk"\ntoken = "kiosk-wall-1"\nscope = "site:nice"\n',
     "tokens[0].scope: unknown scope 'site:nice': use site, site:<name> with a site of"),
    ('[[tokens]]\nrole = "kiosk"\ntoken = "kiosk-wall-1"\nscope = "site"\nteam = "paris:sales"\n',
     "a kiosk shows a team or a scope, not both"),
    ('[[tokens]]\nrole = "agent"\ntoken = "agent-tok-1"\nagent = "ag-ann"\nscope = "site"\n',
     "only a kiosk token takes a scope"),
])
def test_a_group_config_refuses_names_no_site_has(extra, message):
    with pytest.raises(ConfigError) as caught:
        group_config(extra)
    assert message in str(caught.value)


SITE_GOALS = ('[[objectives]]\ntitle = "Paris answers"\n[[objectives.key_results]]\n'
              'kpi = "abandon_rate_pct"\ntarget = 5.0\nscope = "{scope}"\n'
              '[[reports.schedules]]\nperiod = "week"\nto = ["paris@example.com"]\n'
              'scopes = ["{scope}"]\n')


def test_a_group_hub_takes_its_sites_as_scopes_of_objectives_and_reports():
    config = group_config(SITE_GOALS.format(scope="site:paris"))
    assert config.objectives[0].key_results[0].scope == "site:paris"
    assert config.reports.schedules[0].scopes == ["site:paris"]


def test_a_site_no_group_hub_has_is_refused_naming_its_sites():
    with pytest.raises(ConfigError) as caught:
        group_config(SITE_GOALS.format(scope="site:nice"))
    sites = "site, site:<name> with a site of [cluster] sites (paris, lyon)"
    assert [m.split(": ", 1)[1] for m in caught.value.messages] == [
        f"objectives[0].key_results[0].scope: unknown scope 'site:nice': use "
        f"{sites}, team:<id> or queue:<name>",
        f"reports.schedules[0].scopes: 'site:nice': expected {sites}, "
        "team:<id of a team> or queue:<name>"]


def test_off_a_group_hub_a_site_scope_is_refused_saying_where_it_is_taken():
    with pytest.raises(ConfigError) as caught:
        parse_config(site_text() + SITE_GOALS.format(scope="site:paris"), "site.toml")
    where = "site (site:<name> only on a group hub)"
    assert [m.split(": ", 2)[2] for m in caught.value.messages] == [
        f"unknown scope 'site:paris': use {where}, team:<id> or queue:<name>",
        f"'site:paris': expected {where}, team:<id of a team> or queue:<name>"]


def test_a_site_listed_twice_is_refused():
    text = site_text() + '[cluster]\nrole = "group"\nsites = ["paris", "paris"]\n'
    with pytest.raises(ConfigError, match="site 'paris' is listed twice"):
        parse_config(text, "group.toml")


def test_site_scopes_are_view_keys_like_any_other():
    assert parse_scope("site:paris") == ("site", "paris")
    assert parse_scope("team:paris:support") == ("team", "paris:support")
    assert parse_scope("site") == ("site", "")
    for bad in ("group", "site:", "site:a:b", "team:", "kpi:x"):
        with pytest.raises(ValueError, match="is not a scope"):
            parse_scope(bad)
    key = parse_key("kpi:site:paris/today/answered")
    assert (key.scope, key.window, key.kpi) == ("site:paris", "today", "answered")
    assert key.wire == "kpi:site:paris/today/answered"


def test_the_protocol_schema_takes_site_scopes_and_refuses_unknown_kinds():
    from tests.protocol_check import FrameChecker

    checker = FrameChecker()
    checker.check({"type": "delta", "epoch": "e", "seq": 1, "unset": [], "set": {
        "kpi:site:paris/today/offered": 3, "kpi:team:paris:support/now/calls_waiting": 1,
        "target:site:lyon/asa_s": {"target": 20, "warn": 30, "alert": 60,
                                   "higher_is_better": False},
        "kpi:group/today/offered": 5, "kpi:site:a:b/today/offered": 1}})
    assert checker.problems == [
        "delta: view key 'kpi:group/today/offered' does not follow "
        f"{KEY_PATTERNS['kpi']}",
        "delta: view key 'kpi:site:a:b/today/offered' does not follow "
        f"{KEY_PATTERNS['kpi']}"]


#: Paris's own levels of ``asa_s`` (alone: its whole site), of its support team's, and the
#: same team's for every site.
PARIS_LEVELS = ('[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\nwarn = 20.0\nalert = 40.0\n'
                '[[thresholds]]\nkpi = "asa_s"\nteam = "support"\nwarn = 50.0\n'
                '[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\nteam = "support"\nwarn = 15.0\n')


def test_a_threshold_naming_a_site_is_that_site_s_levels():
    config = group_config(PARIS_LEVELS)
    assert [(t.site, t.team, t.warn) for t in config.thresholds if t.kpi == "asa_s"] == [
        ("paris", None, 20.0), (None, "lyon:support", 50.0), ("paris", "paris:support", 15.0)]
    assert expand_group(config) == config
    engine = Engine(config)
    find = engine.thresholds.find
    assert find("site:paris", "asa_s").warn == 20.0
    assert find("queue:paris:sales", "asa_s").warn == 20.0  # Paris's, not a team's
    assert find("agent:paris:ag-dee", "asa_s").warn == 20.0
    assert find("team:paris:sales", "asa_s").warn == 20.0
    assert find("team:paris:support", "asa_s").warn == 15.0  # the site's team's wins
    assert find("queue:paris:support", "asa_s").warn == 15.0
    assert find("team:lyon:support", "asa_s").warn == 50.0
    assert find("site:lyon", "asa_s") is None and find("site", "asa_s") is None
    # states and alerts: calls held 18 s are warn at Paris's 15 s, ok at Lyon's 50 s
    events = []
    for site in ("paris", "lyon"):
        events += [CallEntered(ts=T0, call_id="c1", queue="support", source=site),
                   CallAnswered(ts=T0 + 18, call_id="c1", queue="support", agent="ag-ann",
                                hold_s=18.0, source=site)]
    engine.apply_all([replace(namespaced(e, e.source), source=e.source) for e in events])
    snap = engine.snapshot(T0 + 20)
    assert snap.states["team:paris:support"]["today"]["asa_s"] == "warn"
    assert snap.states["team:lyon:support"]["today"]["asa_s"] == "ok"
    assert snap.states["site:paris"]["today"]["asa_s"] == "ok"  # 18 s, below Paris's 20 s
    assert "team:paris:support/today/asa_s" in snap.active_alerts
    assert not [key for key in snap.active_alerts if "lyon" in key]


def test_the_scorecard_takes_a_site_s_levels_as_the_engine_does():
    from panneau.hub.objectives import Figures, scorecard_board

    config = group_config(PARIS_LEVELS + '[[scorecard.kpis]]\nkpi = "asa_s"\n'
                          'perspective = "customer"\nrole = "leading"\n')
    engine = Engine(config)

    def rows(scope: str) -> dict:
        card = scorecard_board(config, scope, date(2026, 11, 2),
                               lambda s, p: Figures({"asa_s": 45.0}, None))
        [row] = [r for r in card["rows"] if r["kpi"] == "asa_s"]
        return row["state"]

    # 45 s: Paris's alert (40), its support team's warn (15), Lyon's support team's ok (50)
    for scope, state in (("site:paris", "alert"), ("site:lyon", None), ("site", None),
                         ("team:paris:support", "warn"), ("team:lyon:support", "ok")):
        assert rows(scope) == state, scope
        th = engine.thresholds.find(scope, "asa_s")
        assert (th.warn if th else None) == {"site:paris": 20.0, "team:paris:support": 15.0,
                                             "team:lyon:support": 50.0}.get(scope), scope


@pytest.mark.parametrize(("extra", "message"), [
    ('[[thresholds]]\nkpi = "asa_s"\nsite = "nice"\nwarn = 20.0\n',
     "thresholds[1].site: no site 'nice' in [cluster] sites (paris, lyon)"),
    ('[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\nteam = "lyon:support"\nwarn = 20.0\n',
     "thresholds[1].team: team 'lyon:support' is not of site 'paris'"),
    ('[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\nqueue = "lyon:support"\nwarn = 20.0\n',
     "thresholds[1].queue: queue 'lyon:support' is not of site 'paris'"),
    ('[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\nteam = "support"\nwarn = 20.0\n'
     '[[thresholds]]\nkpi = "asa_s"\nteam = "paris:support"\nwarn = 30.0\n',
     "thresholds[2].kpi: duplicate threshold for 'asa_s'"),
])
def test_a_group_config_refuses_a_threshold_of_a_site_it_does_not_have(extra, message):
    with pytest.raises(ConfigError) as caught:
        group_config(extra)
    assert [m.split(": ", 1)[1] for m in caught.value.messages] == [message]


def test_off_a_group_hub_a_threshold_naming_a_site_is_refused():
    with pytest.raises(ConfigError) as caught:
        parse_config(site_text() + '[[thresholds]]\nkpi = "asa_s"\nsite = "paris"\n'
                     'warn = 20.0\n', "site.toml")
    assert [m.split(": ", 1)[1] for m in caught.value.messages] == [
        "thresholds[1].site: site 'paris': a threshold names a site only on a group hub "
        '([cluster] role = "group")']


def test_a_manager_sets_a_site_s_target_in_the_group_hub_s_file(tmp_path):
    from panneau.hub.config import load_config
    from panneau.hub.config.targets_file import change_threshold_file

    path = tmp_path / "group.toml"
    path.write_text(site_text() + PARIS_LEVELS
                    + '[cluster]\nrole = "group"\nsites = ["paris", "lyon"]\n')
    change = change_threshold_file(path, "site:paris", "asa_s", {"warn": 25.0})
    assert (change.old, change.new) == ({"warn": 20.0, "alert": 40.0},
                                        {"warn": 25.0, "alert": 40.0})
    change = change_threshold_file(path, "site:lyon", "asa_s", {"warn": 30.0})
    assert change.old is None
    find = Engine(load_config(path)).thresholds.find
    assert (find("site:paris", "asa_s").warn, find("site:lyon", "asa_s").warn) == (25.0, 30.0)
    assert find("team:paris:support", "asa_s").warn == 15.0  # the team's own still wins
    before = path.read_text()
    with pytest.raises(ConfigError, match="no site 'nice' in"):
        change_threshold_file(path, "site:nice", "asa_s", {"warn": 30.0})
    assert path.read_text() == before
