"""The built-in ``simulator`` source: a believable contact centre for demos and tests.

It emits only :mod:`hub.events` records, exactly like a real telephony or helpdesk source.
:func:`demo_config` builds the whole configuration ``panneau demo`` runs with.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.hookspecs import hookimpl
from hub.sources import SourceSpec
from plugins.simulator.demo import demo_config
from plugins.simulator.model import Simulation
from plugins.simulator.options import SimQueue, SimTeam, SimulatorOptions
from plugins.simulator.scenarios import SCENARIOS
from plugins.simulator.source import SimulatorSource

__all__ = [
    "SCENARIOS",
    "SimQueue",
    "SimTeam",
    "Simulation",
    "SimulatorOptions",
    "SimulatorSource",
    "demo_config",
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
