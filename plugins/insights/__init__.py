"""Built-in insight rules, registered through ``register_insights`` like a plugin's."""

from __future__ import annotations

from panneau.hub.hookspecs import hookimpl
from panneau.plugins.insights.rules import RULES

__all__ = ["register_insights"]


@hookimpl
def register_insights(register):
    for rule in RULES:
        register(rule)
