"""The read-only reporting API on the hub's HTTP port, for BI tools (Excel, Power BI, Tableau).

``GET /api/v1/kpis``, ``GET /api/v1/periods``, ``GET /api/v1/scopes``, ``GET /api/v1/catalogue``
(``docs/openapi.yaml`` describes them; ``docs/reports.md`` says how BI tools call them). Rules
kept here:

- ``Authorization: Bearer <token>`` of a ``reporting`` or ``manager`` token; none or an unknown
  one → 401, an agent's or a kiosk's → 403. Tokens are looked up as the websocket does
  (:class:`panneau.hub.server.ws.TokenTable`, digests, constant time). Unknown tokens count
  towards the same per-address ban as the websocket's (``hub.auth_fail_limit``): a banned
  address → 429 here too.
- JSON by default; CSV with ``format=csv`` or ``Accept: text/csv``. A bad parameter → 400 with
  the reason; nothing is partly answered.
- ``/kpis`` reads ``kpi_history`` (:func:`panneau.hub.reports.rows.history_rows`) in a worker
  thread on its own read-only connection: the event loop never waits for SQLite. Pages hold at
  most ``limit`` rows; ``next`` (JSON) or the ``Link: <…>; rel="next"`` header (CSV) gives the
  next page's URL, whose ``cursor`` is the last row's time and key: pages neither repeat nor
  skip a row, even while the hub samples.
- ``/periods`` gives week, month, quarter or custom-range figures per scope from the day
  rollups (:func:`panneau.hub.server.rollups.period_figures`, read in the hub's rollup worker),
  with the previous period and the same period last year.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from panneau.hub.catalogue import KPIS, WINDOWS
from panneau.hub.config.schema import Config
from panneau.hub.config.sites import default_scopes, group_sites
from panneau.hub.engine.windows import DayClock
from panneau.hub.periods import parse_period
from panneau.hub.reports.rows import INTERVALS, Period, history_rows, parse_when, scope_problem
from panneau.hub.server.ws import TokenTable

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "PREFIX", "ReportingApi", "scope_list"]

PREFIX = "/api/v1"
DEFAULT_LIMIT, MAX_LIMIT = 10_000, 1_000_000
ROLES = ("reporting", "manager")
KPI_COLUMNS = ("time", "scope", "window", "kpi", "value")
PERIOD_COLUMNS = ("period", "scope", "kpi", "value", "previous", "last_year")
#: ``periods(scopes, period)``: each scope's :class:`~panneau.hub.server.rollups.PeriodFigures`.
PeriodsReader = Callable[[list[str], Any], Awaitable[list[Any]]]


class BadRequest(ValueError):
    """A parameter the API cannot use; its text is the reason given to the caller."""


def scope_list(config: Config) -> list[dict[str, Any]]:
    """Every scope the configuration names: the site (and a group hub's sites), teams, queues,
    agents."""
    out: list[dict[str, Any]] = [{"scope": "site", "kind": "site", "name": "Site",
                                  "teams": []}]
    out += [{"scope": f"site:{s}", "kind": "site", "name": f"Site {s}", "teams": []}
            for s in group_sites(config)]
    out += [{"scope": f"team:{t.id}", "kind": "team", "name": t.name or t.id, "teams": [t.id]}
            for t in config.teams]
    queues: dict[str, list[str]] = {q: [] for q in config.queues}
    agents: dict[str, list[str]] = {}
    for team in config.teams:
        for queue in team.queues:
            queues.setdefault(queue, []).append(team.id)
        for agent in team.agents:
            agents.setdefault(agent, []).append(team.id)
    for queue, teams in sorted(queues.items()):
        label = config.queues[queue].label if queue in config.queues else None
        out.append({"scope": f"queue:{queue}", "kind": "queue", "name": label or queue,
                    "teams": teams})
    out += [{"scope": f"agent:{a}", "kind": "agent", "name": a, "teams": teams}
            for a, teams in sorted(agents.items())]
    return out


def _catalogue() -> list[dict[str, Any]]:
    return [{"id": k.id, "label": k.label, "unit": k.unit, "family": k.family,
             "higher_is_better": k.higher_is_better, "instant": k.instant}
            for k in KPIS.values()]


def _many(request: web.Request, name: str) -> list[str] | None:
    """A repeatable, comma-separable parameter."""
    values = [v.strip() for raw in request.query.getall(name, []) for v in raw.split(",")]
    return [v for v in values if v] or None


def _scopes(config: Config, scopes: list[str] | None) -> list[str] | None:
    """``scopes`` when each is one this hub may hold (:func:`scope_problem`); else
    :class:`BadRequest` naming the first that is not."""
    for scope in scopes or ():
        if (problem := scope_problem(config, scope)) is not None:
            raise BadRequest(f"scope: {problem}")
    return scopes


def _encode_cursor(ts: float, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([ts, key]).encode()).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[float, str]:
    try:
        ts, key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return float(ts), str(key)
    except (ValueError, TypeError) as exc:
        raise BadRequest("cursor: not one this API gave (take it from 'next')") from exc


class ReportingApi:
    """The ``/api/v1`` routes; ``config()`` and ``tokens()`` give the current ones (reload)."""

    def __init__(self, config: Callable[[], Config], tokens: Callable[[], TokenTable],
                 clock: Callable[[], float], *,
                 refused: Callable[[str], bool] = lambda address: False,
                 failed: Callable[[str], None] = lambda address: None,
                 periods: PeriodsReader | None = None,
                 today: Callable[[], date] | None = None) -> None:
        """``refused(address)``: is that address banned after failed tokens (→ 429);
        ``failed(address)``: count an unknown token from it (the hub's shared throttle);
        ``periods`` reads period figures, ``today`` is the hub's working day (``/periods``)."""
        self.config, self.tokens, self.clock = config, tokens, clock
        self.refused, self.failed = refused, failed
        self.periods, self.today = periods, today

    def install(self, app: web.Application) -> None:
        """Add the routes to ``app`` (before it starts)."""
        app.router.add_get(f"{PREFIX}/kpis", self._kpis)
        app.router.add_get(f"{PREFIX}/periods", self._periods)
        app.router.add_get(f"{PREFIX}/scopes", self._scopes)
        app.router.add_get(f"{PREFIX}/catalogue", self._catalogue)

    # --- common --------------------------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        """401 / 403 unless the request carries a reporting or manager token; 429 for an
        address refused after too many unknown tokens."""
        address = request.remote or "?"
        if self.refused(address):
            return _error(429, "too many failed tokens from this address; retry later")
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return _error(401, "send 'Authorization: Bearer <token>' (a reporting or manager "
                               "token from the configuration)")
        token = self.tokens().lookup(presented.strip())
        if token is None:
            self.failed(address)
            return _error(401, "unknown token")
        if token.role not in ROLES:
            return _error(403, f"{token.role} tokens cannot read reports; use a reporting "
                               "or manager token")
        return None

    @staticmethod
    def _wants_csv(request: web.Request) -> bool:
        fmt = request.query.get("format")
        if fmt is not None:
            if fmt not in ("json", "csv"):
                raise BadRequest(f"format: expected json or csv, got {fmt!r}")
            return fmt == "csv"
        return "text/csv" in request.headers.get("Accept", "")

    async def _table(self, request: web.Request, columns: Sequence[str],
                     rows: list[dict[str, Any]], **extra: Any) -> web.Response:
        if self._wants_csv(request):
            return _csv_response(columns, rows)
        return web.json_response({**extra, "data": rows})

    async def _scopes(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        try:
            rows = [{**s, "teams": ",".join(s["teams"])} if self._wants_csv(request) else s
                    for s in scope_list(self.config())]
            return await self._table(request, ("scope", "kind", "name", "teams"), rows)
        except BadRequest as exc:
            return _error(400, str(exc))

    async def _catalogue(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        try:
            return await self._table(
                request, ("id", "label", "unit", "family", "higher_is_better", "instant"),
                _catalogue(), windows=list(WINDOWS))
        except BadRequest as exc:
            return _error(400, str(exc))

    # --- /kpis ---------------------------------------------------------------------------

    def _period(self, request: web.Request, config: Config) -> tuple[Period, int, Any]:
        q, hub = request.query, config.hub
        tz = ZoneInfo(hub.timezone)
        try:
            start = (parse_when(q["from"], tz) if "from" in q
                     else DayClock(hub.timezone, hub.day_start).start(self.clock()))
        except ValueError as exc:
            raise BadRequest(f"from: {exc}; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
        try:
            end = parse_when(q["to"], tz, end=True) if "to" in q else self.clock()
        except ValueError as exc:
            raise BadRequest(f"to: {exc}; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
        if end <= start:
            raise BadRequest("to: must be after from")
        interval = q.get("interval", "hour")
        if interval not in INTERVALS:
            raise BadRequest(f"interval: expected one of {', '.join(INTERVALS)}, "
                             f"got {interval!r}")
        kpis = _many(request, "kpi")
        unknown = [k for k in kpis or () if k not in KPIS]
        if unknown:
            raise BadRequest(f"kpi: unknown {', '.join(unknown)} (see {PREFIX}/catalogue)")
        windows = _many(request, "window")
        if bad := [w for w in windows or () if w not in WINDOWS]:
            raise BadRequest(f"window: unknown {', '.join(bad)} (one of {', '.join(WINDOWS)})")
        try:
            limit = int(q.get("limit", DEFAULT_LIMIT))
        except ValueError as exc:
            raise BadRequest("limit: expected a whole number") from exc
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit: between 1 and {MAX_LIMIT}")
        cursor = _decode_cursor(q["cursor"]) if "cursor" in q else None
        period = Period(start, end, _scopes(config, _many(request, "scope")), kpis, interval,
                        windows)
        return period, limit, cursor

    async def _kpis(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        config = self.config()
        try:
            period, limit, cursor = self._period(request, config)
            as_csv = self._wants_csv(request)
        except BadRequest as exc:
            return _error(400, str(exc))
        rows, more = await asyncio.to_thread(_read, config, period, limit, cursor)
        tz = ZoneInfo(config.hub.timezone)
        data = [{"time": datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds"),
                 "scope": scope, "window": window, "kpi": kpi, "value": value}
                for ts, scope, window, kpi, value in rows]
        next_url = None
        if more:
            ts, scope, window, kpi, _ = rows[-1]
            next_url = str(request.rel_url.update_query(
                cursor=_encode_cursor(ts, f"{scope}/{window}/{kpi}")))
        if as_csv:
            response = _csv_response(KPI_COLUMNS, data)
            if next_url:
                response.headers["Link"] = f'<{next_url}>; rel="next"'
            return response
        return web.json_response({
            "from": datetime.fromtimestamp(period.start, tz).isoformat(timespec="seconds"),
            "to": datetime.fromtimestamp(period.end, tz).isoformat(timespec="seconds"),
            "timezone": config.hub.timezone, "interval": period.interval,
            "count": len(data), "next": next_url, "data": data})


    # --- /periods ------------------------------------------------------------------------

    async def _periods(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        if self.periods is None or self.today is None:
            return _error(503, "this hub keeps no period rollups")
        config = self.config()
        try:
            text = request.query.get("period", "month")
            try:
                period = parse_period(text, self.today())
            except ValueError as exc:
                raise BadRequest(f"period: {exc}") from exc
            scopes = _scopes(config, _many(request, "scope")) or default_scopes(config)
            kpis = _many(request, "kpi")
            if unknown := [k for k in kpis or () if k not in KPIS]:
                raise BadRequest(f"kpi: unknown {', '.join(unknown)} (see {PREFIX}/catalogue)")
            as_csv = self._wants_csv(request)
        except BadRequest as exc:
            return _error(400, str(exc))
        got = await self.periods(scopes, period)

        def pick(figures: dict[str, float] | None) -> dict[str, float] | None:
            if figures is None or kpis is None:
                return figures
            return {k: v for k, v in figures.items() if k in kpis}

        data = [{"scope": g.scope, "days_covered": g.days_covered, "figures": pick(g.figures),
                 "previous": pick(g.previous), "last_year": pick(g.last_year),
                 "complaints_by_category": g.complaints_by_category} for g in got]
        if as_csv:
            rows = [{"period": period.label, "scope": d["scope"], "kpi": kpi, "value": value,
                     "previous": (d["previous"] or {}).get(kpi),
                     "last_year": (d["last_year"] or {}).get(kpi)}
                    for d in data for kpi, value in sorted(d["figures"].items())]
            return _csv_response(PERIOD_COLUMNS, rows)
        return web.json_response({"period": period.label, "kind": period.kind,
                                  "first": period.first.isoformat(),
                                  "last": period.last.isoformat(),
                                  "timezone": config.hub.timezone, "data": data})


def _read(config: Config, period: Period, limit: int, cursor: tuple[float, str] | None
          ) -> tuple[list[tuple[float, str, str, str, float]], bool]:
    """Up to ``limit`` rows after ``cursor`` (worker thread, own read-only connection);
    and whether more follow."""
    path = Path(config.hub.database).resolve()
    if not path.exists():
        return [], False
    if cursor is not None:  # the bucket holding the cursor starts at its time
        period = Period(max(period.start, cursor[0]), period.end, period.scopes, period.kpis,
                        period.interval, period.windows)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = []
        for row in history_rows(db, period, config.hub.timezone, config.hub.day_start):
            if cursor is not None and (row[0], f"{row[1]}/{row[2]}/{row[3]}") <= cursor:
                continue
            if len(rows) == limit:
                return rows, True
            rows.append(row)
        return rows, False
    finally:
        db.close()


def _error(status: int, reason: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="panneau"'} if status == 401 else None
    return web.json_response({"error": reason}, status=status, headers=headers)


def _csv_response(columns: Iterable[str], rows: list[dict[str, Any]]) -> web.Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8")

