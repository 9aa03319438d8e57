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
    # nor the hub's engine and config loader (what the kiosk reads of them is in the catalogue
    # and the schema)
    assert not hub_parts_a_wall_does_not_need(modules)


def hub_parts_a_wall_does_not_need(modules: set[str]) -> set[str]:
    """What ``panneau kiosk`` must not load: every plugin, pluggy, the other commands, the
    engine, the config loader (TOML, validation), SQLite (the journal is the hub's; ~1 MiB)."""
    unwanted = ("pluggy", "panneau.plugins.", "panneau.hub.engine", "panneau.hub.config.load",
                "panneau.hub.plugins", "panneau.hub.cli.hub_cmd", "panneau.overlay",
                "panneau.console", "tomllib", "sqlite3", "_sqlite3")
    return {m for m in modules if m.startswith(unwanted)}


#: ``panneau kiosk`` up to where the app starts drawing (``KioskApp.run``, which here notes
#: what the command line and the kiosk have imported by then instead of running).
KIOSK_START = """
import json, sys
import panneau.kiosk.app
seen = {}
def run(self):
    seen["modules"] = sorted(sys.modules)
    seen["client"] = type(self.client).__name__
panneau.kiosk.app.KioskApp.run = run
from panneau.hub.cli.main import main
code = main(["--log-level", "warning", "kiosk", "--hub", "ws://127.0.0.1:9", "--token", "t"])
print(json.dumps({"code": code, **seen}))
"""


def test_panneau_kiosk_starts_without_the_plugins_engine_or_config_loader():
    """A wall runs ``panneau kiosk``: it loads its client and nothing of the hub it does not
    use (about 10 MiB: every source plugin, pluggy, the other commands, engine, loader)."""
    out = subprocess.run([sys.executable, "-c", KIOSK_START], capture_output=True, text=True,
                         check=True, timeout=60)
    started = json.loads(out.stdout)
    assert started["code"] == 0 and started["client"] == "HubClient"
    modules = set(started["modules"])
    assert "panneau.hub.client" in modules
    # what websockets imports and a wall never reads is left unrun (panneau.hub.leanimports)
    assert not {"email", "http.client", "zipfile", "csv"} & modules
    assert not hub_parts_a_wall_does_not_need(modules)


CLIENT_IMPORT = """
import json, sys
from panneau.hub.leanimports import defer_websockets_extras
defer_websockets_extras()
import panneau.hub.client
before = sorted(m for m in ("email", "http.client", "zipfile", "csv") if m in sys.modules)
import importlib.metadata, urllib.request
version = importlib.metadata.version("websockets")
print(json.dumps({"before": before, "version": version,
                  "proxies": isinstance(urllib.request.getproxies(), dict)}))
"""


def test_the_hub_client_leaves_what_websockets_imports_unused_unrun():
    """websockets imports ``importlib.metadata`` and ``urllib.request`` (email, http.client,
    zipfile… about 1.2 MiB) and a wall never reads them: they run on first use, and work."""
    out = subprocess.run([sys.executable, "-c", CLIENT_IMPORT], capture_output=True, text=True,
                         check=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    seen = json.loads(out.stdout)
    assert seen["before"] == []
    assert seen["version"] and seen["proxies"]


THREADS_FIRST_USE = """
import json, sys, threading
from panneau.hub.leanimports import defer_websockets_extras
defer_websockets_extras()
import panneau.hub.client
module = sys.modules["importlib.metadata"]
unrun = type(module).__name__ == "_OnFirstUse"
start, found = threading.Barrier(8), []
def read():
    start.wait()
    found.append(module.PackageNotFoundError)
threads = [threading.Thread(target=read) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"unrun_before": unrun,
                  "runs": len({id(c) for c in found}), "reads": len(found)}))
"""


def test_a_module_left_unrun_runs_once_when_threads_read_it_together():
    """``importlib.metadata``, left unrun by the hub client, runs once for eight threads
    reading it at the same moment: they all get the same classes."""
    out = subprocess.run([sys.executable, "-c", THREADS_FIRST_USE], capture_output=True,
                         text=True, check=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == {"unrun_before": True, "runs": 1, "reads": 8}


def test_the_hub_client_as_a_library_leaves_the_import_machinery_alone():
    """Only the screen commands defer modules: a program importing the hub client (a hub, a
    test run) keeps the standard library's modules as they are."""
    code = ("import json, sys, panneau.hub.client\n"
            "print(json.dumps(type(sys.modules['importlib.metadata']).__name__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(out.stdout) == "module"
