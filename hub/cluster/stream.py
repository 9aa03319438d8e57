"""What site and edge hubs agree on: subjects, message ids and headers (one codec, both sides)."""

from __future__ import annotations

__all__ = ["HEADER_ROWID", "HEADER_SITE", "MISSING_CLIENT", "SITE_PLUGIN", "events_subject",
           "heartbeat_subject", "message_id", "stream_subjects"]

#: The site's journal row id of the event a message carries (edges drop any row id already
#: taken, even after the server's de-duplication window).
HEADER_ROWID = "Panneau-Rowid"
HEADER_SITE = "Panneau-Site"
#: The built-in source an edge or group hub reads one site's stream with, named after the site
#: (screens tell a site's staleness by it: panneau.hub.freshness).
SITE_PLUGIN = "nats_site"
MISSING_CLIENT = ("the cluster needs the NATS client: pip install 'panneau[cluster]' "
                  "(nats-py)")


def events_subject(site: str) -> str:
    """The JetStream subject of a site's events."""
    return f"panneau.{site}.events"


def stream_subjects() -> list[str]:
    """The subjects the stream holds: every site's events (heartbeats stay outside)."""
    return ["panneau.*.events"]


def heartbeat_subject(site: str) -> str:
    """The core-NATS subject of a site's heartbeats (not stored)."""
    return f"panneau-heartbeat.{site}"


def message_id(site: str, rowid: int) -> str:
    """``Nats-Msg-Id`` of a journalled event: stable across a crash and a republish."""
    return f"{site}:{rowid}"
