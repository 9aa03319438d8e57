"""``panneau import-survey``: load survey answers from a CSV export."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``import-survey``."""
    parser = add_command(
        subparsers, "import-survey", "import survey responses from a CSV file",
        "panneau import-survey answers.csv --mapping mapping.toml --config panneau.toml",
        not_built("panneau import-survey", 10),
    )
    parser.add_argument("file")
    parser.add_argument("--mapping", required=True, metavar="FILE")
    parser.add_argument("--config", default="panneau.toml", metavar="FILE")
