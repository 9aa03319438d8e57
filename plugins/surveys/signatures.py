"""Webhook signature checks, over the raw body, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["hex_signature_ok", "typeform_signature", "typeform_signature_ok"]


def typeform_signature(secret: str, body: bytes) -> str:
    """The ``Typeform-Signature`` value: ``sha256=`` + base64 of HMAC-SHA256(secret, body)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def typeform_signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the Typeform signature of ``body``."""
    if not header:
        return False
    return hmac.compare_digest(typeform_signature(secret, body).encode(), header.strip().encode())


def hex_signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the hex HMAC-SHA256 of ``body`` (a ``sha256=`` prefix allowed)."""
    if not header:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[7:]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.lower().encode())
