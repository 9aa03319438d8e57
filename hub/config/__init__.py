"""Configuration: one TOML file, validated on load.

The schema's classes are imported here; the loader's names (:mod:`.load`: TOML, time zones,
validation) only when first asked for, so a screen that reads a default from the schema does
not load them.
"""

from typing import Any

from panneau.hub.config.schema import (
    Config,
    HubSettings,
    KioskPage,
    KioskSettings,
    KpiSettings,
    QueueSettings,
    Schedule,
    SourceConfig,
    Team,
    Threshold,
    Token,
)

__all__ = [
    "Config",
    "ConfigError",
    "HubSettings",
    "KioskPage",
    "KioskSettings",
    "KpiSettings",
    "QueueSettings",
    "Schedule",
    "SourceConfig",
    "Team",
    "Threshold",
    "Token",
    "load_config",
    "parse_config",
    "source_option_issues",
]

_LOADER = frozenset({"ConfigError", "load_config", "parse_config", "source_option_issues"})


def __getattr__(name: str) -> Any:
    if name in _LOADER:
        from panneau.hub.config import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
