"""Objectives, key results and the balanced scorecard, judged on period figures. Pure.

Rules kept here (docs/kpis.md, "Objectives and the scorecard"):

- A key result's **value** is its KPI over the objective's period (week, month, quarter... the
  one holding today), from the period's summed numerators and denominators. Its **baseline**
  is the configured one, else the previous period's value.
- **Progress** (0–100 %) is the share of the way from baseline to target covered; 100 % once
  the target is met. Without a baseline, or with one that already met the target, progress
  is ``value / target`` (higher is better) or ``target / value`` (lower is better), capped.
- **Status**: ``achieved`` (target met), ``on track`` (progress at least the elapsed share of
  the time from the period's start to the deadline, minus 10 points), ``at risk``, or
  ``no data``. An objective's progress is the mean of its key results' (one without a
  figure counts 0); its status the worst (``at risk`` while some have a figure and one has
  none).
- A scorecard row's **state** comes from the KPI's threshold (warn/alert levels) when it has
  one, else from its target (met: ``ok``, missed: ``warn``). A cause→effect link carries a
  ``warning`` when the cause is above its ``cause_warn_above`` (occupancy past ~70 %).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from panneau.hub.catalogue import KPIS
from panneau.hub.config.schema import Config, KeyResult, Objective, Threshold
from panneau.hub.config.sites import group_sites, site_of
from panneau.hub.config.thresholds import applicable
from panneau.hub.display import format_value, label_of
from panneau.hub.periods import Period, elapsed, parse_period

__all__ = ["ON_TRACK_SLACK_PCT", "SHORT_LABELS", "STATUS_ORDER", "Figures", "kr_progress",
           "kr_status", "objective_line", "objectives_board", "scorecard_board", "short_label"]

#: Progress may trail the elapsed time by this many points and still be on track.
ON_TRACK_SLACK_PCT = 10.0
#: Short names for key results and scorecard rows (screens are narrow); others: the label.
#: None for a service level: each keeps the catalogue's name that says which one it is, the
#: name its tile has on the wall ("SL (Asterisk)", "SL (all callers)").
SHORT_LABELS = {"fcr_pct": "FCR", "csat_pct": "CSAT", "aht_s": "AHT", "asa_s": "ASA",
                "nps": "NPS", "occupancy_pct": "Occupancy",
                "abandon_rate_pct": "Abandon rate", "cost_per_contact": "Cost per contact",
                "kb_freshness_pct": "KB up to date", "self_service_pct": "Self-service",
                "training_hours": "Training hours", "turnover_pct": "Turnover",
                "one_touch_pct": "One-touch", "frt_avg_min": "First response",
                "resolution_avg_h": "Resolution time", "fta_pct": "Missed appointments"}
#: Statuses from best to worst.
STATUS_ORDER = ("achieved", "on track", "at risk", "no data")


@dataclass(frozen=True, slots=True)
class Figures:
    """What the board needs of one scope over one period (see rollups.PeriodFigures)."""

    figures: dict[str, float]
    previous: dict[str, float] | None


FiguresOf = Callable[[str, Period], Figures]


def _higher(kpi: str, direction: str | None) -> bool:
    if direction is not None:
        return direction == "higher"
    info = KPIS.get(kpi)
    return info is None or info.higher_is_better is not False


def short_label(kpi: str) -> str:
    """The short name of a KPI (:data:`SHORT_LABELS`, else its catalogue label)."""
    return SHORT_LABELS.get(kpi) or label_of(kpi)


def _met(value: float, target: float, higher: bool) -> bool:
    return value >= target if higher else value <= target


def kr_progress(value: float | None, target: float, baseline: float | None,
                higher: bool) -> float | None:
    """Progress from baseline to target, 0..100 (``None`` without a value)."""
    if value is None:
        return None
    if _met(value, target, higher):
        return 100.0
    if baseline is None or _met(baseline, target, higher):  # no way left to cover
        if higher:
            share = value / target if target > 0 else 0.0
        else:
            share = target / value if value > 0 else 0.0
    else:
        share = (value - baseline) / (target - baseline)
    return min(100.0, max(0.0, 100.0 * share))


def kr_status(value: float | None, progress: float | None, target: float, higher: bool,
              time_share: float) -> str:
    """``achieved``, ``on track``, ``at risk`` or ``no data``."""
    if value is None or progress is None:
        return "no data"
    if _met(value, target, higher):
        return "achieved"
    return "on track" if progress >= 100.0 * time_share - ON_TRACK_SLACK_PCT else "at risk"


def _key_result(kr: KeyResult, scope: str, period: Period, today: date,
                figures_of: FiguresOf) -> dict[str, Any]:
    got = figures_of(scope, period)
    value = got.figures.get(kr.kpi)
    baseline = kr.baseline
    if baseline is None and got.previous is not None:
        baseline = got.previous.get(kr.kpi)
    higher = _higher(kr.kpi, kr.direction)
    deadline = date.fromisoformat(kr.deadline) if kr.deadline else period.last
    span = Period("custom", period.first, max(deadline, period.first))
    progress = kr_progress(value, kr.target, baseline, higher)
    return {"kpi": kr.kpi, "label": short_label(kr.kpi), "scope": scope, "value": value,
            "baseline": baseline, "target": kr.target,
            "direction": "higher" if higher else "lower", "deadline": deadline.isoformat(),
            "progress_pct": progress,
            "status": kr_status(value, progress, kr.target, higher, elapsed(span, today))}


def _objective(obj: Objective, today: date, figures_of: FiguresOf) -> dict[str, Any]:
    period = parse_period(obj.period, today)
    owner = f"team:{obj.team}" if obj.team else "site"
    krs = [_key_result(kr, kr.scope or owner, period, today, figures_of)
           for kr in obj.key_results]
    known = [kr["progress_pct"] for kr in krs if kr["progress_pct"] is not None]
    status = max((kr["status"] for kr in krs), key=STATUS_ORDER.index, default="no data")
    if status == "no data" and known:
        status = "at risk"
    return {"title": obj.title, "perspective": obj.perspective, "team": obj.team,
            "period": period.label, "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            # a key result without a figure has covered none of its way (0, not left out)
            "progress_pct": sum(known) / len(krs) if known else None,
            "status": status, "key_results": krs}


def objectives_board(config: Config, today: date, figures_of: FiguresOf
                     ) -> dict[str, dict[str, Any]]:
    """``{"objective:<n>": value}`` for every configured objective (n: its index)."""
    return {f"objective:{i}": _objective(obj, today, figures_of)
            for i, obj in enumerate(config.objectives)}


def _threshold(config: Config, kpi: str, scope: str) -> Threshold | None:
    """The threshold of ``kpi`` that applies to ``scope`` (the engine's rule)."""
    kind, _, name = scope.partition(":")
    site = name if kind == "site" else site_of(name, group_sites(config))
    return applicable((th for th in config.thresholds if th.kpi == kpi), kind, name,
                      [name] if kind == "team" else [], site or None)


def _state(value: float | None, target: float | None, th: Threshold | None,
           higher: bool) -> str | None:
    if value is None:
        return None
    if th is not None and (th.warn is not None or th.alert is not None):
        worse = (lambda v, lim: v < lim) if higher else (lambda v, lim: v > lim)
        if th.alert is not None and worse(value, th.alert):
            return "alert"
        if th.warn is not None and worse(value, th.warn):
            return "warn"
        return "ok"
    if target is None:
        return None
    return "ok" if _met(value, target, higher) else "warn"


def scorecard_board(config: Config, scope: str, today: date, figures_of: FiguresOf,
                    period: Period | None = None) -> dict[str, Any]:
    """The balanced scorecard of ``scope`` (``site``, ``site:<name>``, ``team:<id>``) over the
    ``[scorecard]`` period (or ``period``: an e-mailed report's): rows by perspective with
    value, previous period, target and state; and links."""
    card = config.scorecard
    period = period or parse_period(card.period, today)
    got = figures_of(scope, period)
    previous = got.previous or {}
    rows = []
    for row in card.kpis:
        th = _threshold(config, row.kpi, scope)
        higher = _higher(row.kpi, th.direction if th else None)
        target = row.target if row.target is not None else (th.target if th else None)
        value = got.figures.get(row.kpi)
        rows.append({"kpi": row.kpi, "label": short_label(row.kpi),
                     "perspective": row.perspective, "role": row.role, "value": value,
                     "previous": previous.get(row.kpi), "target": target,
                     "state": _state(value, target, th, higher)})
    links = []
    for link in card.links:
        cause, effect = got.figures.get(link.cause), got.figures.get(link.effect)
        warn = (link.cause_warn_above is not None and cause is not None
                and cause > link.cause_warn_above)
        links.append({"cause": link.cause, "effect": link.effect, "cause_value": cause,
                      "effect_value": effect, "note": link.note or "",
                      "warning": (f"{label_of(link.cause)} above "
                                  f"{format_value(link.cause, link.cause_warn_above)}"
                                  if warn else None)})
    return {"scope": scope, "period": period.label, "first": period.first.isoformat(),
            "last": period.last.isoformat(), "rows": rows, "links": links}


def objective_line(objective: dict[str, Any], kr_index: int = 0) -> str:
    """One line for an agent's overlay: ``Team objective: FCR 74% → 80% by 31 Dec, on track``."""
    kr = objective["key_results"][kr_index]
    who = "Team objective" if objective.get("team") else "Site objective"
    deadline = date.fromisoformat(kr["deadline"])
    return (f"{who}: {kr['label']} {format_value(kr['kpi'], kr['value'])} → "
            f"{format_value(kr['kpi'], kr['target'])} by {deadline.day} "
            f"{deadline.strftime('%b')}, {kr['status']}")
