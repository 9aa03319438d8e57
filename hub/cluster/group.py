"""A group hub's fold: each site's identifiers prefixed with its site before they are counted.

Two sites' calls, queues, agents and tickets may share names (``support``, ``alice``, a call id
``1700000000.12``...). A group hub takes each event of site ``paris`` with every identifier as
``paris:<id>`` (always, even an id holding ``:`` already), journals it so, and the engine
counts it in ``site:paris`` and ``site`` (:mod:`panneau.hub.engine.scopes`). A ticket created
without a helpdesk group gets the group ``paris:`` so it still counts in its site.
"""

from __future__ import annotations

import dataclasses

from panneau.hub import events as ev
from panneau.hub.config.sites import SEP

__all__ = ["IDENTIFIERS", "namespaced"]

#: Event fields naming something of one site (what a group hub prefixes with the site).
IDENTIFIERS = ("call_id", "caller_id", "queue", "agent", "ticket_id", "group", "assignee",
               "response_id", "survey_id", "entry_id", "corrects", "team")

_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.name in IDENTIFIERS)
    for cls in ev.EVENT_TYPES.values()}


def namespaced(event: ev.Event, site: str) -> ev.Event:
    """``event`` of ``site`` with each identifier it holds as ``<site>:<id>``."""
    changes = {name: f"{site}{SEP}{value}" for name in _FIELDS.get(type(event), ())
               if isinstance(value := getattr(event, name), str)}
    if isinstance(event, ev.TicketCreated) and event.group is None:
        changes["group"] = f"{site}{SEP}"
    return dataclasses.replace(event, **changes) if changes else event
