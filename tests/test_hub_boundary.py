"""The hub imports no screen and no particular plugin: they come in through the hooks."""

from __future__ import annotations

import json
import subprocess
import sys

IMPORT_ALL = """
import json, pkgutil, sys, importlib
import panneau.hub
for info in pkgutil.walk_packages(panneau.hub.__path__, "panneau.hub."):
    importlib.import_module(info.name)
from panneau.hub.cli.main import build_parser
build_parser()
print(json.dumps(sorted(m for m in sys.modules if m.startswith("panneau"))))
"""
FORBIDDEN = ("panneau.kiosk", "panneau.overlay", "panneau.console", "panneau.plugins.")


def test_importing_every_hub_module_and_its_cli_imports_no_screen_and_no_source():
    out = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True,
                         check=True, timeout=120)
    modules = json.loads(out.stdout)
    assert "panneau.hub.cli.main" in modules and "panneau.hub.server.app" in modules
    assert [m for m in modules if m.startswith(FORBIDDEN)] == []


def test_with_the_plugins_loaded_the_screens_and_sources_bring_their_commands():
    code = ("import json; from panneau.hub.cli.main import build_parser\n"
            "from panneau.hub.plugins import make_plugin_manager\n"
            "p = build_parser(make_plugin_manager(load_entry_points=False))\n"
            "print(json.dumps(list(p._subparsers._group_actions[0].choices)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    names = json.loads(out.stdout)
    assert {"kiosk", "overlay", "console", "demo", "import-survey"} <= set(names)
    assert names.index("hub") < names.index("demo")  # built-ins first, then the plugins'
