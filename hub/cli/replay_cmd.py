"""``panneau replay``: feed a recorded source file through the engine and print the figures."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``replay``."""
    parser = add_command(
        subparsers, "replay", "compute the figures of a recorded source file",
        "panneau replay queue_log /var/log/asterisk/queue_log --at 2026-11-22T17:00 --json",
        not_built("panneau replay", 5),
    )
    parser.add_argument("source", help="source format, e.g. queue_log")
    parser.add_argument("file", help="the recorded file")
    parser.add_argument("--at", metavar="TIME", help="epoch or ISO 8601 (default: end of file)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
