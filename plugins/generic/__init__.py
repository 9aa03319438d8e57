"""Built-in ``generic`` source: rows from dropped files or a JSON endpoint, mapped by config.

Built from the public source toolkit (:mod:`panneau.hub.toolkit`), like the other helpdesk
and survey sources."""

from __future__ import annotations

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau.plugins.generic.options import GenericOptions
from panneau.plugins.generic.source import GenericSource

__all__ = ["register_sources"]


@hookimpl
def register_sources(register) -> None:
    """Offer the ``generic`` source kind."""
    register(SourceSpec(
        name="generic", factory=GenericSource, options=GenericOptions,
        description="CSV/JSON files dropped in a folder, or a JSON endpoint, mapped to "
                    "ticket or survey events by configuration",
    ))
