"""Which parts of a changed configuration a running hub takes at once, and which wait.

Live (applied by :meth:`ConfigReloader.apply`): ``[[thresholds]]`` (targets, levels: the next
tick shows them), ``[kiosk]`` (pages, windows sampled, schedule), ``[[tokens]]`` (a session
whose token was removed is closed with 4005 ``token revoked``; one whose token now gives
another role, team or agent gets that audience's snapshot on the same connection),
``[[objectives]]``, ``[scorecard]`` and ``[pulse]`` (judged again at once: the rollup loop is
woken rather than waiting ``hub.history_interval_s``) and ``[reports]`` when the hub already
sends reports (read at each check). Everything else — listen ports, database, timezone and day
start, KPI conventions, queues, teams, sources, cluster and TLS settings — is kept as it is
and named in the reload's ``restart`` list and in ``/healthz`` until the hub restarts: teams
and KPI conventions shape what the engine has counted since the day began, and sources and
ports are bound once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panneau.hub.config.schema import Config

__all__ = ["LIVE", "POLL_S", "ConfigReloader", "Reload", "split_changes"]

log = logging.getLogger(__name__)
#: How often the file's modification time is looked at.
POLL_S = 1.0

#: Top-level config parts a running hub applies at once (``reports`` too once it sends some).
LIVE: tuple[str, ...] = ("thresholds", "kiosk", "tokens", "objectives", "scorecard", "pulse")
#: Live parts judged by the rollup loop: a reload wakes it instead of waiting its interval.
_GOALS: frozenset[str] = frozenset({"objectives", "scorecard", "pulse"})


@dataclass(frozen=True)
class Reload:
    """The config to run, the parts applied live, the changed parts that need a restart."""

    config: Config
    live: tuple[str, ...]
    restart: tuple[str, ...]


def _parts(config: Config) -> dict[str, object]:
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}


def split_changes(running: Config, new: Config, live_parts: tuple[str, ...] = LIVE) -> Reload:
    """The running config with ``new``'s live parts; what changed, live or not."""
    old_parts, new_parts = _parts(running), _parts(new)
    changed = [name for name in old_parts if old_parts[name] != new_parts[name]]
    live = tuple(name for name in changed if name in live_parts)
    if "hub" in changed:  # name the settings, not just the table
        hub_old, hub_new = _parts(running.hub), _parts(new.hub)
        restart = tuple(f"hub.{k}" for k in hub_old if hub_old[k] != hub_new[k])
        restart += tuple(name for name in changed if name not in live_parts and name != "hub")
    else:
        restart = tuple(name for name in changed if name not in live_parts)
    config = dataclasses.replace(running, **{name: new_parts[name] for name in live})
    return Reload(config, live, restart)


class ConfigReloader:
    """Reloads a running hub's configuration file: on request (SIGHUP) and when it changes.

    A file that does not load (bad TOML, a value ``panneau config check`` refuses) is
    refused: the error is logged and shown in ``/healthz`` (``config.error``), the running
    configuration is kept, and the next good version of the file is taken as usual."""

    def __init__(self, hub: Any, path: str | Path, poll_s: float = POLL_S) -> None:
        self.hub, self.path, self.poll_s = hub, Path(path), poll_s
        self.loaded_at = hub.clock()
        self.error: str | None = None
        self.restart: tuple[str, ...] = ()
        self.reloads = 0
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def public(self) -> dict[str, Any]:
        """The ``config`` part of ``/healthz``."""
        return {"path": str(self.path), "loaded_at": self.loaded_at, "reloads": self.reloads,
                "error": self.error, "restart_needed_for": list(self.restart)}

    def reload_file(self) -> Reload | None:
        """Load the file and apply what can change live; ``None`` when it was refused."""
        from panneau.hub.config import ConfigError, load_config

        self._seen = self._stamp()
        try:
            new = load_config(self.path, self.hub.sources)
        except (ConfigError, OSError) as exc:
            self.error = str(exc)
            log.error("configuration %s refused, the running one is kept:\n%s", self.path, exc)
            return None
        self.error = None
        result = self.apply(new)
        self.loaded_at = self.hub.clock()
        self.reloads += 1
        return result

    def apply(self, new: Config) -> Reload:
        """Give the hub's parts ``new``'s live parts (only sessions of removed tokens are
        dropped)."""
        from panneau.hub.engine.thresholds import Thresholds
        from panneau.hub.server.engine_state import fingerprint
        from panneau.hub.server.history import windows_of
        from panneau.hub.server.ws import TokenTable

        hub = self.hub
        live = LIVE + (("reports",) if getattr(hub, "reports", None) is not None else ())
        result = split_changes(hub.config, new, live)
        self.restart = tuple(sorted(set(self.restart) | set(result.restart)))
        if result.restart:
            log.warning("configuration: %s changed; that takes effect at the next restart",
                        ", ".join(result.restart))
        if not result.live:
            if not result.restart:
                log.info("configuration %s reloaded: no change", self.path)
            return result
        cfg = hub.config = result.config
        engine = hub.engine
        thresholds = Thresholds(cfg, engine.scopes)
        thresholds.load_data(engine.thresholds.to_data())  # states, alerts, last judged
        engine.config, engine.thresholds = cfg, thresholds
        hub.engine_state.config, hub.engine_state.fingerprint = cfg, fingerprint(cfg)
        hub.frames.config = cfg
        hub.history.config, hub.history.windows = cfg, windows_of(cfg)
        if "tokens" in result.live:
            hub.ws.use_tokens(TokenTable(cfg.tokens))
        hub.views.config = cfg
        self._goals(cfg, result.live)
        hub.mark_dirty()
        log.info("configuration reloaded: %s applied", ", ".join(result.live))
        return result

    def _goals(self, cfg: Config, live: tuple[str, ...]) -> None:
        """Objectives, scorecard and pulse settings: judged again at once, not at the next
        rollup interval (a pulse switched off stops asking and showing)."""
        hub = self.hub
        if "pulse" in live:
            from panneau.hub.server.pulse import Pulse

            hub.pulse = Pulse(hub.journal, cfg)  # its period or question may have changed
            hub.pulse.refresh(hub.today())
        else:
            hub.pulse.config = cfg  # teams and small_n are read from it
        if _GOALS & set(live):
            hub.rejudge.set()

    def set_target(self, scope: str, kpi: str, changes: dict[str, Any], by: str
                   ) -> dict[str, Any]:
        """A manager's ``set_target`` frame: write the file (validated first), journal who
        changed what, apply it now. ``ValueError`` with the reason when refused."""
        from panneau.hub.config import ConfigError
        from panneau.hub.config.targets_file import change_threshold_file

        try:
            change = change_threshold_file(self.path, scope, kpi, changes, self.hub.sources)
        except (ConfigError, OSError) as exc:
            raise ValueError(str(exc)) from exc
        self.hub.journal.add_config_change(self.hub.clock(), by, f"threshold {scope} {kpi}",
                                           change.old, change.new)
        self.reload_file()
        return {"old": change.old, "new": change.new}

    async def watch(self) -> None:
        """Reload whenever the file's modification time or size changes."""
        while True:
            await asyncio.sleep(self.poll_s)
            stamp = self._stamp()
            if stamp is not None and stamp != self._seen:
                try:
                    self.reload_file()
                except Exception:
                    log.exception("reloading the configuration failed")
