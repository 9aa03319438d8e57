"""A view: the flat map of everything one audience may see, and how it changes.

The hub builds one view per audience (a kiosk's team, one agent, the managers), sends it once
as a ``snapshot`` frame, then only :func:`diff` results as ``delta`` frames. Screens keep a
:class:`ViewState` and read it through the helpers below. Keys are strings whose prefix says
what they hold (see ``docs/protocol.md``):

- ``kpi:<scope>/<window>/<kpi>`` → number; absent when the KPI has no data
- ``state:<scope>/<window>/<kpi>`` → ``"ok" | "warn" | "alert"``; absent when no data or no
  threshold
- ``target:<scope>/<kpi>`` → ``{"target", "warn", "alert", "higher_is_better"}``
- ``trend:<scope>/<window>/<kpi>`` → ``[[ts, value], ...]`` (history samples, oldest first)
- ``ref:<scope>/<window>/<kpi>`` → ``{"yesterday": v, "last_week": v}`` (same time of day)
- ``agent:<id>`` → ``{"state", "since", "reason", "name"}``
- ``source:<name>`` → ``{"status", "since", "last_event", "detail", "feeds"}``
- ``message:<id>`` → ``{"id", "text", "sender", "to", "sent", "expires", "acked_by"}``
- ``alert:<id>`` → ``{"key", "state", "value", "since", "text"}``
- ``annotation:<scope>/<window>/<kpi>`` → ``{"text", "by", "ts"}``
- ``meta`` → ``{"role", "identity", "team", "team_name", "agent", "as_of", "pages", ...}``
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Delta", "ViewState", "diff", "kpi_key", "state_key"]


def kpi_key(scope: str, window: str, kpi: str) -> str:
    """``kpi:queue:support/today/answered``."""
    return f"kpi:{scope}/{window}/{kpi}"


def state_key(scope: str, window: str, kpi: str) -> str:
    """``state:queue:support/today/answered``."""
    return f"state:{scope}/{window}/{kpi}"


@dataclass(frozen=True, slots=True)
class Delta:
    """What changed between two views: keys set to new values, keys removed."""

    set: dict[str, Any] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.set or self.unset)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Delta:
    """The delta that turns ``old`` into ``new`` (values compared with ``==``)."""
    changed = {k: v for k, v in new.items() if k not in old or old[k] != v}
    removed = [k for k in old if k not in new]
    return Delta(changed, removed)


@dataclass
class ViewState:
    """A screen's copy of its view, kept in step by snapshots and deltas."""

    values: dict[str, Any] = field(default_factory=dict)
    epoch: str | None = None
    seq: int = -1

    def apply_snapshot(self, epoch: str, seq: int, values: Mapping[str, Any]) -> None:
        """Replace everything."""
        self.values = dict(values)
        self.epoch, self.seq = epoch, seq

    def apply_delta(self, epoch: str, seq: int, delta: Delta) -> bool:
        """Apply a delta; ``False`` (and nothing applied) if it does not follow the last seq."""
        if epoch != self.epoch or seq != self.seq + 1:
            return False
        self.values.update(delta.set)
        for key in delta.unset:
            self.values.pop(key, None)
        self.seq = seq
        return True

    def kpi(self, scope: str, window: str, kpi: str) -> float | None:
        """A KPI value, or ``None`` when it has no data."""
        return self.values.get(kpi_key(scope, window, kpi))

    def state(self, scope: str, window: str, kpi: str) -> str | None:
        """``ok``, ``warn``, ``alert``, or ``None`` (no data or no threshold)."""
        return self.values.get(state_key(scope, window, kpi))

    def items(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """``(rest_of_key, value)`` for keys starting with ``prefix`` (e.g. ``"message:"``)."""
        for key, value in self.values.items():
            if key.startswith(prefix):
                yield key[len(prefix):], value

    @property
    def meta(self) -> dict[str, Any]:
        """The ``meta`` entry (role, identity, team, pages...)."""
        return self.values.get("meta", {})
