"""``panneau hub``: run the hub server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

import pluggy

from panneau.hub.cli.common import add_command
from panneau.hub.config import ConfigError, load_config
from panneau.hub.plugins import collect_sources, make_plugin_manager

__all__ = ["register", "run", "run_hub"]


def register(subparsers) -> None:
    """Add ``hub``."""
    parser = add_command(
        subparsers, "hub", "run the hub: sources in, KPIs out to every screen",
        "panneau hub --config panneau.toml", run,
    )
    parser.add_argument("--config", default="panneau.toml", metavar="FILE",
                        help="configuration file (default: panneau.toml)")


def run(args: argparse.Namespace) -> int:
    """Load the config, run the hub until SIGINT/SIGTERM."""
    return run_hub(args.config, args.plugin_manager)


def run_hub(config_path: str, pm: pluggy.PluginManager | None) -> int:
    """Run the hub of ``config_path`` with plugin manager ``pm``; returns the exit code."""
    pm = pm if pm is not None else make_plugin_manager()
    try:
        config = load_config(config_path, collect_sources(pm))
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    from panneau.hub.server.tls import TlsError

    try:
        asyncio.run(_serve(config, pm))
    except TlsError as exc:
        sys.stderr.write(f"panneau hub: TLS: {exc}\n")
        return 2
    except OSError as exc:  # e.g. the port is taken
        sys.stderr.write(f"panneau hub: {exc}\n")
        return 1
    return 0


async def _serve(config, pm: pluggy.PluginManager) -> None:
    from panneau.hub.server.app import Hub

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with Hub(config, pm=pm) as hub:
        sys.stdout.write(f"panneau hub: websocket {hub.ws_url}  http {hub.http_url}\n")
        sys.stdout.flush()
        await stop.wait()
