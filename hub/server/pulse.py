"""The agents' satisfaction pulse: anonymous answers, team aggregates only. SQLite, no clock.

Rules kept here (docs/hub.md, "Satisfaction pulse"):

- An answer (1–5, optional comment) is stored **without the agent**: table ``pulse_answers``
  holds a random id, the period, the team, the score and the comment — no agent, no time,
  and, being keyed by the random id (``WITHOUT ROWID``), no arrival order either.
- Table ``pulse_done`` holds who answered in a period (so nobody answers twice), never what:
  keyed by (period, agent), nothing in it links to an answer.
- What leaves the hub is a team's aggregate (answers, mean, the count of each score) once the
  team has at least ``kpi.small_n`` answers in the period, and it moves only in steps of
  :data:`BATCH` answers, so a manager watching the figure cannot tell one agent's score from
  when it changed.
- Comments go to managers only, with that same aggregate: the team's comments of the period
  as one list in alphabetical order — no score, no time, no order of arrival beside them — so
  they move in the same batches. Kiosks and agents never get them; nothing here is exported.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from panneau.hub.config.schema import Config
from panneau.hub.periods import period_of
from panneau.hub.server.journal import Journal

__all__ = ["BATCH", "MAX_COMMENT_CHARS", "Pulse", "PulseStore", "TeamPulse", "published",
           "view_value", "visible_pulse"]

#: The published aggregate changes only once this many answers more have come in.
BATCH = 3
MAX_COMMENT_CHARS = 500


@dataclass(frozen=True, slots=True)
class TeamPulse:
    """One team's answers in one period (never sent below ``small_n``)."""

    answers: int
    mean: float
    counts: tuple[int, int, int, int, int]  # how many 1s, 2s... 5s
    comments: tuple[str, ...] = ()  # in alphabetical order, nothing beside them


class PulseStore:
    """The pulse tables of one journal connection."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        with journal.write_lock:
            db = journal.db
            db.execute("CREATE TABLE IF NOT EXISTS pulse_answers (id TEXT PRIMARY KEY,"
                       " period TEXT NOT NULL, team TEXT NOT NULL, score INTEGER NOT NULL,"
                       " comment TEXT) WITHOUT ROWID")
            db.execute("CREATE TABLE IF NOT EXISTS pulse_done (period TEXT NOT NULL,"
                       " agent TEXT NOT NULL, PRIMARY KEY (period, agent)) WITHOUT ROWID")
            db.conn.commit()

    def answer(self, period: str, agent: str, team: str, score: int,
               comment: str | None) -> None:
        """Store one answer; ``ValueError`` when this agent answered in ``period`` already
        or the answer is out of range (nothing stored then)."""
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise ValueError("the pulse takes a whole score from 1 to 5")
        comment = (comment or "").strip() or None
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:
            raise ValueError(f"a pulse comment is at most {MAX_COMMENT_CHARS} characters")
        with self.journal.write_lock, self.journal.db.atomic():
            conn = self.journal.db.conn
            if conn.execute("SELECT 1 FROM pulse_done WHERE period = ? AND agent = ?",
                            [period, agent]).fetchone():
                raise ValueError(f"you have answered the pulse of {period} already")
            conn.execute("INSERT INTO pulse_done (period, agent) VALUES (?, ?)",
                         [period, agent])
            conn.execute("INSERT INTO pulse_answers (id, period, team, score, comment)"
                         " VALUES (?, ?, ?, ?, ?)",
                         [secrets.token_hex(16), period, team, score, comment])

    def done(self, period: str) -> frozenset[str]:
        """The agents who answered in ``period`` (stays on the hub)."""
        return frozenset(a for (a,) in self.journal.db.execute(
            "SELECT agent FROM pulse_done WHERE period = ?", [period]))

    def teams(self, period: str) -> dict[str, TeamPulse]:
        """Every team's answers in ``period``."""
        out: dict[str, list[int]] = {}
        for team, score, n in self.journal.db.execute(
                "SELECT team, score, count(*) FROM pulse_answers WHERE period = ?"
                " GROUP BY team, score", [period]):
            out.setdefault(team, [0] * 5)[score - 1] = n
        comments: dict[str, list[str]] = {}
        for team, comment in self.journal.db.execute(
                "SELECT team, comment FROM pulse_answers WHERE period = ? AND comment IS NOT"
                " NULL ORDER BY team, comment", [period]):
            comments.setdefault(team, []).append(comment)
        return {team: TeamPulse(sum(c), sum((i + 1) * n for i, n in enumerate(c)) / sum(c),
                                (c[0], c[1], c[2], c[3], c[4]), tuple(comments.get(team, ())))
                for team, c in out.items()}


def published(teams: dict[str, TeamPulse], held: dict[str, TeamPulse], small_n: int
              ) -> dict[str, TeamPulse]:
    """The aggregates to show: a team's once it has ``small_n`` answers, then only when it has
    :data:`BATCH` more than the one shown (``held``: what is shown now)."""
    out = {}
    for team, now in teams.items():
        shown = held.get(team)
        if now.answers < max(small_n, 1):
            continue
        out[team] = now if shown is None or now.answers - shown.answers >= BATCH else shown
    return out


def view_value(question: str, period: str, pulse: TeamPulse | None) -> dict[str, Any]:
    """``pulse:team:<id>``: the question, the period and the aggregate (or ``None``), with the
    comments (:func:`visible_pulse` leaves them to managers)."""
    if pulse is None:
        return {"question": question, "period": period, "answers": None, "mean": None,
                "counts": None, "comments": []}
    return {"question": question, "period": period, "answers": pulse.answers,
            "mean": round(pulse.mean, 2), "counts": list(pulse.counts),
            "comments": list(pulse.comments)}


def visible_pulse(role: str, team: str | None, agent: str | None, small: bool,
                  pulse: dict[str, Any], done: frozenset[str]) -> dict[str, Any]:
    """The ``pulse:`` keys of an audience: managers every team's aggregate with its comments,
    a kiosk its team's, an agent its team's (not in a small team) — both without comments —
    and ``pulse:ask`` (whether it answered, told to that agent only)."""
    if not pulse:
        return {}
    if role == "manager":
        return dict(pulse)
    out: dict[str, Any] = {}
    mine = f"pulse:team:{team}" if team else None
    if mine in pulse and not (role == "agent" and small):
        out[mine] = {k: v for k, v in pulse[mine].items() if k != "comments"}
    if role == "agent" and agent is not None and mine in pulse:
        value = pulse[mine]
        out["pulse:ask"] = {"question": value["question"], "period": value["period"],
                            "answered": agent in done}
    return out


class Pulse:
    """The hub's pulse: answers in, the ``pulse:`` view values and who answered out."""

    def __init__(self, journal: Journal, config: Config) -> None:
        self.config = config
        self.store = PulseStore(journal)
        #: ``pulse:team:<id>`` values (empty when the pulse is off).
        self.view: dict[str, Any] = {}
        #: Agents who answered in the current period (stays on the hub).
        self.done: frozenset[str] = frozenset()
        self._period = ""
        self._shown: dict[str, TeamPulse] = {}

    def period(self, today: date) -> str:
        """The label of the pulse period holding working day ``today`` (``2026-W48``...)."""
        return period_of(self.config.pulse.period, today).label

    def refresh(self, today: date) -> None:
        """Recompute the view values for the period holding ``today``."""
        settings = self.config.pulse
        if not settings.enabled:
            return
        period = self.period(today)
        if period != self._period:
            self._period, self._shown = period, {}
        self._shown = published(self.store.teams(period), self._shown,
                                self.config.kpi.small_n)
        self.done = self.store.done(period)
        self.view = {f"pulse:team:{team.id}": view_value(settings.question, period,
                                                         self._shown.get(team.id))
                     for team in self.config.teams}

    def answer(self, agent: str, score: int, comment: str | None, today: date) -> str | None:
        """Store ``agent``'s answer (without the agent); returns why it was refused."""
        if not self.config.pulse.enabled:
            return "this hub runs no pulse"
        team = self.config.team_of_agent(agent)
        if team is None:
            return "the pulse is for agents of a team"
        try:
            self.store.answer(self.period(today), agent, team.id, score, comment)
        except ValueError as exc:
            return str(exc)
        self.refresh(today)
        return None
