"""What the panel shows, computed from a :class:`panneau.hub.view.ViewState` and the hub link.

Pure: no Textual, no clock, no I/O. The app calls :func:`build_page` and :func:`notices` each
time the view or the link changes and hands the result to its widgets.

Rules kept here:
- a figure without data is ``nodata`` and reads ``-``; its last value is never invented;
- a figure is *stale* when the hub link is down or a source feeding it is stale or down
  (:func:`panneau.hub.freshness.figure_stale`, the rule every screen shares); on a group hub
  a site's own figures only wait on that site (:func:`panneau.hub.freshness.scope_sources`),
  and the banner names a stale site as a site; the Objectives and Scorecard pages mark a
  scorecard row or key result by the same rule (:attr:`PageView.stale_goals`), and an
  objective when one of its key results is marked: one figure, one state on every page;
- a ``by_site`` page shows each KPI for the panel's scope, then for each ``site:<name>`` the
  view holds (a group wall); a panel that holds none leaves the page out;
- an active ``alert:<id>`` (``key`` or the id itself is ``scope/window/kpi``) puts an "Alert"
  page in front of the configured pages;
- one figure, one state: an active alert's figure shows the state of its own ``state:`` key
  (the alert's word only when the view has no state for it), on the alert page, in the banner
  and on its tile alike; a figure whose state is back to ``ok`` is not alerting any more;
- the alert page shows a figure once: per scope and KPI in its shortest window, and a queue
  of the panel's team showing the same number as the team's own figure is left out;
- the banner names each figure as its tile does (``Abandon rate · billing 15m``), on an
  ``alert`` line or a ``warn`` line after the figure's own state (the first four named, the
  others counted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from panneau.hub.charts import Charts, build_charts
from panneau.hub.config.schema import KioskSettings
from panneau.hub.display import compare, format_delta, format_value, label_of
from panneau.hub.freshness import (
    SITE_PLUGIN,
    WRONG_ROLE,
    Link,
    figure_stale,
    scope_sources,
    stale_sources,
)
from panneau.hub.goals_display import goal_scope
from panneau.hub.view import ViewState, parse_figure_id

__all__ = [
    "Alerting",
    "Notice",
    "PageSpec",
    "PageView",
    "Tile",
    "active_alerts",
    "alert_figures",
    "build_page",
    "figure_label",
    "goals_of",
    "goals_stale",
    "next_expiry",
    "notices",
    "page_specs",
    "panel_title",
    "refusal_text",
    "scope_of",
    "site_scopes",
]

_ALERT_PAGE_TITLE = "Alert"
_ALERT_PAGE_MAX = 6
_BANNER_NAMES = 4  # figures named on a banner line; the others are counted
_WINDOW_ORDER = {w: i for i, w in enumerate(("now", "15m", "30m", "60m", "today"))}
#: How to fix a refusal, by the hub's close code (the browser wall's ``REFUSAL_FIX`` too).
_REFUSAL_FIX = {
    4001: "give this screen a kiosk token of the hub's [[tokens]]",
    4005: "give this screen a kiosk token of the hub's [[tokens]]",
    4004: "update this screen or the hub: they speak different protocol versions",
    WRONG_ROLE: "give it one of the hub's [[tokens]]",
}


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page: which KPIs, which window, how long it stays.

    ``scopes`` (alert page) gives each KPI, by position, its own ``(scope, window)``.
    """

    title: str
    kpis: tuple[str, ...]
    window: str = "today"
    dwell_s: float = 15.0
    trend: str | None = None
    scopes: tuple[tuple[str, str], ...] = ()
    is_alert: bool = False
    #: A group wall's page: tiles named ``Offered`` (the panel's scope), ``Offered · paris``.
    by_site: bool = False
    #: ``figures`` (tiles), ``objectives`` or ``scorecard`` (a goals board), ``trends``
    #: (the team's charts).
    kind: str = "figures"


@dataclass(frozen=True, slots=True)
class Tile:
    """One figure as drawn: value text, state, stale flag, comparisons."""

    kpi: str
    label: str
    text: str
    state: str  # ok | warn | alert | none (no threshold) | nodata
    stale: bool = False
    refs: tuple[tuple[str, int, bool | None, str], ...] = ()  # (name, direction, better, delta)
    note: str = ""  # a manager's comment on this figure (annotation:)


@dataclass(frozen=True, slots=True)
class Notice:
    """A banner line: ``stale`` (freshness), ``alert`` / ``warn`` (alerts), ``message`` or
    ``insight``."""

    kind: str
    text: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class Alerting:
    """A figure in warn or alert: where, when, and its state (from its ``state:`` key)."""

    scope: str
    window: str
    kpi: str
    state: str
    since: float | None = None


@dataclass(frozen=True, slots=True)
class PageView:
    """Everything one page draws."""

    spec: PageSpec
    tiles: tuple[Tile, ...]
    trend: tuple[float, ...] = ()
    trend_label: str = ""
    stale_trend: bool = False
    #: ``objective:`` values (objectives page) or the team's ``scorecard:`` value.
    goals: tuple[Any, ...] = ()
    #: Of the goals' figures, the doubtful ones: ``(scope as the entry gives it, kpi)``.
    stale_goals: frozenset[tuple[str | None, str]] = frozenset()
    #: The team's charts (trends page): team figures only, never an agent's.
    charts: Charts | None = None


def scope_of(meta: Mapping[str, Any]) -> str:
    """The scope a kiosk's figures live under: ``meta.scope``, else ``team:<team>``, else site."""
    if not isinstance(meta, Mapping):
        return "site"
    if meta.get("scope"):
        return str(meta["scope"])
    return f"team:{meta['team']}" if meta.get("team") else "site"


def panel_title(meta: Mapping[str, Any]) -> str:
    """What the top bar names: the team, else the site (``All sites``, ``Site paris``)."""
    if not isinstance(meta, Mapping):
        return ""
    if meta.get("team_name") or meta.get("team"):
        return str(meta.get("team_name") or meta.get("team"))
    scope = str(meta.get("scope") or "")
    if scope == "site":
        return "All sites"
    return f"Site {scope.partition(':')[2]}" if scope.startswith("site:") else ""


def site_scopes(view: ViewState) -> list[str]:
    """The ``site:<name>`` scopes the view has figures of, sorted."""
    return sorted({key.scope for key, _ in view.keys("kpi") if key.scope.startswith("site:")})


def _figure_state(view: ViewState, scope: str, window: str, kpi: str, alert_state: Any) -> Any:
    """The figure's own state (its ``state:`` key); the alert's word only when there is none."""
    state = view.state(scope, window, kpi)
    return state if state in ("ok", "warn", "alert") else alert_state


def active_alerts(view: ViewState) -> dict[str, Alerting]:
    """``alert:<id>`` entries whose figure is in warn or alert now, by id."""
    found: dict[str, Alerting] = {}
    for alert_id, alert in sorted(view.items("alert:")):
        if not isinstance(alert, Mapping) or alert.get("state") not in ("warn", "alert"):
            continue
        try:
            scope, window, kpi = parse_figure_id(str(alert.get("key") or alert_id))
        except ValueError:
            continue
        state = _figure_state(view, scope, window, kpi, alert.get("state"))
        if state in ("warn", "alert"):
            since = alert.get("since")
            found[alert_id] = Alerting(scope, window, kpi, state,
                                       float(since) if _is_number(since) else None)
    return found


def _window_rank(window: str) -> int:
    return _WINDOW_ORDER.get(window, len(_WINDOW_ORDER))


def alert_figures(view: ViewState, home: str) -> list[Alerting]:
    """The alerting figures to show, each once: the panel's own scope first.

    The hub raises an alert per window; the panel shows each KPI of a scope once, in its
    shortest window. A queue of the panel's team (``meta.queues``) alerting on the same KPI and
    window as the team, with the same value, is the same figure: only the team's is kept.
    """
    best: dict[tuple[str, str], Alerting] = {}
    for alert in active_alerts(view).values():
        held = best.get((alert.scope, alert.kpi))
        if held is None or _window_rank(alert.window) < _window_rank(held.window):
            best[(alert.scope, alert.kpi)] = alert
    meta = view.meta if isinstance(view.meta, Mapping) else {}
    queues = meta.get("queues")
    own = {f"queue:{q}" for q in queues} if isinstance(queues, list) else set()

    def same_as_home(a: Alerting) -> bool:
        team = best.get((home, a.kpi))
        return (a.scope in own and team is not None and team.window == a.window
                and view.kpi(home, a.window, a.kpi) == view.kpi(a.scope, a.window, a.kpi))

    kept = [a for a in best.values() if not same_as_home(a)]
    return sorted(kept, key=lambda a: (a.scope != home, a.scope))


def figure_label(kpi: str, scope: str, window: str, home: str) -> str:
    """A figure named with where and when: ``Calls waiting · now``, ``ASA · billing 15m``."""
    where = "" if scope == home else f" {scope.partition(':')[2] or scope}"
    return f"{label_of(kpi)} ·{where} {window}"


def _seconds(value: Any, default: float) -> float:
    """A positive number of seconds, or ``default`` for anything else."""
    return float(value) if _is_number(value) and value > 0 else default


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _page(raw: Mapping[str, Any], default_dwell: float,
          sites: list[str] | None = None) -> PageSpec | None:
    kpis = raw.get("kpis")
    kind = raw.get("kind") or "figures"
    if kind not in ("figures", "objectives", "scorecard", "trends"):
        return None
    if kind != "figures" and not kpis:
        kpis = ()
    if not isinstance(kpis, list | tuple) or not all(isinstance(k, str) for k in kpis):
        return None
    trend = raw.get("trend")
    window = str(raw.get("window") or "today")
    scopes: tuple[tuple[str, str], ...] = ()
    if raw.get("by_site") is True and kind == "figures":
        if not sites:
            return None
        home = ("", window)  # the panel's own scope (build_page fills it in)
        pairs = [(k, where) for k in kpis for where in (home, *((s, window) for s in sites))]
        kpis, scopes = [k for k, _ in pairs], tuple(where for _, where in pairs)
    return PageSpec(
        title=str(raw.get("title", "")),
        kpis=tuple(kpis),
        window=window,
        dwell_s=_seconds(raw.get("dwell_s"), default_dwell),
        trend=trend if isinstance(trend, str) else None,
        scopes=scopes,
        by_site=bool(scopes),
        kind=kind,
    )


@cache
def _defaults() -> KioskSettings:
    """The config's kiosk defaults (built once: a wall asks for its pages at every redraw)."""
    return KioskSettings()


def page_specs(view: ViewState, link: Link | None = None) -> list[PageSpec]:
    """The rotating pages from ``meta.pages`` (config defaults if absent), alert page first.

    A malformed page is left out; with no usable page the config's defaults are shown. A
    screen the hub refused (``link.rejected``) has none: it shows no figure, not even a ``-``
    it was never given (the banner says why, :func:`refusal_text`), as the browser wall.
    """
    if link is not None and link.rejected:
        return []
    meta = view.meta if isinstance(view.meta, Mapping) else {}
    default_dwell = _seconds(meta.get("dwell_s"), _defaults().dwell_s)
    raw = meta.get("pages")
    sites = site_scopes(view)
    pages = [_page(p, default_dwell, sites) for p in raw if isinstance(p, Mapping)
             ] if isinstance(raw, list) else []
    specs = [p for p in pages if p is not None] or [
        _page(vars(p), default_dwell) for p in _defaults().pages]
    alerts = alert_figures(view, scope_of(meta))[:_ALERT_PAGE_MAX]
    if alerts:
        specs.insert(0, PageSpec(
            title=_ALERT_PAGE_TITLE,
            kpis=tuple(a.kpi for a in alerts),
            window=alerts[0].window,
            dwell_s=default_dwell,
            scopes=tuple((a.scope, a.window) for a in alerts),
            is_alert=True,
        ))
    return specs


def _refs(kpi: str, value: float | None, ref: Any) -> tuple[tuple[str, int, bool | None, str], ...]:
    if value is None or not isinstance(ref, Mapping):
        return ()
    out = []
    for name in ("yesterday", "last_week"):
        past = ref.get(name)
        if isinstance(past, int | float):
            direction, better = compare(kpi, value, past)
            out.append((name, direction, better, format_delta(kpi, value - past)))
    return tuple(out)


def goals_of(view: ViewState, kind: str) -> tuple[Any, ...]:
    """The objectives (in config order), or the panel's own scorecard the view holds with its
    team's satisfaction pulse (the aggregate only) when the hub runs one."""
    if kind == "scorecard":
        scope = scope_of(view.meta)
        card = view.values.get(f"scorecard:{scope}")
        if not isinstance(card, Mapping):
            return ()
        pulse = view.values.get(f"pulse:{scope}")
        return (card, pulse) if isinstance(pulse, Mapping) else (card,)
    found = [(key.id, value) for key, value in view.keys("objective")
             if isinstance(value, Mapping)]
    found.sort(key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0))
    return tuple(value for _, value in found)


def goals_stale(view: ViewState, kind: str, goals: tuple[Any, ...], link: Link
                ) -> frozenset[tuple[str | None, str]]:
    """The ``(scope, kpi)`` of the :func:`goals_of` figures that are doubtful by the tiles'
    rule; ``scope`` as the entry gives it (``None``: the panel's own scope)."""
    if kind == "scorecard":
        figures = [(goal_scope(goals[0]), row.get("kpi")) for row in goals[0].get("rows", ())
                   if isinstance(row, Mapping)] if goals else []
    else:
        figures = [(goal_scope(kr), kr.get("kpi")) for obj in goals
                   for kr in obj.get("key_results", ()) if isinstance(kr, Mapping)]
    home = scope_of(view.meta)
    stale_by_name = stale_sources(view)
    return frozenset((scope, kpi) for scope, kpi in figures if isinstance(kpi, str)
                     and figure_stale(kpi, scope_sources(stale_by_name, scope or home), link))


def build_page(view: ViewState, spec: PageSpec, link: Link,
               answers: Mapping[str, Mapping[str, Any]] | None = None) -> PageView:
    """The tiles (and trend line) of one page, its goals board, or its charts (from the
    ``series`` answers to :func:`panneau.hub.charts.history_frames`, by ref)."""
    if spec.kind == "trends":
        return PageView(spec, (), charts=build_charts(view, scope_of(view.meta), answers or {}))
    if spec.kind != "figures":
        goals = goals_of(view, spec.kind)
        return PageView(spec, (), goals=goals,
                        stale_goals=goals_stale(view, spec.kind, goals, link))
    default_scope = scope_of(view.meta)
    stale_by_name = stale_sources(view)
    tiles = []
    for index, kpi in enumerate(spec.kpis):
        scope, window = default_scope, spec.window
        label = label_of(kpi)
        if index < len(spec.scopes):
            scope, window = spec.scopes[index]
            scope = scope or default_scope
            label = (figure_label(kpi, scope, window, default_scope) if not spec.by_site
                     else label if scope == default_scope
                     else f"{label} · {scope.partition(':')[2]}")
        stale = scope_sources(stale_by_name, scope)
        value = view.kpi(scope, window, kpi)
        value = value if _is_number(value) else None  # anything else is not data
        state = view.state(scope, window, kpi)
        if value is None:
            state = "nodata"
        elif state not in ("ok", "warn", "alert"):
            state = "none"
        tiles.append(Tile(
            kpi=kpi, label=label, text=format_value(kpi, value), state=state,
            stale=figure_stale(kpi, stale, link),
            refs=_refs(kpi, value, view.figure("ref", scope, window, kpi)),
            note=_note(view.figure("annotation", scope, window, kpi)),
        ))
    trend: tuple[float, ...] = ()
    label = ""
    if spec.trend:
        samples = view.figure("trend", default_scope, spec.window, spec.trend)
        trend = tuple(float(s[1]) for s in (samples if isinstance(samples, list) else ())
                      if isinstance(s, list | tuple) and len(s) == 2 and _is_number(s[1]))
        label = f"{label_of(spec.trend)} trend"
    stale = scope_sources(stale_by_name, default_scope)
    return PageView(spec, tuple(tiles), trend, label,
                    bool(spec.trend) and figure_stale(spec.trend, stale, link))


def _note(annotation: Any) -> str:
    """The text of an ``annotation:`` value, or ``""``."""
    return str(annotation.get("text") or "") if isinstance(annotation, Mapping) else ""


def _hhmm(ts: float | None, fmt_time) -> str:
    return fmt_time(ts) if _is_number(ts) and ts else "?"


def notices(view: ViewState, link: Link, now: float, fmt_time) -> list[Notice]:
    """Banner lines, most urgent first: freshness, then alerts, then unexpired messages, then
    the team's insights (:mod:`panneau.hub.insights`).

    ``fmt_time(epoch) -> "14:02"`` formats times in the panel's timezone.
    """
    out: list[Notice] = []
    if link.rejected:
        out.append(Notice("stale", refusal_text(link), "hub"))
        if link.rejected_code == WRONG_ROLE:  # nothing of another audience's view on a wall
            return out  # (an agent's messages, the manager's alerts of every team)
    elif not link.ever_connected:
        out.append(Notice("stale", "Connecting to the hub…", "hub"))
    elif not link.connected:
        out.append(Notice("stale", f"Hub connection lost since {_hhmm(link.down_since, fmt_time)}"
                          " — figures greyed show the last known values", "hub"))
    home = scope_of(view.meta)
    for name, src in stale_sources(view).items():
        if not scope_sources({name: src}, home):
            continue  # a wall of one site of a group hub: another site's cut is not its news
        detail = f": {src['detail']}" if src.get("detail") else ""
        last = src.get("last_event")
        last_text = f", last event {fmt_time(last)}" if _is_number(last) and last else ""
        what = "Site" if src.get("plugin") == SITE_PLUGIN else "Source"
        out.append(Notice("stale", f"{what} {name} {src.get('status')} since "
                          f"{_hhmm(src.get('since'), fmt_time)}{last_text}{detail}",
                          f"source:{name}"))
    figures = alert_figures(view, home)
    for state in ("alert", "warn"):  # one line per state: each figure under its own word
        alerts = [a for a in figures if a.state == state]
        if alerts:
            names = ", ".join(figure_label(a.kpi, a.scope, a.window, home)
                              for a in alerts[:_BANNER_NAMES])
            if len(alerts) > _BANNER_NAMES:
                names += f" and {len(alerts) - _BANNER_NAMES} more"
            since = min((a.since for a in alerts if a.since is not None), default=None)
            out.append(Notice(state, f"{names} (since {_hhmm(since, fmt_time)})",
                              f"alerts:{state}"))
    messages = [m for _, m in view.items("message:") if isinstance(m, Mapping)]
    messages.sort(key=lambda m: m["sent"] if _is_number(m.get("sent")) else 0, reverse=True)
    for msg in messages:
        expires = msg.get("expires")
        if _is_number(expires) and expires <= now:
            continue
        sender = f"{msg['sender']}: " if msg.get("sender") else ""
        out.append(Notice("message", f"{sender}{msg.get('text', '')}", f"message:{msg.get('id')}"))
    for ident, insight in sorted(view.items("insight:")):  # the hub sends only the team's
        if isinstance(insight, Mapping) and insight.get("text"):
            period = f" ({insight['period']})" if insight.get("period") else ""
            out.append(Notice("insight", f"{insight['text']}{period}", f"insight:{ident}"))
    return out


def refusal_text(link: Link) -> str:
    """Why the hub refused this screen (or this screen the token's role) and, when the close
    code tells, how to fix it."""
    fix = _REFUSAL_FIX.get(link.rejected_code or 0)
    why = str(link.rejected)
    why = why[:1].upper() + why[1:] if link.rejected_code == WRONG_ROLE else (
        f"The hub refused this screen: {why}")
    return why + (f" — {fix}" if fix else "")


def next_expiry(view: ViewState, now: float) -> float | None:
    """When the next shown message expires (to re-draw exactly then), or ``None``."""
    times = [m["expires"] for _, m in view.items("message:")
             if isinstance(m, Mapping) and _is_number(m.get("expires"))
             and m["expires"] > now]
    return min(times) if times else None
