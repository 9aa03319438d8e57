"""The pure KPI engine: normalised events in, figures per scope and window out.

``Engine(config).apply(event)``, ``Engine.advance(now)`` (time moves: windows, timers, states
and alerts) and ``Engine.query() -> Snapshot`` (pure); ``Engine.snapshot(now)`` does both. See
docs/kpis.md for every formula.
"""

from panneau.hub.engine.engine import Engine
from panneau.hub.engine.snapshot import AgentNow, Alert, Snapshot

__all__ = ["AgentNow", "Alert", "Engine", "Snapshot"]
