"""The hooks a Panneau plugin may implement (pluggy project ``panneau``)."""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from panneau.hub.commands import CommandSpec
from panneau.hub.insights import InsightRule
from panneau.hub.sources import SourceSpec

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("panneau")
hookimpl = pluggy.HookimplMarker("panneau")


@hookspec
def register_sources(register: Callable[[SourceSpec], None]) -> None:
    """Offer kinds of source: call ``register(SourceSpec(...))`` once per kind.

    Every plugin's implementation is called. A name already registered by another plugin is
    refused and reported by ``panneau plugins``.
    """


@hookspec
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    """Add subcommands to ``panneau``: call ``register(CommandSpec(...))`` once per command.

    Every plugin's implementation is called. A name that clashes with a built-in command or
    another plugin's command is refused; a plugin whose hook raises loses its commands, the
    others keep theirs. Both are reported by ``panneau plugins``.
    """


@hookspec
def register_insights(register: Callable[[InsightRule], None]) -> None:
    """Offer insight rules: call ``register(InsightRule(...))`` once per rule.

    Every plugin's implementation is called (built-in rules first). A rule name already
    registered is refused and reported by ``panneau plugins``.
    """
