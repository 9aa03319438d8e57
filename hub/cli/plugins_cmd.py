"""``panneau plugins``: what is loaded and where from."""

from __future__ import annotations

import argparse
import json
import sys

from panneau.hub.cli.common import add_command
from panneau.hub.plugins import collect_insights, collect_sources, plugin_infos


def register(subparsers) -> None:
    """Add ``plugins``."""
    parser = add_command(
        subparsers, "plugins", "list installed plugins, where they come from and their sources",
        "panneau plugins --json", run,
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Print one block per plugin."""
    pm = args.plugin_manager
    if pm is None:
        sys.stderr.write("panneau: plugins could not be loaded (see the error above)\n")
        return 1
    registry, insights = collect_sources(pm), collect_insights(pm)
    refused = registry.refused + insights.refused
    rows = []
    for info in plugin_infos(pm):
        sources = sorted(n for n, p in registry.provider.items() if p == info.name)
        rules = sorted(n for n, p in insights.provider.items() if p == info.name)
        rows.append({"name": info.name, "origin": info.origin, "hooks": list(info.hooks),
                     "sources": sources, "insights": rules})
    if args.json:
        sys.stdout.write(json.dumps({"plugins": rows, "refused": refused}, indent=2))
        sys.stdout.write("\n")
        return 0
    for row in rows:
        sys.stdout.write(f"{row['name']}  [{row['origin']}]\n")
        if row["sources"]:
            sys.stdout.write(f"    sources: {', '.join(row['sources'])}\n")
        if row["insights"]:
            sys.stdout.write(f"    insight rules: {', '.join(row['insights'])}\n")
        sys.stdout.write(f"    hooks: {', '.join(row['hooks']) or '-'}\n")
    for message in refused:
        sys.stdout.write(f"refused: {message}\n")
    if not rows:
        sys.stdout.write("no plugins loaded\n")
    return 0
