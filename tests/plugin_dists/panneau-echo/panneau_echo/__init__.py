"""A tiny third-party plugin used by Panneau's tests: one source that logs agents in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from panneau.hub.events import AgentLoggedIn
from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec


@dataclass
class EchoOptions:
    """Options of the echo source."""

    agents: list[str] = field(default_factory=list)


class EchoSource:
    """Emits one login per configured agent, then idles."""

    def __init__(self, options: EchoOptions) -> None:
        self.options = options

    async def run(self, ctx) -> None:
        done = ctx.checkpoint or 0
        for i, agent in enumerate(self.options.agents[done:], start=done):
            await ctx.emit([AgentLoggedIn(ts=ctx.now(), source=ctx.name, source_pos=str(i),
                                          agent=agent)], checkpoint=i + 1)
        ctx.set_status("live")
        await asyncio.Event().wait()


@hookimpl
def register_sources(register):
    register(SourceSpec(name="echo", factory=EchoSource, options=EchoOptions,
                        description="test source: logs the configured agents in"))
