"""A group hub's names: every site's teams, queues and agents kept apart as ``<site>:<name>``.

A group hub (``[cluster] role = "group"``) folds the streams of several sites into one engine.
Two sites may both have a ``support`` team, a ``support`` queue and an agent ``alice``; they
must never be added together silently. So on a group hub:

- every identifier of a site's events is prefixed with its site when it is folded
  (``queue`` ``support`` of site ``paris`` becomes ``paris:support``; see
  :func:`panneau.hub.cluster.group.namespaced`);
- the config's ``[[teams]]`` describe the teams each site has: :func:`expand_group` turns
  team ``support`` into ``paris:support`` and ``lyon:support`` (its queues, agents and
  helpdesk groups prefixed alike), and so ``[queues.<name>]`` and the ``team`` / ``queue`` of
  ``[[thresholds]]``. A team, queue or threshold whose name already holds ``:`` belongs to
  one site and is left as written; so is a threshold with a ``site``: alone it is that site's
  levels (its ``site:<name>``, teams, queues and agents), with a team or queue it names that
  site's. A threshold naming one site's team or queue wins over the one written for every
  site;
- the engine counts each site's figures in ``site:<name>`` and everything in ``site`` (the
  group total): :mod:`panneau.hub.engine.scopes`;
- wherever a site-level scope is taken (a kiosk token's ``scope``, a key result's, a report
  schedule's ``scopes``, the periods API), ``site:<name>`` of a group hub's site is taken too,
  through one check (:func:`is_site_scope`, :func:`site_scope_choices` for the error).

A scope may hold ``:`` but never ``/`` (view keys split on ``/``), hence ``:``.
"""

from __future__ import annotations

from dataclasses import replace

from panneau.hub.config.schema import Config, QueueSettings, Team, Threshold

__all__ = ["SEP", "default_scopes", "expand_group", "group_sites", "in_site", "is_site_scope",
           "known_agents", "known_queues", "known_teams", "overview_scopes", "site_of",
           "site_scope_choices", "site_scopes"]

#: Between a site and a name: ``paris:support``.
SEP = ":"


def group_sites(config: Config) -> list[str]:
    """The sites a group hub keeps apart (empty on any other hub)."""
    cluster = config.cluster
    return list(cluster.sites) if cluster is not None and cluster.role == "group" else []


def site_scopes(config: Config) -> list[str]:
    """The site-level scopes of a hub: ``site``, then a group hub's ``site:<name>``."""
    return ["site", *(f"site{SEP}{s}" for s in group_sites(config))]


def is_site_scope(config: Config, scope: str) -> bool:
    """Whether ``scope`` is ``site`` or ``site:<name>`` of one of a group hub's sites: the one
    check of kiosk scopes, key results, report schedules and the periods API."""
    return scope in site_scopes(config)


def default_scopes(config: Config) -> list[str]:
    """What a report, the periods API and the scorecard cover when not told: the site-level
    scopes (:func:`site_scopes`), then every team (``config`` as loaded: a group's expanded)."""
    return [*site_scopes(config), *(f"team:{t.id}" for t in config.teams)]


def overview_scopes(config: Config) -> list[str]:
    """What a manager's overview lists whether it has figures yet or not: the site-level scopes
    (:func:`site_scopes`), every team, then every configured queue (``[queues]`` and the
    teams'), ``config`` as loaded (a group's expanded)."""
    queues = set(config.queues) | {q for t in config.teams for q in t.queues}
    return [*default_scopes(config), *(f"queue:{q}" for q in sorted(queues))]


def site_scope_choices(config: Config) -> str:
    """The site-level scopes a hub takes, for an error message: ``site, site:<name> with a
    site of [cluster] sites (paris, lyon)``, or ``site (site:<name> only on a group hub)``."""
    sites = group_sites(config)
    if sites:
        return f"site, site:<name> with a site of [cluster] sites ({', '.join(sites)})"
    return "site (site:<name> only on a group hub)"


def in_site(site: str, name: str) -> str:
    """``name`` of ``site`` on a group hub: ``paris:support`` (a name holding ``:`` is kept)."""
    return name if SEP in name else f"{site}{SEP}{name}"


def site_of(name: str, sites: frozenset[str] | set[str] | list[str]) -> str | None:
    """The site of a group hub's name (``paris:support`` → ``paris``), or ``None``."""
    site, sep, _ = name.partition(SEP)
    return site if sep and site in sites else None


def _teams(team: Team, sites: list[str]) -> list[Team]:
    if SEP in team.id:
        return [team]
    return [Team(id=in_site(s, team.id), name=f"{team.name or team.id} · {s}",
                 queues=[in_site(s, q) for q in team.queues],
                 agents=[in_site(s, a) for a in team.agents],
                 groups=[in_site(s, g) for g in team.groups]) for s in sites]


def _one_site(th: Threshold) -> Threshold | None:
    """``th`` as it names one site's team or queue (``site`` with a team or queue, or a name
    holding ``:``), or ``None`` for a threshold of every site or of a whole site."""
    if th.site is not None and (th.team or th.queue):
        return replace(th, team=th.team and in_site(th.site, th.team),
                       queue=th.queue and in_site(th.site, th.queue))
    if any(name is not None and SEP in name for name in (th.team, th.queue)):
        return th
    return None


def _key(th: Threshold) -> tuple[str, str | None, str | None]:
    return th.kpi, th.team, th.queue


def _thresholds(th: Threshold, sites: list[str], own: set[tuple]) -> list[Threshold]:
    """``th`` for each site; a team's or queue's for every site is left out where one naming
    that site's team or queue exists (``own``: their keys): the site's wins."""
    one = _one_site(th)
    if one is not None:
        return [one]
    if th.team is None and th.queue is None:
        return [th]  # every scope's, or (with ``site``) one site's levels
    each = (replace(th, team=th.team and in_site(s, th.team),
                    queue=th.queue and in_site(s, th.queue)) for s in sites)
    return [t for t in each if _key(t) not in own]


def _each_site(names: list[str], sites: list[str]) -> list[str]:
    """Each name as every site's (a name holding ``:`` is one site's, kept), once."""
    return list(dict.fromkeys(in_site(s, n) for n in names for s in sites))


def expand_group(config: Config) -> Config:
    """``config`` with each site's teams, queues, thresholds and level-2 queues and helpdesk
    groups (unchanged off a group hub)."""
    sites = group_sites(config)
    if not sites:
        return config
    queues: dict[str, QueueSettings] = {}
    for name, settings in config.queues.items():
        for site in [sites[0]] if SEP in name else sites:
            queues[in_site(site, name)] = settings
    kpi = replace(config.kpi, level2_queues=_each_site(config.kpi.level2_queues, sites),
                  level2_groups=_each_site(config.kpi.level2_groups, sites))
    own = {_key(one) for th in config.thresholds if (one := _one_site(th)) is not None}
    return replace(config, teams=[t for team in config.teams for t in _teams(team, sites)],
                   queues=queues, kpi=kpi,
                   thresholds=[t for th in config.thresholds
                               for t in _thresholds(th, sites, own)])


def known_teams(config: Config) -> dict[str, Team]:
    """The teams a hub has by id (a group hub's are each site's)."""
    return {t.id: t for t in expand_group(config).teams}


def known_agents(config: Config) -> set[str]:
    """Every agent of a team (a group hub's are ``<site>:<agent>``)."""
    return {a for t in known_teams(config).values() for a in t.agents}


def known_queues(config: Config) -> set[str]:
    """Every configured queue (``[queues]`` and the teams')."""
    expanded = expand_group(config)
    return set(expanded.queues) | {q for t in expanded.teams for q in t.queues}
