"""The hub's e-mailed reports: each schedule's last finished period, sent once, retried.

Every :attr:`ReportScheduler.check_s` the scheduler looks, for each ``[[reports.schedules]]``,
at the last period whose report is due (:func:`panneau.hub.reports.mail.due_period`). If the
journal's ``report_sends`` has no row for it, the report is built and sent, then the row is
written: a restart does not send it again, and after downtime only the latest due period is
sent (caught up once, not once per missed day). A refused or failed send is retried after
``backoff_min`` seconds, doubling up to ``backoff_max``; ``/healthz`` shows each schedule's
last period sent, the error and the next try.

Figures come from the day rollups (:func:`panneau.hub.server.rollups.period_figures`), the worst
hours from the KPI history (hourly ``today`` samples of ``offered`` and ``abandoned``), the
attachment from :func:`panneau.hub.reports.xlsx.write_xlsx` — all read in worker threads. The
SMTP password comes from the environment variable ``reports.smtp_password_env``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import smtplib
import sqlite3
import ssl
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from panneau.hub.config.schema import Config, ReportSchedule, ReportSettings
from panneau.hub.config.sites import default_scopes
from panneau.hub.display import format_value
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.thresholds import Thresholds, classify, higher_is_better
from panneau.hub.engine.windows import DayClock
from panneau.hub.objectives import Figures, scorecard_board
from panneau.hub.periods import Period
from panneau.hub.reports.mail import ScopeReport, compose, due_period, lines_of
from panneau.hub.reports.replay_day import day_bounds
from panneau.hub.reports.rows import Period as RowsPeriod
from panneau.hub.reports.rows import history_rows
from panneau.hub.server.rollups import period_figures

__all__ = ["ReportScheduler", "build_parts", "objective_notes", "smtp_send", "worst_hours"]

log = logging.getLogger(__name__)
STATES = ("ok", "warn", "alert")


def smtp_send(settings: ReportSettings, message: EmailMessage) -> None:
    """Send ``message`` with the configured server (blocking: run it in a thread)."""
    password = None
    if settings.smtp_password_env:
        password = os.environ.get(settings.smtp_password_env)
        if password is None:
            raise RuntimeError(f"${settings.smtp_password_env} (reports.smtp_password_env) "
                               "is not set")
    if settings.smtp_security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                              timeout=30, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    with smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, password or "")
        smtp.send_message(message)


def worst_hours(db: sqlite3.Connection, config: Config, scope: str, period: Period,
                top: int = 3) -> list[tuple[datetime, float, float]]:
    """The ``top`` hours of ``period`` with the most calls lost: ``(start, lost, offered)``.

    From the hourly ``today`` samples of ``offered`` and ``abandoned``: an hour's calls are
    the difference with the previous hour's figure of the same day."""
    tz = ZoneInfo(config.hub.timezone)
    start = day_bounds(period.first, config)[0]
    end = day_bounds(period.last, config)[1]
    rows = history_rows(db, RowsPeriod(start, end, [scope], ["offered", "abandoned"], "hour",
                                       ["today"]), config.hub.timezone, config.hub.day_start)
    by_hour: dict[float, dict[str, float]] = {}
    for ts, _, _, kpi, value in rows:
        by_hour.setdefault(ts, {})[kpi] = value
    clock = DayClock(config.hub.timezone, config.hub.day_start)
    hours, before, day = [], {"offered": 0.0, "abandoned": 0.0}, None
    for ts in sorted(by_hour):
        when = datetime.fromtimestamp(ts, tz)
        this_day = clock.day(ts)
        if this_day != day:  # ``today`` figures start again each working day
            day, before = this_day, {"offered": 0.0, "abandoned": 0.0}
        now = {k: by_hour[ts].get(k, before[k]) for k in before}
        lost, offered = now["abandoned"] - before["abandoned"], now["offered"] - before["offered"]
        if lost > 0:
            hours.append((when.replace(tzinfo=None), lost, offered))
        before = now
    return sorted(hours, key=lambda h: (-h[1], h[0]))[:top]


def build_parts(rollups: Any, db: sqlite3.Connection, config: Config, scopes: list[str],
                period: Period) -> list[ScopeReport]:
    """Each scope's part of the report (worker thread: reads rollups and history)."""
    thresholds = Thresholds(config, Scopes(config))
    parts = []
    for scope in scopes:
        got = period_figures(rollups, scope, period)
        targets = {}
        for kpi in thresholds.by_kpi:
            t = thresholds.find(scope, kpi)
            if t is None:
                continue
            state = None
            if kpi in got.figures and (t.warn is not None or t.alert is not None):
                state = STATES[classify(got.figures[kpi], t.warn, t.alert, higher_is_better(t))]
            targets[kpi] = (t.target, state)
        name = scope
        if scope.startswith("team:") and (team := config.team(scope[5:])) is not None:
            name = f"Team {team.name or team.id}"
        elif scope == "site":
            name = "Site"
        elif scope.startswith("site:"):
            name = f"Site {scope[5:]}"
        held = Figures(got.figures, got.previous)
        card = scorecard_board(config, scope, period.last, lambda _s, _p, f=held: f, period)
        parts.append(ScopeReport(scope, name,
                                 lines_of(got.figures, got.previous, targets, card["rows"]),
                                 worst_hours(db, config, scope, period), got.days_covered))
    return parts


def objective_notes(rollups: Any, config: Config, scopes: list[str], period: Period
                    ) -> list[str]:
    """Lines on the objectives of the report's scopes that are running on its last day: those
    of a scope of the report (``site`` without a team), or whose key results all are (a group
    hub's objective on ``site:paris`` goes with Paris's report). Judged as they stood at the
    end of that day: the objective's days up to it, none after (a week's report sent on
    Monday, or a month's sent late, never counts the days that followed)."""
    from panneau.hub.objectives import objectives_board

    def figures_of(scope: str, span: Period) -> Figures:
        got = period_figures(rollups, scope, span)
        if span.last <= period.last:
            return Figures(got.figures, got.previous)
        upto = Period("custom", span.first, period.last)
        return Figures(period_figures(rollups, scope, upto, compare=False).figures,
                       got.previous)

    lines = []
    for objective in objectives_board(config, period.last, figures_of).values():
        owner = f"team:{objective['team']}" if objective.get("team") else "site"
        if owner not in scopes and not all(kr["scope"] in scopes
                                           for kr in objective["key_results"]):
            continue
        lines.append(f"Objective {objective['title']} ({objective['period']}): "
                     f"{objective['status']}")
        lines += [f"  {kr['label']} {format_value(kr['kpi'], kr['value'])} → "
                  f"{format_value(kr['kpi'], kr['target'])} by {kr['deadline']}, "
                  f"{kr['status']}" for kr in objective["key_results"]]
    return lines


@dataclass
class _State:
    """What ``/healthz`` says of one schedule."""

    last_period: str | None = None
    last_sent: float | None = None
    error: str | None = None
    attempts: int = 0
    next_try: float = 0.0  # time.monotonic() of the next try while backing off


class ReportScheduler:
    """Sends the configured reports from a running hub (see the module docstring)."""

    def __init__(self, hub: Any, check_s: float = 30.0, backoff_min: float = 30.0,
                 backoff_max: float = 1800.0) -> None:
        self.hub, self.check_s = hub, check_s
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.states: dict[str, _State] = {}
        self.sent = 0

    @property
    def config(self) -> Config:
        return self.hub.config

    def public(self) -> dict[str, Any]:
        """The ``reports`` part of ``/healthz``."""
        return {key: {"last_period": s.last_period, "last_sent": s.last_sent,
                      "error": s.error, "attempts": s.attempts,
                      "retry_in_s": (max(0.0, s.next_try - time.monotonic())
                                     if s.next_try else None)}
                for key, s in self.states.items()}

    async def run(self) -> None:
        """Check, send what is due, sleep; until cancelled."""
        await self.hub.rollups_ready.wait()
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("checking the e-mailed reports failed")
            await asyncio.sleep(self.check_s)

    async def check(self) -> None:
        """Send every report that is due and not sent yet (one try each)."""
        reports = self.config.reports
        now = self.hub.clock()
        local = datetime.fromtimestamp(now, ZoneInfo(self.config.hub.timezone))
        for schedule in reports.schedules:
            state = self.states.setdefault(schedule.key, _State())
            period = due_period(schedule.period, local, reports.send_at)
            sent = self.hub.journal.report_sent(schedule.key, period.label)
            if sent is not None:
                state.last_period, state.last_sent = period.label, sent
                continue
            if time.monotonic() < state.next_try:  # backing off (the hub clock may be frozen)
                continue
            try:
                await self.send(schedule, period)
            except Exception as exc:
                state.attempts += 1
                state.error = f"{type(exc).__name__}: {exc}"
                wait = min(self.backoff_max, self.backoff_min * 2 ** (state.attempts - 1))
                state.next_try = time.monotonic() + wait
                log.warning("report %s of %s not sent (try %d, next in %.0f s): %s",
                            schedule.key, period.label, state.attempts, wait, state.error)
                continue
            self.hub.journal.add_report_sent(schedule.key, period.label, self.hub.clock())
            state.last_period, state.last_sent = period.label, self.hub.clock()
            state.error, state.attempts, state.next_try = None, 0, 0.0
            self.sent += 1
            log.info("report %s of %s sent to %s", schedule.key, period.label,
                     ", ".join(schedule.to))

    async def message(self, schedule: ReportSchedule, period: Period) -> EmailMessage:
        """Build the report's message (figures and attachment read off the loop)."""
        config = self.config
        scopes = schedule.scopes or default_scopes(config)
        path = Path(config.hub.database).resolve()

        def read(rollups: Any) -> tuple[list[ScopeReport], list[str], bytes]:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                parts = build_parts(rollups, db, config, scopes, period)
                notes = objective_notes(rollups, config, scopes, period)
                from panneau.hub.reports.xlsx import write_xlsx

                start, end = day_bounds(period.first, config)[0], \
                    day_bounds(period.last, config)[1]
                rows = RowsPeriod(start, end, scopes, None,
                                  "hour" if period.kind == "day" else "day")
                with tempfile.TemporaryDirectory() as folder:
                    book = Path(folder) / "report.xlsx"
                    write_xlsx(book, db, config, rows, title=f"Panneau {period.label}")
                    return parts, notes, book.read_bytes()
            finally:
                db.close()

        parts, notes, attachment = await self.hub.rollups.run(read)
        return compose(config.reports.sender, schedule.to, period, parts, attachment, notes)

    async def send(self, schedule: ReportSchedule, period: Period) -> None:
        """Build and send one report."""
        message = await self.message(schedule, period)
        await asyncio.to_thread(smtp_send, self.config.reports, message)
