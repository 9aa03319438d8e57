"""Options of the ``zendesk`` source (``[[sources]] plugin = "zendesk"``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from panneau.hub.toolkit.polling import HelpdeskOptions, account_url, from_env

__all__ = ["ZendeskOptions", "client_settings"]


@dataclass
class ZendeskOptions(HelpdeskOptions):
    """Where the account is, how to sign in, and what to poll. Secrets may come from the
    environment (``<env_prefix>SUBDOMAIN``, ``EMAIL``, ``API_TOKEN``, ``OAUTH_TOKEN``)."""

    subdomain: str | None = None
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    env_prefix: str = "ZENDESK_"
    mode: Literal["auto", "cursor", "time"] = "auto"
    per_page: int = 1000
    min_request_interval_s: float = 6.0
    metric_sets: bool = True
    sla_breaches: bool = True
    satisfaction: bool = True
    satisfaction_lookback_h: float = 72.0
    surveys_sent: bool = True
    clock: Literal["calendar", "business"] = "calendar"


def client_settings(opts: ZendeskOptions, environ: Mapping[str, str]) -> dict:
    """``httpx.AsyncClient`` keyword arguments; ``ValueError`` (naming keys, never values)."""
    env = opts.env_prefix
    base_url = account_url(opts, environ, "subdomain", "https://{}.zendesk.com")
    oauth = from_env(opts.oauth_token, environ, env + "OAUTH_TOKEN")
    email = from_env(opts.email, environ, env + "EMAIL")
    token = from_env(opts.api_token, environ, env + "API_TOKEN")
    headers = {"Accept": "application/json", "User-Agent": "panneau"}
    auth = None
    if oauth:
        headers["Authorization"] = f"Bearer {oauth}"
    elif email and token:
        import httpx  # here, not at the top: loading the plugins does not pay for it

        auth = httpx.BasicAuth(f"{email}/token", token)
    else:
        raise ValueError(f"give options.oauth_token (or {env}OAUTH_TOKEN), or options.email and "
                         f"options.api_token (or {env}EMAIL and {env}API_TOKEN)")
    return {"base_url": base_url, "headers": headers, "auth": auth,
            "timeout": opts.timeout_s}
