"""Options of the ``freshdesk`` source (``[[sources]] plugin = "freshdesk"``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from panneau.hub.toolkit.polling import HelpdeskOptions, account_url, from_env
from panneau.plugins.freshdesk.mapping import check_custom_statuses

__all__ = ["FreshdeskOptions", "client_settings"]


@dataclass
class FreshdeskOptions(HelpdeskOptions):
    """Which helpdesk, the API key (or ``<env_prefix>API_KEY``), and how to poll it."""

    domain: str | None = None
    api_key: str | None = field(default=None, repr=False)
    env_prefix: str = "FRESHDESK_"
    custom_statuses: dict[str, str] = field(default_factory=dict)
    max_pages_per_poll: int = 300

    def option_problems(self) -> dict[str, str]:
        """The helpdesk checks, and each custom status mapped to a status Panneau knows."""
        problems = super().option_problems()
        if isinstance(self.custom_statuses, dict):
            problems |= check_custom_statuses(self.custom_statuses)
        return problems


def client_settings(opts: FreshdeskOptions, environ: Mapping[str, str]) -> dict:
    """``httpx.AsyncClient`` keyword arguments; ``ValueError`` naming keys, never values."""
    env = opts.env_prefix
    base_url = account_url(opts, environ, "domain", "https://{}.freshdesk.com")
    key = from_env(opts.api_key, environ, env + "API_KEY")
    if not key:
        raise ValueError(f"give options.api_key or set {env}API_KEY")
    import httpx  # here, not at the top: loading the plugins does not pay for it

    return {"base_url": base_url, "auth": httpx.BasicAuth(key, "X"),
            "headers": {"Accept": "application/json", "User-Agent": "panneau"},
            "timeout": opts.timeout_s}
