"""The shape of ``panneau.toml``: one dataclass per table. See ``panneau.example.toml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "PERSPECTIVES",
    "ClusterSettings",
    "Config",
    "HubSettings",
    "KeyResult",
    "KioskPage",
    "KioskSettings",
    "KpiSettings",
    "Objective",
    "PulseSettings",
    "QueueSettings",
    "ReportSchedule",
    "ReportSettings",
    "Schedule",
    "Scorecard",
    "ScorecardKpi",
    "ScorecardLink",
    "SourceConfig",
    "Team",
    "Threshold",
    "Token",
]

Role = Literal["kiosk", "agent", "manager", "reporting"]
Perspective = Literal["cost", "customer", "process", "people"]
#: The balanced scorecard's four perspectives, in the order screens show them.
PERSPECTIVES: tuple[str, ...] = ("cost", "customer", "process", "people")


@dataclass
class HubSettings:
    """``[hub]``: where the hub listens, stores and which clock it keeps."""

    listen: str = "127.0.0.1:8765"
    http_listen: str = "127.0.0.1:8766"
    database: str = "panneau.db"
    timezone: str = "UTC"
    day_start: str = "00:00"
    retention_days: int = 90
    history_retention_days: int = 35
    history_interval_s: int = 60
    max_frames_per_s: float = 4.0
    max_frame_bytes: int = 65536
    auth_timeout_s: float = 5.0
    resume_history: int = 512
    client_buffer_bytes: int = 1048576
    min_team_size: int = 3
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    tls_check_s: float = 30.0
    auth_fail_limit: int = 10
    auth_fail_window_s: float = 60.0
    auth_ban_s: float = 600.0
    #: For demos, trials and tests only: the hub's clock runs this many times faster than the
    #: wall clock (60: an hour a minute), so a simulator plays a day in minutes and the
    #: engine's windows, alerts and screens follow it (panneau.hub.clock). 1: the wall clock.
    clock_speed: float = 1.0


@dataclass
class KpiSettings:
    """``[kpi]``: conventions where contact centres differ."""

    service_level_s: int = 20
    service_level_target_pct: float = 80.0
    short_abandon_s: int = 0
    wrapup_s: float = 0.0
    wrapup_pause_reasons: list[str] = field(default_factory=lambda: ["ACW", "Wrap-up"])
    fcr_repeat_hours: float = 24.0
    backlog_statuses: list[str] = field(
        default_factory=lambda: ["new", "open", "pending", "hold"]
    )
    csat_satisfied_min: float = 4.0
    small_n: int = 10
    #: Ticket statuses counted in ``tickets_pending`` (waiting on the customer or a third party).
    pending_statuses: list[Literal["new", "open", "pending", "hold"]] = field(
        default_factory=lambda: ["pending", "hold"]
    )
    #: Queues and helpdesk groups of the second level: a call transferred into one of these
    #: queues, or a ticket moved into one of these groups, is an escalation.
    level2_queues: list[str] = field(default_factory=list)
    level2_groups: list[str] = field(default_factory=list)
    #: Transfer targets that reach the second level (``extension`` or ``extension@context``,
    #: as queue_log's ``BLINDTRANSFER`` writes them): such a transfer is an escalation.
    level2_transfer_targets: list[str] = field(default_factory=list)


@dataclass
class QueueSettings:
    """``[queues.<name>]``: per-queue overrides."""

    label: str | None = None
    service_level_s: int | None = None


@dataclass
class Team:
    """``[[teams]]``: who works together and what they answer."""

    id: str
    name: str | None = None
    queues: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass
class SourceConfig:
    """``[[sources]]``: one running instance of a source plugin."""

    name: str
    plugin: str
    enabled: bool = True
    stale_after_s: float | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Threshold:
    """``[[thresholds]]``: target and limits of one KPI, optionally for one team or queue, or
    (a group hub) one site: ``site`` alone is that site's levels, with ``team`` / ``queue``
    it names that site's team or queue."""

    kpi: str
    target: float | None = None
    warn: float | None = None
    alert: float | None = None
    direction: Literal["higher", "lower"] | None = None
    hysteresis: float = 0.0
    team: str | None = None
    queue: str | None = None
    site: str | None = None


@dataclass
class Token:
    """``[[tokens]]``: a screen's credential, its role and identity.

    ``reporting``: the read-only HTTP API only (BI tools); no screen connects with it."""

    role: Role
    token: str | None = None
    token_sha256: str | None = None
    team: str | None = None
    agent: str | None = None
    label: str | None = None
    scope: str | None = None
    """A kiosk showing a whole site instead of a team: ``site`` (everything the hub counts: a
    group hub's group total, with every ``site:<name>``) or ``site:<name>`` (a group hub)."""


@dataclass
class KioskPage:
    """``[[kiosk.pages]]``: one rotating page of the wall panel."""

    title: str
    kpis: list[str] = field(default_factory=list)
    window: Literal["now", "15m", "30m", "60m", "today"] = "today"
    #: ``figures`` (the ``kpis``), ``objectives`` (the team's and site's objectives),
    #: ``scorecard`` (the team's balanced scorecard) or ``trends`` (the team's charts).
    kind: Literal["figures", "objectives", "scorecard", "trends"] = "figures"
    dwell_s: float | None = None
    trend: str | None = None
    by_site: bool = False
    """Each KPI once for the panel's scope and once per ``site:<name>`` it sees (a group
    wall); the page is left out on a panel that sees no site scope."""


@dataclass
class Schedule:
    """``[kiosk.schedule]``: when the panel shows figures; outside, it dims to a clock."""

    on: str = "00:00"
    off: str = "24:00"
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    )


def _default_pages() -> list[KioskPage]:
    return [
        KioskPage("Queue now", ["calls_waiting", "longest_wait_s", "agents_available",
                                "agents_on_call", "agents_paused"], window="now"),
        KioskPage("Today", ["service_level_offered_pct", "abandon_rate_pct", "asa_s",
                            "answered"], trend="service_level_offered_pct"),
        KioskPage("Tickets & surveys", ["backlog", "frt_avg_min", "csat_pct", "nps"]),
        KioskPage("Trends", kind="trends"),
    ]


@dataclass
class PulseSettings:
    """``[pulse]``: the agents' anonymous satisfaction pulse (docs/hub.md)."""

    enabled: bool = False
    question: str = "How do you feel about your work these days?"
    period: Literal["day", "week", "month"] = "week"


@dataclass
class KeyResult:
    """``[[objectives.key_results]]``: a KPI of a scope to bring to a target by a deadline."""

    kpi: str
    target: float
    baseline: float | None = None
    direction: Literal["higher", "lower"] | None = None
    deadline: str | None = None
    scope: str | None = None


@dataclass
class Objective:
    """``[[objectives]]``: what a team (or the site) aims at over a period, never an agent."""

    title: str
    key_results: list[KeyResult]
    perspective: Perspective = "customer"
    period: str = "quarter"
    team: str | None = None


@dataclass
class ScorecardKpi:
    """``[[scorecard.kpis]]``: a KPI placed in a perspective, leading or lagging."""

    kpi: str
    perspective: Perspective
    role: Literal["leading", "lagging"] = "lagging"
    target: float | None = None


@dataclass
class ScorecardLink:
    """``[[scorecard.links]]``: a cause→effect pair shown side by side."""

    cause: str
    effect: str
    note: str | None = None
    cause_warn_above: float | None = None


def _default_scorecard_kpis() -> list[ScorecardKpi]:
    return [ScorecardKpi(kpi, perspective, role) for perspective, kpi, role in (
        ("cost", "cost_per_contact", "lagging"), ("cost", "occupancy_pct", "leading"),
        ("customer", "csat_pct", "lagging"), ("customer", "nps", "lagging"),
        ("customer", "asa_s", "leading"),
        ("process", "fcr_pct", "leading"),
        ("process", "service_level_offered_pct", "leading"),
        ("process", "abandon_rate_pct", "lagging"), ("process", "kb_freshness_pct", "leading"),
        ("process", "self_service_pct", "lagging"),
        ("people", "training_hours", "leading"), ("people", "turnover_pct", "lagging"))]


def _default_scorecard_links() -> list[ScorecardLink]:
    return [
        ScorecardLink("fcr_pct", "cost_per_contact", "first-contact resolution lowers cost"),
        ScorecardLink("occupancy_pct", "turnover_pct",
                      "turnover climbs sharply past ~70 % occupancy", cause_warn_above=70.0),
        ScorecardLink("training_hours", "fcr_pct", "training drives first-contact resolution"),
        ScorecardLink("kb_freshness_pct", "self_service_pct",
                      "an up-to-date knowledge base lets customers serve themselves"),
        ScorecardLink("asa_s", "csat_pct", "speed of answer drives satisfaction"),
    ]


class _DefaultLinks(list[ScorecardLink]):
    """The default links, not written in the config: kept to those between two KPIs of the
    card (:meth:`Scorecard.__post_init__`)."""


@dataclass
class Scorecard:
    """``[scorecard]``: the balanced scorecard screens show for a period.

    Without ``links``, the default ones between two of its ``kpis``: a card of its own KPIs
    does not link KPIs it no longer lists. Links written out are kept as written."""

    period: str = "month"
    kpis: list[ScorecardKpi] = field(default_factory=_default_scorecard_kpis)
    links: list[ScorecardLink] = field(default_factory=_DefaultLinks)

    def __post_init__(self) -> None:
        if isinstance(self.links, _DefaultLinks) and isinstance(self.kpis, list):
            listed = {getattr(row, "kpi", None) for row in self.kpis}
            self.links = _DefaultLinks(link for link in _default_scorecard_links()
                                       if link.cause in listed and link.effect in listed)


@dataclass
class KioskSettings:
    """``[kiosk]``: what the wall panel shows and when."""

    dwell_s: float = 15.0
    pages: list[KioskPage] = field(default_factory=_default_pages)
    schedule: Schedule = field(default_factory=Schedule)


@dataclass
class ClusterSettings:
    """``[cluster]``: hubs that share events through NATS JetStream (absent: one box, no NATS).

    A ``site`` hub runs its sources and publishes every accepted event to the stream; an
    ``edge`` hub runs no sources of its own and folds the streams of ``sites``; a ``group``
    hub is an edge that keeps the sites apart: ``site:<name>`` per site, ``site`` for all, and
    each site's teams, queues and agents as ``<site>:<name>`` (:mod:`.sites`).
    """

    role: Literal["site", "edge", "group"]
    servers: list[str] = field(default_factory=lambda: ["nats://127.0.0.1:4222"])
    site: str | None = None
    """This hub's site name (role ``site``): its events go to ``panneau.<site>.events``."""
    sites: list[str] = field(default_factory=list)
    """The sites an edge or group hub folds (role ``edge`` or ``group``)."""
    stream: str = "PANNEAU"
    heartbeat_s: float = 2.0
    """How often a site says it is alive (core NATS, outside the stream)."""
    stale_after_s: float = 10.0
    """An edge marks a site stale after this long without its heartbeat."""
    duplicate_window_s: float = 120.0
    """JetStream de-duplication window of the stream (a republish within it is dropped)."""


@dataclass
class ReportSchedule:
    """``[[reports.schedules]]``: one e-mailed summary, sent once per finished period."""

    period: Literal["day", "week", "month"]
    to: list[str]
    name: str | None = None  # what the journal remembers it by (default: period and first to)
    scopes: list[str] = field(default_factory=list)  # default: the site and every team

    @property
    def key(self) -> str:
        """The schedule's name, or ``<period>:<first recipient>``."""
        return self.name or f"{self.period}:{self.to[0] if self.to else ''}"


@dataclass
class ReportSettings:
    """``[reports]``: SMTP and the e-mailed summaries (none without schedules)."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password_env: str | None = None  # the password comes from this variable, never the file
    sender: str = "panneau@localhost"
    send_at: str = "07:00"  # hub timezone; a week's report goes on Monday, a month's on the 1st
    schedules: list[ReportSchedule] = field(default_factory=list)


@dataclass
class Config:
    """The whole file."""

    hub: HubSettings = field(default_factory=HubSettings)
    kpi: KpiSettings = field(default_factory=KpiSettings)
    queues: dict[str, QueueSettings] = field(default_factory=dict)
    teams: list[Team] = field(default_factory=list)
    sources: list[SourceConfig] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    cluster: ClusterSettings | None = None
    objectives: list[Objective] = field(default_factory=list)
    scorecard: Scorecard = field(default_factory=Scorecard)
    reports: ReportSettings = field(default_factory=ReportSettings)
    pulse: PulseSettings = field(default_factory=PulseSettings)

    def team(self, team_id: str) -> Team | None:
        """The team with this id."""
        return next((t for t in self.teams if t.id == team_id), None)

    def team_of_agent(self, agent: str) -> Team | None:
        """The first team listing this agent."""
        return next((t for t in self.teams if agent in t.agents), None)
