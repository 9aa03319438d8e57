"""Panneau hub: events, KPI engine, wire protocol, server and command line."""

__version__ = "0.1.0"

# The pure-Python engine, or its optional compiled build: chosen before any engine module loads.
from panneau.hub.compiled import install as _install_engine

_install_engine()
