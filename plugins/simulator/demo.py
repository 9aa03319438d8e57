"""The demo configuration, built in code: ``panneau demo`` needs no file."""

from __future__ import annotations

from dataclasses import asdict

from panneau.hub.config.schema import (
    Config,
    HubSettings,
    KioskPage,
    KioskSettings,
    KpiSettings,
    QueueSettings,
    SourceConfig,
    Team,
    Threshold,
    Token,
)
from panneau.plugins.simulator.options import ScenarioName, SimulatorOptions

__all__ = ["DEMO_MANAGER_TOKEN", "GROUP_WALL_TOKEN", "agent_token", "demo_config",
           "group_demo_config", "kiosk_token"]

DEMO_MANAGER_TOKEN = "demo-manager"
#: ``panneau demo --sites N``: the group hub's wall (every site's totals and the group's).
GROUP_WALL_TOKEN = "demo-group-wall"


def kiosk_token(team: str) -> str:
    """The demo kiosk token of a team."""
    return f"demo-kiosk-{team}"


def agent_token(agent: str) -> str:
    """The demo overlay token of an agent."""
    return f"demo-agent-{agent}"


# Tuned so that, at speed 1 in the incident scenario, the support queue turns warn then
# alert within about a minute (see tests/simulator/test_scenarios.py).
_THRESHOLDS = (
    Threshold("calls_waiting", target=0.0, warn=2.0, alert=5.0, hysteresis=1.0),
    Threshold("longest_wait_s", warn=30.0, alert=90.0, hysteresis=5.0),
    Threshold("service_level_offered_pct", target=80.0, warn=75.0, alert=60.0, hysteresis=2.0),
    Threshold("abandon_rate_pct", target=5.0, warn=8.0, alert=15.0, hysteresis=1.0),
    Threshold("asa_s", target=20.0, warn=30.0, alert=60.0, hysteresis=3.0),
    Threshold("csat_pct", target=85.0, warn=75.0, alert=60.0),
    Threshold("nps", target=30.0, warn=10.0, alert=0.0),
    Threshold("backlog", warn=25.0, alert=40.0),
)

_PAGES = (
    KioskPage("Queue now", ["calls_waiting", "longest_wait_s", "agents_available",
                            "agents_on_call", "agents_paused"], window="now"),
    KioskPage("Last 15 minutes", ["service_level_offered_pct", "abandon_rate_pct", "asa_s",
                                  "answered"], window="15m", trend="service_level_offered_pct"),
    KioskPage("Today", ["offered", "answered", "service_level_offered_pct", "aht_s",
                        "abandon_rate_pct"], window="today"),
    KioskPage("Tickets & surveys", ["backlog", "tickets_solved", "frt_avg_min", "csat_pct",
                                    "nps"], window="today"),
    KioskPage("Quality & escalations", ["csat_interaction_pct", "csat_relationship_pct",
                                        "survey_response_rate_pct", "escalations",
                                        "tickets_pending", "tickets_per_agent"], window="today"),
    KioskPage("Trends", kind="trends"),
)


def demo_config(*, scenario: ScenarioName = "incident", speed: float = 1.0, seed: int = 1,
                database: str = "panneau-demo.db", listen: str = "127.0.0.1:8765",
                http_listen: str = "127.0.0.1:8766",
                options: SimulatorOptions | None = None) -> Config:
    """A complete config: the simulator's teams and queues, thresholds, tokens and pages;
    the hub's clock runs ``speed`` times faster than the wall clock (``[hub] clock_speed``)."""
    opts = options or SimulatorOptions(scenario=scenario, seed=seed)
    teams = [Team(id=t.id, name=f"{t.id.title()} team", queues=list(t.queues),
                  agents=list(t.agents), groups=[t.group] if t.group else [])
             for t in opts.teams]
    tokens = [Token(role="kiosk", token=kiosk_token(t.id), team=t.id, label=f"{t.id} wall")
              for t in teams]
    tokens += [Token(role="agent", token=agent_token(a), agent=a) for t in teams
               for a in t.agents]
    tokens.append(Token(role="manager", token=DEMO_MANAGER_TOKEN, label="demo manager"))
    return Config(
        hub=HubSettings(listen=listen, http_listen=http_listen, database=database,
                        history_interval_s=10, min_team_size=3, clock_speed=speed),
        kpi=_level2(opts),
        queues={q.name: QueueSettings(label=q.name.title()) for q in opts.queues},
        teams=teams,
        sources=[SourceConfig(name="pbx", plugin="simulator", options=_plain(opts))],
        thresholds=[Threshold(**asdict(th)) for th in _THRESHOLDS],
        tokens=tokens,
        kiosk=KioskSettings(dwell_s=10.0, pages=[KioskPage(**asdict(p)) for p in _PAGES]),
    )


def _level2(opts: SimulatorOptions) -> KpiSettings:
    """The second level the simulator escalates to: its queues, extensions and groups."""
    names = {q.name for q in opts.queues}
    targets = sorted({q.escalate_to for q in opts.queues if q.escalate_to})
    return KpiSettings(
        level2_queues=[t for t in targets if t in names],
        level2_transfer_targets=[t for t in targets if t not in names],
        level2_groups=sorted({t.escalate_to for t in opts.teams if t.escalate_to}))


#: A group wall's pages first: each KPI for the group, then each site.
_GROUP_PAGES = (
    KioskPage("Sites now", ["calls_waiting", "longest_wait_s", "agents_available"],
              window="now", by_site=True),
    KioskPage("Sites today", ["offered", "service_level_offered_pct", "abandon_rate_pct"],
              window="today", by_site=True),
)


def group_demo_config(sites: list[str], servers: list[str], *, database: str,
                      listen: str = "127.0.0.1:0", http_listen: str = "127.0.0.1:0",
                      speed: float = 1.0) -> Config:
    """The group hub of ``panneau demo --sites N``: the demo's teams at every site
    (``site1:support``...), the group wall, a wall per site and per site's team, the
    manager; no source of its own."""
    from panneau.hub.config.schema import ClusterSettings
    from panneau.hub.config.sites import expand_group

    config = demo_config(database=database, listen=listen, http_listen=http_listen, speed=speed)
    config.sources = []
    config.cluster = ClusterSettings(role="group", sites=list(sites), servers=list(servers))
    config = expand_group(config)
    tokens = [Token(role="kiosk", token=GROUP_WALL_TOKEN, scope="site", label="group wall")]
    tokens += [Token(role="kiosk", token=kiosk_token(f"site:{s}"), scope=f"site:{s}")
               for s in sites]
    tokens += [Token(role="kiosk", token=kiosk_token(t.id), team=t.id) for t in config.teams]
    tokens += [Token(role="agent", token=agent_token(a), agent=a) for t in config.teams
               for a in t.agents]
    tokens.append(Token(role="manager", token=DEMO_MANAGER_TOKEN, label="demo manager"))
    config.tokens = tokens
    config.kiosk.pages = [KioskPage(**asdict(p)) for p in _GROUP_PAGES] + config.kiosk.pages
    return config


def _plain(options: SimulatorOptions) -> dict:
    """The options as the plain table a config file would hold (``None`` values left out)."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(asdict(options))
