"""Who sees what: views built from a hand-made engine snapshot (pure, no I/O)."""

from panneau.hub.config import parse_config
from panneau.hub.engine import AgentNow, Snapshot
from panneau.hub.server.context import SourceState
from panneau.hub.server.history import AGENT_REF_KPIS
from panneau.hub.server.manager import Message
from panneau.hub.server.views import Audience, ViewInputs, build_view, key_visible
from panneau.overlay.model import AGENT_FIGURES


def _config(tools):
    return parse_config(tools.config_text("unused.db"), "t.toml")


def _snapshot() -> Snapshot:
    values = {"site": {"today": {"answered": 9.0}}}
    for team, agents in {"support": ["ag-ann", "ag-ben", "ag-cid"],
                         "sales": ["ag-dee", "ag-eve"]}.items():
        values[f"team:{team}"] = {"today": {"answered": 4.0}}
        values[f"queue:{team}"] = {"now": {"calls_waiting": 1.0, "longest_wait_s": 30.0,
                                           "agents_on_call": 1.0},
                                   "today": {"answered": 3.0}}
        for agent in agents:
            values[f"agent:{agent}"] = {"today": {"answered": 2.0}}
    states = {"queue:sales": {"now": {"calls_waiting": "warn"}}}
    agents = {a: AgentNow("available", 1.0) for a in ("ag-ann", "ag-ben", "ag-dee", "ag-eve")}
    targets = {"queue:sales": {"calls_waiting": {"target": 0.0, "warn": 3.0},
                               "answered": {"target": 9.0}}}
    return Snapshot(at=1000.0, values=values, states=states, agents=agents, targets=targets)


def _inputs() -> ViewInputs:
    messages = [
        Message("m-all", "all", "boss", None, None, 1, 9),
        Message("m-ben", "ben", "boss", None, "ag-ben", 1, 9),
        Message("m-sales", "s", "boss", "sales", None, 1, 9),
    ]
    source = SourceState("pbx", "asterisk", detail="agent ag-ben: bad line")
    return ViewInputs(_snapshot(), {"pbx": source}, messages,
                      acks={"m-all": ["ag-ben", "ag-ann"]},
                      annotations={"agent:ag-ben/today/answered": {"text": "coaching"},
                                   "team:support/today/answered": {"text": "storm"}},
                      alerts={"agent:ag-ben/today/answered": {"state": "warn"},
                              "queue:sales/today/answered": {"state": "warn"},
                              "queue:sales/now/longest_wait_s": {"state": "alert"}},
                      trends={"team:support/today/answered": [[1.0, 2.0]],
                              "queue:sales/today/answered": [[1.0, 2.0]]},
                      refs={"site/today/answered": {"yesterday": 8.0, "last_week": None},
                            "queue:sales/today/answered": {"yesterday": 8.0, "last_week": None},
                            "agent:ag-ben/today/aht_s": {"yesterday": 200.0, "last_week": 190.0}})


def test_an_agent_sees_itself_its_team_and_queues_only(tools):
    view = build_view(Audience("agent", agent="ag-ann"), _config(tools), _inputs())
    assert view["kpi:agent:ag-ann/today/answered"] == 2.0
    assert view["kpi:team:support/today/answered"] == 4.0
    assert view["kpi:queue:support/now/calls_waiting"] == 1.0
    assert view["kpi:queue:support/today/answered"] == 3.0  # a team of 3: queue outcomes too
    assert view["agent:ag-ann"]["state"] == "available"
    assert "ag-ben" not in repr(view)  # not in keys, messages, acks, alerts, notes, sources
    assert view["message:m-all"]["acked_by"] == ["ag-ann"]
    assert "message:m-sales" not in view
    assert "detail" not in view["source:pbx"]
    assert view["annotation:team:support/today/answered"] == {"text": "storm"}
    assert view["trend:team:support/today/answered"] == [[1.0, 2.0]]
    assert "site" not in repr([k.split("/")[0] for k in view])
    assert view["meta"]["team_figures"] is True


def test_an_agent_of_a_small_team_gets_no_team_figures(tools):
    view = build_view(Audience("agent", agent="ag-dee"), _config(tools), _inputs())
    assert not any(k.startswith("kpi:team:") for k in view)
    assert view["kpi:queue:sales/now/calls_waiting"] == 1.0
    assert view["state:queue:sales/now/calls_waiting"] == "warn"
    assert view["target:queue:sales/calls_waiting"] == {"target": 0.0, "warn": 3.0}
    assert "message:m-sales" in view and "ag-eve" not in repr(view)
    assert view["meta"]["team_figures"] is False
    queue = {k for k in view if "queue:" in k}  # only how many wait and how long, now
    assert queue == {"kpi:queue:sales/now/calls_waiting", "kpi:queue:sales/now/longest_wait_s",
                     "state:queue:sales/now/calls_waiting", "target:queue:sales/calls_waiting",
                     "alert:queue:sales/now/longest_wait_s"}
    config = _config(tools)
    dee, eve = Audience("agent", agent="ag-dee"), Audience("agent", agent="ag-eve")
    assert key_visible(dee, config, "queue:sales/now/calls_waiting")
    assert not key_visible(dee, config, "queue:sales/today/answered")
    assert not key_visible(dee, config, "queue:sales/now/agents_on_call")
    assert not key_visible(dee, config, "agent:ag-eve/today/answered")
    assert key_visible(eve, config, "agent:ag-eve/today/answered")
    big = Audience("agent", agent="ag-ann")
    assert key_visible(big, config, "queue:support/today/answered")
    assert not key_visible(big, config, "queue:sales/now/calls_waiting")


def test_agent_refs_reach_that_agent_and_managers_only(tools):
    config, inputs = _config(tools), _inputs()
    key = "ref:agent:ag-ben/today/aht_s"
    for who, sees in (("ag-ben", True), ("ag-ann", False), ("ag-cid", False)):
        view = build_view(Audience("agent", agent=who), config, inputs)
        assert (key in view) is sees
    assert key not in build_view(Audience("kiosk", team="support"), config, inputs)
    assert build_view(Audience("manager"), config, inputs)[key]["last_week"] == 190.0


def test_a_manager_view_names_the_token_label(tools):
    config, inputs = _config(tools), _inputs()
    marie = build_view(Audience("manager", label="Marie"), config, inputs)
    anonymous = build_view(Audience("manager"), config, inputs)
    assert marie["meta"]["identity"] == "Marie" and anonymous["meta"]["identity"] == "manager"
    assert {k: v for k, v in marie.items() if k != "meta"} == {
        k: v for k, v in anonymous.items() if k != "meta"}
    assert Audience("manager", label="Marie") != Audience("manager", label="Paul")
    kiosk = build_view(Audience("kiosk", team="support"), config, inputs)
    assert kiosk["meta"]["identity"] == "support"


def test_a_kiosk_sees_team_and_queue_figures_without_any_agent(tools):
    view = build_view(Audience("kiosk", team="support"), _config(tools), _inputs())
    assert view["kpi:team:support/today/answered"] == 4.0
    assert not any("ag-" in k for k in view) and "ag-" not in repr(view)
    assert view["message:m-all"]["acked_by"] == []
    assert "message:m-ben" not in view and "message:m-sales" not in view
    assert [p["title"] for p in view["meta"]["pages"]] == ["Calls", "Now"]
    assert view["meta"]["timezone"] == _config(tools).hub.timezone


def test_a_manager_sees_everything(tools):
    view = build_view(Audience("manager"), _config(tools), _inputs())
    assert {k for k in view if k.startswith("agent:")} == {
        "agent:ag-ann", "agent:ag-ben", "agent:ag-dee", "agent:ag-eve"}
    assert view["kpi:agent:ag-eve/today/answered"] == 2.0
    assert view["message:m-all"]["acked_by"] == ["ag-ben", "ag-ann"]
    assert view["source:pbx"]["detail"] == "agent ag-ben: bad line"
    assert view["ref:site/today/answered"] == {"yesterday": 8.0, "last_week": None}
    assert view["alert:agent:ag-ben/today/answered"] == {"state": "warn"}
    assert view["meta"]["as_of"] == 1000


def test_agent_refs_cover_every_figure_the_overlay_shows():
    assert set(AGENT_REF_KPIS) == {kpi for kpi, _ in AGENT_FIGURES}


def test_figures_that_are_not_finite_reach_screens_as_null_and_missing_ones_not_at_all(tools):
    snapshot = _snapshot()
    snapshot.values["site"] = {"today": {"answered": 9.0, "aht_s": float("nan"),
                                         "asa_s": float("inf"), "fcr_pct": None, "offered": 12}}
    inputs = _inputs()
    inputs.snapshot = snapshot
    view = build_view(Audience("manager", label="boss"), _config(tools), inputs)
    assert view["kpi:site/today/aht_s"] is None
    assert view["kpi:site/today/asa_s"] is None
    assert "kpi:site/today/fcr_pct" not in view
    assert view["kpi:site/today/answered"] == 9.0
    assert view["kpi:site/today/offered"] == 12


def test_a_manager_is_told_every_configured_scope_figures_or_not(tools):
    """``meta.scopes``: a team quiet since midnight has no figure, so a console that listed
    the scopes with figures left it out; the hub names the configured ones to managers."""
    config = _config(tools)
    quiet = ViewInputs(Snapshot(at=1000.0, values={}), {}, [])
    manager = build_view(Audience("manager"), config, quiet)
    teams = [f"team:{t.id}" for t in config.teams]
    queues = sorted(f"queue:{q}" for t in config.teams for q in t.queues)
    assert manager["meta"]["scopes"] == ["site", *teams, *queues]
    assert not any(k.startswith("kpi:") for k in manager)
    for audience in (Audience("kiosk", team="support"), Audience("agent", agent="ag-ann")):
        assert "scopes" not in build_view(audience, config, _inputs())["meta"]


def test_every_screen_is_told_when_the_day_starts(tools):
    """``meta.day_start``: the console said "today: since midnight" on a hub whose day
    starts at 06:30 (``hub.day_start``), as it had nothing else to go by."""
    config = parse_config(tools.config_text("unused.db", day_start="06:30"), "t.toml")
    for audience in (Audience("manager"), Audience("kiosk", team="support"),
                     Audience("agent", agent="ag-ann")):
        assert build_view(audience, config, _inputs())["meta"]["day_start"] == "06:30"
