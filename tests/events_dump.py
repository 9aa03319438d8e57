"""What the event classes do, as JSON on stdout, from whichever events module this process runs.

    PANNEAU_ENGINE=pure|compiled python -m tests.events_dump

``tests/test_compiled_engine.py`` runs it once per engine and compares the two outputs: the
compiled build's native event classes (:mod:`panneau.hub.compiled_events`) must build, refuse
(in the same words), show, compare, hash, pickle, replace and list their fields as the pure
ones do, and a plugin's own subclass of an event must work the same on both. ``int_cases``
give ints for ``float`` fields, which a compiled event holds as floats: the same outcome and
the same values (``5 == 5.0``), not the same text.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from typing import Any

from panneau.hub import events as ev


class Rung(ev.AgentRung):
    """A plugin's own event class, as plugins write them: a plain subclass."""


_ENDED = {"ts": 1_800_000_000.5, "call_id": "c1", "queue": "q", "agent": "a", "hold_s": 12.0,
          "talk_s": 30.5, "ended_by": "caller"}
#: (class, fields): valid, and refused for each kind of check.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("CallEnded", _ENDED),
    ("CallEnded", {**_ENDED, "transfer": "blind", "transfer_to": "200@ctx", "source": "s",
                   "source_pos": "7"}),
    ("CallEnded", {**_ENDED, "ts": "soon"}),
    ("CallEnded", {**_ENDED, "ts": 1e20}),
    ("CallEnded", {**_ENDED, "ts": True}),
    ("CallEnded", {**_ENDED, "hold_s": -1}),
    ("CallEnded", {**_ENDED, "talk_s": float("nan")}),
    ("CallEnded", {**_ENDED, "talk_s": float("inf")}),
    ("CallEnded", {**_ENDED, "hold_s": -0.5}),
    ("CallEnded", {**_ENDED, "ts": -1.0}),
    ("CallAnswered", {"ts": 5.0, "call_id": "c", "queue": "q", "agent": "a", "hold_s": 1.0,
                      "ring_s": -2.0}),
    ("CallEnded", {**_ENDED, "ended_by": "nobody"}),
    ("CallEnded", {**_ENDED, "transfer": "warm"}),
    ("CallEnded", {**_ENDED, "queue": None}),
    ("CallEntered", {"ts": 5.0, "call_id": "c", "queue": "q", "position": 3}),
    ("CallEntered", {"ts": 5.0, "call_id": "c", "queue": "q", "position": 3.0}),
    ("CallEntered", {"ts": 5.0, "call_id": "c", "queue": "q", "position": True}),
    ("CallLeft", {"ts": 5.0, "call_id": "c", "queue": "q", "reason": "key", "wait_s": 3.0,
                  "key": "1"}),
    ("CallLeft", {"ts": 5.0, "call_id": "c", "queue": "q", "reason": "bored", "wait_s": 3.0}),
    ("RingNoAnswer", {"ts": 5.0, "call_id": "c", "queue": "q", "agent": "a", "ring_ms": 1500,
                      "canceled": True}),
    ("RingNoAnswer", {"ts": 5.0, "call_id": "c", "queue": "q", "agent": "a", "canceled": 1}),
    ("AgentStatus", {"ts": 5.0, "agent": "a", "state": "on_call", "paused": False}),
    ("AgentStatus", {"ts": 5.0, "agent": "a", "state": "asleep"}),
    ("SystemRestart", {"ts": 5.0, "reload_only": True}),
    ("TicketMetrics", {"ts": 5.0, "ticket_id": "t", "reopens": 2, "first_reply_min": 3}),
    ("TicketMetrics", {"ts": 5.0, "ticket_id": "t", "replies": -2}),
    ("SurveyResponse", {"ts": 5.0, "response_id": "r", "survey": "nps", "score": 9.0,
                        "scale_min": 0.0, "scale_max": 10.0, "about": "relationship"}),
    ("SurveyResponse", {"ts": 5.0, "response_id": "r", "survey": "nps", "score": 11.0,
                        "scale_min": 0.0, "scale_max": 10.0}),
    ("SurveyResponse", {"ts": 5.0, "response_id": "r", "survey": "ces", "score": 1.0,
                        "scale_min": -1.0, "scale_max": 7.0}),
    ("FigureEntered", {"ts": 5.0, "entry_id": "e", "figure": "complaints", "amount": 2.0,
                       "day": "2026-11-29"}),
    ("FigureEntered", {"ts": 5.0, "entry_id": "e", "figure": "complaints", "amount": 2.0,
                       "day": "29/11/2026"}),
    ("FigureEntered", {"ts": 5.0, "entry_id": "e", "figure": "complaints", "amount": -2.0}),
]
#: The same with ints for ``float`` fields: a compiled event holds them as floats (5 -> 5.0).
INT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("CallEnded", {**_ENDED, "ts": 1_800_000_000, "hold_s": 12, "talk_s": 0}),
    ("CallEnded", {**_ENDED, "hold_s": -1}),
    ("CallEnded", {**_ENDED, "ts": 10**400}),
    ("CallEnded", {**_ENDED, "talk_s": 10**400}),
    ("FigureEntered", {"ts": 5, "entry_id": "e", "figure": "complaints", "amount": -10**400}),
    ("CallLeft", {"ts": 5, "call_id": "c", "queue": "q", "reason": "key", "wait_s": 3}),
    ("SurveyResponse", {"ts": 5, "response_id": "r", "survey": "nps", "score": 9,
                        "scale_min": 0, "scale_max": 10}),
    ("SurveyResponse", {"ts": 5, "response_id": "r", "survey": "nps", "score": 11,
                        "scale_min": 0, "scale_max": 10}),
    ("FigureEntered", {"ts": 5, "entry_id": "e", "figure": "complaints", "amount": 2}),
]


def _shown(event: ev.Event) -> list[Any]:
    """Everything an event shows of itself."""
    again = pickle.loads(pickle.dumps(event))
    moved = dataclasses.replace(event, source="elsewhere")
    return [repr(event), ev.event_to_dict(event), hash(event) == hash(again), again == event,
            type(again).__name__, repr(moved), moved == event,
            ev.event_from_dict(ev.event_to_dict(event)) == event]


def _built(name: str, fields: dict[str, Any]) -> list[Any]:
    cls = ev.EVENT_TYPES[getattr(ev, name).kind]
    try:
        event = cls(**fields)
    except ev.InvalidEvent as exc:
        return ["refused", str(exc)]
    names = [f.name for f in dataclasses.fields(cls)]
    fast = ev.unchecked_builder(cls)(*(getattr(event, n) for n in names))
    checked = ev.checked_builder(cls)(*(getattr(event, n) for n in names))
    return ["built", *_shown(event), fast == event, checked == event, repr(fast)]


def dump() -> dict[str, Any]:
    """The behaviour of every case, the plugin subclass and every class's fields."""
    rung = Rung(ts=5.0, call_id="c", queue="q", agent="a")
    fast = ev.unchecked_builder(Rung)(5.0, "", "", "c", "q", "a")
    return {
        "cases": [_built(name, fields) for name, fields in CASES],
        "int_cases": [_built(name, fields)[:3] for name, fields in INT_CASES],
        "plugin": [*_shown(rung), fast == rung, type(fast).__name__,
                   isinstance(rung, ev.Event), Rung.kind],
        "fields": {kind: [[f.name, str(f.type), "required" if f.default is dataclasses.MISSING
                           else repr(f.default)] for f in dataclasses.fields(cls)]
                   for kind, cls in ev.EVENT_TYPES.items()},
        "module": "pure" if ev.__file__.endswith(".py") else "compiled",
    }


if __name__ == "__main__":
    print(json.dumps(dump(), indent=1, default=repr))
