"""``panneau init [DIR]``: a commented starting config with random tokens, one token file each.

The config runs the simulator (so every screen shows figures at once) for the simulator's teams;
the user swaps it for real sources. Tokens are random (24 URL-safe characters; the hub wants 8 or
more); with ``--hash`` the config keeps only their SHA-256 (``token_sha256``) and the clear tokens
live only in ``DIR/tokens/*.token``. The config, the token folder and files are the user's only
(0600 / 0700). Nothing is overwritten.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panneau.hub.cli.common import add_command, fail
from panneau.hub.plugins import collect_sources

__all__ = ["InitToken", "register", "render_config", "run", "simulator_teams", "write_init"]


@dataclass(frozen=True)
class InitToken:
    """One screen's credential: ``name`` is its token file's stem."""

    name: str
    role: str
    value: str
    team: str | None = None
    agent: str | None = None
    label: str | None = None


def register(subparsers) -> None:
    """Add ``init``."""
    parser = add_command(
        subparsers, "init", "write a commented starting config and a token file per screen",
        "panneau init /etc/panneau --hash", run,
    )
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR",
                        help="where to write panneau.toml and tokens/ (default: here)")
    parser.add_argument("--hash", action="store_true",
                        help="keep only the tokens' SHA-256 in the config (token_sha256)")


def _quote(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def _tokens(teams) -> list[InitToken]:
    def new() -> str:
        return secrets.token_urlsafe(18)  # 24 characters

    tokens = [InitToken("manager", "manager", new(), label="manager")]
    for team in teams:
        tokens.append(InitToken(f"kiosk-{team.id}", "kiosk", new(), team=team.id,
                                label=f"{team.id} wall"))
        tokens += [InitToken(f"agent-{a}", "agent", new(), agent=a) for a in team.agents]
    return tokens


def render_config(database: str, teams, tokens: list[InitToken], hashed: bool) -> str:
    """The config text (TOML with comments)."""
    out = [
        "# Panneau configuration written by `panneau init`. Every option is described in",
        "# panneau.example.toml and docs/ of the source; `panneau config check` validates it.",
        "# This file holds tokens: keep it readable by the hub's user only (it was created 0600).",
        "",
        "[hub]",
        'listen = "127.0.0.1:8765"        # screens\' websocket; "0.0.0.0:8765" for other machines',
        'http_listen = "127.0.0.1:8766"   # webhooks of sources, /healthz, /metrics',
        f'database = "{database}"',
        'timezone = "UTC"                 # your IANA time zone, e.g. "Europe/Paris"',
        "# TLS (wss:// and https://) before opening the ports to the network: docs/security.md",
        '# tls_cert = "/etc/panneau/tls/hub.crt"',
        '# tls_key = "/etc/panneau/tls/hub.key"',
        "",
        "# Teams: who works together and which queues (as the ACD spells them) they answer.",
    ]
    for team in teams:
        out += ["[[teams]]", f'id = "{team.id}"', f'name = "{team.id.title()} team"',
                f"queues = {_quote(list(team.queues))}", f"agents = {_quote(list(team.agents))}",
                ""]
    out += [
        "# Sources: where events come from. This simulator makes the screens show figures at",
        "# once; replace it with your ACD, helpdesk and surveys (docs/sources/).",
        "[[sources]]",
        'name = "sim"',
        'plugin = "simulator"',
        "[sources.options]",
        'scenario = "day"',
        "",
        "# Targets and limits of KPIs (docs/kpis.md): states ok / warn / alert on every screen.",
        "[[thresholds]]", 'kpi = "calls_waiting"', "warn = 3.0", "alert = 6.0", "",
        "[[thresholds]]", 'kpi = "service_level_offered_pct"', "target = 80.0", "warn = 75.0",
        "alert = 60.0", "",
        "# Tokens: one per screen, 8 characters or more. Each clear token is also in",
        "# tokens/<name>.token (0600): give it with --token-file, never on a command line.",
        "# To change one: edit it here and in its file; the running hub takes it, no restart",
        "# (sessions with a removed token are closed: docs/security.md, Rotation).",
    ]
    for t in tokens:
        out.append(f"[[tokens]]  # tokens/{t.name}.token")
        out.append(f'role = "{t.role}"')
        if hashed:
            out.append(f'token_sha256 = "{hashlib.sha256(t.value.encode()).hexdigest()}"')
        else:
            out.append(f'token = "{t.value}"')
        out += [f'{key} = "{value}"' for key, value in
                (("team", t.team), ("agent", t.agent), ("label", t.label)) if value]
    return "\n".join(out) + "\n"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def simulator_teams(pm: Any) -> list[Any]:
    """The teams of the simulator plugin's default options (``id``, ``queues``, ``agents``)."""
    spec = collect_sources(pm).specs.get("simulator") if pm is not None else None
    if spec is None or spec.options is None:
        raise LookupError("the simulator source plugin is not installed")
    return list(spec.options().teams)


def write_init(folder: Path, teams: list[Any], hashed: bool = False) -> list[InitToken]:
    """Write ``folder/panneau.toml`` and ``folder/tokens/*.token``; ``FileExistsError`` if there."""
    folder = folder.resolve()
    config, token_dir = folder / "panneau.toml", folder / "tokens"
    for existing in (config, token_dir):
        if existing.exists():
            raise FileExistsError(f"{existing} exists: nothing was written")
    tokens = _tokens(teams)
    folder.mkdir(parents=True, exist_ok=True)
    token_dir.mkdir(mode=0o700)
    for t in tokens:
        _write_private(token_dir / f"{t.name}.token", t.value + "\n")
    _write_private(config, render_config(str(folder / "panneau.db"), teams, tokens, hashed))
    return tokens


def run(args: argparse.Namespace) -> int:
    """Write the files and say how to start."""
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        return fail("init", f"{folder} is a file, not a folder", 1)
    try:
        tokens = write_init(folder, simulator_teams(args.plugin_manager), args.hash)
    except (OSError, LookupError) as exc:
        return fail("init", exc, 1)
    where = folder.resolve()
    kiosk = next(t for t in tokens if t.role == "kiosk")
    agent = next(t for t in tokens if t.role == "agent")
    hub = "ws://127.0.0.1:8765"
    sys.stdout.write(
        f"wrote {where / 'panneau.toml'} and {len(tokens)} token files in {where / 'tokens'}\n"
        "next:\n"
        f"  panneau hub --config {where / 'panneau.toml'}\n"
        f"  panneau kiosk --hub {hub} --token-file {where / 'tokens' / kiosk.name}.token\n"
        f"  panneau overlay --hub {hub} --token-file {where / 'tokens' / agent.name}.token\n"
        f"  panneau console --hub {hub} --token-file {where / 'tokens' / 'manager.token'}\n")
    return 0
