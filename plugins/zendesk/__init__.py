"""Built-in ``zendesk`` source: incremental ticket export, metrics, SLA breaches, CSAT."""

from __future__ import annotations

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau.plugins.zendesk.options import ZendeskOptions
from panneau.plugins.zendesk.source import ZendeskSource

__all__ = ["register_sources"]


@hookimpl
def register_sources(register) -> None:
    """Offer the ``zendesk`` source kind."""
    register(SourceSpec(
        name="zendesk", factory=ZendeskSource, options=ZendeskOptions,
        description="Zendesk Support: tickets (incremental export), metrics, SLA breaches, CSAT",
        stale_after_s=900.0,
    ))
