"""Built-in ``freshdesk`` source: tickets with stats, SLA escalations, custom statuses."""

from __future__ import annotations

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau.plugins.freshdesk.options import FreshdeskOptions
from panneau.plugins.freshdesk.source import FreshdeskSource

__all__ = ["register_sources"]


@hookimpl
def register_sources(register) -> None:
    """Offer the ``freshdesk`` source kind."""
    register(SourceSpec(
        name="freshdesk", factory=FreshdeskSource, options=FreshdeskOptions,
        description="Freshdesk: tickets updated since the checkpoint, with stats and SLA flags",
        stale_after_s=900.0,
    ))
