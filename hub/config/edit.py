"""Change one ``[[thresholds]]`` entry of a config text, keeping its comments and layout.

:func:`set_threshold` is pure (text in, text out, with tomlkit): the caller validates the
result with :func:`panneau.hub.config.parse_config` before writing it (``panneau targets set``,
the hub's ``set_target`` frame), so a bad value never reaches the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

__all__ = ["FIELDS", "ThresholdChange", "scope_match", "set_threshold"]

#: The fields of a threshold a change may set (``None`` removes one).
FIELDS = ("target", "warn", "alert", "hysteresis", "direction")


@dataclass(frozen=True)
class ThresholdChange:
    """What :func:`set_threshold` did: the entry's fields before (``None``: new) and after."""

    scope: str
    kpi: str
    old: dict[str, Any] | None
    new: dict[str, Any]
    text: str


def scope_match(scope: str) -> dict[str, str]:
    """``site`` → ``{}``, ``team:<id>`` → ``{"team": id}``, ``queue:<q>`` → ``{"queue": q}``,
    a group hub's ``site:<name>`` → ``{"site": name}``."""
    kind, _, name = scope.partition(":")
    if scope == "site":
        return {}
    if kind in ("team", "queue", "site") and name:
        return {kind: name}
    raise ValueError(f"scope {scope!r}: thresholds apply to site, team:<id>, queue:<name> or "
                     "(a group hub) site:<name> (an agent's come from its team's)")


def _fields(table: Any) -> dict[str, Any]:
    return {k: (v.unwrap() if hasattr(v, "unwrap") else v) for k, v in table.items()
            if k in FIELDS}


def set_threshold(text: str, scope: str, kpi: str, changes: dict[str, Any]) -> ThresholdChange:
    """Set ``changes`` on the threshold of ``kpi`` for ``scope`` in the TOML ``text`` (adds
    the entry when there is none). ``ValueError`` for a scope or text it cannot edit."""
    match = scope_match(scope)
    if unknown := set(changes) - set(FIELDS):
        raise ValueError(f"unknown threshold field(s): {', '.join(sorted(unknown))}")
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ValueError(f"the configuration is not valid TOML: {exc}") from exc
    entries = doc.get("thresholds")
    if entries is None:
        entries = tomlkit.aot()
        doc.append("thresholds", entries)
    found = None
    for entry in entries:
        if entry.get("kpi") == kpi and all(entry.get(key) == match.get(key)
                                           for key in ("team", "queue", "site")):
            found = entry
            break
    old = None if found is None else _fields(found)
    if found is None:
        found = tomlkit.table()
        found["kpi"] = kpi
        for key, value in match.items():
            found[key] = value
        entries.append(found)
    for key, value in changes.items():
        if value is None:
            found.pop(key, None)
        else:
            found[key] = float(value) if key != "direction" else value
    if old is None:
        found.add(tomlkit.nl())  # a blank line before whatever table follows
    return ThresholdChange(scope, kpi, old, _fields(found), tomlkit.dumps(doc))
