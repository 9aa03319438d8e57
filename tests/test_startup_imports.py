"""Every ``panneau`` command loads the plugins; that must not pay for an HTTP client.

The helpdesk sources import httpx where they open a connection (``run_polling``, a
``Fetcher``'s request, ``client_settings``), so ``panneau replay`` starts without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("httpx", "httpcore", "h11")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    code += ("\nimport json, sys\n"
             "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    return set(json.loads(out.stderr.rpartition("MODULES ")[2]))


def heavy_in(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_loading_every_plugin_imports_no_http_client():
    modules = modules_after("from panneau.hub.plugins import collect_sources, make_plugin_manager\n"
                            "specs = collect_sources(make_plugin_manager()).specs\n"
                            "assert {'zendesk', 'freshdesk', 'asterisk_queue_log'} <= set(specs)")
    assert "panneau.plugins.zendesk.options" in modules
    assert "panneau.hub.toolkit.fetch" in modules
    assert not heavy_in(modules)


def test_panneau_replay_imports_no_http_client(tmp_path: Path):
    log = tmp_path / "queue_log"
    log.write_text("1700000000|1|Q1|NONE|ENTERQUEUE||100|1\n", encoding="utf-8")
    modules = modules_after(
        "from panneau.hub.cli.main import main\n"
        f"assert main(['replay', 'queue_log', {str(log)!r}, '--json', '--processes', '1']) == 0")
    assert "panneau.hub.engine" in modules
    assert not heavy_in(modules)


def test_a_helpdesk_source_still_gets_its_client_settings():
    """What moved inside the functions still runs: httpx arrives when it is asked for."""
    modules = modules_after(
        "from panneau.plugins.zendesk.options import ZendeskOptions, client_settings\n"
        "s = client_settings(ZendeskOptions(subdomain='acme', email='a@b.c', api_token='t'), {})\n"
        "assert type(s['auth']).__name__ == 'BasicAuth'")
    assert "httpx" in modules
