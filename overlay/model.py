"""What the overlay shows, computed from an agent view: pure, no I/O, no clock.

:func:`build_model` reads a :class:`panneau.hub.view.ViewState` (the agent's view, built by the hub:
the agent's own figures, their team's, the team's queues, alerts and messages) and returns a
frozen :class:`OverlayModel`. The widgets only draw it. The overlay never compares an agent
with a colleague: it shows the agent against their own targets and their own past.

Staleness follows the kiosk's rule (:mod:`panneau.hub.freshness`): a figure, the queue line or
the agent's state is ``stale`` when the hub link is lost or a source that feeds it is
``stale``/``down``; the widgets grey it and mark it, so an old state never reads as current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from panneau.hub.catalogue import KPIS, SERVICE_LEVEL
from panneau.hub.display import (
    STATE_LABELS,
    format_delta,
    format_duration,
    format_value,
    state_reason,
)
from panneau.hub.freshness import (
    Freshness,
    Link,
    family_stale,
    figure_stale,
    freshness,
    stale_sources,
)
from panneau.hub.view import ViewState, parse_figure_id
from panneau.overlay.fmt import Mark, Trend
from panneau.overlay.goals import objective_of, pulse_question

__all__ = [
    "AGENT_FIGURES",
    "MORE_FAMILIES",
    "TEAM_FIGURES",
    "AgentNow",
    "AlertItem",
    "Figure",
    "MessageItem",
    "OverlayModel",
    "QueueNow",
    "build_model",
    "with_catalogue",
]

#: The agent's own figures (today), with the short label used in narrow layouts.
AGENT_FIGURES: tuple[tuple[str, str], ...] = (
    ("answered", "Answered"),
    ("avg_talk_s", "Talk"),
    ("aht_s", "AHT"),
    ("acw_s", "ACW"),
    ("occupancy_pct", "Occupancy"),
    ("csat_pct", "CSAT"),
    ("fcr_pct", "FCR"),
)
#: The team's figures (today) shown when the hub sends them.
TEAM_FIGURES: tuple[tuple[str, str], ...] = (
    ("answered", "answered"),
    ("abandon_rate_pct", "abandoned"),
    ("asa_s", "ASA"),
)
#: Families whose every catalogue figure with a value is shown after the fixed lists above, so
#: an agent handling tickets or chats (or a new source's figures) sees them with no change here.
MORE_FAMILIES: tuple[str, ...] = ("tickets", "surveys")
_WORST = {"ok": 0, "warn": 1, "alert": 2}
_CONNECTING = Freshness("offline", "connecting")
_LINKED = Link(connected=True)  # the parts' default: only the sources decide


@dataclass(frozen=True, slots=True)
class QueueNow:
    """The team queue now: each value with its threshold state (``None`` = no threshold)."""

    waiting: float | None = None
    waiting_state: str | None = None
    longest_s: float | None = None
    longest_state: str | None = None
    sl_pct: float | None = None
    sl_state: str | None = None
    stale: bool = False

    @property
    def worst(self) -> str | None:
        """The worst of the three states."""
        return _worst((self.waiting_state, self.longest_state, self.sl_state))


@dataclass(frozen=True, slots=True)
class Figure:
    """One of the agent's figures against their target and their own last week."""

    kpi: str
    label: str
    text: str
    value: float | None = None
    target_text: str = ""
    mark: Mark | None = None
    trend: Trend | None = None
    trend_text: str = ""
    stale: bool = False


@dataclass(frozen=True, slots=True)
class AgentNow:
    """The agent's state and how long they have been in it."""

    state: str
    label: str
    reason: str = ""
    in_state: str = ""
    stale: bool = False


@dataclass(frozen=True, slots=True)
class AlertItem:
    """An alert about the team or its queues."""

    id: str
    text: str
    state: str = "alert"
    #: When the hub raised it (a new one when it is raised anew, e.g. worse again after
    #: easing to warn); ``None`` when the hub gave none.
    since: float | None = None


@dataclass(frozen=True, slots=True)
class MessageItem:
    """A manager message still to acknowledge (or just acknowledged here)."""

    id: str
    text: str
    sender: str = ""
    acked: bool = False


@dataclass(frozen=True, slots=True)
class OverlayModel:
    """Everything the overlay draws."""

    agent: str = ""
    agent_name: str = ""
    team_name: str = ""
    queue: QueueNow = QueueNow()
    me: AgentNow | None = None
    figures: tuple[Figure, ...] = ()
    team: tuple[Figure, ...] = ()
    team_hidden: bool = False
    alerts: tuple[AlertItem, ...] = ()
    messages: tuple[MessageItem, ...] = ()
    fresh: Freshness = _CONNECTING
    #: One line about the team's (else the site's) objective, and its first key result's
    #: status; empty when the hub sends none (panneau.overlay.goals).
    objective: str = ""
    objective_status: str = ""
    #: The satisfaction pulse's question while this agent has not answered it this period.
    pulse_question: str = ""


def _queue_scopes(view: ViewState) -> list[str]:
    """The team's queues as ``meta.queues`` lists them, else every queue in the view."""
    queues = view.meta.get("queues")
    if not isinstance(queues, list):
        queues = {k.scope.partition(":")[2] for k, _ in view.keys("kpi")
                  if k.scope.startswith("queue:")}
    return [f"queue:{name}" for name in sorted(queues)]


def queue_now(view: ViewState, team: str | None, link: Link = _LINKED) -> QueueNow:
    """The team's figures when the hub sends them, else the worst of the team's queues."""
    team_scope = f"team:{team}" if team else ""
    if team and view.kpi(team_scope, "now", "calls_waiting") is not None:
        scopes = [team_scope]
    else:
        scopes = _queue_scopes(view)

    def found(window: str, kpi: str) -> list[tuple[float, str | None]]:
        pairs = ((view.kpi(s, window, kpi), view.state(s, window, kpi)) for s in scopes)
        return [(v, st) for v, st in pairs if v is not None]

    waiting = found("now", "calls_waiting")
    longest = max(found("now", "longest_wait_s"), default=(None, None), key=lambda f: f[0])
    sl = min(found("today", SERVICE_LEVEL), default=(None, None), key=lambda f: f[0])
    stale = list(stale_sources(view).values())
    return QueueNow(
        sum(v for v, _ in waiting) if waiting else None,
        _worst(st for _, st in waiting),
        *longest,
        *sl,
        stale=any(figure_stale(kpi, stale, link)
                  for kpi in ("calls_waiting", "longest_wait_s", SERVICE_LEVEL)),
    )


def _worst(states: Iterable[str | None]) -> str | None:
    present = [s for s in states if s]
    return max(present, key=lambda s: _WORST.get(s, 0)) if present else None


def _better(kpi: str, higher: bool | None, value: float, other: float) -> Trend | None:
    if higher is None:
        return None
    if value == other:
        return "same"
    return "better" if (value > other) == higher else "worse"


def figure(view: ViewState, scope: str, kpi: str, label: str, fallback_scopes=(),
           link: Link = _LINKED) -> Figure:
    """One figure of ``scope`` (window ``today``) with its target mark and last-week trend."""
    value = view.kpi(scope, "today", kpi)
    info = KPIS.get(kpi)
    target = None
    for target_scope in (scope, *fallback_scopes):
        target = view.target(target_scope, kpi)
        if target:
            break
    higher = info.higher_is_better if info else None
    mark: Mark | None = None
    target_text = ""
    if isinstance(target, dict) and target.get("target") is not None:
        if target.get("higher_is_better") is not None:
            higher = target["higher_is_better"]
        target_text = format_value(kpi, target["target"])
        if value is not None and higher is not None:
            on_target = value >= target["target"] if higher else value <= target["target"]
            mark = "ahead" if on_target else "behind"
    trend: Trend | None = None
    trend_text = ""
    ref = view.figure("ref", scope, "today", kpi)
    last_week = ref.get("last_week") if isinstance(ref, dict) else None
    if value is not None and last_week is not None:
        trend = _better(kpi, higher, value, last_week)
        trend_text = format_delta(kpi, value - last_week)
    stale = figure_stale(kpi, stale_sources(view).values(), link)
    return Figure(kpi, label, format_value(kpi, value), value, target_text, mark, trend,
                  trend_text, stale)


def agent_now(view: ViewState, agent: str, now: float, link: Link = _LINKED
              ) -> AgentNow | None:
    """The agent's state entry, with the time spent in it."""
    entry = view.values.get(f"agent:{agent}")
    if not isinstance(entry, dict) or not entry.get("state"):
        return None
    state = entry["state"]
    since = entry.get("since")
    in_state = format_duration(now - since) if isinstance(since, int | float) else ""
    label = STATE_LABELS.get(state, state)
    reason = state_reason(label, entry.get("reason"))
    return AgentNow(state, label, reason, in_state,
                    family_stale("agents", stale_sources(view).values(), link))


def alert_text(view: ViewState, entry: dict) -> str:
    """``billing: 5 waiting, longest 2:10`` for a queue alert, ``Your AHT today 4:41`` for the
    agent's own, ``<scope>: <label> <window> <value>`` for others (the window left out for
    ``now``); the hub's text when the key cannot be read. Values are the view's own figures."""
    try:
        scope, window, kpi = parse_figure_id(str(entry.get("key", "")))
    except ValueError:
        return str(entry.get("text") or "alert")
    name = scope.partition(":")[2] or scope
    if kpi in ("calls_waiting", "longest_wait_s"):
        waiting = view.kpi(scope, "now", "calls_waiting")
        longest = view.kpi(scope, "now", "longest_wait_s")
        if waiting is not None:
            tail = f", longest {format_duration(longest)}" if longest is not None else ""
            return f"{name}: {format_value('calls_waiting', waiting)} waiting{tail}"
    label = KPIS[kpi].label if kpi in KPIS else kpi
    who = "Your" if scope.startswith("agent:") else f"{name}:"
    when = "" if window == "now" else f" {window}"
    value = view.kpi(scope, window, kpi)
    if value is None:
        value = entry.get("value")
    return f"{who} {label}{when} {format_value(kpi, value)}"


def alert_state(view: ViewState, entry: dict) -> str:
    """The alerting figure's own state (its ``state:`` key, as the queue line and the kiosk
    read it); the alert's word only when the view has no state for that figure."""
    try:
        state = view.state(*parse_figure_id(str(entry.get("key", ""))))
    except ValueError:
        state = None
    return state if state in _WORST else str(entry.get("state") or "alert")


def alerts(view: ViewState) -> tuple[AlertItem, ...]:
    """Figures in warn or alert now, worst first, each once with a short readable text.

    Alerts that read the same (a queue's calls waiting and longest wait, one figure in
    several windows) show once, at the worst of their states; a figure back to ``ok`` is gone.
    """
    best: dict[str, AlertItem] = {}
    for alert_id, entry in sorted(view.items("alert:")):
        if not isinstance(entry, dict):
            continue
        state = alert_state(view, entry)
        if entry.get("state", "alert") not in ("warn", "alert") or state not in ("warn", "alert"):
            continue
        since = entry.get("since")
        item = AlertItem(alert_id, alert_text(view, entry), state,
                         float(since) if isinstance(since, int | float) else None)
        held = best.get(item.text)
        if held is None or _WORST[state] > _WORST[held.state]:
            best[item.text] = item
    return tuple(sorted(best.values(), key=lambda a: (-_WORST.get(a.state, 0), a.id)))


def messages(view: ViewState, me: str, now: float, acked_here: set[str]) -> tuple[MessageItem, ...]:
    """Unexpired messages not yet acknowledged by ``me``: waiting ones first, newest first."""
    found: list[MessageItem] = []
    sent: dict[str, float] = {}
    for msg_id, entry in view.items("message:"):
        if not isinstance(entry, dict):
            continue
        expires = entry.get("expires")
        if isinstance(expires, int | float) and expires <= now:
            continue
        ident = str(entry.get("id", msg_id))
        if me in (entry.get("acked_by") or ()):
            continue
        item = MessageItem(ident, str(entry.get("text", "")), str(entry.get("sender") or ""),
                           ident in acked_here)
        found.append(item)
        sent[ident] = entry.get("sent") or 0
    found.sort(key=lambda m: (m.acked, -sent[m.id], m.id))
    return tuple(found)


def _team_hidden(view: ViewState, team_scope: str) -> bool:
    """The hub says so (``meta.team_figures``) or, failing that, sent no team figure at all."""
    flag = view.meta.get("team_figures")
    if isinstance(flag, bool):
        return bool(team_scope) and not flag
    return bool(team_scope) and not any(k.scope == team_scope for k, _ in view.keys("kpi"))


def with_catalogue(view: ViewState, scope: str, listed: tuple[tuple[str, str], ...]
                   ) -> tuple[tuple[str, str], ...]:
    """``listed`` then every KPI of :data:`MORE_FAMILIES` that ``scope`` has today (catalogue
    order, the catalogue's label)."""
    have = {kpi for kpi, _ in listed}
    more = tuple((info.id, info.label) for info in KPIS.values()
                 if info.family in MORE_FAMILIES and info.id not in have
                 and view.kpi(scope, "today", info.id) is not None)
    return listed + more


def build_model(
    view: ViewState,
    now: float,
    link: Link,
    *,
    acked_here: set[str] | None = None,
    stale_after_s: float = 30.0,
    pulse_answered: bool = False,
) -> OverlayModel:
    """The overlay's model at ``now`` from the agent's view and the connection state
    (``pulse_answered``: the agent answered the pulse here, before the hub said so)."""
    meta = view.meta
    agent = str(meta.get("agent") or meta.get("identity") or "")
    team = meta.get("team")
    own_scope = f"agent:{agent}"
    fallback = ([f"team:{team}"] if team else []) + ["site"]
    figures = tuple(figure(view, own_scope, kpi, label, fallback, link)
                    for kpi, label in with_catalogue(view, own_scope, AGENT_FIGURES))
    team_scope = f"team:{team}" if team else ""
    team_figs = tuple(
        f for f in (figure(view, team_scope, kpi, label, ["site"], link)
                    for kpi, label in with_catalogue(view, team_scope, TEAM_FIGURES))
        if f.value is not None
    ) if team else ()
    entry = view.values.get(f"agent:{agent}")
    name = entry.get("name") if isinstance(entry, dict) else None
    objective, objective_status = objective_of(view)
    return OverlayModel(
        agent=agent,
        agent_name=str(name or agent),
        team_name=str(meta.get("team_name") or team or ""),
        queue=queue_now(view, team, link),
        me=agent_now(view, agent, now, link),
        figures=figures,
        team=team_figs,
        team_hidden=_team_hidden(view, team_scope),
        alerts=alerts(view),
        messages=messages(view, agent, now, acked_here or set()),
        fresh=freshness(view, link, now, stale_after_s),
        objective=objective,
        objective_status=objective_status,
        pulse_question=pulse_question(view, pulse_answered),
    )
