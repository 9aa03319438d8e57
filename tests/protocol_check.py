"""Check every frame the hub sends against docs/protocol.schema.json (via its generator).

:class:`FrameChecker` validates a decoded hub frame: the envelope with the frame's schema,
then each view key by its kind (pattern and value shape). Views can be large, so values are
checked one by one with small compiled validators instead of one big pattern match.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from jsonschema import Draft202012Validator

from panneau.hub.protocol_schema import KEY_PATTERNS, build_schema, kind_of_key

HINT = ("add it to panneau/hub/protocol_schema.py, regenerate docs/protocol.schema.json "
        "(python -m panneau.hub.protocol_schema > docs/protocol.schema.json) and describe it "
        "in docs/protocol.md")


class FrameChecker:
    """Validates hub → client frames; ``problems`` collects what does not follow the schema."""

    def __init__(self) -> None:
        schema = build_schema()
        defs = schema["$defs"]
        self.frames: dict[str, Draft202012Validator] = {}
        for name, frame in defs.items():
            if not name.startswith("hub_"):
                continue
            frame = copy.deepcopy(frame)
            for field, sub in frame["properties"].items():  # payloads: checked below or here
                if isinstance(sub, dict) and "$ref" in sub:
                    target = sub["$ref"].rsplit("/", 1)[1]
                    frame["properties"][field] = ({"type": "object"} if target == "view"
                                                  else defs[target])
                elif field == "sources":
                    frame["properties"][field] = {
                        "type": "object", "additionalProperties": defs["value_source"]}
            self.frames[name[4:]] = Draft202012Validator(frame)
        self.values = {kind: Draft202012Validator(defs[f"value_{kind}"])
                       for kind in KEY_PATTERNS}
        self.patterns = {kind: re.compile(p) for kind, p in KEY_PATTERNS.items()}
        self.problems: list[str] = []

    def check(self, frame: Any) -> None:
        kind = frame.get("type") if isinstance(frame, dict) else None
        validator = self.frames.get(kind)
        if validator is None:
            self._problem(f"frame type {kind!r} is not in the protocol schema ({HINT})")
            return
        for error in validator.iter_errors(frame):
            self._problem(f"{kind} frame: {error.json_path}: {error.message}")
        view = frame.get("view") if kind == "snapshot" else frame.get("set") if kind == "delta" \
            else None
        if isinstance(view, dict):
            for key, value in view.items():
                self._check_key(kind, key, value)

    def _check_key(self, frame: str, key: str, value: Any) -> None:
        kind = kind_of_key(key)
        if kind is None:
            self._problem(f"{frame}: view key {key!r}: unknown kind of key ({HINT})")
            return
        if not self.patterns[kind].match(key):
            self._problem(f"{frame}: view key {key!r} does not follow {KEY_PATTERNS[kind]}")
        for error in self.values[kind].iter_errors(value):
            self._problem(f"{frame}: {key}{error.json_path[1:]}: {error.message}")

    def _problem(self, text: str) -> None:
        if len(self.problems) < 20 and text not in self.problems:
            self.problems.append(text)
