"""Built-in survey sources: Typeform and Delighted-style webhooks on the hub's HTTP port."""

from __future__ import annotations

import os

from hub.hookspecs import hookimpl
from hub.sources import HttpRequest, SourceContext, SourceSpec
from plugins.generic.polling import from_env
from plugins.surveys.options import DelightedOptions, TypeformOptions
from plugins.surveys.parse import parse_delighted, parse_typeform
from plugins.surveys.receiver import WebhookReceiver, serve
from plugins.surveys.signatures import hex_signature_ok, typeform_signature_ok

__all__ = ["DelightedSource", "TypeformSource", "register_sources"]


def _secret(ctx: SourceContext, value: str | None, env: str) -> str:
    secret = from_env(value, os.environ, env)
    if not secret:
        message = f"give options.secret or set {env}: unsigned webhooks are refused"
        ctx.set_status("down", message)
        raise ValueError(message)
    return secret


class TypeformSource:
    """Receives Typeform ``form_response`` webhooks."""

    def __init__(self, options: TypeformOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Serve the webhook until cancelled."""
        opts = self.options
        secret = _secret(ctx, opts.secret, opts.secret_env)

        def verify(req: HttpRequest) -> bool:
            return typeform_signature_ok(secret, req.body, _header(req, "Typeform-Signature"))

        receiver = WebhookReceiver(
            ctx, verify=verify, parse=lambda p: parse_typeform(p, opts.forms, ctx.name),
            max_body_bytes=opts.max_body_bytes, remember_ids=opts.remember_ids)
        await serve(ctx, opts.path, receiver)


class DelightedSource:
    """Receives Delighted-style ``survey_response`` webhooks."""

    def __init__(self, options: DelightedOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Serve the webhook until cancelled."""
        opts = self.options
        secret = _secret(ctx, opts.secret, opts.secret_env)

        def verify(req: HttpRequest) -> bool:
            return hex_signature_ok(secret, req.body, _header(req, opts.signature_header))

        receiver = WebhookReceiver(
            ctx, verify=verify, parse=lambda p: parse_delighted(p, opts, ctx.name),
            max_body_bytes=opts.max_body_bytes, remember_ids=opts.remember_ids)
        await serve(ctx, opts.path, receiver)


def _header(req: HttpRequest, name: str) -> str | None:
    """A header by case-insensitive name (plain dicts in tests are case-sensitive)."""
    value = req.headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in req.headers.items() if k.lower() == lowered), None)
    return value


@hookimpl
def register_sources(register) -> None:
    """Offer the ``typeform`` and ``delighted`` source kinds."""
    register(SourceSpec(name="typeform", factory=TypeformSource, options=TypeformOptions,
                        description="Typeform form_response webhooks (NPS/CSAT question by form)"))
    register(SourceSpec(name="delighted", factory=DelightedSource, options=DelightedOptions,
                        description="Delighted-style survey_response webhooks (hex HMAC)"))
