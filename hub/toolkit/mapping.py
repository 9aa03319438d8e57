"""Rows (CSV lines, JSON objects) → ticket snapshots or survey responses, by a configured
field mapping. Pure: no I/O. Shared by the ``generic`` source and ``panneau import-survey``.

A mapping names, for each Panneau field, the column (CSV) or key (JSON, dotted for nested
objects: ``stats.first_responded_at``) that holds it. Empty cells count as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from panneau.hub.config.validate import OptionProblems
from panneau.hub.events import SurveyResponse
from panneau.hub.toolkit.tickets import STATUSES, TicketSnapshot
from panneau.hub.toolkit.timeparse import parse_time

__all__ = [
    "DEFAULT_SCALES",
    "SURVEY_FIELDS",
    "TICKET_FIELDS",
    "RowMapping",
    "lookup",
    "mapping_problems",
    "row_to_survey",
    "row_to_ticket",
    "scale_problems",
    "score_problem",
]

SurveyKind = Literal["nps", "csat", "ces"]

#: Usual answer scales when the mapping gives none.
DEFAULT_SCALES: dict[str, tuple[float, float]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

TICKET_FIELDS = {
    "id": True, "updated": True, "status": True, "created": False, "channel": False,
    "group": False, "assignee": False, "priority": False, "type": False, "solved_at": False,
    "first_reply_at": False, "first_reply_min": False, "first_resolution_min": False,
    "full_resolution_min": False, "reopens": False, "replies": False,
}
SURVEY_FIELDS = {
    "id": True, "time": True, "score": True, "survey": False, "call_id": False,
    "ticket_id": False, "agent": False, "queue": False, "comment": False,
}


@dataclass
class RowMapping:
    """How rows become events: ``fields`` maps Panneau field → column or key."""

    kind: Literal["ticket", "survey"]
    fields: dict[str, str]
    status_map: dict[str, str] = field(default_factory=dict)
    survey: SurveyKind = "csat"
    scale_min: float | None = None
    scale_max: float | None = None
    score_map: dict[str, float] = field(default_factory=dict)
    #: What every survey row is about (``SurveyResponse.about``): ``interaction`` or
    #: ``relationship``; unset, a row linked to a call or ticket counts as ``interaction``.
    about: Literal["interaction", "relationship"] | None = None
    time_format: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if problems := _problems(self):
            raise OptionProblems(problems)

    def scale(self, kind: str) -> tuple[float, float]:
        """The answer scale: configured, or the usual one for ``kind``."""
        low, high = DEFAULT_SCALES.get(kind, (0, 10))
        return (low if self.scale_min is None else self.scale_min,
                high if self.scale_max is None else self.scale_max)


def _problems(m: RowMapping) -> dict[str, str]:
    """What makes a mapping unusable, at the key each problem is about. A ``RowMapping`` with
    any refuses to be built (:class:`OptionProblems`), so ``panneau config check`` names each
    at its line and the hub refuses the same options in the same words."""
    if m.kind not in ("ticket", "survey") or not isinstance(m.fields, dict):
        return {}  # already refused by its type; nothing more can be said
    known = TICKET_FIELDS if m.kind == "ticket" else SURVEY_FIELDS
    problems = {f"fields.{k}": f"not a {m.kind} field (known: {', '.join(known)})"
                for k in m.fields if k not in known}
    problems |= {f"fields.{k}": f"required for {m.kind} rows" for k, req in known.items()
                 if req and k not in m.fields}
    if isinstance(m.status_map, dict):
        problems |= {f"status_map.{k}": f"{v!r} is not one of {', '.join(sorted(STATUSES))}"
                     for k, v in m.status_map.items() if v not in STATUSES}
    if m.survey in DEFAULT_SCALES:
        problems |= scale_problems(m.survey, m.scale_min, m.scale_max)
    return problems


def mapping_problems(m: RowMapping) -> list[str]:
    """What is wrong with a mapping, as ``key: problem`` lines (empty when it can be used;
    a ``RowMapping`` built from a table already refused any of them)."""
    return [f"{key}: {message}" for key, message in _problems(m).items()]


def score_problem(survey: str, score: float, low: float, high: float) -> str | None:
    """Why ``score`` cannot be an answer on ``low..high`` (``None`` when it can): off the
    scale, or between two of its points (answers are whole points: NPS 0..10, CSAT 1..5)."""
    if not low <= score <= high:
        return f"{score:g} is outside {low:g}..{high:g}"
    if score != int(score):
        return (f"{score:g} is not a whole number: {survey} answers are whole points of "
                f"{low:g}..{high:g}")
    return None


def scale_problems(survey: str | None, low: float | None, high: float | None
                   ) -> dict[str, str]:
    """``scale_min``/``scale_max`` that make no scale (unset: the usual one of ``survey``, or
    of each kind when answers say their own), at the key that was given."""
    for kind in [survey] if survey else DEFAULT_SCALES:
        usual_low, usual_high = DEFAULT_SCALES[kind]
        lo, hi = usual_low if low is None else low, usual_high if high is None else high
        if lo < hi:
            continue
        if low is None:
            return {"scale_max": f"{hi:g} must be above scale_min ({lo:g}, the usual for "
                                 f"{kind})"}
        usual = "" if high is not None else f", the usual for {kind}"
        return {"scale_min": f"{lo:g} must be below scale_max ({hi:g}{usual})"}
    return {}


def lookup(row: Mapping[str, Any], key: str) -> Any:
    """``row[key]``, following dots into nested objects; ``None`` when absent or empty."""
    if key in row:
        value = row[key]
    else:
        value = row
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        value = value.strip()
    return None if value in ("", None) else value


def _get(row: Mapping[str, Any], m: RowMapping, name: str) -> Any:
    column = m.fields.get(name)
    return None if column is None else lookup(row, column)


def _need(row: Mapping[str, Any], m: RowMapping, name: str) -> Any:
    value = _get(row, m, name)
    if value is None:
        raise ValueError(f"no {name} (column {m.fields[name]!r} is missing or empty)")
    return value


def _time(row: Mapping[str, Any], m: RowMapping, name: str, required: bool = False) -> float | None:
    value = _need(row, m, name) if required else _get(row, m, name)
    if value is None:
        return None
    try:
        return parse_time(value, m.time_format, m.timezone)
    except ValueError as exc:
        raise ValueError(f"{name}: cannot read time {value!r}") from exc


def _number(row: Mapping[str, Any], m: RowMapping, name: str) -> float | None:
    value = _get(row, m, name)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):  # 10**400: no float holds it
        raise ValueError(f"{name}: not a number: {str(value)[:40]}") from None


def _text(row: Mapping[str, Any], m: RowMapping, name: str) -> str | None:
    value = _get(row, m, name)
    return None if value is None else str(value)


def _status(raw: Any, m: RowMapping) -> str:
    text = str(raw).strip()
    for key, category in m.status_map.items():
        if key.lower() == text.lower():
            return category
    if text.lower() in STATUSES:
        return text.lower()
    raise ValueError(f"status {text!r} is not mapped (add it to status_map)")


def row_to_ticket(row: Mapping[str, Any], m: RowMapping) -> TicketSnapshot:
    """A ticket row as a snapshot; ``ValueError`` says what is wrong with it."""
    created = _time(row, m, "created")
    first_reply_min = _number(row, m, "first_reply_min")
    first_reply_at = _time(row, m, "first_reply_at")
    if first_reply_min is None and first_reply_at is not None and created is not None:
        first_reply_min = round((first_reply_at - created) / 60.0, 3)
    reopens, replies = _number(row, m, "reopens"), _number(row, m, "replies")
    return TicketSnapshot(
        ticket_id=str(_need(row, m, "id")),
        updated=_time(row, m, "updated", required=True),  # type: ignore[arg-type]
        status=_status(_need(row, m, "status"), m),
        created=created,
        channel=_text(row, m, "channel"),
        group=_text(row, m, "group"),
        assignee=_text(row, m, "assignee"),
        priority=_text(row, m, "priority"),
        ticket_type=_text(row, m, "type"),
        solved_at=_time(row, m, "solved_at"),
        first_reply_min=first_reply_min,
        first_resolution_min=_number(row, m, "first_resolution_min"),
        full_resolution_min=_number(row, m, "full_resolution_min"),
        reopens=None if reopens is None else int(reopens),
        replies=None if replies is None else int(replies),
    )


def row_to_survey(row: Mapping[str, Any], m: RowMapping, source: str, pos: str) -> SurveyResponse:
    """A survey row as a response; ``ValueError`` says what is wrong with it."""
    kind = str(_get(row, m, "survey") or m.survey).lower()
    if kind not in DEFAULT_SCALES:
        raise ValueError(f"survey {kind!r} is not one of nps, csat, ces")
    raw = _need(row, m, "score")
    if str(raw) in m.score_map:
        score = float(m.score_map[str(raw)])
    else:
        try:
            score = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"score {raw!r} is not a number (map it in score_map)") from None
    low, high = m.scale(kind)
    if problem := score_problem(kind, score, low, high):
        raise ValueError(f"score {problem}")
    return SurveyResponse(
        ts=_time(row, m, "time", required=True),  # type: ignore[arg-type]
        source=source, source_pos=pos, response_id=str(_need(row, m, "id")),
        survey=kind,  # type: ignore[arg-type]
        score=score, scale_min=low, scale_max=high,
        call_id=_text(row, m, "call_id"), ticket_id=_text(row, m, "ticket_id"),
        agent=_text(row, m, "agent"), queue=_text(row, m, "queue"),
        comment=_text(row, m, "comment"), about=m.about,
    )
