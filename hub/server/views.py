"""Build the view of each audience from the engine snapshot and what the hub stores. Pure.

Who sees what (privacy is decided here, nowhere else):

- ``manager``: every scope (site, queues, teams, agents), every agent's state, every source
  with its details, every message with who acknowledged it, every alert and annotation.
- ``kiosk`` (a team's wall panel): its team's figures and its queues' figures. Agent
  availability is shown as counts (``agents_available``, ``agents_on_call``, ...), never by
  name: no ``agent:`` key, no agent scope, no acknowledgement names.
- ``agent``: its own ``agent:<me>`` figures and state, its team's figures (only when the team
  has at least ``hub.min_team_size`` agents, so a team average cannot reveal a colleague), its
  team's queues. Never another agent's id or figures: not in keys, alerts, messages (only
  those to everyone, its team, or itself; ``acked_by`` holds at most itself) or source
  details (agents and kiosks get a source's status without the free-text detail).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hub.config.schema import Config
from hub.server.context import SourceState

__all__ = [
    "Audience", "ViewInputs", "build_view", "message_value", "message_visible", "scopes_for",
]

AS_OF_STEP_S = 10  # meta.as_of moves in steps so an idle view does not make a frame per tick


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a view is for: ``manager``, ``kiosk`` of ``team``, or ``agent`` ``agent``."""

    role: str
    team: str | None = None
    agent: str | None = None

    @property
    def key(self) -> str:
        return {"manager": "manager", "kiosk": f"kiosk:{self.team}"}.get(
            self.role, f"agent:{self.agent}")


@dataclass
class ViewInputs:
    """Everything a view is built from, refreshed by the hub once per publish tick."""

    snapshot: Any  # hub.engine.Snapshot
    sources: Mapping[str, SourceState] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    acks: Mapping[str, list[str]] = field(default_factory=dict)
    annotations: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    alerts: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # id = scope/window/kpi
    trends: Mapping[str, list[list[float]]] = field(default_factory=dict)
    refs: Mapping[str, dict[str, float | None]] = field(default_factory=dict)


def scopes_for(audience: Audience, config: Config, known: Iterable[str]) -> list[str]:
    """The KPI scopes an audience may see (``known``: scopes the engine has figures for)."""
    if audience.role == "manager":
        return sorted(set(known) | {"site"})
    team = config.team(audience.team) if audience.role == "kiosk" else (
        config.team_of_agent(audience.agent or ""))
    scopes: list[str] = []
    if audience.role == "agent":
        scopes.append(f"agent:{audience.agent}")
    if team is not None:
        if audience.role == "kiosk" or len(team.agents) >= config.hub.min_team_size:
            scopes.append(f"team:{team.id}")
        scopes += [f"queue:{q}" for q in team.queues]
    return scopes


def message_visible(audience: Audience, message: Mapping[str, Any], config: Config) -> bool:
    """Whether ``message`` (with ``team`` / ``agent`` recipients) is for this audience."""
    team, agent = message.get("team"), message.get("agent")
    if audience.role == "manager":
        return True
    if agent:
        return audience.role == "agent" and agent == audience.agent
    if not team:
        return True
    if audience.role == "kiosk":
        return team == audience.team
    mine = config.team_of_agent(audience.agent or "")
    return mine is not None and mine.id == team


def message_value(audience: Audience, m: Mapping[str, Any], acked: list[str]) -> dict:
    if audience.role == "manager":
        acked_by = list(acked)
    elif audience.role == "agent":
        acked_by = [audience.agent] if audience.agent in acked else []
    else:
        acked_by = []
    return {"id": m["id"], "text": m["text"], "sender": m.get("sender") or "",
            "to": {"team": m.get("team"), "agent": m.get("agent")}, "sent": m["sent"],
            "expires": m["expires"], "acked_by": acked_by}


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def build_view(audience: Audience, config: Config, inputs: ViewInputs,
               identity: str | None = None) -> dict[str, Any]:
    """The flat view (keys of :mod:`hub.view`) of ``audience``."""
    snap = inputs.snapshot
    scopes = scopes_for(audience, config, snap.values)
    allowed, everything = set(scopes), audience.role == "manager"
    view: dict[str, Any] = {}
    for scope in scopes:
        for window, kpis in snap.values.get(scope, {}).items():
            for kpi, value in kpis.items():
                if value is not None:
                    view[f"kpi:{scope}/{window}/{kpi}"] = _clean(value)
        for window, kpis in snap.states.get(scope, {}).items():
            for kpi, state in kpis.items():
                if state is not None:
                    view[f"state:{scope}/{window}/{kpi}"] = state
        for kpi, target in snap.targets.get(scope, {}).items():
            view[f"target:{scope}/{kpi}"] = dict(target)
    for table, prefix in ((inputs.trends, "trend:"), (inputs.refs, "ref:"),
                          (inputs.annotations, "annotation:"), (inputs.alerts, "alert:")):
        for key, value in table.items():
            if everything or key.partition("/")[0] in allowed:
                view[prefix + key] = value
    agents = snap.agents if audience.role == "manager" else (
        {audience.agent: snap.agents[audience.agent]}
        if audience.role == "agent" and audience.agent in snap.agents else {})
    for agent_id, now in agents.items():
        view[f"agent:{agent_id}"] = {"state": now.state, "since": now.since,
                                     "reason": now.reason, "name": agent_id}
    detail = audience.role == "manager"
    for name, state in inputs.sources.items():
        view[f"source:{name}"] = state.public(with_detail=detail)
    for m in inputs.messages:
        if message_visible(audience, m, config):
            view[f"message:{m['id']}"] = message_value(audience, m, inputs.acks.get(m["id"], []))
    view["meta"] = _meta(audience, config, snap, identity)
    return view


def _meta(audience: Audience, config: Config, snap: Any, identity: str | None) -> dict:
    team = config.team(audience.team) if audience.role == "kiosk" else (
        config.team_of_agent(audience.agent) if audience.role == "agent" else None)
    team_figures = team is not None and (
        audience.role != "agent" or len(team.agents) >= config.hub.min_team_size)
    return {
        "role": audience.role,
        "identity": identity or audience.agent or audience.team or audience.role,
        "team": team.id if team else None,
        "team_name": (team.name or team.id) if team else None,
        "team_figures": team_figures,
        "queues": list(team.queues) if team else None,
        "agent": audience.agent,
        "as_of": math.floor(snap.at / AS_OF_STEP_S) * AS_OF_STEP_S,
        "pages": [asdict(p) for p in config.kiosk.pages],
        "dwell_s": config.kiosk.dwell_s,
        "schedule": asdict(config.kiosk.schedule),
    }
