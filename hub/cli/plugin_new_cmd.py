"""``panneau plugin new``: a source plugin package from the template."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``plugin`` with its ``new`` action."""
    parser = add_command(
        subparsers, "plugin", "create a new source plugin package from the template",
        "panneau plugin new my-acd",
        not_built("panneau plugin new", 7),
    )
    parser.add_argument("action", choices=["new"])
    parser.add_argument("name", help="the plugin's name, e.g. my-acd")
