"""Typeform and Delighted webhook bodies → one ``SurveyResponse``. Pure: no I/O.

Each parser returns a :class:`Parsed` (the idempotency key and the response, or ``None`` when
the body is valid but carries nothing to store) or raises :class:`Refused` with the HTTP status
and reason to answer.

A webhook brings an answer as it is given: its time must lie in the :class:`Recent` span
around the hub's clock (a sender may retry for a few days; clocks differ by seconds, not
hours). A readable but implausible time — ``12345`` read as 1970, epoch milliseconds sent for
seconds, a year-2999 test date — is refused, rather than stored where no window shows it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from panneau.hub.events import InvalidEvent, SurveyResponse
from panneau.hub.toolkit.mapping import DEFAULT_SCALES, score_problem
from panneau.hub.toolkit.timeparse import implausible_time, parse_time
from panneau.plugins.surveys.options import DelightedOptions, TypeformForm

__all__ = ["Parsed", "Recent", "Refused", "parse_delighted", "parse_typeform"]


class Refused(Exception):
    """A webhook body the receiver must refuse: ``status`` (4xx) and a reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a valid body holds: its idempotency key and the response (``None``: ignored)."""

    key: str
    response: SurveyResponse | None
    note: str = ""


def _scale(kind: str, low: float | None, high: float | None) -> tuple[float, float]:
    dlow, dhigh = DEFAULT_SCALES[kind]
    return (dlow if low is None else low, dhigh if high is None else high)


def _checked_score(value: Any, kind: str, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused(422, f"{what} is not a number: {value!r}")
    if problem := score_problem(kind, value, low, high):
        raise Refused(422, f"{what} {problem}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Recent:
    """The times a live answer may carry: from ``max_age_days`` before ``now`` (the hub's
    clock) up to :data:`~panneau.hub.toolkit.timeparse.AHEAD_S` after it."""

    now: float
    max_age_days: float

    def refusal(self, ts: float, what: str) -> str | None:
        """Why ``ts`` is no time of a live answer, or ``None``."""
        reason = implausible_time(ts, self.now, what, self.max_age_days * 86400)
        if reason is not None and ts < self.now:
            reason += "; raise options.max_age_days, or import old answers with panneau " \
                "import-survey"
        return reason


def _time(value: Any, what: str, recent: Recent | None) -> float:
    try:
        ts = parse_time(value)
    except ValueError:
        raise Refused(422, f"{what} is not a time: {value!r}") from None
    reason = None if recent is None else recent.refusal(ts, what)
    if reason is not None:
        raise Refused(422, reason)
    return ts


#: The longest id or link (response token, agent, ticket…) taken: ids are short; a long one
#: would be kept, with thousands of others, in every checkpoint written.
MAX_ID = 200


def _str(value: Any, what: str, limit: int | None = MAX_ID) -> str | None:
    """A text field: ``None`` when absent or empty; a number is taken as its text; anything
    else (an object, a list, true) or a text over ``limit`` characters is :class:`Refused`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Refused(422, f"{what} is not a text: {str(value)[:60]}")
    text = str(value)
    if limit is not None and len(text) > limit:
        raise Refused(422, f"{what} is over {limit} characters")
    return text


def _answer(answers: list[Any], field_key: str) -> dict[str, Any] | None:
    for answer in answers:
        if isinstance(answer, dict):
            f = answer.get("field") or {}
            if field_key in (f.get("ref"), f.get("id")):
                return answer
    return None


def _answer_value(answer: dict[str, Any] | None) -> Any:
    if answer is None:
        return None
    kind = answer.get("type")
    value = answer.get(kind) if isinstance(kind, str) else None
    if isinstance(value, dict):  # choice: {"label": "5"}
        value = value.get("label")
        with contextlib.suppress(TypeError, ValueError):
            value = float(value)
    return value


def _response(**fields: Any) -> SurveyResponse:
    """The event, or :class:`Refused` (422) when a value is out of an event's range (a date in
    year 1013 is a readable time, but no survey answer)."""
    try:
        return SurveyResponse(**fields)
    except InvalidEvent as exc:
        raise Refused(422, str(exc)) from None


def parse_typeform(payload: Any, forms: dict[str, TypeformForm], source: str,
                   recent: Recent | None = None) -> Parsed:
    """A Typeform ``form_response`` webhook body; with ``recent``, its time must lie in it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("form_response"), dict):
        raise Refused(400, "not a Typeform webhook: no form_response object")
    if payload.get("event_type", "form_response") != "form_response":
        raise Refused(422, f"unsupported event_type {payload.get('event_type')!r}")
    resp = payload["form_response"]
    form_id = resp.get("form_id")
    form = forms.get(str(form_id))
    if form is None:
        raise Refused(422, f"unknown form {form_id!r} (add it to options.forms)")
    token = _str(resp.get("token"), "form_response.token") or _str(payload.get("event_id"),
                                                                      "event_id")
    if token is None:
        raise Refused(400, "no form_response.token or event_id to identify the response")
    answers = resp.get("answers") if isinstance(resp.get("answers"), list) else []
    raw = _answer_value(_answer(answers, form.score_field))
    if raw is None:
        return Parsed(f"typeform:{token}", None, f"no answer to {form.score_field!r}")
    low, high = _scale(form.survey, form.scale_min, form.scale_max)
    score = _checked_score(raw, form.survey, low, high, f"answer to {form.score_field!r}")
    hidden = resp.get("hidden") if isinstance(resp.get("hidden"), dict) else {}

    def linked(name: str | None) -> str | None:
        return None if name is None else _str(hidden.get(name), f"hidden.{name}")

    comment = None
    if form.comment_field:
        comment = _str(_answer_value(_answer(answers, form.comment_field)),
                       f"answer to {form.comment_field!r}", None)
    return Parsed(f"typeform:{token}", _response(
        ts=_time(resp.get("submitted_at"), "form_response.submitted_at", recent), source=source,
        source_pos=f"typeform:{_str(payload.get('event_id'), 'event_id') or token}",
        response_id=f"typeform:{token}", survey=form.survey, score=score,
        scale_min=low, scale_max=high, call_id=linked(form.call_field),
        ticket_id=linked(form.ticket_field), agent=linked(form.agent_field),
        queue=linked(form.queue_field), comment=comment, about=form.about,
    ))


def parse_delighted(payload: Any, opts: DelightedOptions, source: str,
                    recent: Recent | None = None) -> Parsed:
    """A Delighted-style ``survey_response.*`` webhook body; with ``recent``, its time must
    lie in it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("event_data"), dict):
        raise Refused(400, "not a Delighted webhook: no event_data object")
    data = payload["event_data"]
    rid = _str(data.get("id"), "event_data.id")
    if rid is None:
        raise Refused(400, "event_data.id is missing")
    event_type = payload.get("event_type")
    if event_type not in opts.event_types:
        return Parsed(f"delighted:{rid}", None, f"event_type {event_type!r} not handled")
    kind = opts.survey or str(data.get("survey_type") or "nps")
    if kind not in DEFAULT_SCALES:
        raise Refused(422, f"survey_type {kind!r} is not nps, csat or ces (set options.survey)")
    low, high = _scale(kind, opts.scale_min, opts.scale_max)
    score = _checked_score(data.get("score"), kind, low, high, "event_data.score")
    props = data.get("person_properties") if isinstance(data.get("person_properties"), dict) \
        else {}

    def linked(name: str | None) -> str | None:
        return None if name is None else _str(props.get(name), f"person_properties.{name}")

    return Parsed(f"delighted:{rid}", _response(
        ts=_time(data.get("created_at"), "event_data.created_at", recent), source=source,
        source_pos=f"delighted:{_str(payload.get('event_id'), 'event_id') or rid}",
        response_id=f"delighted:{rid}", survey=kind,  # type: ignore[arg-type]
        score=score, scale_min=low, scale_max=high,
        call_id=linked(opts.call_property), ticket_id=linked(opts.ticket_property),
        agent=linked(opts.agent_property), queue=linked(opts.queue_property),
        comment=_str(data.get("comment"), "event_data.comment", None), about=opts.about,
    ))
