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
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from dataclasses import dataclass

__all__ = ["ServerTls", "TlsError"]

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
