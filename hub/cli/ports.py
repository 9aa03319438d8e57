"""Can ``panneau hub`` listen where its config says? Asked before the hub opens anything.

Built, a :class:`~panneau.hub.server.app.Hub` has created (or migrated) its database; started,
it has replayed the journal before it binds its ports; and when a bind fails, stopping saves
the engine state and the day rollups into that database. A port already taken (another hub
on the same config, most often) would leave a new database file behind, or write into the
running hub's. So both listen addresses are bound here, as the servers will bind them
(``SO_REUSEADDR``, IPv6 sockets IPv6 only), and released at once.
"""

from __future__ import annotations

import errno
import socket

from panneau.hub.config import HubSettings

__all__ = ["listen_problem"]

#: The settings of ``[hub]`` that are listen addresses, in the order they are bound.
LISTEN_KEYS = ("listen", "http_listen")


def listen_problem(hub: HubSettings, config_path: str) -> str | None:
    """Why the hub cannot listen on one of its addresses (one line naming the address, the
    setting and what to do); ``None`` when both can be bound now."""
    bound: list[socket.socket] = []
    try:
        for key in LISTEN_KEYS:
            listen = getattr(hub, key)
            host, _, port = listen.rpartition(":")
            host = host.strip("[]") or "0.0.0.0"
            if int(port) == 0:
                continue  # any free port
            try:
                _bind_all(host, int(port), bound)
            except OSError as exc:
                return (f"cannot listen on {listen} (hub.{key} in {config_path}): "
                        f"{_why(exc, host, int(port), key)}")
        return None
    finally:
        for sock in bound:
            sock.close()


def _bind_all(host: str, port: int, bound: list[socket.socket]) -> None:
    """Bind every address ``host`` resolves to at ``port``; each socket goes in ``bound``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    for family, kind, proto, _, address in dict.fromkeys(infos):
        sock = socket.socket(family, kind, proto)
        bound.append(sock)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(1)  # two sockets bound but not listening may share a port


def _why(exc: OSError, host: str, port: int, key: str) -> str:
    if isinstance(exc, socket.gaierror):
        return f"no address found for {host!r} ({exc.strerror})"
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} is already in use (another hub, or another program: "
                f"`ss -ltnp 'sport = :{port}'` shows which); stop it, or give hub.{key} "
                "another port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"this machine has no address {host}; give one of its own, 127.0.0.1 "
                "(this machine only) or 0.0.0.0 (every address)")
    if exc.errno == errno.EACCES:
        return (f"port {port} needs privileges (ports below 1024: root or "
                "CAP_NET_BIND_SERVICE); give a port of 1024 or more")
    return exc.strerror or str(exc)
