"""Built-in survey sources: Typeform and Delighted-style webhooks on the hub's HTTP port."""

from __future__ import annotations

import os
from typing import Any

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import HttpRequest, SourceContext, SourceSpec
from panneau.hub.toolkit.polling import from_env
from panneau.plugins.surveys.import_cmd import IMPORT_SURVEY
from panneau.plugins.surveys.options import DelightedOptions, TypeformOptions
from panneau.plugins.surveys.parse import Parsed, Recent, parse_delighted, parse_typeform
from panneau.plugins.surveys.receiver import WebhookReceiver, serve
from panneau.plugins.surveys.signatures import hex_signature_ok, typeform_signature_ok

__all__ = ["DelightedSource", "TypeformSource", "WebhookSource", "register_commands",
           "register_sources"]


def _secret(ctx: SourceContext, value: str | None, env: str) -> str:
    secret = from_env(value, os.environ, env)
    if not secret:
        message = f"give options.secret or set {env}: unsigned webhooks are refused"
        ctx.set_status("down", message)
        raise ValueError(message)
    return secret


class WebhookSource:
    """A source that only receives signed webhooks; subclasses say how to verify and parse."""

    def __init__(self, options: Any) -> None:
        self.options = options

    def verify(self, secret: str, req: HttpRequest) -> bool:
        """Whether the request carries a valid signature of its raw body."""
        raise NotImplementedError

    def parse(self, payload: Any, source: str, recent: Recent) -> Parsed:
        """The response a decoded body holds (or :class:`Refused`); its time in ``recent``."""
        raise NotImplementedError

    async def run(self, ctx: SourceContext) -> None:
        """Serve the webhook until cancelled; without a secret, refuse to start."""
        opts = self.options
        secret = _secret(ctx, opts.secret, opts.secret_env)
        receiver = WebhookReceiver(
            ctx, verify=lambda req: self.verify(secret, req),
            parse=lambda payload: self.parse(payload, ctx.name,
                                             Recent(ctx.now(), opts.max_age_days)),
            max_body_bytes=opts.max_body_bytes, remember_ids=opts.remember_ids)
        await serve(ctx, opts.path, receiver)


class TypeformSource(WebhookSource):
    """Receives Typeform ``form_response`` webhooks (``Typeform-Signature``, base64)."""

    def verify(self, secret: str, req: HttpRequest) -> bool:
        return typeform_signature_ok(secret, req.body, _header(req, "Typeform-Signature"))

    def parse(self, payload: Any, source: str, recent: Recent) -> Parsed:
        return parse_typeform(payload, self.options.forms, source, recent)


class DelightedSource(WebhookSource):
    """Receives Delighted-style ``survey_response`` webhooks (hex HMAC header)."""

    def verify(self, secret: str, req: HttpRequest) -> bool:
        return hex_signature_ok(secret, req.body, _header(req, self.options.signature_header))

    def parse(self, payload: Any, source: str, recent: Recent) -> Parsed:
        return parse_delighted(payload, self.options, source, recent)


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


@hookimpl
def register_commands(register) -> None:
    """Offer ``panneau import-survey``."""
    register(IMPORT_SURVEY)
