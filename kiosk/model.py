"""What the panel shows, computed from a :class:`panneau.hub.view.ViewState` and the hub link.

Pure: no Textual, no clock, no I/O. The app calls :func:`build_page` and :func:`notices` each
time the view or the link changes and hands the result to its widgets.

Rules kept here:
- a figure without data is ``nodata`` and reads ``-``; its last value is never invented;
- a figure is *stale* when the hub link is down or a source feeding it is stale or down
  (:func:`panneau.hub.freshness.figure_stale`, the rule every screen shares);
- an active ``alert:<id>`` (``key`` or the id itself is ``scope/window/kpi``) puts an "Alert"
  page in front of the configured pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from panneau.hub.config.schema import KioskSettings
from panneau.hub.display import compare, format_delta, format_value, label_of
from panneau.hub.freshness import Link, figure_stale, stale_sources
from panneau.hub.view import ViewState, parse_figure_id

__all__ = [
    "Notice",
    "PageSpec",
    "PageView",
    "Tile",
    "active_alerts",
    "alert_figures",
    "build_page",
    "goals_of",
    "next_expiry",
    "notices",
    "page_specs",
    "scope_of",
]

_ALERT_PAGE_TITLE = "Alert"
_ALERT_PAGE_MAX = 6
_WINDOW_ORDER = {w: i for i, w in enumerate(("now", "15m", "30m", "60m", "today"))}


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
    #: ``figures`` (tiles), ``objectives`` or ``scorecard`` (a goals board).
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


@dataclass(frozen=True, slots=True)
class Notice:
    """A banner line: ``stale`` (freshness), ``alert`` / ``warn`` (alerts) or ``message``."""

    kind: str
    text: str
    key: str = ""


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


def scope_of(meta: Mapping[str, Any]) -> str:
    """The scope a kiosk's figures live under: ``meta.scope``, else ``team:<team>``, else site."""
    if not isinstance(meta, Mapping):
        return "site"
    if meta.get("scope"):
        return str(meta["scope"])
    return f"team:{meta['team']}" if meta.get("team") else "site"


def active_alerts(view: ViewState) -> dict[str, tuple[str, str, str]]:
    """``alert:<id>`` entries still in warn/alert → their (scope, window, kpi)."""
    found: dict[str, tuple[str, str, str]] = {}
    for alert_id, alert in sorted(view.items("alert:")):
        if not isinstance(alert, Mapping) or alert.get("state") not in ("warn", "alert"):
            continue
        try:
            found[alert_id] = parse_figure_id(str(alert.get("key") or alert_id))
        except ValueError:
            continue
    return found


def alert_figures(view: ViewState, home: str) -> list[tuple[str, str, str]]:
    """One (scope, window, kpi) per alerting KPI and scope, oldest alert first.

    The hub raises an alert per window; the panel shows each KPI once, in the panel's own
    scope first, in its shortest window.
    """
    best: dict[tuple[str, str], tuple[str, str, str]] = {}
    for scope, window, kpi in active_alerts(view).values():
        rank = _WINDOW_ORDER.get(window, len(_WINDOW_ORDER))
        held = best.get((scope, kpi))
        if held is None or rank < _WINDOW_ORDER.get(held[1], len(_WINDOW_ORDER)):
            best[(scope, kpi)] = (scope, window, kpi)
    return sorted(best.values(), key=lambda f: (f[0] != home, f[0]))


def _seconds(value: Any, default: float) -> float:
    """A positive number of seconds, or ``default`` for anything else."""
    return float(value) if _is_number(value) and value > 0 else default


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _page(raw: Mapping[str, Any], default_dwell: float) -> PageSpec | None:
    kpis = raw.get("kpis")
    kind = raw.get("kind") or "figures"
    if kind not in ("figures", "objectives", "scorecard"):
        return None
    if kind != "figures" and not kpis:
        kpis = ()
    if not isinstance(kpis, list | tuple) or not all(isinstance(k, str) for k in kpis):
        return None
    trend = raw.get("trend")
    return PageSpec(
        title=str(raw.get("title", "")),
        kpis=tuple(kpis),
        window=str(raw.get("window") or "today"),
        dwell_s=_seconds(raw.get("dwell_s"), default_dwell),
        trend=trend if isinstance(trend, str) else None,
        kind=kind,
    )


def page_specs(view: ViewState) -> list[PageSpec]:
    """The rotating pages from ``meta.pages`` (config defaults if absent), alert page first.

    A malformed page is left out; with no usable page the config's defaults are shown.
    """
    meta = view.meta if isinstance(view.meta, Mapping) else {}
    default_dwell = _seconds(meta.get("dwell_s"), KioskSettings().dwell_s)
    raw = meta.get("pages")
    pages = [_page(p, default_dwell) for p in raw if isinstance(p, Mapping)] if isinstance(
        raw, list) else []
    specs = [p for p in pages if p is not None] or [
        _page(vars(p), default_dwell) for p in KioskSettings().pages]
    alerts = alert_figures(view, scope_of(meta))[:_ALERT_PAGE_MAX]
    if alerts:
        specs.insert(0, PageSpec(
            title=_ALERT_PAGE_TITLE,
            kpis=tuple(kpi for _, _, kpi in alerts),
            window=alerts[0][1],
            dwell_s=default_dwell,
            scopes=tuple((scope, window) for scope, window, _ in alerts),
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
    """The objectives (in config order) or the panel's own scorecard the view holds."""
    if kind == "scorecard":
        card = view.values.get(f"scorecard:{scope_of(view.meta)}")
        return (card,) if isinstance(card, Mapping) else ()
    found = [(key.id, value) for key, value in view.keys("objective")
             if isinstance(value, Mapping)]
    found.sort(key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0))
    return tuple(value for _, value in found)


def build_page(view: ViewState, spec: PageSpec, link: Link) -> PageView:
    """The tiles (and trend line) of one page, or its goals board."""
    if spec.kind != "figures":
        return PageView(spec, (), goals=goals_of(view, spec.kind))
    default_scope = scope_of(view.meta)
    stale = list(stale_sources(view).values())
    tiles = []
    for index, kpi in enumerate(spec.kpis):
        scope, window = default_scope, spec.window
        label = label_of(kpi)
        if index < len(spec.scopes):
            scope, window = spec.scopes[index]
            where = "" if scope == default_scope else f" {scope.partition(':')[2] or scope}"
            label = f"{label} ·{where} {window}"
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
        ))
    trend: tuple[float, ...] = ()
    label = ""
    if spec.trend:
        samples = view.figure("trend", default_scope, spec.window, spec.trend)
        trend = tuple(float(s[1]) for s in (samples if isinstance(samples, list) else ())
                      if isinstance(s, list | tuple) and len(s) == 2 and _is_number(s[1]))
        label = f"{label_of(spec.trend)} trend"
    return PageView(spec, tuple(tiles), trend, label,
                    bool(spec.trend) and figure_stale(spec.trend, stale, link))


def _hhmm(ts: float | None, fmt_time) -> str:
    return fmt_time(ts) if _is_number(ts) and ts else "?"


def notices(view: ViewState, link: Link, now: float, fmt_time) -> list[Notice]:
    """Banner lines, most urgent first: freshness, then alerts, then unexpired messages.

    ``fmt_time(epoch) -> "14:02"`` formats times in the panel's timezone.
    """
    out: list[Notice] = []
    if link.rejected:
        out.append(Notice("stale", f"The hub refused this screen: {link.rejected}", "hub"))
    elif not link.ever_connected:
        out.append(Notice("stale", "Connecting to the hub…", "hub"))
    elif not link.connected:
        out.append(Notice("stale", f"Hub connection lost since {_hhmm(link.down_since, fmt_time)}"
                          " — figures greyed show the last known values", "hub"))
    for name, src in stale_sources(view).items():
        detail = f": {src['detail']}" if src.get("detail") else ""
        last = src.get("last_event")
        last_text = f", last event {fmt_time(last)}" if _is_number(last) and last else ""
        out.append(Notice("stale", f"Source {name} {src.get('status')} since "
                          f"{_hhmm(src.get('since'), fmt_time)}{last_text}{detail}",
                          f"source:{name}"))
    alerts = active_alerts(view)
    if alerts:
        labels = dict.fromkeys(label_of(kpi) for _, _, kpi in alerts.values())
        entries = [view.values[f"alert:{a}"] for a in alerts]
        since = min((e.get("since") for e in entries if _is_number(e.get("since"))),
                    default=None)
        worst = "alert" if any(e.get("state") == "alert" for e in entries) else "warn"
        out.append(Notice(worst, f"{', '.join(labels)} (since {_hhmm(since, fmt_time)})",
                          "alerts"))
    messages = [m for _, m in view.items("message:") if isinstance(m, Mapping)]
    messages.sort(key=lambda m: m["sent"] if _is_number(m.get("sent")) else 0, reverse=True)
    for msg in messages:
        expires = msg.get("expires")
        if _is_number(expires) and expires <= now:
            continue
        sender = f"{msg['sender']}: " if msg.get("sender") else ""
        out.append(Notice("message", f"{sender}{msg.get('text', '')}", f"message:{msg.get('id')}"))
    return out


def next_expiry(view: ViewState, now: float) -> float | None:
    """When the next shown message expires (to re-draw exactly then), or ``None``."""
    times = [m["expires"] for _, m in view.items("message:")
             if isinstance(m, Mapping) and _is_number(m.get("expires"))
             and m["expires"] > now]
    return min(times) if times else None
