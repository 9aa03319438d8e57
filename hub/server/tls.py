"""The hub's TLS: certificate, key and optional client CA from ``[hub]``, reloaded when they change.

Rules kept here:

- Files are read and checked before anything listens: an unreadable file, a file that is not PEM,
  or a key that does not match the certificate raises :class:`TlsError` naming the file, and the
  hub refuses to start.
- Both ports share one :attr:`ServerTls.context`. Its ``sni_callback`` (called on every handshake,
  with or without SNI) hands the connection the newest loaded context, so after a reload new
  connections get the new certificate while open ones keep theirs.
- :meth:`ServerTls.check` reloads when a file's size or mtime changed. A bad new file (a renewal
  caught half-written, a mismatched key) is logged once and the previous certificate is kept.
- With ``tls_client_ca`` every client must present a certificate signed by that CA (mutual TLS).
- The address the hub prints for screens names a host its certificate holds
  (:func:`screen_host`): a screen verifying the certificate refuses any other.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from dataclasses import dataclass

__all__ = ["ServerTls", "TlsError", "certificate_names", "screen_host"]

log = logging.getLogger(__name__)


class TlsError(Exception):
    """A certificate, key or CA file the hub cannot use; the message names the file."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the hub's certificate chain, key and client CA bundle are."""

    cert: str
    key: str
    client_ca: str | None = None

    def paths(self) -> tuple[str, ...]:
        return (self.cert, self.key) + ((self.client_ca,) if self.client_ca else ())


def _readable(path: str, what: str) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    except OSError as exc:
        raise TlsError(f"cannot read the {what} {path}: {exc.strerror}") from exc
    if b"-----BEGIN " not in head:
        raise TlsError(f"the {what} {path} is not a PEM file (no -----BEGIN line)")


def _no_password() -> bytes:
    raise TlsError("the key is encrypted; give an unencrypted key file readable only by the hub")


def load_context(files: TlsFiles) -> ssl.SSLContext:
    """A server context for ``files`` (raises :class:`TlsError` with a clear message)."""
    _readable(files.cert, "TLS certificate")
    _readable(files.key, "TLS key")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(files.cert, files.key, password=_no_password)
    except TlsError as exc:
        raise TlsError(f"{files.key}: {exc}") from None
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if "KEY_VALUES_MISMATCH" in reason:
            raise TlsError(f"the key {files.key} does not match the certificate "
                           f"{files.cert}") from exc
        raise TlsError(f"cannot use the certificate {files.cert} with the key {files.key}: "
                       f"{reason}") from exc
    if files.client_ca:
        _readable(files.client_ca, "client CA bundle")
        try:
            ctx.load_verify_locations(cafile=files.client_ca)
        except ssl.SSLError as exc:
            raise TlsError(f"cannot use the client CA bundle {files.client_ca}: "
                           f"{exc.reason or exc}") from exc
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def certificate_names(path: str) -> list[str]:
    """The DNS names and IP addresses in the subjectAltName of the first certificate of
    ``path``, in order; empty when it cannot be read (then nothing better can be said)."""
    try:  # the standard library's only certificate reader (CPython's own tests use it)
        decoded = ssl._ssl._test_decode_cert(path)  # type: ignore[attr-defined]
    except (AttributeError, OSError, ssl.SSLError, ValueError):
        return []
    return [value for kind, value in decoded.get("subjectAltName", ())
            if kind in ("DNS", "IP Address")]


_WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1")


def screen_host(host: str, names: list[str]) -> str:
    """The host to write in a screen's address for a hub bound to ``host`` whose certificate
    holds ``names``: ``host`` when the certificate names it, else its first name a URL can
    hold (not ``*.``), one another machine can reach first when the hub listens on every
    address; ``host`` as bound (loopback for every address) when there is none. IPv6 in
    brackets."""
    usable = [n for n in names if not n.startswith("*")]
    if host in _WILDCARD_HOSTS:
        outside = [n for n in usable if n not in _LOOPBACK]
        chosen = (outside or usable or ["::1" if ":" in host else "127.0.0.1"])[0]
    else:
        chosen = host if host in usable or not usable else usable[0]
    return f"[{chosen}]" if ":" in chosen else chosen


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class ServerTls:
    """The TLS context both hub ports use, following the files as they are replaced."""

    def __init__(self, files: TlsFiles) -> None:
        self.files = files
        self.current = load_context(files)
        self.reloads = 0
        self._stamps = self._read_stamps()
        self._failed_stamps: tuple | None = None
        #: Given to the servers; each handshake is switched to :attr:`current`.
        self.context = load_context(files)
        self.context.sni_callback = self._pick

    def names(self) -> list[str]:
        """The names the certificate in use holds (see :func:`certificate_names`)."""
        return certificate_names(self.files.cert)

    def _read_stamps(self) -> tuple:
        return tuple(_stamp(p) for p in self.files.paths())

    def _pick(self, conn: ssl.SSLObject, server_name: str | None,
              ctx: ssl.SSLContext) -> None:
        conn.context = self.current

    def check(self) -> bool:
        """Reload if a file changed; True when a new certificate is now in use."""
        stamps = self._read_stamps()
        if stamps == self._stamps or stamps == self._failed_stamps:
            return False
        try:
            ctx = load_context(self.files)
        except TlsError as exc:
            self._failed_stamps = stamps
            log.error("TLS files changed but cannot be used (keeping the previous "
                      "certificate): %s", exc)
            return False
        self.current, self._stamps, self._failed_stamps = ctx, stamps, None
        self.reloads += 1
        log.info("TLS certificate reloaded from %s", self.files.cert)
        return True

    async def watch(self, every_s: float) -> None:
        """Check the files every ``every_s`` seconds, until cancelled."""
        while True:
            await asyncio.sleep(every_s)
            self.check()
