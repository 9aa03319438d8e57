"""``panneau export``: KPI history for a period as CSV or XLSX."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``export``."""
    parser = add_command(
        subparsers, "export", "export KPI history for a period as CSV or XLSX",
        "panneau export --config panneau.toml --from 2026-11-01 --to 2026-11-30 -o nov.csv",
        not_built("panneau export", 6),
    )
    parser.add_argument("--config", default="panneau.toml", metavar="FILE")
    parser.add_argument("--from", dest="start", metavar="DATE")
    parser.add_argument("--to", dest="end", metavar="DATE")
    parser.add_argument("-o", "--output", metavar="FILE")
