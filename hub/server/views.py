"""Build the view of each audience from the engine snapshot and what the hub stores. Pure.

Who sees what (privacy is decided here, nowhere else):

- ``manager``: every scope (site, queues, teams, agents), every agent's state, every source
  with its details, every message with who acknowledged it, every alert and annotation.
- ``kiosk`` (a team's wall panel): its team's figures and its queues' figures. Agent
  availability is shown as counts (``agents_available``, ``agents_on_call``, ...), never by
  name: no ``agent:`` key, no agent scope, no acknowledgement names. A kiosk token with a
  ``scope`` instead of a team (a site or group wall) gets that scope's figures; ``site`` also
  every ``site:<name>`` of a group hub (each site's totals, as anonymous as ``site``).
- ``agent``: its own ``agent:<me>`` figures, state and refs, its team's figures and its team's
  queues' figures. Never another agent's id or figures: not in keys, alerts, messages (only
  those to everyone, its team, or itself; ``acked_by`` holds at most itself) or source
  details (agents and kiosks get a source's status without the free-text detail).
  **Small team** (fewer than ``hub.min_team_size`` agents listed): a team or queue total minus
  the agent's own figure would give a colleague's away, so the view holds no team scope at
  all, and of its queues only :data:`SMALL_TEAM_QUEUE_KPIS` in the ``now`` window (figures,
  states, targets, notes and alerts alike): how many calls wait and for how long, which
  says nothing about any agent's outcome or state.
- ``insight:<rule>/<scope>``: by the scope of the insight's ``key`` as above; outside
  managers, never one naming another agent (:func:`insight_visible`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from panneau.hub import wire
from panneau.hub.config.schema import Config, Team
from panneau.hub.config.sites import group_sites, overview_scopes
from panneau.hub.server.context import SourceState
from panneau.hub.server.goals_view import visible_goals
from panneau.hub.server.manager import Message
from panneau.hub.server.pulse import visible_pulse

__all__ = [
    "SCOPES_TOPIC",
    "SMALL_TEAM_QUEUE_KPIS",
    "STEP_TOPIC",
    "Audience",
    "Part",
    "ViewInputs",
    "Views",
    "build_part",
    "build_view",
    "changed_topics",
    "insight_visible",
    "key_visible",
    "message_value",
    "message_visible",
    "part_topic",
    "parts_for",
    "scopes_for",
    "small_team",
]

AS_OF_STEP_S = 10  # meta.as_of moves in steps so an idle view does not make a frame per tick
#: The only queue KPIs (window ``now``) an agent of a small team receives.
SMALL_TEAM_QUEUE_KPIS = frozenset({"calls_waiting", "longest_wait_s"})


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a view is for: ``manager`` (``label``: its token's), ``kiosk`` of ``team``, or
    ``agent`` ``agent``. Managers with different labels are different audiences (their
    ``meta.identity`` differs)."""

    role: str
    team: str | None = None
    agent: str | None = None
    label: str | None = None
    scope: str | None = None  # a kiosk of a site or group (``site``, ``site:<name>``)
    #: its hash, worked out once (a step tick looks each screen's ``meta`` up by audience:
    #: the generated ``__hash__`` built and hashed a tuple each time)
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash",
                           hash((self.role, self.team, self.agent, self.label, self.scope)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def key(self) -> str:
        manager = f"manager:{self.label}" if self.label else "manager"
        kiosk = f"kiosk:{self.team}" if self.scope is None else f"kiosk:{self.scope}"
        return {"manager": manager, "kiosk": kiosk}.get(self.role, f"agent:{self.agent}")


@dataclass
class ViewInputs:
    """Everything a view is built from, refreshed by the hub once per publish tick."""

    snapshot: Any  # panneau.hub.engine.Snapshot
    sources: Mapping[str, SourceState] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    acks: Mapping[str, list[str]] = field(default_factory=dict)
    annotations: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    alerts: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # id = scope/window/kpi
    trends: Mapping[str, list[list[float]]] = field(default_factory=dict)
    refs: Mapping[str, dict[str, float | None]] = field(default_factory=dict)
    insights: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # id → value
    #: ``objective:<n>`` and ``scorecard:<scope>`` (panneau.hub.objectives).
    goals: Mapping[str, Any] = field(default_factory=dict)
    #: ``pulse:team:<id>`` aggregates, and who answered this period (never sent as such).
    pulse: dict[str, Any] = field(default_factory=dict)
    pulse_done: frozenset[str] = frozenset()
    _fragments: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _by_scope: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    _messages_key: tuple | None = field(default=None, repr=False)
    _sources_key: tuple | None = field(default=None, repr=False)
    _manager_parts: tuple | None = field(default=None, repr=False)


def _team_of(config: Config, audience: Audience) -> Team | None:
    if audience.role == "kiosk":
        return config.team(audience.team or "")
    if audience.role == "agent":
        return _static(config).agent_team.get(audience.agent or "")
    return None


def scopes_for(audience: Audience, config: Config, known: Iterable[str]) -> list[str]:
    """The KPI scopes an audience may see (``known``: scopes the engine has figures for)."""
    if audience.role == "manager":
        return sorted(set(known) | {"site"})
    if audience.role == "kiosk" and audience.scope is not None:
        sites = [f"site:{s}" for s in group_sites(config)] if audience.scope == "site" else []
        return [audience.scope, *sites]
    team = _team_of(config, audience)
    scopes: list[str] = []
    if audience.role == "agent":
        scopes.append(f"agent:{audience.agent}")
    if team is not None:
        if not small_team(audience, config):
            scopes.append(f"team:{team.id}")
        scopes += [f"queue:{q}" for q in team.queues]
    return scopes


def small_team(audience: Audience, config: Config) -> bool:
    """Whether ``audience`` is an agent of a team under ``hub.min_team_size`` agents."""
    team = _team_of(config, audience) if audience.role == "agent" else None
    return team is not None and len(team.agents) < config.hub.min_team_size


def _small_team_sees(scope: str, window: str, kpi: str) -> bool:
    """What an agent of a small team may see of a scope it has (see the module docstring);
    ``window`` is empty for ``target:`` keys."""
    if not scope.startswith("queue:"):
        return True
    return window in ("now", "") and kpi in SMALL_TEAM_QUEUE_KPIS


def key_visible(audience: Audience, config: Config, key: str) -> bool:
    """Whether a ``<scope>/<window>/<kpi>`` key (alert, note) may reach ``audience``."""
    if audience.role == "manager":
        return True
    rest, _, kpi = key.rpartition("/")  # from the right: a scope may hold "/" (Agent/1127)
    scope, _, window = rest.rpartition("/")
    if scope not in scopes_for(audience, config, ()):
        return False
    return not small_team(audience, config) or _small_team_sees(scope, window, kpi)


def _restricted(inputs: ViewInputs, scope: str) -> dict[str, Any]:
    """A queue's fragment cut down for agents of a small team (once per inputs)."""
    cached = inputs._fragments.get(f"small-team {scope}")
    if cached is None:
        cached = inputs._fragments[f"small-team {scope}"] = {}
        for key, value in _fragment(inputs, scope).items():
            # after the scope (which may hold "/"): "<window>/<kpi>", or "<kpi>" of a target
            window, _, kpi = key.partition(f"{scope}/")[2].rpartition("/")
            if _small_team_sees(scope, window, kpi):
                cached[key] = value
    return cached


def message_visible(audience: Audience, message: Message, config: Config) -> bool:
    """Whether ``message`` (with ``team`` / ``agent`` recipients) is for this audience."""
    team, agent = message.team, message.agent
    if audience.role == "manager":
        return True
    if agent:
        return audience.role == "agent" and agent == audience.agent
    if not team:
        return True
    if audience.role == "kiosk":
        return team == audience.team
    mine = _team_of(config, audience)
    return mine is not None and mine.id == team


def message_value(audience: Audience, m: Message, acked: list[str]) -> dict:
    if audience.role == "manager":
        acked_by = list(acked)
    elif audience.role == "agent":
        acked_by = [audience.agent] if audience.agent in acked else []
    else:
        acked_by = []
    return {"id": m.id, "text": m.text, "sender": m.sender,
            "to": {"team": m.team, "agent": m.agent}, "sent": m.sent, "expires": m.expires,
            "acked_by": acked_by}


def insight_visible(audience: Audience, config: Config, insight: Mapping[str, Any]) -> bool:
    """Whether an insight (:meth:`panneau.hub.insights.Insight.value`) may reach ``audience``:
    its key must be visible, and outside managers no other agent may be named in its text or
    figure names (a third-party rule cannot leak a name onto a wall)."""
    if audience.role == "manager":
        return True
    if not key_visible(audience, config, insight["key"]):
        return False
    pattern = _static(config).agent_names
    if pattern is None:
        return True
    words = " ".join([insight.get("text", ""), insight.get("period", ""),
                      *insight.get("figures", {})])
    own = (audience.agent or "").lower()
    return all(m.lower() == own for m in pattern.findall(words))


@dataclass
class _Static:
    """What every view of one config shares, computed once."""

    agent_team: dict[str, Team]
    pages: list[dict[str, Any]]
    schedule: dict[str, Any]
    agent_names: re.Pattern[str] | None  # any configured agent id, as a word
    #: ``meta``'s fields that are the config's (pages, schedule…), and their encoded items
    meta_fields: dict[str, Any] = field(default_factory=dict)
    meta_shared: bytes = b""
    #: each audience's last ``meta`` (a step copies it with the new ``as_of``)
    metas: dict[Audience, wire.Packed] = field(default_factory=dict)


_STATIC: dict[int, tuple[Config, _Static]] = {}


def _static(config: Config) -> _Static:
    held = _STATIC.get(id(config))
    if held is None or held[0] is not config:
        agent_team: dict[str, Team] = {}
        for team in config.teams:
            for agent in team.agents:
                agent_team.setdefault(agent, team)
        names = sorted(agent_team, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])",
                             re.IGNORECASE) if names else None
        static = _Static(agent_team, [asdict(p) for p in config.kiosk.pages],
                         asdict(config.kiosk.schedule), pattern)
        static.meta_fields = {"pages": static.pages, "dwell_s": config.kiosk.dwell_s,
                              "schedule": static.schedule, "timezone": config.hub.timezone,
                              "day_start": config.hub.day_start}
        if config.hub.clock_speed != 1:  # a demo's, a trial's: screens say so
            static.meta_fields["clock_speed"] = config.hub.clock_speed
        static.meta_shared = wire.Splice.of_map(static.meta_fields).bodies[0]
        held = _STATIC[id(config)] = (config, static)
    return held[1]


def _by_scope(inputs: ViewInputs) -> dict[str, dict[str, Any]]:
    """Trend, ref, annotation and alert keys grouped by scope (once per inputs)."""
    if inputs._by_scope is None:
        grouped: dict[str, dict[str, Any]] = {}
        for table, prefix in ((inputs.trends, "trend:"), (inputs.refs, "ref:"),
                              (inputs.annotations, "annotation:"), (inputs.alerts, "alert:")):
            for key, value in table.items():
                grouped.setdefault(key.rsplit("/", 2)[0], {})[prefix + key] = value
        inputs._by_scope = grouped
    return inputs._by_scope


def _fragment(inputs: ViewInputs, scope: str) -> dict[str, Any]:
    """Every view key of one scope (shared by all audiences that see it, once per inputs)."""
    cached = inputs._fragments.get(scope)
    if cached is not None:
        return cached
    snap, out, finite = inputs.snapshot, {}, math.isfinite
    for window, kpis in snap.values.get(scope, {}).items():
        prefix = f"kpi:{scope}/{window}/"  # one prefix a window (a minute's turn: all scopes)
        for kpi, value in kpis.items():
            if value is not None:
                out[prefix + kpi] = None if isinstance(value, float) and not finite(value) \
                    else value
    for window, kpis in snap.states.get(scope, {}).items():
        prefix = f"state:{scope}/{window}/"
        for kpi, state in kpis.items():
            if state is not None:
                out[prefix + kpi] = state
    for kpi, target in snap.targets.get(scope, {}).items():
        out[f"target:{scope}/{kpi}"] = dict(target)
    out.update(_by_scope(inputs).get(scope, {}))
    inputs._fragments[scope] = out
    return out


class Part(NamedTuple):
    """A piece of view that every audience seeing it shares, built and diffed once a tick.

    ``scope`` (every key of scope ``name``), ``small`` (a queue cut down for small teams),
    ``agents`` (every ``agent:`` key), ``agent`` (``agent:<name>``), ``sources`` (``name``
    ``"detail"`` for managers), and per audience ``goals``, ``insights``, ``messages`` and
    ``meta`` (all managers share one ``Audience("manager")`` for all but ``meta``). The parts
    of one audience never hold the same key twice: its view is their union.
    """

    kind: str
    name: str = ""
    audience: Audience | None = None


_ANY_MANAGER = Audience("manager")


def parts_for(audience: Audience, config: Config, inputs: ViewInputs) -> tuple[Part, ...]:
    """The parts whose union is the view of ``audience`` (privacy is decided here)."""
    manager = audience.role == "manager"
    if manager:  # every manager shares the parts but meta (computed once per inputs)
        if inputs._manager_parts is None:
            shared = _parts_for(_ANY_MANAGER, config, inputs)
            inputs._manager_parts = shared[:-1]
        return (*inputs._manager_parts, Part("meta", audience=audience))
    return _parts_for(audience, config, inputs)


def _parts_for(audience: Audience, config: Config, inputs: ViewInputs) -> tuple[Part, ...]:
    manager = audience.role == "manager"
    scopes = scopes_for(audience, config, inputs.snapshot.values)
    if manager:  # also notes and alerts on scopes without figures
        scopes = sorted(set(scopes) | set(_by_scope(inputs)))
    restrict = small_team(audience, config)
    parts = [Part("small" if restrict and scope.startswith("queue:") else "scope", scope)
             for scope in scopes]
    if manager:
        parts.append(Part("agents"))
    elif audience.role == "agent":
        parts.append(Part("agent", audience.agent or ""))
    shared = _ANY_MANAGER if manager else audience
    parts += [Part("sources", "detail" if manager else ""), Part("goals", audience=shared),
              Part("insights", audience=shared), Part("messages", audience=shared),
              Part("pulse", audience=audience),
              Part("meta", audience=audience)]
    return tuple(parts)


def _agent_value(agent_id: str, now: Any, team: Team | None = None) -> dict[str, Any]:
    value = {"state": now.state, "since": now.since, "reason": now.reason, "name": agent_id}
    if team is not None:  # managers: for the console's team → agents drill
        value["team"] = team.id
    return value


def build_part(part: Part, config: Config, inputs: ViewInputs) -> dict[str, Any]:
    """The keys and values of one part."""
    kind, snap = part.kind, inputs.snapshot
    if kind == "scope":
        return _fragment(inputs, part.name)
    if kind == "meta":  # every audience's at a step
        assert part.audience is not None
        return {"meta": _meta(part.audience, config, snap)}
    if kind == "small":
        return _restricted(inputs, part.name)
    if kind == "agents":
        teams = _static(config).agent_team
        return {f"agent:{a}": _agent_value(a, now, teams.get(a)) for a, now in snap.agents.items()}
    if kind == "agent":
        now = snap.agents.get(part.name)
        return {} if now is None else {f"agent:{part.name}": _agent_value(part.name, now)}
    if kind == "sources":
        detail = part.name == "detail"
        return {f"source:{n}": s.public(with_detail=detail) for n, s in inputs.sources.items()}
    audience = part.audience
    assert audience is not None
    if kind == "insights":
        return {f"insight:{i}": v for i, v in inputs.insights.items()
                if insight_visible(audience, config, v)}
    if kind == "goals":
        if not inputs.goals:
            return {}
        team = _team_of(config, audience)
        return visible_goals(audience.role, team.id if team else None,
                             small_team(audience, config), scopes_for(audience, config, ()),
                             inputs.goals, audience.scope if audience.role == "kiosk" else None)
    if kind == "pulse":
        team = _team_of(config, audience)
        return visible_pulse(audience.role, team.id if team else None, audience.agent,
                             small_team(audience, config), inputs.pulse, inputs.pulse_done)
    if kind == "messages":
        return {f"message:{m.id}": message_value(audience, m, inputs.acks.get(m.id, []))
                for m in inputs.messages if message_visible(audience, m, config)}
    raise ValueError(f"unknown view part {kind!r}")


Topic = tuple[str, str]
#: Topics every tick touches: the managers' sources (with counters that move with each event).
_ALWAYS: frozenset[Topic] = frozenset({("sources", "detail")})
#: The topic telling that the set of scopes (a manager's parts) changed.
SCOPES_TOPIC: Topic = ("scopes", "")
#: The topic of a ``meta.as_of`` step (every audience's ``meta``).
STEP_TOPIC: Topic = ("meta", "")


def part_topic(part: Part) -> Topic:
    """What a part is built from, as named by :func:`changed_topics`."""
    if part.kind in ("scope", "small"):
        return "scope", part.name
    if part.kind in ("agent", "sources"):
        return part.kind, part.name
    return part.kind, ""


def _sources_key(inputs: ViewInputs) -> tuple:
    """What kiosks and agents see of the sources but ``last_event``: that one moves with
    every event, and goes out with the next change or ``as_of`` step (every audience would
    otherwise get a frame each tick for it)."""
    if inputs._sources_key is None:
        inputs._sources_key = tuple((n, s.status, s.since, s.plugin, tuple(sorted(s.feeds)))
                                    for n, s in inputs.sources.items())
    return inputs._sources_key


def _messages_key(inputs: ViewInputs) -> tuple:
    if inputs._messages_key is None:
        inputs._messages_key = (tuple((m.id, m.expires) for m in inputs.messages),
                                tuple((k, tuple(v)) for k, v in inputs.acks.items()))
    return inputs._messages_key


def changed_topics(old: ViewInputs, new: ViewInputs) -> set[Topic]:
    """The topics whose parts may differ between two ticks' inputs: the scopes whose figures,
    states, targets, trends, refs, notes or alerts moved, the agents whose state moved,
    ``meta`` when ``as_of`` steps, goals, messages, insights; sources always.

    Relies on the engine's promise that a snapshot's dicts are never changed once handed
    out: a scope whose figures did not move keeps the very same dicts (compared by identity
    first, then by value: the ``now`` figures are new each snapshot), and a scope whose
    states or targets did not change the very same states and targets dicts (compared by
    identity only: in depth, every agent's states took 3-18 ms a tick at 2,000 screens).
    The agents: those the engine names as moved since the old snapshot's
    (:attr:`Snapshot.agents_since`), else every one (by identity, then by value).
    """
    _messages_key(new), _sources_key(new)  # taken now: states and acks change in place
    topics = set(_ALWAYS)
    o, n = old.snapshot, new.snapshot
    extras_same = (new.trends is old.trends and new.refs is old.refs
                   and new.alerts is old.alerts and new.annotations == old.annotations)
    ob, nb = _by_scope(old), _by_scope(new)
    scopes = n.values.keys() | o.values.keys()
    if not extras_same:
        scopes |= nb.keys() | ob.keys()
    nv, ov, ns, os_, nt, ot = n.values, o.values, n.states, o.states, n.targets, o.targets
    for scope in scopes:
        a, b = nv.get(scope), ov.get(scope)
        if (a is not b and a != b) or ns.get(scope) is not os_.get(scope) \
                or nt.get(scope) is not ot.get(scope) \
                or (not extras_same and nb.get(scope) != ob.get(scope)):
            topics.add(("scope", scope))
    if n.values.keys() | nb.keys() != o.values.keys() | ob.keys():
        topics.add(SCOPES_TOPIC)
    if n.agents is not o.agents:  # an agent whose state did not move keeps its AgentNow
        na, oa = n.agents, o.agents
        since = n.agents_since  # the engine names the agents that moved since its last
        names = since[1] if since is not None and since[0] is oa and since[1] is not None \
            else na.keys() | oa.keys()
        moved = [a for a in names if (x := na.get(a)) is not (y := oa.get(a)) and x != y]
        if moved:
            topics.add(("agents", ""))
            topics.update(("agent", a) for a in moved)
    step = math.floor(n.at / AS_OF_STEP_S) != math.floor(o.at / AS_OF_STEP_S)
    if step:
        topics.add(STEP_TOPIC)
    if step or _sources_key(new) != _sources_key(old):
        topics.add(("sources", ""))
    if _messages_key(new) != _messages_key(old):
        topics.add(("messages", ""))
    if new.insights is not old.insights and new.insights != old.insights:
        topics.add(("insights", ""))
    if new.goals is not old.goals and new.goals != old.goals:
        topics.add(("goals", ""))
    if new.pulse != old.pulse or new.pulse_done != old.pulse_done:
        topics.add(("pulse", ""))
    return topics


class Views:
    """The views of one config as parts, read from the inputs of the current tick."""

    def __init__(self, config: Config, inputs: ViewInputs) -> None:
        self.config, self.inputs = config, inputs
        #: the ``agents`` part last built: the engine's agents it was built from, its values,
        #: each agent's place in them
        self._agents: tuple[dict[str, Any], dict[str, Any], dict[str, int]] | None = None

    @property
    def inputs(self) -> ViewInputs:
        return self._inputs

    @inputs.setter
    def inputs(self, inputs: ViewInputs) -> None:
        # taken as they become current: messages, acks and source states change in place, and
        # the first tick's old inputs would otherwise read them after a change (a message sent
        # before it never reached any view)
        _messages_key(inputs), _sources_key(inputs)
        self._inputs = inputs

    def update(self, inputs: ViewInputs) -> set[Topic]:
        """Take the inputs of a new tick; returns the topics that changed."""
        old, self.inputs = self.inputs, inputs
        return changed_topics(old, inputs)

    def parts_for(self, audience: Audience) -> tuple[Part, ...]:
        return parts_for(audience, self.config, self.inputs)

    def topic(self, part: Part) -> Topic:
        return part_topic(part)

    def build(self, part: Part) -> dict[str, Any]:
        if part.kind == "agents":
            return self._agents_part(self._inputs.snapshot)
        return build_part(part, self.config, self._inputs)

    def _agents_part(self, snap: Any) -> dict[str, Any]:
        """The managers' ``agents`` part (every agent's value): when the engine names the
        agents that moved since the snapshot it was last built from, the last one with theirs
        changed, a :class:`Patched` (at 2,000 screens, one agent moving rebuilt and compared
        all 1,600); else built whole. The same dict, keys in the same order, either way."""
        last = self._agents
        since = snap.agents_since
        if last is not None:
            src, values, pos = last
            if snap.agents is src:
                return values
            moved = since[1] if since is not None and since[0] is src else None
            if moved is not None and all(a in pos and a in snap.agents for a in moved):
                if type(values) is Patched:
                    values.base = None  # its change taken: no chain of older values kept
                teams, agents = _static(self.config).agent_team, snap.agents
                new = Patched(values)
                for a in moved:
                    new[f"agent:{a}"] = _agent_value(a, agents[a], teams.get(a))
                new.base = values
                new.changed = [f"agent:{a}" for a in sorted(moved, key=pos.__getitem__)]
                self._agents = (agents, new, pos)
                return new
        values = build_part(Part("agents"), self.config, self._inputs)
        self._agents = (snap.agents, values, {a: i for i, a in enumerate(snap.agents)})
        return values


class Patched(dict):
    """A part's values made from its last ones, :attr:`base`, by changing the keys
    :attr:`changed` only (in the values' order): the same keys as :attr:`base`. The
    publisher compares those keys only (:meth:`Publisher._refresh`)."""

    __slots__ = ("base", "changed")
    base: dict[str, Any] | None
    changed: list[str]


def build_view(audience: Audience, config: Config, inputs: ViewInputs) -> dict[str, Any]:
    """The flat view (keys of :mod:`panneau.hub.view`) of ``audience``: its parts' union."""
    view: dict[str, Any] = {}
    for part in parts_for(audience, config, inputs):
        view.update(build_part(part, config, inputs))
    return view


def _meta(audience: Audience, config: Config, snap: Any) -> wire.Packed:
    """The ``meta`` of ``audience``, spliced from pieces encoded once: its own fields (once
    per audience and config), ``as_of`` (once per step) and the config's pages, schedule…
    (once per config). At a ``meta.as_of`` step every screen's ``meta`` changes: packing each
    whole was most of a step tick's work (msgpack's per-call cost, whatever the size); now a
    step copies the last ``meta`` with the new ``as_of``."""
    static = _static(config)
    as_of = math.floor(snap.at / AS_OF_STEP_S) * AS_OF_STEP_S
    last = static.metas.get(audience)
    if last is not None:
        if last["as_of"] == as_of:
            return last
        meta = wire.Packed(last)  # a copy with the new as_of (made here, never changed)
        meta["as_of"] = as_of
        meta.parts = (last.parts[0], _as_of_pair(as_of), static.meta_shared)
    else:
        team = _team_of(config, audience)
        team_figures = team is not None and (  # small_team without looking the team up again
            audience.role != "agent" or len(team.agents) >= config.hub.min_team_size)
        own = {
            "role": audience.role,
            "identity": (audience.agent or audience.team or audience.scope or audience.label
                         or audience.role),
            "team": team.id if team else None,
            "team_name": (team.name or team.id) if team else None,
            "team_figures": team_figures,
            "queues": list(team.queues) if team else None,
            "scope": audience.scope,
            "agent": audience.agent,
        }
        if audience.role == "manager":  # the overview's rows, quiet or not (within v1)
            own["scopes"] = overview_scopes(config)
            own["team_agents"] = {t.id: list(t.agents) for t in config.teams}  # idle ones too
            own["team_queues"] = {t.id: list(t.queues) for t in config.teams}
        meta = wire.Packed.of({**own, "as_of": as_of, **static.meta_fields},
                              (wire.Splice.of_map(own).bodies[0], _as_of_pair(as_of),
                               static.meta_shared))
    static.metas[audience] = meta
    return meta


@lru_cache(maxsize=4)
def _as_of_pair(as_of: int) -> bytes:
    """``"as_of": <as_of>`` as msgpack map items (once per step)."""
    return wire.encode_str("as_of") + wire.encode(as_of)
