"""docs/simulator.md documents every option and scenario."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from panneau.plugins.simulator import SCENARIOS, SimQueue, SimTeam, SimulatorOptions

DOC = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
FIELDS = [f.name for cls in (SimulatorOptions, SimQueue, SimTeam)
          for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("name", FIELDS)
def test_every_option_is_documented(name):
    assert f"| `{name}` |" in DOC


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_is_documented(name):
    assert f"| `{name}` |" in DOC
