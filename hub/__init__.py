"""Panneau hub: events, KPI engine, wire protocol, server and command line."""

__version__ = "0.1.0"
