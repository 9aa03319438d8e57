"""The built-in ``simulator`` source: a believable contact centre for demos and tests.

It emits only :mod:`panneau.hub.events` records, exactly like a real telephony or helpdesk source.
:func:`demo_config` builds the whole configuration ``panneau demo`` runs with.
"""

from __future__ import annotations

from collections.abc import Callable

from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau.plugins.simulator.command import DEMO
from panneau.plugins.simulator.demo import demo_config
from panneau.plugins.simulator.model import Simulation
from panneau.plugins.simulator.options import SimQueue, SimTeam, SimulatorOptions
from panneau.plugins.simulator.scenarios import SCENARIOS
from panneau.plugins.simulator.source import SimulatorSource

__all__ = [
    "SCENARIOS",
    "SimQueue",
    "SimTeam",
    "Simulation",
    "SimulatorOptions",
    "SimulatorSource",
    "demo_config",
    "register_commands",
    "register_sources",
]


@hookimpl
def register_sources(register: Callable[[SourceSpec], None]) -> None:
    """Offer the ``simulator`` source."""
    register(SourceSpec(
        name="simulator",
        factory=SimulatorSource,
        options=SimulatorOptions,
        description="a simulated contact centre: calls, agents, tickets and surveys",
    ))


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    """Offer ``panneau demo``."""
    register(DEMO)
