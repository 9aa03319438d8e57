"""docs/protocol.schema.json is the generator's output, and the examples in docs/protocol.md
follow it; the frame checker every runtime test uses refuses what the schema does not allow."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator

from panneau.hub import wire
from panneau.hub.protocol_schema import build_schema
from tests.protocol_check import FrameChecker

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_schema_file_is_the_generated_schema():
    on_disk = json.loads((DOCS / "protocol.schema.json").read_text())
    assert on_disk == build_schema(), (
        "docs/protocol.schema.json is out of date: "
        "python -m panneau.hub.protocol_schema > docs/protocol.schema.json")
    Draft202012Validator.check_schema(on_disk)


def test_every_frame_of_the_codec_is_in_the_schema():
    defs = build_schema()["$defs"]
    for kind, fields in wire.CLIENT_FRAMES.items():
        assert set(fields) <= set(defs[f"client_{kind}"]["properties"])
    for kind, fields in wire.HUB_FRAMES.items():
        assert set(fields) <= set(defs[f"hub_{kind}"]["properties"])


def test_the_examples_in_protocol_md_follow_the_schema():
    validator = Draft202012Validator(build_schema())
    text = (DOCS / "protocol.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    frames = [json.loads(line) for block in blocks for line in _frames(block)]
    assert len(frames) >= 10
    for frame in frames:
        errors = [e.message for e in validator.iter_errors(frame)]
        assert not errors, (frame.get("type"), errors[:3])


def _frames(block: str) -> list[str]:
    """The JSON values of a block: one per line, or one spread over several lines."""
    out, current = [], ""
    for line in block.splitlines():
        current += line
        try:
            json.loads(current)
        except ValueError:
            continue
        out.append(current)
        current = ""
    assert not current.strip(), f"unparsable example: {current[:80]}"
    return out


def test_the_checker_refuses_unknown_keys_and_wrong_shapes():
    checker = FrameChecker()
    checker.check({"type": "delta", "epoch": "e", "seq": 1, "unset": [],
                   "set": {"kpi:team:a/today/answered": 3,
                           "kpi:team:a/answered": 3,
                           "state:team:a/today/answered": "green",
                           "shiny:thing": 1,
                           "agent:ann": {"state": "asleep", "since": 0, "reason": None,
                                         "name": "ann"}}})
    checker.check({"type": "surprise"})
    text = "\n".join(checker.problems)
    assert "'kpi:team:a/answered' does not follow" in text
    assert "state:team:a/today/answered: 'green' is not one of" in text
    assert "'shiny:thing': unknown kind of key" in text
    assert "agent:ann.state: 'asleep' is not one of" in text
    assert "frame type 'surprise' is not in the protocol schema" in text
    assert "kpi:team:a/today/answered" not in text.replace("state:team:a/today/answered", "")
