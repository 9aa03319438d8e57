"""Build the plugin manager and collect what plugins offer.

Environment variables for debugging:

- ``PANNEAU_LOAD_PLUGINS``: comma-separated entry-point names to load from installed
  distributions (empty string: none). Built-ins always load.
- ``PANNEAU_TRACE_PLUGINS=1``: log every hook call and its result at DEBUG level.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pluggy

from panneau.hub import hookspecs
from panneau.hub.insights import InsightRule
from panneau.hub.sources import SourceSpec
from panneau.plugins import DEFAULT_PLUGINS

__all__ = ["InsightRegistry", "PluginInfo", "Registry", "SourceRegistry", "collect_insights",
           "collect_sources", "make_plugin_manager", "plugin_infos"]

ENTRY_POINT_GROUP = "panneau"
log = logging.getLogger(__name__)
T = TypeVar("T", SourceSpec, InsightRule)


def make_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the built-ins and (unless told not to) installed plugins."""
    pm = pluggy.PluginManager("panneau")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        _load_entry_points(pm)
    pm.check_pending()
    if os.environ.get("PANNEAU_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda message: log.debug("%s", message.rstrip()))
        pm.enable_tracing()
    return pm


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    wanted = os.environ.get("PANNEAU_LOAD_PLUGINS")
    if wanted is None:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        return
    for name in (n.strip() for n in wanted.split(",")):
        if name:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its name, where it comes from and the hooks it implements."""

    name: str
    origin: str
    hooks: tuple[str, ...]


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Describe every registered plugin, built-ins first."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for name, plugin in pm.list_name_plugin():
        dist = dists.get(id(plugin))
        if dist is not None:
            origin = f"{dist.metadata['Name']} {dist.version} (entry point)"
        elif name in DEFAULT_PLUGINS:
            origin = "built-in"
        else:
            origin = getattr(plugin, "__file__", None) or repr(plugin)
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name=name, origin=origin, hooks=hooks))
    return infos


@dataclass
class Registry(Generic[T]):
    """What plugins registered through one hook, by name; which plugin gave each; what was
    refused and why."""

    specs: dict[str, T] = field(default_factory=dict)
    provider: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


SourceRegistry = Registry[SourceSpec]
InsightRegistry = Registry[InsightRule]


def _collect(pm: pluggy.PluginManager, hook: str, kind: type[T], what: str) -> Registry[T]:
    """Call ``hook(register)`` on every plugin (built-ins first); keep each ``kind`` object
    under its ``name``, refusing other types and names already taken."""
    registry: Registry[T] = Registry()
    for impl in getattr(pm.hook, hook).get_hookimpls():  # registration order: built-ins first
        plugin_name = impl.plugin_name

        def register(spec: T, _plugin: str = plugin_name) -> None:
            if not isinstance(spec, kind):
                registry.refused.append(
                    f"{_plugin}: register() takes a {kind.__name__}, got {spec!r}")
            elif spec.name in registry.specs:
                other = registry.provider[spec.name]
                registry.refused.append(
                    f"{_plugin}: {what} {spec.name!r} is already registered by {other}")
            else:
                registry.specs[spec.name] = spec
                registry.provider[spec.name] = _plugin

        impl.function(register=register)
    for message in registry.refused:
        log.warning("plugin refused: %s", message)
    return registry


def collect_sources(pm: pluggy.PluginManager) -> SourceRegistry:
    """Call ``register_sources`` on every plugin and check what comes back."""
    return _collect(pm, "register_sources", SourceSpec, "source")


def collect_insights(pm: pluggy.PluginManager) -> InsightRegistry:
    """Call ``register_insights`` on every plugin and check what comes back."""
    return _collect(pm, "register_insights", InsightRule, "insight rule")
