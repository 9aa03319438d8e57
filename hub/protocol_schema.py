"""The wire protocol v1 as a JSON Schema: every frame, and the value shape of every view key.

This module is the machine-readable contract behind ``docs/protocol.md``; the file
``docs/protocol.schema.json`` is its output (``python -m panneau.hub.protocol_schema``), and a
test keeps the two equal. The frame fields come from :data:`panneau.hub.wire.CLIENT_FRAMES` and
:data:`~panneau.hub.wire.HUB_FRAMES` (what the codec checks); the payloads and view values are
written here, next to each other, one definition per kind of key (:data:`VIEW_VALUES`).
Msgpack maps, strings, numbers, booleans, nil and arrays map one to one onto JSON, so the
schema validates a decoded msgpack frame as well as its JSON rendering.

Objects allow fields they do not list (changes within v1 are additive); a view key whose
prefix is not listed is refused, so a new kind of key cannot reach the wire undocumented.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from panneau.hub import wire
from panneau.hub.view import SCOPE_PATTERN

__all__ = ["KEY_PATTERNS", "VIEW_VALUES", "build_schema", "kind_of_key"]

_NUMBER = {"type": "number"}
_OPT_NUMBER = {"type": ["number", "null"]}
_OPT_STRING = {"type": ["string", "null"]}
_STATE = {"enum": ["ok", "warn", "alert"]}
_TIME = {"type": ["number", "null"], "description": "UTC epoch seconds"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None,
            description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": sorted(required),
                              "properties": {**required, **(optional or {})}}
    if description:
        schema["description"] = description
    return schema


_MESSAGE = _object(
    {"id": {"type": "string"}, "text": {"type": "string"}, "sender": {"type": "string"},
     "to": _object({"team": _OPT_STRING, "agent": _OPT_STRING}),
     "sent": _NUMBER, "expires": _NUMBER,
     "acked_by": {"type": "array", "items": {"type": "string"},
                  "description": "agents who acknowledged it; an agent sees at most itself"}},
    description="a manager's message; expires at `expires`")
_ALERT = _object(
    {"key": {"type": "string", "description": "<scope>/<window>/<kpi>"}, "state": _STATE,
     "value": _NUMBER, "since": _NUMBER, "text": {"type": "string"}},
    {"previous": {"enum": ["ok", "warn", "alert", None],
                  "description": "null when the figure had no state before"}},
    description="a figure in warn or alert since `since`")
_SOURCE = _object(
    {"status": {"enum": ["starting", "live", "stale", "down"]},
     "since": _TIME, "last_event": _TIME, "plugin": {"type": "string"},
     "feeds": {"type": "array", "items": {"type": "string"},
               "description": "KPI families or ids its events fed (empty: all)"}},
    {"detail": {"type": "string"}, "restarts": {"type": "integer"},
     "accepted": {"type": "integer"}, "skipped": {"type": "integer"},
     "last_skipped": {"type": "string"}},
    description="a source's health; managers also get detail and counters")

#: The value shape of each kind of view key.
VIEW_VALUES: dict[str, dict[str, Any]] = {
    "kpi": {**_NUMBER, "description": "the figure; the key is absent when there is no data"},
    "state": {**_STATE, "description": "absent when no data or no threshold"},
    "target": _object({"target": _OPT_NUMBER, "warn": _OPT_NUMBER, "alert": _OPT_NUMBER,
                       "higher_is_better": {"type": ["boolean", "null"]}}),
    "trend": {"type": "array", "description": "history samples, oldest first: [ts, value]",
              "items": {"type": "array", "prefixItems": [_NUMBER, _NUMBER],
                        "minItems": 2, "maxItems": 2}},
    "ref": _object({}, {"yesterday": _OPT_NUMBER, "last_week": _OPT_NUMBER},
                   description="the same figure at the same time of day, earlier"),
    "agent": _object({"state": {"enum": ["logged_out", "available", "ringing", "on_call",
                                         "wrapup", "paused"]},
                      "since": _TIME, "reason": _OPT_STRING, "name": {"type": "string"}}),
    "source": _SOURCE,
    "message": _MESSAGE,
    "alert": _ALERT,
    "annotation": _object({"text": {"type": "string"}, "by": {"type": "string"},
                           "ts": _NUMBER}, {"until": _TIME},
                          description="a manager's note beside a figure"),
    "insight": _object({"rule": {"type": "string"}, "key": {"type": "string"},
                        "text": {"type": "string"},
                        "figures": {"type": "object",
                                    "additionalProperties": {"type": ["number", "null"]}},
                        "period": {"type": "string"},
                        "severity": {"enum": ["info", "warn", "alert"]}}),
    "objective": _object(
        {"title": {"type": "string"}, "perspective": {"type": "string"}, "team": _OPT_STRING,
         "period": {"type": "string"}, "first": {"type": "string"}, "last": {"type": "string"},
         "progress_pct": _OPT_NUMBER, "status": {"type": "string"},
         "key_results": {"type": "array", "items": _object(
             {"kpi": {"type": "string"}, "label": {"type": "string"},
              "scope": {"type": "string"}, "value": _OPT_NUMBER, "baseline": _OPT_NUMBER,
              "target": _NUMBER, "direction": {"enum": ["higher", "lower"]},
              "deadline": {"type": "string"}, "progress_pct": _OPT_NUMBER,
              "status": {"type": "string"}})}},
        description="an objective and its key results' progress over its period"),
    "scorecard": _object(
        {"scope": {"type": "string"}, "period": {"type": "string"},
         "first": {"type": "string"}, "last": {"type": "string"},
         "rows": {"type": "array", "items": _object(
             {"kpi": {"type": "string"}, "label": {"type": "string"},
              "perspective": {"type": "string"}, "role": {"type": "string"},
              "value": _OPT_NUMBER, "previous": _OPT_NUMBER, "target": _OPT_NUMBER,
              "state": {"enum": ["ok", "warn", "alert", None]}})},
         "links": {"type": "array", "items": _object(
             {"cause": {"type": "string"}, "effect": {"type": "string"},
              "cause_value": _OPT_NUMBER, "effect_value": _OPT_NUMBER,
              "note": {"type": "string"}, "warning": _OPT_STRING})}},
        description="the balanced scorecard of `site`, a group hub's `site:<name>` or "
                    "`team:<id>` for its period"),
    "pulse": _object(
        {"question": {"type": "string"}, "period": {"type": "string"}},
        {"answers": {"type": ["integer", "null"]}, "mean": _OPT_NUMBER,
         "counts": {"type": ["array", "null"], "items": {"type": "integer"},
                    "minItems": 5, "maxItems": 5},
         "answered": {"type": "boolean"},
         "comments": {"type": "array", "items": {"type": "string"}}},
        description="`pulse:team:<id>`: a team's satisfaction-pulse aggregate (null below "
                    "kpi.small_n answers; `comments`, alphabetical, to managers only); "
                    "`pulse:ask`: whether this agent has answered"),
    "meta": _object(
        {"role": {"enum": ["kiosk", "agent", "manager"]}, "identity": {"type": "string"},
         "team": _OPT_STRING, "team_name": _OPT_STRING, "team_figures": {"type": "boolean"},
         "queues": {"type": ["array", "null"], "items": {"type": "string"}},
         "agent": _OPT_STRING, "as_of": _NUMBER,
         "pages": {"type": "array", "items": _object(
             {"title": {"type": "string"}, "kpis": {"type": "array",
                                                   "items": {"type": "string"}}},
             {"window": {"type": "string"}, "dwell_s": _OPT_NUMBER, "trend": _OPT_STRING,
              "kind": {"enum": ["figures", "objectives", "scorecard", "trends"]},
              "by_site": {"type": "boolean"}})},
         "dwell_s": _NUMBER,
         "schedule": {"type": ["object", "null"], "properties": {
             "on": {"type": "string"}, "off": {"type": "string"},
             "days": {"type": "array", "items": {"type": "string"}}}},
         "timezone": {"type": "string"}},
        {"scope": _OPT_STRING, "scopes": {"type": "array", "items": {"type": "string"}},
         "day_start": {"type": "string"},
         "team_agents": {"type": "object",
                         "additionalProperties": {"type": "array", "items": {"type": "string"}}},
         "team_queues": {"type": "object",
                         "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
        description="who the view is for and the kiosk settings; `scope`: a site or group "
                    "wall's own scope (`site`, `site:<name>`) instead of a team; `scopes` "
                    "(managers only): the site-level scopes, teams and queues the "
                    "configuration names, with figures yet or not; `team_agents` (managers "
                    "only): each team's configured agents, in the configuration's order; "
                    "`team_queues` (managers only): each team's configured queues; "
                    "`day_start`: when the `today` window starts (HH:MM in `timezone`)"),
}

#: Key grammar by kind (a scope may hold ``:``, and ``/`` in a name; its kinds:
#: view.SCOPE_KINDS; a window or KPI id never holds ``/``).
KEY_PATTERNS: dict[str, str] = {
    **{kind: f"^{kind}:{SCOPE_PATTERN}/[^/]+/[^/]+$"
       for kind in ("kpi", "state", "trend", "ref", "alert", "annotation")},
    "target": f"^target:{SCOPE_PATTERN}/[^/]+$",
    "insight": "^insight:[^/]+/.+$",
    **{kind: f"^{kind}:.+$" for kind in ("agent", "source", "message", "objective",
                                        "scorecard", "pulse")},
    "meta": "^meta$",
}

_PAYLOADS: dict[tuple[str, str], dict[str, Any]] = {
    ("snapshot", "view"): {"$ref": "#/$defs/view"},
    ("delta", "set"): {"$ref": "#/$defs/view"},
    ("delta", "unset"): {"type": "array", "items": {"type": "string"}},
    ("message", "message"): {"$ref": "#/$defs/value_message"},
    ("alert", "alert"): {"$ref": "#/$defs/value_alert"},
    ("status", "sources"): {"type": "object",
                            "additionalProperties": {"$ref": "#/$defs/value_source"}},
}


def kind_of_key(key: str) -> str | None:
    """The kind of a view key (``kpi``, ``meta``…), or ``None`` for an unknown prefix."""
    kind = key.partition(":")[0]
    return kind if kind in VIEW_VALUES else None


def _field(types: tuple[type, ...]) -> dict[str, Any]:
    names = {str: "string", int: "integer", float: "number", dict: "object", list: "array",
             bool: "boolean", type(None): "null"}
    out = sorted({names[t] for t in types})
    return {"type": out[0] if len(out) == 1 else out}


def _frame(kind: str, fields: wire.Fields, direction: str) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"const": kind}}
    for name, (types, _) in fields.items():
        props[name] = _PAYLOADS.get((kind, name), _field(types))
    required = ["type", *(n for n, (_, req) in fields.items() if req)]
    return {"type": "object", "required": required, "properties": props,
            "description": f"{direction} frame `{kind}`"}


def build_schema() -> dict[str, Any]:
    """The whole protocol as one JSON Schema (draft 2020-12)."""
    defs: dict[str, Any] = {f"value_{kind}": schema for kind, schema in VIEW_VALUES.items()}
    defs["view"] = {
        "type": "object",
        "description": "a view (or a delta's `set`): a flat map, the key's prefix gives its shape",
        "patternProperties": {KEY_PATTERNS[kind]: {"$ref": f"#/$defs/value_{kind}"}
                              for kind in VIEW_VALUES},
        "additionalProperties": False,
    }
    for kind, fields in wire.CLIENT_FRAMES.items():
        defs[f"client_{kind}"] = _frame(kind, fields, "client → hub")
    for kind, fields in wire.HUB_FRAMES.items():
        defs[f"hub_{kind}"] = _frame(kind, fields, "hub → client")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://panneau.invalid/protocol/v1.schema.json",
        "title": f"Panneau wire protocol, version {wire.VERSION}",
        "description": "Every frame is one msgpack map (shown here as JSON). Generated by "
                       "`python -m panneau.hub.protocol_schema`; see docs/protocol.md.",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in defs
                  if name.startswith(("client_", "hub_"))],
        "$defs": defs,
    }


def main() -> None:
    json.dump(build_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
