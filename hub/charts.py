"""The charts the console and the kiosk's Trends page draw: pure, no Textual, no I/O.

Two ``history`` requests (:func:`history_frames`) bring the series of one scope (the site, a
team or a queue; never an agent: per-agent figures come from a manager's view only):

- the day (``CHART_DAY_REF``): ``today`` samples of the service level, abandon rate, offered
  and answered since local midnight, the last of each half hour. SL and abandon rate are
  day-to-date figures (what the target is judged on); offered and answered are day-to-date
  counters, so each half hour's count is the difference with the half hour before (0 at
  midnight, when the counters restart), drawn as answered + missed (offered − answered);
- the period (``CHART_PERIOD_REF``): ``today`` samples of the resolution time over the last
  :data:`PERIOD_DAYS` days and today, the last of each day (a day's own mean).

:func:`build_charts` turns them, with the view (targets, CSAT and its n, tickets by channel
and by type, the agents' handled counts), into :class:`Chart` values the widgets draw as they
come.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from panneau.hub.catalogue import CHANNELS, SERVICE_LEVEL, TICKET_TYPES
from panneau.hub.display import label_of
from panneau.hub.view import ViewState

__all__ = [
    "CHART_DAY_REF", "CHART_PERIOD_REF", "DAY_KPIS", "DAY_STEP_S", "PERIOD_DAYS", "Chart", "Charts",
    "Line", "build_charts", "day_start", "history_frames",
]

CHART_DAY_REF, CHART_PERIOD_REF = "chart:day", "chart:period"
#: The day's series: two day-to-date rates, two day-to-date counters.
DAY_KPIS: tuple[str, ...] = (SERVICE_LEVEL, "abandon_rate_pct", "offered", "answered")
DAY_STEP_S = 1800.0
#: Days before today on the resolution-time curve (the ``history`` span is at most 8 days).
PERIOD_DAYS = 7
#: Agents on the handled-per-agent bars (the busiest).
MAX_AGENT_BARS = 12

Kind = Literal["curve", "bars", "hbars", "gauge"]


@dataclass(frozen=True, slots=True)
class Line:
    """One series: its label and a value per x label (``None``: no sample)."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart as drawn. ``labels`` are the x labels (curve, bars) or the bars' names
    (hbars); ``targets`` the horizontal target lines (label, value); a gauge has ``value``,
    ``state`` and ``n``. ``empty`` says why there is nothing to draw; ``short`` is the title
    of a plot too narrow for ``title``."""

    kind: Kind
    title: str
    labels: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    targets: tuple[tuple[str, float | None], ...] = ()
    unit: str = ""
    value: float | None = None
    state: str | None = None
    n: float | None = None
    empty: str = ""
    short: str = ""


@dataclass(frozen=True, slots=True)
class Charts:
    """Every chart of a scope; ``per_agent`` only for a manager."""

    intraday: Chart
    per_half_hour: Chart
    csat: Chart
    resolution: Chart
    channels: Chart
    types: Chart
    per_agent: Chart | None = None

    def all(self) -> tuple[Chart, ...]:
        """The charts in drawing order."""
        head = (self.intraday, self.per_half_hour)
        agents = (self.per_agent,) if self.per_agent is not None else ()
        return (*head, *agents, self.csat, self.resolution, self.channels, self.types)


def zone_of(name: Any) -> ZoneInfo:
    """The hub's zone (``meta.timezone``), UTC when absent or unknown."""
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_start(now: float, zone: ZoneInfo) -> float:
    """Local midnight of ``now``'s day, as epoch seconds."""
    local = datetime.fromtimestamp(now, zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def history_frames(scope: str, now: float, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The two ``history`` frames that bring ``scope``'s chart series (see the module doc)."""
    if scope.startswith("agent:"):
        raise ValueError("charts are drawn for the site, a team or a queue, not an agent")
    start = day_start(now, zone)
    period = (datetime.fromtimestamp(start, zone) - timedelta(days=PERIOD_DAYS)).timestamp()
    return [
        {"type": "history", "ref": CHART_DAY_REF, "since": start, "until": max(now, start + 1),
         "step_s": DAY_STEP_S, "keys": [f"{scope}/today/{kpi}" for kpi in DAY_KPIS]},
        {"type": "history", "ref": CHART_PERIOD_REF, "since": period,
         "until": max(now, start + 1), "step_s": 86400.0,
         "keys": [f"{scope}/today/resolution_avg_h"]},
    ]


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def _buckets(samples: Any, since: float, step: float) -> dict[int, float]:
    """``{bucket index: value}`` of ``[[ts, value], …]`` samples (malformed ones skipped)."""
    out: dict[int, float] = {}
    for sample in samples if isinstance(samples, list) else ():
        if isinstance(sample, list | tuple) and len(sample) == 2:
            ts, value = _number(sample[0]), _number(sample[1])
            if ts is not None and value is not None and ts >= since:
                out[int((ts - since) // step)] = value
    return out


def _target(view: ViewState, scope: str, kpi: str) -> float | None:
    target = view.target(scope, kpi) or view.target("site", kpi)
    return _number(target.get("target")) if isinstance(target, Mapping) else None


def _series(answer: Mapping[str, Any] | None) -> tuple[Mapping[str, Any], float, float]:
    if not isinstance(answer, Mapping):
        return {}, 0.0, 1.0
    series = answer.get("series")
    return (series if isinstance(series, Mapping) else {},
            _number(answer.get("since")) or 0.0, _number(answer.get("step_s")) or 1.0)


def _intraday(view: ViewState, scope: str, day: Mapping[str, Any] | None, zone: ZoneInfo
              ) -> tuple[Chart, Chart]:
    series, since, step = _series(day)
    found = {kpi: _buckets(series.get(f"{scope}/today/{kpi}"), since, step) for kpi in DAY_KPIS}
    last = max((max(b) for b in found.values() if b), default=-1)
    first = min((min(b) for b in found.values() if b), default=0)
    slots = range(first, last + 1)
    labels = tuple(datetime.fromtimestamp(since + i * step, zone).strftime("%H:%M")
                   for i in slots)
    targets = tuple((f"{label_of(kpi)} target", _target(view, scope, kpi))
                    for kpi in (SERVICE_LEVEL, "abandon_rate_pct"))
    rates = Chart(
        "curve", "", labels,
        tuple(Line(name, tuple(found[kpi].get(i) for i in slots))
              for name, kpi in (("SL%", SERVICE_LEVEL), ("abandon%", "abandon_rate_pct"))),
        targets, "pct", empty="" if labels else "no history yet today")
    counts: dict[str, list[float | None]] = {}
    for kpi in ("offered", "answered"):
        values = counts[kpi] = []
        before = 0.0  # counters restart at midnight
        for i in slots:
            now_value = found[kpi].get(i)
            values.append(None if now_value is None else max(0.0, now_value - before))
            before = now_value if now_value is not None else before
    missed = [None if o is None or a is None else max(0.0, o - a)
              for o, a in zip(counts["offered"], counts["answered"], strict=True)]
    calls = Chart("bars", "Calls per ½ h", labels,
                  (Line("answered", tuple(counts["answered"])), Line("missed", tuple(missed))),
                  unit="count", empty="" if labels else "no history yet today")
    return rates, calls


def _resolution(view: ViewState, scope: str, period: Mapping[str, Any] | None,
                zone: ZoneInfo) -> Chart:
    series, since, step = _series(period)
    found = _buckets(series.get(f"{scope}/today/resolution_avg_h"), since, step)
    days = range(PERIOD_DAYS + 1)
    labels = tuple(datetime.fromtimestamp(since + i * step + step / 2, zone).strftime("%a %d")
                   for i in days)
    target = _target(view, scope, "resolution_avg_h")
    return Chart("curve", "Resolution h/day", labels,
                 (Line("mean", tuple(found.get(i) for i in days)),),
                 (("target", target),) if target is not None else (), "h",
                 empty="" if found else "no resolution time this week")


def _csat(view: ViewState, scope: str) -> Chart:
    value = _number(view.kpi(scope, "today", "csat_pct"))
    n = _number(view.kpi(scope, "today", "csat_responses"))
    target = _target(view, scope, "csat_pct")
    return Chart("gauge", "CSAT today", targets=(("target", target),) if target else (),
                 unit="pct", value=value, state=view.state(scope, "today", "csat_pct"), n=n,
                 empty="" if value is not None else "no survey answer today")


#: Short names of the ticket types on the bars.
_TYPE_NAMES = {"feature_request": "feature req", "unspecified": "no type"}


def _shares(view: ViewState, scope: str, by: str, names: dict[str, str]) -> Chart:
    """The share of today's tickets by ``by`` (``channel``/``type``), largest first, from the
    ``tickets_via_<name>`` / ``tickets_type_<name>`` counts of ``names`` (kpi name → label)."""
    counts = [(label, _number(view.kpi(scope, "today", kpi)) or 0.0)
              for kpi, label in names.items()]
    counts = sorted(((c, v) for c, v in counts if v > 0), key=lambda cv: -cv[1])
    total = sum(v for _, v in counts)
    n = f" (n = {total:g})" if total else ""
    return Chart("hbars", f"Tickets today by {by}{n}",
                 tuple(f"{c} {round(100 * v / total)}%" for c, v in counts),
                 (Line("share", tuple(round(100 * v / total, 1) for _, v in counts)),),
                 unit="pct", empty="" if counts else "no ticket created today",
                 short=f"By {by}{n}")


_CHANNEL_KPIS = {f"tickets_via_{c}": c for c in CHANNELS}
_TYPE_KPIS = {f"tickets_type_{t}": _TYPE_NAMES.get(t, t) for t in TICKET_TYPES}


def _per_agent(view: ViewState, team: str | None) -> Chart:
    rows = []
    for agent, entry in view.items("agent:"):
        if "/" in agent or not isinstance(entry, Mapping):
            continue
        if team and entry.get("team") != team:
            continue
        scope = f"agent:{agent}"
        calls = _number(view.kpi(scope, "today", "answered")) or 0.0
        tickets = _number(view.kpi(scope, "today", "tickets_solved")) or 0.0
        if calls or tickets:
            rows.append((str(entry.get("name") or agent), calls, tickets))
    rows.sort(key=lambda r: (-(r[1] + r[2]), r[0]))
    rows = rows[:MAX_AGENT_BARS]
    return Chart("hbars", "Handled per agent today (calls + tickets)",
                 tuple(f"{r[0]} {r[1]:g}+{r[2]:g}" for r in rows),
                 (Line("calls answered", tuple(r[1] for r in rows)),
                  Line("tickets solved", tuple(r[2] for r in rows))),
                 unit="count", empty="" if rows else "no call or ticket handled today")


def build_charts(view: ViewState, scope: str, answers: Mapping[str, Mapping[str, Any]],
                 *, agents: bool = False, team: str | None = None) -> Charts:
    """The charts of ``scope`` from the view and the ``series`` answers by ref; the
    handled-per-agent bars (of ``team``, else every agent) only when ``agents``."""
    zone = zone_of(view.meta.get("timezone") if isinstance(view.meta, Mapping) else None)
    rates, calls = _intraday(view, scope, answers.get(CHART_DAY_REF), zone)
    return Charts(rates, calls, _csat(view, scope),
                  _resolution(view, scope, answers.get(CHART_PERIOD_REF), zone),
                  _shares(view, scope, "channel", _CHANNEL_KPIS),
                  _shares(view, scope, "type", _TYPE_KPIS),
                  _per_agent(view, team) if agents else None)


def chart_refs() -> Iterable[str]:
    """The refs of the chart ``history`` requests (their ``series`` answers are kept)."""
    return (CHART_DAY_REF, CHART_PERIOD_REF)
