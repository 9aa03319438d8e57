"""Asterisk call-centre sources: the ``queue_log`` file (tailed) and the live AMI feed.

Registered through the public ``register_sources`` hook like any third-party plugin:

- ``asterisk_queue_log``: follows ``/var/log/asterisk/queue_log`` (see :mod:`.tailer`);
- ``asterisk_ami``: Asterisk Manager Interface through panoramisk (see :mod:`.ami`).

``docs/sources/asterisk.md`` documents the options and how to run both without counting a call
twice.
"""

from __future__ import annotations

from collections.abc import Callable

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec
from panneau.plugins.asterisk.ami import AmiOptions, AmiSource
from panneau.plugins.asterisk.readers import QUEUE_LOG, QUEUE_LOG_CSV
from panneau.plugins.asterisk.tailer import QueueLogOptions, QueueLogSource

__all__ = ["register_sources"]


@hookimpl
def register_sources(register: Callable[[SourceSpec], None]) -> None:
    """Offer ``asterisk_queue_log`` and ``asterisk_ami``."""
    register(SourceSpec(
        name="asterisk_queue_log",
        factory=QueueLogSource,
        options=QueueLogOptions,
        description="Asterisk app_queue queue_log file, followed live (rotation-safe)",
        stale_after_s=None,
        readers=(QUEUE_LOG, QUEUE_LOG_CSV),
    ))
    register(SourceSpec(
        name="asterisk_ami",
        factory=AmiSource,
        options=AmiOptions,
        description="Asterisk Manager Interface: callers waiting and agent states, live",
        stale_after_s=None,
    ))
