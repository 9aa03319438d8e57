"""How screens and CLI commands reach the hub: the URL check and, for ``wss://``, the TLS context.

``wss://`` verifies the hub's certificate against the system's trust store, or only against
``ca_file`` when one is given; ``client_cert`` (a PEM file holding a certificate and its key) is
presented when the hub asks for one (mutual TLS). A failed verification is an error to show,
never a reason to try clear text.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from websockets.exceptions import InvalidMessage

__all__ = ["check_hub_url", "client_context", "describe_failure"]


#: OpenSSL's verify codes of a certificate that is trusted but names another host
#: (X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH): a CA will not help.
_NAME_MISMATCH = frozenset({62, 64})


def check_hub_url(url: str) -> str:
    """``url`` when it is ``ws://HOST:PORT`` or ``wss://HOST:PORT``; else ``ValueError``."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a hub address: {url!r} (use ws://HOST:PORT, or wss://HOST:PORT "
                         "when the hub has a TLS certificate)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"not a hub address: {url!r} (the port is not a number)") from None
    return url


def client_context(url: str, ca_file: str | None = None,
                   client_cert: str | None = None) -> ssl.SSLContext | None:
    """The TLS context for ``url``: ``None`` for ``ws://``; raises ``ValueError`` when TLS
    options come with a clear-text URL or a file cannot be used."""
    secure = urlsplit(url).scheme == "wss"
    if not secure:
        if ca_file or client_cert:
            raise ValueError(f"--ca-file and --client-cert need a wss:// hub address, not {url}")
        return None
    try:
        ctx = ssl.create_default_context(cafile=ca_file)
        if client_cert:
            ctx.load_cert_chain(client_cert)
    except (OSError, ssl.SSLError) as exc:
        which = client_cert if client_cert and "cert" in str(exc).lower() else ca_file
        raise ValueError(f"cannot use {which or 'the TLS files'}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from exc
    return ctx


def describe_failure(url: str, exc: BaseException | None) -> str | None:
    """A sentence for a TLS failure a user can act on; ``None`` when ``exc`` is not one.

    Looks down ``exc``'s causes too. Under TLS 1.3 a hub that wants a client certificate refuses
    after the handshake: the client sees the connection end before any HTTP answer."""
    if isinstance(exc, InvalidMessage) and urlsplit(url).scheme == "wss" and isinstance(
            exc.__cause__, EOFError):
        return (f"TLS: {url} ended the connection before answering: it may want a client "
                "certificate from its CA (mutual TLS); give one with --client-cert")
    if isinstance(exc, ConnectionResetError) and urlsplit(url).scheme == "wss":
        # a clear-text hub resets the TLS ClientHello it cannot read (no message at all)
        plain = urlsplit(url)._replace(scheme="ws").geturl()
        return (f"{url}: the connection ended during the TLS handshake: the hub may have no "
                f"TLS certificate (then use {plain})")
    while exc is not None and not isinstance(exc, ssl.SSLError):
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code in _NAME_MISMATCH:
        return _name_mismatch(url, exc.verify_message)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS: the certificate of {url} is not trusted ({exc.verify_message}); "
                "give the hub's CA with --ca-file")
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or str(exc)
        if "CERTIFICATE_REQUIRED" in reason or "UNKNOWN_CA" in reason:
            return (f"TLS: {url} wants a client certificate from its CA ({reason}); "
                    "give one with --client-cert")
        return f"TLS handshake with {url} failed ({reason})"
    return None


def _name_mismatch(url: str, why: str) -> str:
    """What to do when the hub's trusted certificate is for other names than ``url``'s host:
    ssl does not hand over the refused certificate's names, but the hub prints its address
    with one of them when it starts."""
    parts = urlsplit(url)
    port = f", keeping :{parts.port}" if parts.port else ""
    return (f"TLS: the certificate of {url} is not for {parts.hostname} ({why}); in --hub, "
            f"replace {parts.hostname} by a name the certificate holds (its subjectAltName)"
            f"{port}: `panneau hub` prints that address when it starts")
