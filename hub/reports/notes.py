"""Managers' comments on figures (the journal's ``annotation_log``) for exports."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from panneau.hub.reports.rows import Period
from panneau.hub.server.manager import note_end

__all__ = ["Note", "note_rows", "note_text"]

#: ``(ts, scope, window, kpi, note)``
Note = tuple[float, str, str, str, str]


def note_text(text: str, until: float | None, when: Callable[[float], str]) -> str:
    """How an export says a comment: its text (``(until <when>)`` added when it had an end:
    one that is no time, as older versions stored, is open-ended), or ``(removed)`` when it
    was taken off."""
    if not text:
        return "(removed)"
    end = note_end(until)
    return text + (f" (until {when(end)})" if end is not None else "")


def note_rows(db: sqlite3.Connection, period: Period, when: Callable[[float], str]
              ) -> list[Note]:
    """Comments set or removed in the period (its scope and KPI filters applied), oldest first;
    none from a journal older than the log."""
    try:
        rows = db.execute("SELECT ts, key, text, until FROM annotation_log"
                          " WHERE ts >= ? AND ts < ? ORDER BY ts, rowid",
                          [period.start, period.end]).fetchall()
    except sqlite3.OperationalError:  # no annotation_log table yet
        return []
    notes = []
    for ts, key, text, until in rows:
        scope, window, kpi = key.rsplit("/", 2)
        if (period.scopes and scope not in period.scopes) or (
                period.kpis and kpi not in period.kpis):
            continue
        notes.append((ts, scope, window, kpi, note_text(text, until, when)))
    return notes
