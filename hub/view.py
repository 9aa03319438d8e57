"""A view: the flat map of everything one audience may see, and how it changes.

The hub builds one view per audience (a kiosk's team, one agent, the managers), sends it once
as a ``snapshot`` frame, then only what changed as ``delta`` frames. Screens keep a
:class:`ViewState` and read it through the helpers below.

On the wire a key is a string whose prefix says what it holds (``docs/protocol.md``); in code
it is a :class:`Key`, and :func:`parse_key` / :meth:`Key.wire` are the one codec both the hub
and the screens use (nobody splits key strings by hand):

- ``kpi:<scope>/<window>/<kpi>`` → number; absent when the KPI has no data
- ``state:<scope>/<window>/<kpi>`` → ``"ok" | "warn" | "alert"``; absent when no data or no
  threshold
- ``target:<scope>/<kpi>`` → ``{"target", "warn", "alert", "higher_is_better"}``
- ``trend:<scope>/<window>/<kpi>`` → ``[[ts, value], ...]`` (history samples, oldest first)
- ``ref:<scope>/<window>/<kpi>`` → ``{"yesterday": v, "last_week": v}`` (same time of day)
- ``agent:<id>`` → ``{"state", "since", "reason", "name"}`` (managers also get ``"team"``)
- ``source:<name>`` → ``{"status", "since", "last_event", "detail", "feeds"}``
- ``message:<id>`` → ``{"id", "text", "sender", "to", "sent", "expires", "acked_by"}``
- ``alert:<scope>/<window>/<kpi>`` → ``{"key", "state", "value", "since", "text"}``
- ``annotation:<scope>/<window>/<kpi>`` → ``{"text", "by", "ts"}``
- ``insight:<rule>/<scope>`` → ``{"rule", "key", "text", "figures", "period", "severity"}``
- ``objective:<n>`` → an objective with its key results' progress (panneau.hub.objectives)
- ``scorecard:<scope>`` → the balanced scorecard of ``site``, ``site:<name>`` or ``team:<id>``
- ``pulse:team:<id>`` → ``{"question", "period", "answers", "mean", "counts"}`` (aggregate only;
  managers' also ``"comments"``, alphabetical, nothing beside them)
- ``pulse:ask`` → ``{"question", "period", "answered"}`` (an agent's own view only)
- ``meta`` → ``{"role", "identity", "team", "team_name", "agent", "as_of", "pages", ...}``

A scope (``site``, ``site:<name>``, ``queue:<name>``, ``team:<id>``, ``agent:<id>``;
:data:`SCOPE_KINDS`, :func:`parse_scope`) may hold ``:`` but never ``/``; windows and KPI ids
hold neither. ``site`` is everything the hub counts; ``site:<name>`` one site of a group hub
(docs/scale-out.md), whose teams, queues and agents are named ``<site>:<name>``.
``<scope>/<window>/<kpi>`` alone (an alert's id, the key of an annotation, the engine's flat
figures) is a *figure id*: :func:`figure_id` and
:func:`parse_figure_id` read and write it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = [
    "FIGURE_KINDS", "ITEM_KINDS", "SCOPE_KINDS", "SCOPE_PATTERN", "Delta", "Key", "ViewState",
    "diff", "figure_id", "kpi_key", "parse_figure_id", "parse_key", "parse_scope", "state_key",
]

#: Kinds whose key is ``<kind>:<scope>/<window>/<kpi>``.
FIGURE_KINDS = frozenset({"kpi", "state", "trend", "ref", "alert", "annotation"})
#: Kinds whose key is ``<kind>:<id>``.
ITEM_KINDS = frozenset({"agent", "source", "message", "insight", "objective", "scorecard",
                        "pulse"})
#: Kinds of scope: ``site`` (alone: everything; ``site:<name>``: one site of a group hub),
#: ``queue:<name>``, ``team:<id>``, ``agent:<id>``.
SCOPE_KINDS = frozenset({"site", "queue", "team", "agent"})
#: A scope as a regular expression (no anchors): what the protocol schema allows. A queue,
#: team or agent name may hold ``/`` (Asterisk writes agents ``Agent/1127``): figure ids are
#: read from the right.
SCOPE_PATTERN = r"(?:site(?::[^/:]+)?|(?:queue|team|agent):.+)"
_SCOPE = re.compile(SCOPE_PATTERN)


def parse_scope(scope: str) -> tuple[str, str]:
    """``team:paris:support`` → ``("team", "paris:support")``; ``site`` → ``("site", "")``;
    :class:`ValueError` for anything that is not a scope."""
    if not _SCOPE.fullmatch(scope):
        raise ValueError(f"{scope[:80]!r} is not a scope (site, site:<name>, queue:<name>, "
                         "team:<id>, agent:<id>)")
    kind, _, name = scope.partition(":")
    return kind, name


class Key(NamedTuple):
    """One view key, typed: ``kind`` and the parts its kind has (the others are ``""``).

    ``Key("kpi", "team:support", "today", "answered")``, ``Key("target", "team:support",
    kpi="answered")``, ``Key("agent", id="ag-ann")``, ``Key("meta")``.
    """

    kind: str
    scope: str = ""
    window: str = ""
    kpi: str = ""
    id: str = ""

    @property
    def wire(self) -> str:
        """The key as sent on the wire."""
        return format_key(self)

    @property
    def figure(self) -> str:
        """``<scope>/<window>/<kpi>`` of a figure key (an alert's or annotation's id)."""
        return f"{self.scope}/{self.window}/{self.kpi}"


def format_key(key: Key) -> str:
    """The wire string of ``key``."""
    kind = key.kind
    if kind in FIGURE_KINDS:
        return f"{kind}:{key.scope}/{key.window}/{key.kpi}"
    if kind == "target":
        return f"target:{key.scope}/{key.kpi}"
    if kind in ITEM_KINDS:
        return f"{kind}:{key.id}"
    if kind == "meta":
        return "meta"
    raise ValueError(f"unknown view key kind {kind!r}")


def figure_id(scope: str, window: str, kpi: str) -> str:
    """``queue:support/today/answered``."""
    return f"{scope}/{window}/{kpi}"


def _slash_ok(scope: str) -> bool:
    """Only a queue, team or agent name may hold ``/``."""
    return "/" not in scope or scope.startswith(("queue:", "team:", "agent:"))


def parse_figure_id(text: str) -> tuple[str, str, str]:
    """``<scope>/<window>/<kpi>`` → its three parts; :class:`ValueError` if malformed. Read
    from the right: a scope may hold ``/`` (Asterisk agents are ``Agent/1127``, ``SIP/1001``);
    a window or KPI id never does."""
    parts = text.rsplit("/", 2)
    if len(parts) != 3 or not all(parts) or not _slash_ok(parts[0]):
        raise ValueError(f"{text[:80]!r} is not <scope>/<window>/<kpi>")
    return parts[0], parts[1], parts[2]


@lru_cache(maxsize=65536)
def parse_key(text: str) -> Key:
    """A wire key → :class:`Key`; :class:`ValueError` for a key of no known shape.

    Screens meet the same keys again and again: parsed keys are cached.
    """
    if text == "meta":
        return Key("meta")
    kind, sep, rest = text.partition(":")
    if not sep or not rest:
        raise ValueError(f"{text[:80]!r} is not a view key")
    if kind in FIGURE_KINDS:
        scope, window, kpi = parse_figure_id(rest)
        return Key(kind, scope, window, kpi)
    if kind == "target":
        scope, sep, kpi = rest.rpartition("/")
        if not scope or not kpi or not _slash_ok(scope):
            raise ValueError(f"{text[:80]!r} is not target:<scope>/<kpi>")
        return Key("target", scope, kpi=kpi)
    if kind in ITEM_KINDS:
        return Key(kind, id=rest)
    raise ValueError(f"{text[:80]!r}: unknown view key kind {kind!r}")


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
        return self.apply_changes(epoch, seq, delta.set, delta.unset)

    def apply_changes(self, epoch: str, seq: int, set_: Mapping[str, Any],
                      unset: Iterable[str]) -> bool:
        """:meth:`apply_delta` of a ``delta`` frame's ``set`` and ``unset`` as they are."""
        if epoch != self.epoch or seq != self.seq + 1:
            return False
        values = self.values
        values.update(set_)
        for key in unset:
            values.pop(key, None)
        self.seq = seq
        return True

    def kpi(self, scope: str, window: str, kpi: str) -> float | None:
        """A KPI value, or ``None`` when it has no data."""
        return self.values.get(kpi_key(scope, window, kpi))

    def state(self, scope: str, window: str, kpi: str) -> str | None:
        """``ok``, ``warn``, ``alert``, or ``None`` (no data or no threshold)."""
        return self.values.get(state_key(scope, window, kpi))

    def figure(self, kind: str, scope: str, window: str, kpi: str) -> Any:
        """The value of ``<kind>:<scope>/<window>/<kpi>`` (``trend``, ``ref``...), or ``None``."""
        return self.values.get(format_key(Key(kind, scope, window, kpi)))

    def target(self, scope: str, kpi: str) -> Any:
        """The value of ``target:<scope>/<kpi>``, or ``None``."""
        return self.values.get(f"target:{scope}/{kpi}")

    def keys(self, kind: str) -> Iterator[tuple[Key, Any]]:
        """``(Key, value)`` of every well-formed key of ``kind`` (malformed keys are skipped)."""
        prefix = "meta" if kind == "meta" else f"{kind}:"
        for text, value in self.values.items():
            if text.startswith(prefix):
                try:
                    yield parse_key(text), value
                except ValueError:
                    continue

    def items(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """``(rest_of_key, value)`` for keys starting with ``prefix`` (e.g. ``"message:"``)."""
        for key, value in self.values.items():
            if key.startswith(prefix):
                yield key[len(prefix):], value

    @property
    def meta(self) -> dict[str, Any]:
        """The ``meta`` entry (role, identity, team, pages...)."""
        return self.values.get("meta", {})
