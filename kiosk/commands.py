"""The kiosk's plugin: offers ``panneau kiosk`` (:mod:`panneau.kiosk.cli`) through the
``register_commands`` hook."""

from __future__ import annotations

from panneau.hub.hookspecs import hookimpl
from panneau.kiosk.cli import COMMAND

__all__ = ["register_commands"]


@hookimpl
def register_commands(register) -> None:
    """Offer ``panneau kiosk``."""
    register(COMMAND)
