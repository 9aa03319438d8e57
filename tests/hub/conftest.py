"""Fixtures of the hub tests: a config, test sources through a real plugin manager, a hub.

The ``feed`` source emits one call a step (``CallEntered`` then ``CallAnswered``), checkpoint
= calls emitted; options make it fail, hang or block the loop after some calls. The
``posted`` source emits what a test POSTs to its webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from dataclasses import dataclass

import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.config import parse_config
from panneau.hub.config.schema import Config, SourceConfig
from panneau.hub.events import (
    AgentLoggedIn,
    CallAnswered,
    CallEntered,
    Event,
    event_from_dict,
    event_to_dict,
)
from panneau.hub.hookspecs import hookimpl
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.hub.sources import HttpResponse, SourceSpec

AGENTS = {"support": ["ag-ann", "ag-ben", "ag-cid"], "sales": ["ag-dee", "ag-eve"]}
MANAGER = "manager-token-1"


def agent_token(agent: str) -> str:
    return f"agent-token-{agent}"


def kiosk_token(team: str) -> str:
    return f"kiosk-token-{team}"


@dataclass
class FeedOptions:
    count: int = 0  # calls to emit; 0: forever
    interval_s: float = 0.005
    fail_after: int = 0  # raise after this many calls in a run (0: never)
    exit_after: int = 0  # call sys.exit(3) after this many calls in a run (0: never)
    hang_after: int = 0  # stop emitting (but stay "live") after this many calls
    block_s: float = 0.0  # then block the event loop this long (time.sleep)
    heartbeat_s: float = 0.0  # while hanging, say "quiet but current" this often
    block_at_start_s: float = 0.0  # block the loop this long first, then hang (never live)
    block_in_task_s: float = 0.0  # then block the loop this long in a task it starts
    answer: bool = True  # False: calls only queue (calls_waiting grows)
    route_twice: bool = False  # add its webhook route a second time (refused)


class FeedSource:
    def __init__(self, options: FeedOptions) -> None:
        self.options = options

    async def run(self, ctx) -> None:
        opts, pos, in_run = self.options, ctx.checkpoint or 0, 0
        if opts.block_at_start_s:  # a plugin connecting with a blocking call, then waiting
            time.sleep(opts.block_at_start_s)
            await asyncio.Event().wait()
        ctx.set_status("live")
        ctx.add_route("POST", "ping", self._ping)
        if opts.route_twice:
            ctx.add_route("post", "/ping", self._ping)
        agents = [a for team in AGENTS.values() for a in team]
        if pos == 0:
            await ctx.emit([AgentLoggedIn(ts=ctx.now(), agent=a, queue=None) for a in agents])
        while opts.count == 0 or pos < opts.count:
            if opts.fail_after and in_run >= opts.fail_after:
                raise RuntimeError("feed broke on purpose")
            if opts.exit_after and in_run >= opts.exit_after:
                sys.exit(3)  # what some libraries do on a fatal error
            if opts.hang_after and in_run >= opts.hang_after:
                if opts.block_s:
                    time.sleep(opts.block_s)
                if opts.block_in_task_s:  # a connection handler, a task of its own...
                    self.task = asyncio.get_running_loop().create_task(
                        _block_soon(opts.block_in_task_s))
                while opts.heartbeat_s:
                    ctx.heartbeat()
                    await asyncio.sleep(opts.heartbeat_s)
                await asyncio.Event().wait()
            now, call = ctx.now(), f"c{pos}"
            agent = agents[pos % len(agents)]
            queue = "support" if agent in AGENTS["support"] else "sales"
            events = [CallEntered(ts=now, call_id=call, queue=queue, source_pos=str(pos))]
            if opts.answer:
                events.append(CallAnswered(ts=now, call_id=call, queue=queue, agent=agent,
                                           hold_s=1.0, source_pos=str(pos)))
            await ctx.emit(events, checkpoint=pos + 1)
            pos += 1
            in_run += 1
            await asyncio.sleep(opts.interval_s)
        await asyncio.Event().wait()

    async def _ping(self, request):
        if request.body == b"boom":
            raise ValueError("bad body")
        if request.body.startswith(b"block "):  # a blocking call in a webhook handler
            time.sleep(float(request.body.split()[1]))
        if request.body == b"exit":
            sys.exit(3)
        return HttpResponse(200, {"got": request.body.decode(), "path": request.path})


async def _block_soon(seconds: float) -> None:
    await asyncio.sleep(0.05)
    time.sleep(seconds)


@dataclass
class PostedOptions:
    """No options."""


class PostedSource:
    """A test webhook source: emits the events POSTed to ``/hooks/<name>/events`` (the body
    :func:`posted_body` makes) and answers ``{"emitted": <n>}`` once they are accepted."""

    def __init__(self, options: PostedOptions) -> None:
        self.ctx = None

    async def run(self, ctx) -> None:
        self.ctx = ctx
        ctx.add_route("POST", "events", self._post)
        ctx.set_status("live")
        await asyncio.Event().wait()

    async def _post(self, request) -> HttpResponse:
        events = [event_from_dict(data) for data in json.loads(request.body)]
        await self.ctx.emit(events)
        return HttpResponse(200, {"emitted": len(events)})


def posted_body(events: list[Event]) -> bytes:
    """The body of a POST that makes a ``test_posted`` source emit ``events``."""
    return json.dumps([event_to_dict(e) for e in events]).encode()


class FeedPlugin:
    """The hub tests' sources: ``test_feed`` and ``test_posted``."""

    @hookimpl
    def register_sources(self, register):
        register(SourceSpec(name="test_feed", factory=FeedSource, options=FeedOptions,
                            description="hub tests: emits calls"))
        register(SourceSpec(name="test_posted", factory=PostedSource, options=PostedOptions,
                            description="hub tests: emits the events posted to it"))


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def config_text(db: str, feed: dict | None = None, stale_after_s: float | None = None,
                **hub: object) -> str:
    settings = {"listen": "127.0.0.1:0", "http_listen": "127.0.0.1:0", "database": db,
                "max_frames_per_s": 20.0, **hub}
    lines = ["[hub]", *(f"{k} = {v!r}".replace("'", '"') for k, v in settings.items())]
    for team, agents in AGENTS.items():
        lines += ["[[teams]]", f'id = "{team}"', f'queues = ["{team}"]',
                  "agents = [" + ", ".join(f'"{a}"' for a in agents) + "]"]
    if feed is not None:
        lines += ["[[sources]]", 'name = "feed"', 'plugin = "test_feed"']
        if stale_after_s is not None:
            lines.append(f"stale_after_s = {stale_after_s}")
        lines += ["[sources.options]",
                  *(f"{k} = {_toml(v)}" for k, v in feed.items())]
    lines += ["[[thresholds]]", 'kpi = "calls_waiting"', "warn = 3.0", "alert = 6.0"]
    lines += ["[[kiosk.pages]]", 'title = "Calls"', 'kpis = ["answered", "offered"]',
              'trend = "answered"', "[[kiosk.pages]]", 'title = "Now"', 'window = "now"',
              'kpis = ["calls_waiting"]']
    lines += ["[[tokens]]", 'role = "manager"', f'token = "{MANAGER}"', 'label = "boss"']
    for team, agents in AGENTS.items():
        lines += ["[[tokens]]", 'role = "kiosk"', f'token = "{kiosk_token(team)}"',
                  f'team = "{team}"']
        for agent in agents:
            lines += ["[[tokens]]", 'role = "agent"', f'token = "{agent_token(agent)}"',
                      f'agent = "{agent}"']
    return "\n".join(lines) + "\n"


class _OneSource:
    """A plugin offering one source: ``spec``."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    @hookimpl
    def register_sources(self, register):
        register(self.spec)


def source_hub(config: str | Config, spec: SourceSpec, *, name: str = "pbx", pm=None,
               **hub_kwargs: object) -> Hub:
    """A hub (not started: ``async with source_hub(...) as hub``) running one source of a
    test's own plugin: ``spec`` registered on ``pm`` (default: a fresh manager with the
    built-ins), and a ``[[sources]]`` entry ``name`` of it added to ``config`` (TOML text, or
    a config already parsed)."""
    if pm is None:
        pm = make_plugin_manager(load_entry_points=False)
    pm.register(_OneSource(spec), name=f"test-{spec.name}-plugin")
    if isinstance(config, str):
        entry = f'[[sources]]\nname = "{name}"\nplugin = "{spec.name}"\n'
        config = parse_config(f"{config.rstrip()}\n{entry}", "test.toml")
    else:
        config.sources.append(SourceConfig(name=name, plugin=spec.name))
    return Hub(config, pm=pm, **hub_kwargs)


@pytest.fixture
def start_hub(tmp_path, feed_pm):
    """``async with start_hub(feed={...}, **hub_settings) as hub``."""

    @contextlib.asynccontextmanager
    async def start(feed=None, stale_after_s=None, hub_kwargs=None, **settings):
        text = config_text(str(tmp_path / "hub.db"), feed, stale_after_s, **settings)
        config = parse_config(text, "test.toml")
        async with Hub(config, pm=feed_pm, **(hub_kwargs or {})) as hub:
            yield hub

    return start


async def hello(url: str, token: str, **extra):
    """A raw websocket that has sent its hello."""
    # a generous handshake bound: a busy machine may take seconds to accept 200 clients
    ws = await connect(url, max_size=None, max_queue=None, close_timeout=1, open_timeout=60)
    await ws.send(wire.encode({"type": "hello", "v": 1, "token": token, **extra}))
    return ws


async def recv(ws, timeout: float = 5.0) -> dict:
    """The next hub frame, decoded."""
    return wire.decode_hub(await asyncio.wait_for(ws.recv(), timeout))


async def recv_until(ws, predicate, timeout: float = 5.0, limit: int = 500) -> list[dict]:
    """Frames received until one satisfies ``predicate`` (that one last)."""
    frames = []
    async with asyncio.timeout(timeout):
        for _ in range(limit):
            frames.append(await recv(ws, timeout))
            if predicate(frames[-1]):
                return frames
    raise AssertionError(f"no matching frame in {len(frames)} frames")


async def eventually(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate()`` until it holds; fail after ``timeout`` seconds (never a fixed wait)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
    assert predicate(), what


class Tools:
    """Helpers handed to tests by the ``tools`` fixture (conftest modules are not imported)."""

    AGENTS = AGENTS
    MANAGER = MANAGER
    agent_token = staticmethod(agent_token)
    kiosk_token = staticmethod(kiosk_token)
    hello = staticmethod(hello)
    recv = staticmethod(recv)
    recv_until = staticmethod(recv_until)
    eventually = staticmethod(eventually)
    config_text = staticmethod(config_text)
    posted_body = staticmethod(posted_body)
    source_hub = staticmethod(source_hub)


@pytest.fixture
def tools():
    return Tools
