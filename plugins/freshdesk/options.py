"""Options of the ``freshdesk`` source (``[[sources]] plugin = "freshdesk"``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from plugins.generic.polling import from_env

__all__ = ["FreshdeskOptions", "client_settings"]


@dataclass
class FreshdeskOptions:
    """Which helpdesk, the API key (or ``<env_prefix>API_KEY``), and how to poll it."""

    domain: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    env_prefix: str = "FRESHDESK_"
    custom_statuses: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    start_time: int = 0
    per_page: int = 100
    poll_interval_s: float = 60.0
    min_request_interval_s: float = 1.0
    max_pages_per_poll: int = 300
    max_tracked_tickets: int = 20000
    max_retry_wait_s: float = 300.0
    timeout_s: float = 30.0


def client_settings(opts: FreshdeskOptions, environ: Mapping[str, str]) -> dict:
    """``httpx.AsyncClient`` keyword arguments; ``ValueError`` naming keys, never values."""
    env = opts.env_prefix
    base_url = opts.base_url or from_env(None, environ, env + "BASE_URL")
    domain = from_env(opts.domain, environ, env + "DOMAIN")
    if not base_url:
        if not domain:
            raise ValueError(f"give options.domain (or {env}DOMAIN) or options.base_url")
        base_url = f"https://{domain}.freshdesk.com"
    key = from_env(opts.api_key, environ, env + "API_KEY")
    if not key:
        raise ValueError(f"give options.api_key or set {env}API_KEY")
    return {"base_url": base_url.rstrip("/"), "auth": httpx.BasicAuth(key, "X"),
            "headers": {"Accept": "application/json", "User-Agent": "panneau"},
            "timeout": opts.timeout_s}
