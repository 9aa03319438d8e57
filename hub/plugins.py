"""Build the plugin manager and collect what plugins offer.

A plugin that cannot be loaded (its import raises, it implements a hook that does not exist)
is skipped and kept in :attr:`PanneauPluginManager.failures`; a plugin whose hook raises or
registers something invalid loses only what that hook gave (``Registry.refused``; a hook that
raised is also in ``Registry.failures``). Either way the others are served and ``panneau
plugins`` lists what went wrong. The hub starts all the same: a source of a plugin that failed
to load, or whose ``register_sources`` raised, is shown down with that plugin's error
(``collect_sources(pm, hub=True)``); ``panneau config check`` refuses it.

Environment variables for debugging:

- ``PANNEAU_LOAD_PLUGINS``: comma-separated entry-point names to load from installed
  distributions (empty string: none). Built-ins always load.
- ``PANNEAU_TRACE_PLUGINS=1``: log every hook call and its result at DEBUG level.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pluggy

from panneau.hub import hookspecs
from panneau.hub.commands import CommandSpec
from panneau.hub.insights import InsightRule
from panneau.hub.sources import SourceSpec
from panneau.plugins import DEFAULT_PLUGINS

__all__ = ["CommandRegistry", "InsightRegistry", "PanneauPluginManager", "PluginFailure",
           "PluginInfo", "Registry", "SourceRegistry", "collect_commands", "collect_insights",
           "collect_sources", "make_plugin_manager", "plugin_infos"]

ENTRY_POINT_GROUP = "panneau"
log = logging.getLogger(__name__)
T = TypeVar("T", SourceSpec, CommandSpec, InsightRule)


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that was skipped, or whose ``hook`` raised: its name, where it comes from
    and why."""

    name: str
    origin: str
    error: str
    hook: str = ""  # empty: the plugin failed to load


class PanneauPluginManager(pluggy.PluginManager):
    """pluggy's manager, plus where each plugin came from and which ones were skipped."""

    def __init__(self) -> None:
        super().__init__("panneau")
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, str] = {}
        self.failures: list[PluginFailure] = []

    def add(self, name: str, origin: str, load: Callable[[], Any]) -> bool:
        """Load and register one plugin; on any error skip it, keep the reason, log it."""
        plugin = None
        try:
            plugin = load()
            self.register(plugin, name=name)
            unknown = self._unknown_hooks(plugin)
            if unknown:
                raise pluggy.PluginValidationError(
                    plugin, f"implements hooks that do not exist: {', '.join(unknown)}")
        except (Exception, SystemExit) as exc:  # sys.exit() at import ended every command
            if plugin is not None and self.is_registered(plugin):
                self.unregister(plugin)
            error = f"{type(exc).__name__}: {exc}"[:500]
            self.failures.append(PluginFailure(name, origin, error))
            log.error("plugin %s (%s) skipped: %s", name, origin, error)
            return False
        self.origins[name] = origin
        return True

    def _unknown_hooks(self, plugin: object) -> list[str]:
        return sorted(hc.name for hc in self.get_hookcallers(plugin) or ()
                      if not hc.has_spec()
                      and any(not i.optionalhook for i in hc.get_hookimpls() if i.plugin is plugin))


def make_plugin_manager(*, load_entry_points: bool = True) -> PanneauPluginManager:
    """A fresh manager with the built-ins and (unless told not to) installed plugins.

    Never raises because of a plugin: see :attr:`PanneauPluginManager.failures`."""
    pm = PanneauPluginManager()
    for module_name in DEFAULT_PLUGINS:
        pm.add(module_name, "built-in", functools.partial(importlib.import_module, module_name))
    if load_entry_points:
        _load_entry_points(pm)
    if os.environ.get("PANNEAU_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda message: log.debug("%s", message.rstrip()))
        pm.enable_tracing()
    return pm


def _load_entry_points(pm: PanneauPluginManager) -> None:
    wanted = os.environ.get("PANNEAU_LOAD_PLUGINS")
    names = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or (names is not None and ep.name not in names):
                continue
            if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
                continue  # the same distribution seen twice on sys.path, or blocked
            if any(f.name == ep.name for f in pm.failures):
                continue
            pm.add(ep.name, f"{dist.metadata['Name']} {dist.version} (entry point)", ep.load)


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its name, where it comes from and the hooks it implements."""

    name: str
    origin: str
    hooks: tuple[str, ...]


def _origin(pm: pluggy.PluginManager, name: str, plugin: object) -> str:
    return (getattr(pm, "origins", {}).get(name) or getattr(plugin, "__file__", None)
            or repr(plugin))


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Describe every registered plugin, built-ins first."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        origin = _origin(pm, name, plugin)
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name=name, origin=origin, hooks=hooks))
    return infos


@dataclass
class Registry(Generic[T]):
    """What plugins registered through one hook, by name (in registration order); which
    plugin gave each; what was refused and why; the plugins that could not be loaded or whose
    hook raised (what they offer is unknown: a config naming it says why it is missing)."""

    specs: dict[str, T] = field(default_factory=dict)
    provider: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)
    #: A hub's (sources): a ``[[sources]]`` entry whose plugin may be one that failed (to load,
    #: or in this hook) is no config error (:func:`panneau.hub.config.load.source_option_issues`).
    lenient: bool = False


SourceRegistry = Registry[SourceSpec]
CommandRegistry = Registry[CommandSpec]
InsightRegistry = Registry[InsightRule]


def _collect(pm: pluggy.PluginManager, hook: str, kind: type[T], what: str,
             check: Callable[[T], str | None] = lambda spec: None,
             lenient: bool = False) -> Registry[T]:
    """Call ``hook(register)`` on every plugin (built-ins first); keep each ``kind`` object
    under its ``name``, refusing other types, names already taken and what ``check`` objects
    to. A plugin whose hook raises loses everything it registered in that call, and is kept
    in ``failures``."""
    registry: Registry[T] = Registry(failures=list(getattr(pm, "failures", ())),
                                     lenient=lenient)
    for impl in getattr(pm.hook, hook).get_hookimpls():  # registration order: built-ins first
        plugin_name, mine, refused = impl.plugin_name, {}, []

        def register(spec: T, _plugin: str = plugin_name, _mine: dict = mine,
                     _refused: list = refused) -> None:
            problem = None
            if not isinstance(spec, kind):
                problem = f"register() takes a {kind.__name__}, got {spec!r}"
            elif spec.name in registry.specs or spec.name in _mine:
                other = registry.provider.get(spec.name, _plugin)
                problem = f"{what} {spec.name!r} is already registered by {other}"
            else:
                problem = check(spec)
            if problem:
                _refused.append(f"{_plugin}: {problem}")
            else:
                _mine[spec.name] = spec

        try:
            impl.function(register=register)
        except (Exception, SystemExit) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            registry.refused.append(f"{plugin_name}: {hook} failed, nothing of it is used: "
                                    f"{error}"[:500])
            registry.failures.append(PluginFailure(
                plugin_name, _origin(pm, plugin_name, impl.plugin), error, hook))
            continue
        registry.refused += refused
        for name, spec in mine.items():
            registry.specs[name], registry.provider[name] = spec, plugin_name
    for message in registry.refused:
        log.warning("plugin refused: %s", message)
    return registry


def collect_sources(pm: pluggy.PluginManager, *, hub: bool = False) -> SourceRegistry:
    """Call ``register_sources`` on every plugin and check what comes back; for a running
    ``hub``, one plugin that failed to load, or whose hook raised, darkens its sources only:
    they run down with its error, the hub starts (``panneau config check`` still refuses
    them)."""
    return _collect(pm, "register_sources", SourceSpec, "source", lenient=hub)


def collect_insights(pm: pluggy.PluginManager) -> InsightRegistry:
    """Call ``register_insights`` on every plugin and check what comes back."""
    return _collect(pm, "register_insights", InsightRule, "insight rule")


def collect_commands(pm: pluggy.PluginManager, reserved: Collection[str] = ()
                     ) -> CommandRegistry:
    """Call ``register_commands`` on every plugin; refuse names in ``reserved`` (the built-in
    commands) and commands whose ``arguments`` cannot build their parser."""

    def check(spec: CommandSpec) -> str | None:
        if spec.name in reserved:
            return f"command {spec.name!r} is a built-in command"
        if spec.arguments is not None:
            try:
                spec.arguments(argparse.ArgumentParser(prog=f"panneau {spec.name}"))
            except Exception as exc:
                return f"command {spec.name!r}: arguments() failed: {type(exc).__name__}: {exc}"
        return None

    return _collect(pm, "register_commands", CommandSpec, "command", check)
