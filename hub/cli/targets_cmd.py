"""``panneau targets``: list the targets and thresholds, or change one in the config file.

``set`` writes the change into the file (comments and layout kept, validated first: a bad
value is refused with the reason and the file is left alone), records it in the journal
(who, when, old → new) and the running hub picks it up within a second (it watches the file;
``kill -HUP`` reloads at once).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from panneau.hub.cli.common import add_command, fail
from panneau.hub.config import Config, ConfigError, load_config
from panneau.hub.config.schema import Threshold

__all__ = ["register", "run_list", "run_set"]


def register(subparsers) -> None:
    """Add ``targets`` with ``list`` and ``set``."""
    parser = add_command(
        subparsers, "targets", "list targets and thresholds, or change one",
        "panneau targets set team:support service_level_pct --target 85 --warn 80 --alert 70",
        lambda args: parser.print_help() or 2,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = add_command(sub, "list", "every [[thresholds]] entry",
                          "panneau targets list --config panneau.toml", run_list)
    listing.add_argument("--config", default="panneau.toml", metavar="FILE")
    setting = add_command(
        sub, "set", "set a KPI's target or levels for the site, a team or a queue",
        "panneau targets set site abandon_rate_pct --warn 5 --alert 10 --by anne", run_set)
    setting.add_argument("scope", help="site, team:<id>, queue:<name> or (a group hub) "
                                       "site:<name>")
    setting.add_argument("kpi", help="KPI id (see docs/kpis.md)")
    for name in ("target", "warn", "alert", "hysteresis"):
        setting.add_argument(f"--{name}", type=float, metavar="NUMBER")
    setting.add_argument("--direction", choices=("higher", "lower"))
    setting.add_argument("--clear", action="append", default=[], metavar="FIELD",
                         choices=("target", "warn", "alert", "hysteresis", "direction"),
                         help="remove this field (repeatable)")
    setting.add_argument("--by", help="who makes the change (default: the login name)")
    setting.add_argument("--config", default="panneau.toml", metavar="FILE")


def _level(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _direction(t: Threshold) -> str:
    """Which way the hub rates the figure: the entry's ``direction``, else ``(default)``: the
    KPI's own, or the one the order of its levels gives: the engine's rule, imported here
    (the engine is no part of ``panneau --help``)."""
    from panneau.hub.engine.thresholds import higher_is_better

    said = f"{'higher' if higher_is_better(t) else 'lower'} is better"
    return said if t.direction is not None else f"{said} (default)"


def run_list(args: argparse.Namespace) -> int:
    """Print the thresholds: levels, hysteresis and which way is better."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return fail("targets list", exc)
    for t in config.thresholds:
        scope = (f"queue:{t.queue}" if t.queue else f"team:{t.team}" if t.team
                 else f"site:{t.site}" if t.site else "site")
        sys.stdout.write(f"{scope:20} {t.kpi:26} target {_level(t.target):>6}  "
                         f"warn {_level(t.warn):>6}  alert {_level(t.alert):>6}  "
                         f"hysteresis {_level(t.hysteresis):>4}  {_direction(t)}\n")
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Change the file, journal the change."""
    from panneau.hub.config.targets_file import change_threshold_file
    from panneau.hub.plugins import collect_sources
    from panneau.hub.server.journal import Journal

    changes = {name: getattr(args, name) for name in
               ("target", "warn", "alert", "hysteresis", "direction")
               if getattr(args, name) is not None}
    changes |= dict.fromkeys(args.clear)
    if not changes:
        return fail("targets set", "nothing to change (give --target, --warn, --alert, "
                                   "--hysteresis, --direction or --clear)")
    registry = collect_sources(args.plugin_manager) if args.plugin_manager else None
    journals: list[Journal] = []

    def open_journal(config: Config) -> None:  # a change the journal cannot record: not made
        journals.append(Journal(config.hub.database))

    try:
        change = change_threshold_file(args.config, args.scope, args.kpi, changes, registry,
                                       before_write=open_journal)
    except (ConfigError, ValueError, OSError) as exc:
        for journal in journals:
            journal.close()
        return fail("targets set", f"refused, nothing changed:\n{exc}")
    (journal,) = journals
    by = args.by or getpass.getuser()
    try:
        journal.add_config_change(time.time(), by, f"threshold {args.scope} {args.kpi}",
                                  change.old, change.new)
    finally:
        journal.close()
    before = change.old or {}
    said = ", ".join(f"{k} {_level(before.get(k))} → {_level(change.new.get(k))}"
                     for k in sorted(set(before) | set(change.new))
                     if before.get(k) != change.new.get(k))
    sys.stdout.write(f"{args.kpi} for {args.scope}: {said or 'unchanged'} "
                     f"(by {by}, written to {args.config}; a running hub applies it)\n")
    return 0
