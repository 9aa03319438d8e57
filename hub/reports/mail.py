"""The e-mailed summary: which period is due, what it says, the message itself. Pure.

A report covers a finished period — ``day`` (yesterday), ``week`` (Monday to Sunday) or
``month`` — and is due from ``reports.send_at`` on the day after it (hub timezone). For each
scope it gives the period's key figures (:data:`KEY_KPIS`, the scorecard's KPIs, the figures a
manager entered and every thresholded KPI) with the scope's target and state, the previous
period and the change, then the worst hours (most
calls lost), and the objectives running on the period's last day (``notes``), as HTML with a
plain-text part and the period's XLSX attached.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

from panneau.hub.catalogue import KPIS
from panneau.hub.display import format_delta, format_value
from panneau.hub.periods import Period, period_of

__all__ = ["KEY_KPIS", "Line", "ScopeReport", "compose", "due_period", "lines_of",
           "render_html", "render_text", "subject"]

#: Figures every report shows when the period has them (thresholded ones are added).
KEY_KPIS: tuple[str, ...] = (
    "offered", "answered", "abandon_rate_pct", "service_level_offered_pct", "asa_s", "aht_s",
    "fcr_pct", "tickets_solved", "frt_avg_min", "csat_pct", "nps")


def due_period(kind: str, now: datetime, send_at: str) -> Period:
    """The last period of ``kind`` whose report is due at local time ``now``."""
    hours, minutes = (int(p) for p in send_at.split(":"))
    today = now.date() if now.time() >= time(hours, minutes) else now.date() - timedelta(1)
    return period_of(kind, period_of(kind, today).first - timedelta(days=1))


@dataclass
class Line:
    """One figure of a scope's report."""

    kpi: str
    value: float | None
    previous: float | None
    target: float | None = None
    state: str | None = None  # ok / warn / alert against the scope's levels

    @property
    def label(self) -> str:
        info = KPIS.get(self.kpi)
        return info.label if info else self.kpi

    @property
    def change(self) -> str:
        if self.value is None or self.previous is None:
            return ""
        return format_delta(self.kpi, self.value - self.previous)


@dataclass
class ScopeReport:
    """A scope's part: its name, lines and worst hours (``(hour start, lost, offered)``)."""

    scope: str
    name: str
    lines: list[Line]
    worst_hours: list[tuple[datetime, float, float]] = field(default_factory=list)
    days_covered: int = 0


def subject(period: Period) -> str:
    """``Panneau: Daily report 2026-11-02`` (``Weekly``, ``Monthly``)."""
    word = {"day": "Daily", "week": "Weekly", "month": "Monthly"}.get(period.kind, "Period")
    return f"Panneau: {word} report {period.label}"


def _value(line: Line) -> str:
    return format_value(line.kpi, line.value)


def render_text(period: Period, parts: Sequence[ScopeReport], notes: Sequence[str] = ()
                ) -> str:
    """The plain-text part."""
    out = [subject(period), f"{period.first} to {period.last}", ""]
    for part in parts:
        out.append(f"== {part.name} ({part.days_covered} of {period.length} days with data)")
        for line in part.lines:
            target = "" if line.target is None else \
                f"  target {format_value(line.kpi, line.target)}"
            state = f"  [{line.state}]" if line.state else ""
            before = "" if line.previous is None else \
                f"  previous {format_value(line.kpi, line.previous)} ({line.change})"
            out.append(f"  {line.label}: {_value(line)}{target}{state}{before}")
        if part.worst_hours:
            out.append("  Worst hours (calls lost):")
            out += [f"    {start:%a %d %H:00}  {lost:g} lost of {offered:g}"
                    for start, lost, offered in part.worst_hours]
        out.append("")
    out += list(notes)
    return "\n".join(out).rstrip() + "\n"


_COLOURS = {"ok": "#1b7f3b", "warn": "#b36b00", "alert": "#b00020"}


def render_html(period: Period, parts: Sequence[ScopeReport], notes: Sequence[str] = ()
                ) -> str:
    """The HTML part (inline styles only: mail clients drop style sheets)."""
    esc = html.escape
    out = [f"<h2>{esc(subject(period))}</h2>",
           f"<p>{period.first} to {period.last}</p>"]
    for part in parts:
        out.append(f"<h3>{esc(part.name)}</h3><p><small>{part.days_covered} of "
                   f"{period.length} days with data</small></p>")
        out.append('<table cellpadding="4" style="border-collapse:collapse">'
                   "<tr><th align=left>Figure</th><th>Value</th><th>Target</th><th>State</th>"
                   "<th>Previous</th><th>Change</th></tr>")
        for line in part.lines:
            colour = _COLOURS.get(line.state or "", "inherit")
            target = "" if line.target is None else format_value(line.kpi, line.target)
            previous = "" if line.previous is None else format_value(line.kpi, line.previous)
            out.append(f"<tr><td>{esc(line.label)}</td><td align=right>{esc(_value(line))}</td>"
                       f"<td align=right>{esc(target)}</td>"
                       f'<td style="color:{colour}">{esc(line.state or "")}</td>'
                       f"<td align=right>{esc(previous)}</td><td align=right>"
                       f"{esc(line.change)}</td></tr>")
        out.append("</table>")
        if part.worst_hours:
            out.append("<p>Worst hours (calls lost):</p><ul>")
            out += [f"<li>{start:%a %d %H:00}: {lost:g} lost of {offered:g}</li>"
                    for start, lost, offered in part.worst_hours]
            out.append("</ul>")
    if notes:
        out.append("<pre>" + esc("\n".join(notes)) + "</pre>")
    return "\n".join(out) + "\n"


def compose(sender: str, to: Sequence[str], period: Period, parts: Sequence[ScopeReport],
            attachment: bytes | None, notes: Sequence[str] = ()) -> EmailMessage:
    """The message: text, HTML alternative, the XLSX attached."""
    message = EmailMessage()
    message["Subject"] = subject(period)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content(render_text(period, parts, notes))
    message.add_alternative(render_html(period, parts, notes), subtype="html")
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"panneau-{period.label}.xlsx")
    return message


def lines_of(figures: Mapping[str, float], previous: Mapping[str, float] | None,
             targets: Mapping[str, tuple[float | None, str | None]],
             scorecard: Sequence[Mapping[str, Any]] = ()) -> list[Line]:
    """The report's lines, those the period has: :data:`KEY_KPIS`; the scorecard's KPIs
    (``scorecard``: its rows as :func:`panneau.hub.objectives.scorecard_board` judges them
    over the period, each with the card's target and state, as the screens show them); the
    figures entered by a manager (the catalogue's ``inputs``); then the other thresholded
    KPIs (``targets``: target and state by KPI)."""
    kpis = [k for k in KEY_KPIS if k in figures]
    card = {row["kpi"]: (row.get("target"), row.get("state")) for row in scorecard
            if row["kpi"] in figures and row["kpi"] not in kpis}
    kpis += card
    kpis += [k for k, info in KPIS.items() if info.family == "inputs" and k in figures
             and k not in kpis]
    kpis += sorted(k for k in targets if k in figures and k not in kpis)
    return [Line(k, figures[k], (previous or {}).get(k),
                 *card.get(k, targets.get(k, (None, None)))) for k in kpis]

