"""Turn one CSV row (one finished call) into Panneau events. Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import datetime

from panneau.hub.events import CallAbandoned, CallAnswered, CallEnded, CallEntered, CallLeft, Event

__all__ = ["COLUMNS", "parse_row", "parse_time"]

COLUMNS = ("call_id", "queue", "caller", "entered", "answered", "ended", "agent", "outcome")
OUTCOMES = ("answered", "transferred", "abandoned", "timeout")


def parse_time(text: str) -> float:
    """UTC epoch seconds from ``1767603600`` or ``2026-01-05T09:00:00+00:00``."""
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment.timestamp()


# docs: begin parse-row
def parse_row(fields: list[str], source: str, pos: str) -> list[Event]:
    """The events of one finished call; ``ValueError`` says what is wrong with the row."""
    if len(fields) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} fields, got {len(fields)}")
    row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
    if row["outcome"] not in OUTCOMES:
        raise ValueError(f"unknown outcome {row['outcome']!r}")
    call, queue = row["call_id"], row["queue"]
    if not call or not queue:
        raise ValueError("call_id and queue are required")
    base = {"source": source, "source_pos": pos, "call_id": call, "queue": queue}
    entered, ended = parse_time(row["entered"]), parse_time(row["ended"])
    events: list[Event] = [CallEntered(ts=entered, caller_id=row["caller"] or None, **base)]
    wait = ended - entered
    if row["outcome"] == "abandoned":
        return [*events, CallAbandoned(ts=ended, wait_s=wait, **base)]
    if row["outcome"] == "timeout":
        return [*events, CallLeft(ts=ended, reason="timeout", wait_s=wait, **base)]
    answered, agent = parse_time(row["answered"]), row["agent"]
    if not agent or not entered <= answered <= ended:
        raise ValueError("an answered call needs an agent and entered <= answered <= ended")
    hold = answered - entered
    transfer = row["outcome"] == "transferred"
    return [
        *events,
        CallAnswered(ts=answered, agent=agent, hold_s=hold, **base),
        CallEnded(ts=ended, agent=agent, hold_s=hold, talk_s=ended - answered,
                  ended_by="transfer" if transfer else "caller",
                  transfer="blind" if transfer else None, **base),
    ]
# docs: end parse-row
