"""Failed authentications counted per source address; too many → the address is refused a while.

Rules kept here (the way Home Assistant's HTTP ban works, in memory only):

- Each unknown token from an address is a failure; ``limit`` failures within ``window_s``
  seconds ban the address for ``ban_s`` seconds. A successful hello does not clear failures.
- A banned address is refused before the websocket handshake (HTTP 429); its open connections
  and every other address are not affected.
- A ban is reported once (:meth:`AuthThrottle.fail` returns True when it starts); counts go to
  /metrics as ``panneau_auth_failures_total`` and ``panneau_auth_bans_total``.
- Pure: the clock is passed in; the table is bounded by pruning expired entries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

__all__ = ["AuthThrottle"]

#: Past this many tracked addresses, entries without recent failures are dropped first.
MAX_TRACKED = 10_000


class AuthThrottle:
    """Per-address failure windows and bans."""

    def __init__(self, limit: int, window_s: float, ban_s: float,
                 clock: Callable[[], float]) -> None:
        self.limit, self.window_s, self.ban_s, self.clock = limit, window_s, ban_s, clock
        self.failures: dict[str, deque[float]] = {}
        self.banned_until: dict[str, float] = {}
        self.failures_total = 0
        self.bans_total = 0

    def is_banned(self, address: str) -> bool:
        """True while ``address`` is refused."""
        until = self.banned_until.get(address)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self.banned_until[address]
        return False

    def fail(self, address: str) -> bool:
        """Count one failed authentication; True when this failure starts a ban."""
        now = self.clock()
        self.failures_total += 1
        if len(self.failures) >= MAX_TRACKED:
            self._prune(now)
            while len(self.failures) >= MAX_TRACKED:  # all recent: forget the oldest
                del self.failures[next(iter(self.failures))]
        window = self.failures.setdefault(address, deque())
        window.append(now)
        while window and window[0] <= now - self.window_s:
            window.popleft()
        if len(window) < self.limit or self.is_banned(address):
            return False
        self.banned_until[address] = now + self.ban_s
        self.bans_total += 1
        del self.failures[address]
        return True

    def banned(self) -> int:
        """Addresses refused right now."""
        now = self.clock()
        return sum(1 for until in self.banned_until.values() if until > now)

    def _prune(self, now: float) -> None:
        stale = now - self.window_s
        for address in [a for a, w in self.failures.items() if not w or w[-1] <= stale]:
            del self.failures[address]
        for address in [a for a, t in self.banned_until.items() if t <= now]:
            del self.banned_until[address]
