"""Configuration: one TOML file, validated on load."""

from panneau.hub.config.load import ConfigError, load_config, parse_config, source_option_issues
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
