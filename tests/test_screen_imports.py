"""Each screen builds on what ``panneau.hub`` provides and on nothing of another screen."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCREENS = ("panneau.kiosk", "panneau.overlay", "panneau.console")


def loaded_after(module: str) -> set[str]:
    """The ``panneau`` modules a fresh interpreter holds after importing ``module``."""
    code = (f"import json, sys, {module}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('panneau'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    return set(json.loads(out.stdout))


def screens_in(modules: set[str]) -> set[str]:
    return {s for s in SCREENS if any(m == s or m.startswith(f"{s}.") for m in modules)}


@pytest.mark.parametrize("screen", SCREENS)
def test_a_screen_imports_no_other_screen(screen):
    modules = loaded_after(f"{screen}.app")
    assert "panneau.hub.screenapp" in modules  # the one base they share
    assert screens_in(modules) == {screen}


def test_the_screen_base_imports_no_screen():
    assert not screens_in(loaded_after("panneau.hub.screenapp"))


def test_a_screen_given_its_view_loads_no_hub_client():
    """The kiosk drawing a view it was given (tests, snapshots, bench_kiosk's RSS figure)
    does not pay for the client's websockets and TLS stack; ``kiosk run`` imports it."""
    code = ("import json, sys, panneau.kiosk.app\n"
            "print(json.dumps(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    modules = set(json.loads(out.stdout))
    assert "panneau.hub.screenapp" in modules
    assert not {m for m in modules if m == "websockets" or m.startswith("websockets.")}
    assert "panneau.hub.client" not in modules
