"""Options of the ``zendesk`` source (``[[sources]] plugin = "zendesk"``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from plugins.generic.polling import from_env

__all__ = ["ZendeskOptions", "client_settings"]


@dataclass
class ZendeskOptions:
    """Where the account is, how to sign in, and what to poll. Secrets may come from the
    environment (``<env_prefix>SUBDOMAIN``, ``EMAIL``, ``API_TOKEN``, ``OAUTH_TOKEN``)."""

    subdomain: str | None = None
    base_url: str | None = None
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    env_prefix: str = "ZENDESK_"
    mode: Literal["auto", "cursor", "time"] = "auto"
    start_time: int = 0
    per_page: int = 1000
    poll_interval_s: float = 60.0
    min_request_interval_s: float = 6.0
    metric_sets: bool = True
    sla_breaches: bool = True
    satisfaction: bool = True
    satisfaction_lookback_h: float = 72.0
    clock: Literal["calendar", "business"] = "calendar"
    agents: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    max_tracked_tickets: int = 20000
    max_pages_per_poll: int = 50
    max_retry_wait_s: float = 300.0
    timeout_s: float = 30.0


def client_settings(opts: ZendeskOptions, environ: Mapping[str, str]) -> dict:
    """``httpx.AsyncClient`` keyword arguments; ``ValueError`` (naming keys, never values)."""
    env = opts.env_prefix
    base_url = opts.base_url or from_env(None, environ, env + "BASE_URL")
    subdomain = from_env(opts.subdomain, environ, env + "SUBDOMAIN")
    if not base_url:
        if not subdomain:
            raise ValueError(f"give options.subdomain (or {env}SUBDOMAIN) or options.base_url")
        base_url = f"https://{subdomain}.zendesk.com"
    oauth = from_env(opts.oauth_token, environ, env + "OAUTH_TOKEN")
    email = from_env(opts.email, environ, env + "EMAIL")
    token = from_env(opts.api_token, environ, env + "API_TOKEN")
    headers = {"Accept": "application/json", "User-Agent": "panneau"}
    auth = None
    if oauth:
        headers["Authorization"] = f"Bearer {oauth}"
    elif email and token:
        auth = httpx.BasicAuth(f"{email}/token", token)
    else:
        raise ValueError(f"give options.oauth_token (or {env}OAUTH_TOKEN), or options.email and "
                         f"options.api_token (or {env}EMAIL and {env}API_TOKEN)")
    return {"base_url": base_url.rstrip("/"), "headers": headers, "auth": auth,
            "timeout": opts.timeout_s}
