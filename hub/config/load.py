"""Read and validate a config file: every error is collected, named by key and line."""

from __future__ import annotations

import hashlib
import re
import tomllib
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path as FsPath
from typing import Any

from panneau.hub.catalogue import KPIS, KpiInfo, in_window
from panneau.hub.clock import MAX_SPEED
from panneau.hub.config.locate import key_lines, line_of
from panneau.hub.config.schema import Config, Threshold
from panneau.hub.config.sites import (
    expand_group,
    group_sites,
    in_site,
    is_site_scope,
    known_agents,
    known_queues,
    known_teams,
    site_of,
    site_scope_choices,
)
from panneau.hub.config.validate import ConfigIssue, build, format_path
from panneau.hub.periods import parse_period

__all__ = ["ConfigError", "load_config", "missing_plugin", "parse_config", "read_config_text",
           "source_option_issues"]

#: The units of KPIs that are never negative: a threshold below 0 is a typo.
_NEVER_NEGATIVE = frozenset({"count", "s", "min", "h", "pct", "agents"})
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_HOSTPORT = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]*):(\d{1,5})$")


@dataclass
class ConfigError(Exception):
    """A config that cannot be used; ``messages`` holds one line per problem."""

    filename: str
    messages: list[str]

    def __str__(self) -> str:
        return "\n".join(self.messages)


def load_config(path: str | FsPath, registry: Any = None) -> Config:
    """Load and validate ``path``; with a source ``registry``, check source options too."""
    return parse_config(read_config_text(path), str(path), registry)


def read_config_text(path: str | FsPath) -> str:
    """The text of the config file ``path``; :class:`ConfigError` when it cannot be read or
    is not UTF-8 (an editor that saved it as Latin-1: the line of the first bad byte)."""
    path = FsPath(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"{path}: cannot read: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(str(path), [f"{path}:{line}: not UTF-8 text (byte "
                                      f"0x{exc.object[exc.start]:02x}): save the file as "
                                      "UTF-8"]) from None


def parse_config(text: str, filename: str = "<config>", registry: Any = None) -> Config:
    """Validate TOML text; raises :class:`ConfigError` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(filename, [f"{filename}: invalid TOML: {exc}"]) from exc
    issues: list[ConfigIssue] = []
    config = build(Config, data, (), issues)
    if config is not None:
        structural = bool(issues)
        checks = [*_CHECKS, *([lambda c: source_option_issues(c, registry)] if registry else [])]
        for check in checks:
            try:
                issues.extend(check(config))
            except (TypeError, AttributeError, ValueError):
                # A field already reported as malformed holds None: this check cannot run.
                if not structural:
                    raise
    if issues:
        lines = key_lines(text)
        ordered = sorted(issues, key=lambda issue: line_of(lines, issue.path) or 0)
        raise ConfigError(filename, [_format(filename, lines, issue) for issue in ordered])
    assert config is not None
    return expand_group(config)


def _format(filename: str, lines: dict, issue: ConfigIssue) -> str:
    line = line_of(lines, issue.path)
    where = f"{filename}:{line}" if line else filename
    return f"{where}: {format_path(issue.path)}: {issue.message}"


def missing_plugin(name: str, registry: Any) -> str:
    """Why no plugin offers the source kind ``name``: the plugin of that name failed to load
    or its ``register_sources`` raised (its error), else the kinds known and the plugins that
    failed."""
    failures = getattr(registry, "failures", ())
    for failure in failures:
        if failure.name == name:
            how = f"failed in {failure.hook}" if failure.hook else "failed to load"
            return f"the plugin {name!r} ({failure.origin}) {how}: {failure.error}"
    known = ", ".join(sorted(registry.specs)) or "none installed"
    groups = {"failed to load": [f.name for f in failures if not f.hook],
              "failed in register_sources": [f.name for f in failures if f.hook]}
    failed = "; ".join(f"{how}: {', '.join(names)}" for how, names in groups.items() if names)
    return (f"no source plugin named {name!r} (known: {known}"
            + (f"; {failed} (panneau plugins says why))" if failed else ")"))


def source_option_issues(config: Config, registry: Any) -> list[ConfigIssue]:
    """Check each source's plugin exists and its ``options`` match the plugin's declaration.

    A hub's registry (``registry.lenient``) lets a source whose plugin is missing through
    when some plugin failed to load or to register its sources (its kind may be that
    plugin's: which kinds a plugin offers is known only once it has registered them): the hub
    runs it down with that plugin's error, and every other source. A kind unknown with every
    plugin loaded and registered is a typo, refused."""
    issues: list[ConfigIssue] = []
    lenient = getattr(registry, "lenient", False) and getattr(registry, "failures", ())
    for i, source in enumerate(config.sources):
        spec = registry.specs.get(source.plugin)
        if spec is None:
            if not lenient:
                issues.append(ConfigIssue(("sources", i, "plugin"),
                                          missing_plugin(source.plugin, registry)))
        elif spec.options is not None:
            build(spec.options, source.options, ("sources", i, "options"), issues,
                  f"plugin {source.plugin!r}")
        elif source.options:
            issues.append(ConfigIssue(("sources", i, "options"),
                                      f"plugin {source.plugin!r} takes no options"))
    return issues


def build_source_options(spec: Any, options: dict[str, Any]) -> Any:
    """The options object for ``spec`` (raises ``ValueError`` naming every problem)."""
    if spec.options is None:
        return None
    issues: list[ConfigIssue] = []
    built = build(spec.options, options, ("options",), issues, f"plugin {spec.name!r}")
    if issues:
        raise ValueError("; ".join(f"{format_path(i.path)}: {i.message}" for i in issues))
    return built


def _duplicates(values: list[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def _hub_issues(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    add = issues.append
    hub = config.hub
    try:
        if isinstance(hub.timezone, str):  # a wrong type is reported already
            zoneinfo.ZoneInfo(hub.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        add(ConfigIssue(("hub", "timezone"), f"unknown time zone {hub.timezone!r}"))
    if isinstance(hub.day_start, str) and (
            not _HHMM.match(hub.day_start) or hub.day_start.startswith("24")):
        add(ConfigIssue(("hub", "day_start"), f"expected HH:MM, got {hub.day_start!r}"))
    for key in ("listen", "http_listen"):
        value = getattr(hub, key)
        if not isinstance(value, str):
            continue  # already reported as the wrong type
        match = _HOSTPORT.match(value)
        if not match:
            add(ConfigIssue(("hub", key), f"expected HOST:PORT, got {value!r}"))
        elif int(match.group(2)) > 65535:
            add(ConfigIssue(("hub", key), f"port {match.group(2)} is above 65535, the "
                                          "highest there is (0 takes a free one)"))
        elif key == "http_listen" and int(match.group(2)) and _port(hub.listen) == int(
                match.group(2)):
            add(ConfigIssue(("hub", key), f"port {match.group(2)} is hub.listen's too: the "
                                          "websocket and HTTP ports must differ"))
    for key in ("retention_days", "history_retention_days", "history_interval_s",
                "max_frame_bytes", "resume_history", "client_buffer_bytes",
                "max_frames_per_s", "auth_timeout_s", "tls_check_s", "auth_fail_limit",
                "auth_fail_window_s", "auth_ban_s"):
        value = getattr(hub, key)
        if isinstance(value, int | float) and value <= 0:  # a wrong type is reported already
            add(ConfigIssue(("hub", key), "must be greater than 0"))
    speed = hub.clock_speed
    if isinstance(speed, int | float) and not 0 < speed <= MAX_SPEED:
        add(ConfigIssue(("hub", "clock_speed"), f"must be above 0 and at most {MAX_SPEED:g} "
                                                "(1: the wall clock)"))
    if (hub.tls_cert is None) != (hub.tls_key is None):
        missing = "tls_key" if hub.tls_key is None else "tls_cert"
        add(ConfigIssue(("hub", missing), "give both tls_cert and tls_key (or neither)"))
    if hub.tls_client_ca is not None and hub.tls_cert is None:
        add(ConfigIssue(("hub", "tls_client_ca"), "needs tls_cert and tls_key"))
    return issues


def _duplicate_team_issues(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    add = issues.append
    team_ids = [t.id for t in config.teams]
    for dup in sorted(_duplicates(team_ids)):
        index = max(i for i, t in enumerate(config.teams) if t.id == dup)
        add(ConfigIssue(("teams", index, "id"), f"duplicate team id {dup!r}"))
    return issues


def _team_agent_issues(config: Config) -> list[ConfigIssue]:
    """An agent in two teams, or twice in one: an agent's screen shows its own team, one
    (the views took the first team listing it, the engine counted it in each)."""
    issues: list[ConfigIssue] = []
    home: dict[str, int] = {}
    for i, team in enumerate(config.teams):
        for agent in dict.fromkeys(team.agents):  # twice in one team: said below
            j = home.setdefault(agent, i)
            if j != i:
                issues.append(ConfigIssue(
                    ("teams", i, "agents"), f"agent {agent!r} is in team "
                    f"{config.teams[j].id!r} too (teams[{j}]): an agent belongs to one team, "
                    "the one its screen shows beside its own figures"))
        issues += [ConfigIssue(("teams", i, "agents"), f"agent {agent!r} is listed twice")
                   for agent in sorted(_duplicates(team.agents))]
    return issues


def _duplicate_source_issues(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    add = issues.append
    for i, source in enumerate(config.sources):  # its webhooks are /hooks/<name>/<path>
        if not source.name.strip() or "/" in source.name or source.name in (".", ".."):
            add(ConfigIssue(("sources", i, "name"), f"{source.name!r}: a source name is a part "
                            "of its webhooks' URL (/hooks/<name>/…): not empty, no '/', "
                            "not '.' or '..'"))
    for dup in sorted(_duplicates([s.name for s in config.sources])):
        index = max(i for i, s in enumerate(config.sources) if s.name == dup)
        add(ConfigIssue(("sources", index, "name"), f"duplicate source name {dup!r}"))
    return issues


def _kiosk_issues(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    add = issues.append
    for i, page in enumerate(config.kiosk.pages):
        if page.kind == "figures" and not page.kpis:
            add(ConfigIssue(("kiosk", "pages", i), "a figures page needs kpis"))
        named = [(("kpis", j), kpi) for j, kpi in enumerate(page.kpis)]
        named += [(("trend",), page.trend)] if page.trend is not None else []
        for where, kpi in named:
            if kpi not in KPIS:
                add(ConfigIssue(("kiosk", "pages", i, *where), f"unknown KPI {kpi!r}"))
            elif page.kind == "figures" and not in_window(kpi, page.window):
                add(ConfigIssue(("kiosk", "pages", i, *where), _off_window(kpi, page.window)))
    for key in ("on", "off"):
        if not _HHMM.match(getattr(config.kiosk.schedule, key)):
            add(ConfigIssue(("kiosk", "schedule", key), "expected HH:MM"))
    dwells = [(("kiosk", "dwell_s"), config.kiosk.dwell_s)]
    dwells += [(("kiosk", "pages", i, "dwell_s"), page.dwell_s)
               for i, page in enumerate(config.kiosk.pages)]
    for where, dwell in dwells:  # at 0 the wall never turned a page (config check said OK)
        if isinstance(dwell, int | float) and not dwell > 0:
            add(ConfigIssue(where, f"must be greater than 0, got {dwell:g}"))
    return issues


def _off_window(kpi: str, window: str) -> str:
    """Why a page of ``window`` cannot show ``kpi`` (the wall would read no data all day)."""
    if KPIS[kpi].instant:
        return (f'{kpi!r} is only in the "now" window (an instant figure): it would read no '
                f'data on a "{window}" page; put it on a page with window = "now"')
    return (f'{kpi!r} has no "now" window: it would read no data on a "now" page; put it on '
            'a page with window = "today", "15m", "30m" or "60m"')


def _kpi_issues(config: Config) -> list[ConfigIssue]:
    """``[kpi]`` and ``[queues.<name>]``: a number no contact centre can mean (a service level
    T of -5 s, a target of 150 %)."""
    kpi, issues = config.kpi, []
    positive = [(("kpi", key), getattr(kpi, key)) for key in ("service_level_s",
                                                               "fcr_repeat_hours")]
    positive += [(("queues", name, "service_level_s"), queue.service_level_s)
                 for name, queue in config.queues.items() if queue is not None]
    for path, value in positive:
        if isinstance(value, int | float) and value <= 0:
            issues.append(ConfigIssue(path, f"must be greater than 0, got {value:g}"))
    for key in ("short_abandon_s", "wrapup_s", "small_n"):
        value = getattr(kpi, key)
        if isinstance(value, int | float) and value < 0:
            issues.append(ConfigIssue(("kpi", key), f"must be 0 or more, got {value:g}"))
    value = kpi.service_level_target_pct
    if isinstance(value, int | float) and not 0 < value <= 100:
        issues.append(ConfigIssue(("kpi", "service_level_target_pct"),
                                  f"must be over 0 and at most 100, got {value:g}"))
    return issues


def _threshold_issues(config: Config) -> list[ConfigIssue]:
    issues = []
    team_ids = {t.id for t in config.teams} | set(known_teams(config))  # a group: per site
    sites = group_sites(config)
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    for i, th in enumerate(config.thresholds):
        if th.kpi not in KPIS:
            issues.append(ConfigIssue(("thresholds", i, "kpi"), f"unknown KPI {th.kpi!r}"))
        if th.team is not None and th.team not in team_ids:
            issues.append(ConfigIssue(("thresholds", i, "team"), f"no team {th.team!r}"))
        site = th.site
        if site is not None:
            issues += _threshold_site_issues(th, site, sites, ("thresholds", i))
        key = (th.kpi, site if not (th.team or th.queue) else None,
               *(name if name is None or site is None else in_site(site, name)
                 for name in (th.team, th.queue)))
        if key in seen:
            issues.append(ConfigIssue(("thresholds", i, "kpi"),
                                      f"duplicate threshold for {th.kpi!r}"))
        seen.add(key)
        if th.warn is None and th.alert is None and th.target is None:
            issues.append(ConfigIssue(("thresholds", i), "give at least target, warn or alert"))
        info = KPIS.get(th.kpi)
        higher = (th.direction == "higher") if th.direction else (info and info.higher_is_better)
        if th.warn is not None and th.alert is not None and higher is not None:
            wrong = th.alert > th.warn if higher else th.alert < th.warn
            if wrong:
                side = "below" if higher else "above"
                issues.append(ConfigIssue(("thresholds", i, "alert"),
                                          f"alert must be {side} or equal to warn"))
        if th.hysteresis < 0:
            issues.append(ConfigIssue(("thresholds", i, "hysteresis"), "must be 0 or more"))
        if info is not None:
            issues += _out_of_range(info, th, ("target", "warn", "alert"), ("thresholds", i))
    return issues


def _out_of_range(info: KpiInfo, holder: object, keys: tuple[str, ...],
                  where: tuple) -> list[ConfigIssue]:
    """A level or target a KPI never reaches: below 0 for a count, a time or a percentage,
    above 100 for a percentage, beyond ±100 for the NPS (the engine caps them so): a warn at
    120 % of a service level is a typo for 12 or 82, and the figure stayed warn all day."""
    low = -100.0 if info.id == "nps" else 0.0 if info.unit in _NEVER_NEGATIVE else None
    high = 100.0 if info.unit == "pct" or info.id == "nps" else None
    issues = []
    for key in keys:
        value = getattr(holder, key)
        if not isinstance(value, int | float):
            continue
        if low is not None and value < low:
            said = f"never below {low:g}"
        elif high is not None and value > high:
            said = f"never above {high:g}"
        else:
            continue
        issues.append(ConfigIssue((*where, key), f"{info.id} is {said} ({info.unit}), "
                                                 f"got {value:g}"))
    return issues


def _threshold_site_issues(th: Threshold, site: str, sites: list[str],
                           where: tuple) -> list[ConfigIssue]:
    """A threshold's ``site``: one of a group hub's ``[cluster] sites``, owning the team or
    queue it names."""
    if not sites:
        return [ConfigIssue((*where, "site"), f"site {site!r}: a threshold names a site only "
                            'on a group hub ([cluster] role = "group")')]
    if site not in sites:
        return [ConfigIssue((*where, "site"), f"no site {site!r} in [cluster] sites "
                            f"({', '.join(sites)})")]
    return [ConfigIssue((*where, key), f"{key} {name!r} is not of site {site!r}")
            for key, name in (("team", th.team), ("queue", th.queue))
            if name is not None and site_of(name, sites) not in (None, site)]


def _token_issues(config: Config) -> list[ConfigIssue]:
    issues = []
    team_ids = set(known_teams(config))
    digests: dict[str, int] = {}
    all_agents = known_agents(config)
    for i, tok in enumerate(config.tokens):
        if (tok.token is None) == (tok.token_sha256 is None):
            issues.append(ConfigIssue(("tokens", i), "give exactly one of token or token_sha256"))
            continue
        if tok.token is not None and len(tok.token) < 8:
            issues.append(ConfigIssue(("tokens", i, "token"), "too short (8 characters or more)"))
        digest = tok.token_sha256 or hashlib.sha256(tok.token.encode()).hexdigest()  # type: ignore[union-attr]
        if tok.token_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", digest):
            issues.append(ConfigIssue(("tokens", i, "token_sha256"),
                                      "expected 64 lowercase hex digits"))
        if digest in digests:
            key = "token" if tok.token is not None else "token_sha256"
            issues.append(ConfigIssue(("tokens", i, key),
                                      f"duplicate token (same as tokens[{digests[digest]}])"))
        digests.setdefault(digest, i)
        if tok.scope is not None:
            issues += _kiosk_scope_issues(config, tok.role, tok.scope, ("tokens", i, "scope"))
        if tok.role == "kiosk":
            if tok.team is None and tok.scope is None:
                issues.append(ConfigIssue(("tokens", i, "team"),
                                          "a kiosk token needs a team (or a scope)"))
            elif tok.team is not None and tok.scope is not None:
                issues.append(ConfigIssue(("tokens", i, "scope"),
                                          "a kiosk shows a team or a scope, not both"))
            elif tok.team is not None and tok.team not in team_ids:
                issues.append(ConfigIssue(("tokens", i, "team"), f"no team {tok.team!r}"))
        if tok.role == "agent":
            if tok.agent is None:
                issues.append(ConfigIssue(("tokens", i, "agent"), "an agent token needs an agent"))
            elif tok.agent not in all_agents:
                issues.append(ConfigIssue(("tokens", i, "agent"),
                                          f"agent {tok.agent!r} is in no team"))
    return issues


_SITE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def _kiosk_scope_issues(config: Config, role: str, scope: str, path: tuple
                        ) -> list[ConfigIssue]:
    """A kiosk token's ``scope``: ``site``, or ``site:<name>`` of a group hub's sites."""
    if role != "kiosk":
        return [ConfigIssue(path, "only a kiosk token takes a scope")]
    if is_site_scope(config, scope):
        return []
    return [ConfigIssue(path, f"unknown scope {scope!r}: use {site_scope_choices(config)}")]


def _cluster_issues(config: Config) -> list[ConfigIssue]:
    cluster = config.cluster
    if cluster is None:
        return []
    issues: list[ConfigIssue] = []
    add = issues.append
    if not cluster.servers:
        add(ConfigIssue(("cluster", "servers"), "give at least one nats:// URL"))
    names = [cluster.site] if cluster.role == "site" else cluster.sites
    if cluster.role == "site" and not cluster.site:
        add(ConfigIssue(("cluster", "site"), "a site hub needs its site name"))
    if cluster.role in ("edge", "group"):
        if not cluster.sites:
            add(ConfigIssue(("cluster", "sites"), f"an {cluster.role} hub needs the sites it "
                                                  "folds"))
        if config.sources:
            add(ConfigIssue(("sources",), f"an {cluster.role} hub runs no sources of its own: "
                                          "its events come from the sites' streams"))
        for dup in sorted(_duplicates(cluster.sites)):
            add(ConfigIssue(("cluster", "sites"), f"site {dup!r} is listed twice"))
    for name in names:
        if name and not _SITE_NAME.match(name):
            key = "site" if cluster.role == "site" else "sites"
            add(ConfigIssue(("cluster", key), f"site name {name!r}: use letters, digits, - or _"))
    for key in ("heartbeat_s", "stale_after_s", "duplicate_window_s"):
        if getattr(cluster, key) <= 0:
            add(ConfigIssue(("cluster", key), "must be greater than 0"))
    return issues


def _period_issue(text: str, path: tuple) -> list[ConfigIssue]:
    try:
        parse_period(text, date(2000, 1, 1))
    except ValueError as exc:
        return [ConfigIssue(path, str(exc))]
    return []


def _scope_issue(config: Config, scope: str, path: tuple) -> list[ConfigIssue]:
    """A key result's scope: ``site`` (a group hub's ``site:<name>`` too), a configured team
    or queue; never an agent."""
    kind, _, name = scope.partition(":")
    if is_site_scope(config, scope) or (kind == "team" and name in known_teams(config)) or (
            kind == "queue" and name in known_queues(config)):
        return []
    choices = f"{site_scope_choices(config)}, team:<id> or queue:<name>"
    if kind == "agent":
        return [ConfigIssue(path, f"an objective is never bound to an agent: use {choices}")]
    return [ConfigIssue(path, f"unknown scope {scope!r}: use {choices}")]


def _objective_issues(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for i, obj in enumerate(config.objectives):
        where = ("objectives", i)
        if obj.team is not None and obj.team not in known_teams(config):
            issues.append(ConfigIssue((*where, "team"), f"no team {obj.team!r}"))
        issues += _period_issue(obj.period, (*where, "period"))
        if not obj.key_results:
            issues.append(ConfigIssue((*where, "key_results"), "give at least one key result"))
        for j, kr in enumerate(obj.key_results):
            at = (*where, "key_results", j)
            if kr.kpi not in KPIS:
                issues.append(ConfigIssue((*at, "kpi"), f"unknown KPI {kr.kpi!r}"))
            else:
                issues += _out_of_range(KPIS[kr.kpi], kr, ("target", "baseline"), at)
            if kr.scope is not None:
                issues += _scope_issue(config, kr.scope, (*at, "scope"))
            if kr.deadline is not None:
                issues += _deadline_issue(kr.deadline, obj.period, (*at, "deadline"))
    return issues


def _port(listen: object) -> int | None:
    """The port of a valid ``HOST:PORT``; else ``None``."""
    match = _HOSTPORT.match(listen) if isinstance(listen, str) else None
    return int(match.group(2)) if match else None


def _deadline_issue(deadline: str, period: str, path: tuple) -> list[ConfigIssue]:
    """A key result's deadline: a date, and within its objective's period when that period is
    a fixed one (``2026-Q4``: a deadline of 2027-03-31 or 2026-06-30 is a typo; a rolling
    ``quarter`` moves, so any date is taken)."""
    try:
        day = date.fromisoformat(deadline)
    except ValueError:
        return [ConfigIssue(path, f"expected YYYY-MM-DD, got {deadline!r}")]
    try:
        fixed = parse_period(period, date(2000, 1, 1))
        if fixed != parse_period(period, date(2001, 7, 1)) or day in fixed:
            return []
    except ValueError:
        return []  # the period's own issue says what is wrong
    return [ConfigIssue(path, f"{deadline} is outside the objective's period {period} "
                              f"({fixed.first} to {fixed.last})")]


def _scorecard_issues(config: Config) -> list[ConfigIssue]:
    card = config.scorecard
    issues = _period_issue(card.period, ("scorecard", "period"))
    for i, row in enumerate(card.kpis):
        if row.kpi not in KPIS:
            issues.append(ConfigIssue(("scorecard", "kpis", i, "kpi"), f"unknown KPI {row.kpi!r}"))
    for i, link in enumerate(card.links):
        for key in ("cause", "effect"):
            if getattr(link, key) not in KPIS:
                issues.append(ConfigIssue(("scorecard", "links", i, key),
                                          f"unknown KPI {getattr(link, key)!r}"))
    return issues


def _report_issues(config: Config) -> list[ConfigIssue]:
    issues = []
    reports = config.reports
    if not _HHMM.match(reports.send_at) or reports.send_at.startswith("24"):
        issues.append(ConfigIssue(("reports", "send_at"),
                                  f"expected HH:MM, got {reports.send_at!r}"))
    team_ids = set(known_teams(config))
    names: set[str] = set()
    for i, schedule in enumerate(reports.schedules):
        if not schedule.to or any("@" not in address for address in schedule.to):
            issues.append(ConfigIssue(("reports", "schedules", i, "to"),
                                      "give one or more e-mail addresses"))
        for scope in schedule.scopes:
            kind, _, name = scope.partition(":")
            if not (is_site_scope(config, scope) or (kind == "team" and name in team_ids)
                    or (kind == "queue" and name)):
                issues.append(ConfigIssue(("reports", "schedules", i, "scopes"),
                                          f"{scope!r}: expected {site_scope_choices(config)}, "
                                          "team:<id of a team> or queue:<name>"))
        if schedule.key in names:
            issues.append(ConfigIssue(("reports", "schedules", i, "name"),
                                      f"two schedules are called {schedule.key!r}"))
        names.add(schedule.key)
    return issues


_CHECKS = (
    _hub_issues,
    _kpi_issues,
    _cluster_issues,
    _duplicate_team_issues,
    _team_agent_issues,
    _duplicate_source_issues,
    _threshold_issues,
    _token_issues,
    _kiosk_issues,
    _objective_issues,
    _scorecard_issues,
    _report_issues,
)
