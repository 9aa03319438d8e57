"""Beyond one machine: hubs that share accepted events through NATS JetStream.

A *site* hub journals its sources' events as always, then :class:`~.outbox.StreamOutbox`
publishes every journalled event to the site's subject (the journal row id as the message id,
so a republish after a crash is dropped by the server). An *edge* hub runs the built-in
``nats_site`` source once per site (:func:`~.edge.edge_sources`): it reads the stream from the
sequence after its checkpoint and emits the events through the ordinary path (journal +
checkpoint in one transaction, then the engine), so nothing is lost or counted twice whatever
process is killed. See docs/scale-out.md.
"""

from panneau.hub.cluster.edge import edge_sources
from panneau.hub.cluster.stream import (
    HEADER_ROWID,
    HEADER_SITE,
    MISSING_CLIENT,
    events_subject,
    heartbeat_subject,
    message_id,
)

__all__ = [
    "HEADER_ROWID",
    "HEADER_SITE",
    "MISSING_CLIENT",
    "edge_sources",
    "events_subject",
    "heartbeat_subject",
    "message_id",
]
