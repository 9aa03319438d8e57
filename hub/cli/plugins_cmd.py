"""``panneau plugins``: what is loaded, where from, what it offers and what went wrong."""

from __future__ import annotations

import argparse
import json
import sys

from panneau.hub.cli.common import add_command
from panneau.hub.plugins import (
    collect_commands,
    collect_insights,
    collect_sources,
    plugin_infos,
)


def register(subparsers) -> None:
    """Add ``plugins``."""
    parser = add_command(
        subparsers, "plugins", "list installed plugins, where they come from and their sources",
        "panneau plugins --json", run,
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Print one block per plugin, then the plugins skipped and what was refused.

    Exit status 0 even when some plugin failed: the others work (the failures are listed)."""
    from panneau.hub.cli.main import builtin_commands

    pm = args.plugin_manager
    sources = collect_sources(pm)
    commands, insights = collect_commands(pm, builtin_commands()), collect_insights(pm)
    refused = sources.refused + insights.refused + commands.refused
    failed = [{"name": f.name, "origin": f.origin, "error": f.error}
              for f in getattr(pm, "failures", ())]
    rows = []
    for info in plugin_infos(pm):
        rows.append({"name": info.name, "origin": info.origin, "hooks": list(info.hooks),
                     "sources": sorted(n for n, p in sources.provider.items() if p == info.name),
                     "insights": sorted(n for n, p in insights.provider.items()
                                        if p == info.name),
                     "commands": sorted(n for n, p in commands.provider.items()
                                        if p == info.name)})
    if args.json:
        sys.stdout.write(json.dumps({"plugins": rows, "failed": failed, "refused": refused},
                                    indent=2))
        sys.stdout.write("\n")
        return 0
    for row in rows:
        sys.stdout.write(f"{row['name']}  [{row['origin']}]\n")
        for what, label in (("sources", "sources"), ("insights", "insight rules"),
                            ("commands", "commands")):
            if row[what]:
                sys.stdout.write(f"    {label}: {', '.join(row[what])}\n")
        sys.stdout.write(f"    hooks: {', '.join(row['hooks']) or '-'}\n")
    for failure in failed:
        sys.stdout.write(f"failed: {failure['name']} [{failure['origin']}]: "
                         f"{failure['error']}\n")
    for message in refused:
        sys.stdout.write(f"refused: {message}\n")
    if not rows:
        sys.stdout.write("no plugins loaded\n")
    return 0
