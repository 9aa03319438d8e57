"""``panneau hub``: run the hub server.

SIGHUP reloads the configuration file (so does a change of the file: see
:mod:`panneau.hub.server.reload`).

SIGINT or SIGTERM stops the hub, and the process ends within a bounded time whatever a plugin
does: blocking calls of sources run in the hub's own thread pool, which is not waited for
beyond :data:`THREADS_GRACE_S` (a thread stuck in ``asyncio.to_thread`` would otherwise keep
the process alive after "stopped", and systemd would never restart it); and should the stop
itself hang (a plugin blocking the event loop), the process exits after
:data:`STOP_DEADLINE_S`.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import ipaddress
import logging
import os
import re
import signal
import stat
import sys
import threading
import time

import pluggy

from panneau.hub.cli.common import add_command, fail
from panneau.hub.cli.ports import listen_problem
from panneau.hub.config import Config, ConfigError, HubSettings, load_config
from panneau.hub.config.advice import config_warnings
from panneau.hub.config.validate import format_path
from panneau.hub.plugins import SourceRegistry, collect_sources, make_plugin_manager

__all__ = ["STOP_DEADLINE_S", "THREADS_GRACE_S", "clear_text_warning", "register", "run",
           "run_hub", "secrets_held", "shared_file_warning"]

log = logging.getLogger(__name__)
#: How long source threads still busy after the hub stopped are waited for.
THREADS_GRACE_S = 3.0
#: How long after SIGTERM/SIGINT the process exits even if stopping the hub has not finished.
STOP_DEADLINE_S = 60.0
_THREAD_PREFIX = "panneau-io"
#: A source option that holds a secret (``secret_env``, a variable's name, does not).
_SECRET_KEY = re.compile(r"(secret|password|token)$")


def clear_text_warning(hub: HubSettings) -> str | None:
    """A warning when a port is open beyond this machine without TLS; else ``None``."""
    if hub.tls_cert:
        return None
    exposed = [f"{key} {value}" for key, value in (("listen", hub.listen),
                                                   ("http_listen", hub.http_listen))
               if not _loopback(value.rpartition(":")[0].strip("[]"))]
    if not exposed:
        return None
    return (f"{', '.join(exposed)}: open to the network without TLS, so tokens and figures "
            "cross it in clear text; set tls_cert and tls_key (docs/security.md)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name, or "" (every address)


def shared_file_warning(path: str, what: str) -> str | None:
    """A warning when ``path`` exists and other users may read it; else ``None``."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not stat.S_ISREG(mode) or not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None  # a folder is no file to chmod: the hub refuses it as a database
    return (f"{path} {what} and other users may read it (mode {stat.filemode(mode)}): "
            f"chmod 600 {path}")


def secrets_held(config: Config) -> str | None:
    """What secrets the config file holds, for the warning about who may read it: its
    tokens (``token``; a ``token_sha256`` is a digest, not one) and the sources' options
    named as secrets (``secret``, ``password``, ``api_token``…); ``None`` when none."""
    held = ["tokens"] if any(tok.token for tok in config.tokens) else []
    held += [f"the {key} of source {source.name}" for source in config.sources
             for key, value in source.options.items()
             if value and isinstance(value, str) and _SECRET_KEY.search(key)]
    return ", ".join(held) or None


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
    sources = collect_sources(pm, hub=True)  # once: the hub is given them (Hub sources)
    try:
        config = load_config(config_path, sources)
    except ConfigError as exc:
        return fail("hub", exc)
    problem = listen_problem(config.hub, config_path)
    if problem is not None:  # before the database is opened, let alone written
        return fail("hub", problem, 1)
    secrets = secrets_held(config)
    for path, what in (((config_path, f"holds {secrets}"),) if secrets else ()) + (
            (config.hub.database, "holds messages"),):
        warning = shared_file_warning(path, what)
        if warning:
            log.warning(warning)
    warning = clear_text_warning(config.hub)
    if warning:
        log.warning(warning)
    for issue in config_warnings(config):
        log.warning("%s: %s: %s", config_path, format_path(issue.path), issue.message)
    from panneau.hub.server.app import HubBroken
    from panneau.hub.server.tls import TlsError

    loop = asyncio.new_event_loop()
    threads = concurrent.futures.ThreadPoolExecutor(thread_name_prefix=_THREAD_PREFIX)
    loop.set_default_executor(threads)  # asyncio.to_thread runs here
    code = 0
    try:
        loop.run_until_complete(_serve(config, pm, config_path, sources))
    except TlsError as exc:
        code = fail("hub", f"TLS: {exc}")
    except HubBroken as exc:  # logged with its traceback where it happened
        code = fail("hub", exc, 1)
    except OSError as exc:  # e.g. a port taken since listen_problem looked
        code = fail("hub", exc.strerror or exc, 1)
    finally:
        _close(loop)
    threads.shutdown(wait=False, cancel_futures=True)
    if not _threads_done(THREADS_GRACE_S):
        busy = ", ".join(t.name for t in _busy_threads())
        log.warning("source threads still busy after the hub stopped (%s): exiting anyway",
                    busy)
        _exit_now(code)
    return code


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """What ``asyncio.run`` does on the way out, except waiting for the thread pool."""
    try:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=THREADS_GRACE_S))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()  # shuts the thread pool down without waiting for it


def _busy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if t.name.startswith(_THREAD_PREFIX) and t.is_alive()]


def _threads_done(grace_s: float) -> bool:
    deadline = time.monotonic() + grace_s
    for thread in _busy_threads():
        thread.join(max(0.0, deadline - time.monotonic()))
    return not _busy_threads()


def _exit_now(code: int) -> None:
    """End the process without waiting for threads (flush what was written first)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _deadline() -> None:
    log.error("the hub did not stop within %.0f s of the signal: exiting", STOP_DEADLINE_S)
    _exit_now(1)


async def _serve(config, pm: pluggy.PluginManager, config_path: str,
                 sources: SourceRegistry | None = None) -> None:
    from panneau.hub.server.app import Hub

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if not stop.is_set():
            stop.set()
            timer = threading.Timer(STOP_DEADLINE_S, _deadline)
            timer.daemon = True
            timer.start()

    hub = Hub(config, pm=pm, config_path=config_path, sources=sources)

    def on_hangup() -> None:
        if hub.reloader is not None and hub._started:  # before: the file is loaded anyway
            hub.reloader.reload_file()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, on_signal)
    with contextlib.suppress(NotImplementedError, AttributeError):  # no SIGHUP on Windows
        loop.add_signal_handler(signal.SIGHUP, on_hangup)
    async with hub:
        ws_url, http_url = hub.screen_urls
        sys.stdout.write(f"panneau hub: websocket {ws_url}  http {http_url}\n")
        sys.stdout.flush()
        serving, stopping = (asyncio.ensure_future(hub.serve_forever()),
                             asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait((serving, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (serving, stopping):
                task.cancel()
        if serving.done() and not serving.cancelled():
            serving.result()  # HubBroken: leaving `async with` stops the hub first
