"""Which scopes an event counts in, from the teams of the configuration.

- ``site`` counts everything.
- ``queue:<name>`` counts the calls of that queue (any queue name, configured or not).
- ``team:<id>`` counts the calls of the team's queues, the agent figures of its agents and the
  tickets of its helpdesk groups.
- ``agent:<id>`` counts what that agent did.
- ``site:<name>`` (a group hub only, :mod:`panneau.hub.config.sites`) counts what ``site``
  counts of one site: the queues, agents and helpdesk groups named ``<name>:...``.
"""

from __future__ import annotations

from panneau.hub.config import Config
from panneau.hub.config.sites import SEP, group_sites, site_of

__all__ = ["SITE", "Scopes"]

SITE = "site"


class Scopes:
    """Cached scope tuples for queues, agents and groups."""

    def __init__(self, config: Config) -> None:
        self.queue_teams: dict[str, list[str]] = {}
        self.agent_teams: dict[str, list[str]] = {}
        self.group_teams: dict[str, list[str]] = {}
        for team in config.teams:
            for queue in team.queues:
                self.queue_teams.setdefault(queue, []).append(team.id)
            for agent in team.agents:
                self.agent_teams.setdefault(agent, []).append(team.id)
            for group in team.groups:
                self.group_teams.setdefault(group, []).append(team.id)
        self.team_ids = [team.id for team in config.teams]
        self.sites = frozenset(group_sites(config))
        self.known_queues = set(config.queues) | set(self.queue_teams)
        self._queue: dict[str, tuple[str, ...]] = {}
        self._agent: dict[str, tuple[str, ...]] = {}
        self._group: dict[str | None, tuple[str, ...]] = {}
        self._pair: dict[tuple[str | None, str | None], tuple[str, ...]] = {}

    def queue(self, queue: str) -> tuple[str, ...]:
        """site, the queue and its teams."""
        scopes = self._queue.get(queue)
        if scopes is None:
            teams = tuple(f"team:{t}" for t in self.queue_teams.get(queue, ()))
            scopes = self._queue[queue] = (SITE, *self._site(queue), f"queue:{queue}", *teams)
        return scopes

    def _site(self, name: str) -> tuple[str, ...]:
        """``("site:<name>",)`` for a name of one of a group hub's sites, else ``()``."""
        site = site_of(name, self.sites) if self.sites else None
        return (f"site:{site}",) if site else ()

    def entry_site(self, team: str | None, source: str) -> str | None:
        """The ``site:<name>`` a figure entered by hand counts in on a group hub: its team's
        site, else the site it came from (the source is named after it); ``None`` elsewhere."""
        if team is not None:
            return next(iter(self._site(team)), None)
        return f"site:{source}" if source in self.sites else None

    def site_of_scope(self, scope: str) -> tuple[str, ...]:
        """``("site:<name>",)`` for a team, queue or agent scope of a group hub's site."""
        kind, _, name = scope.partition(":")
        return self._site(name) if kind in ("team", "queue", "agent") else ()

    def restart_prefix(self, source: str) -> str | None:
        """What a ``SystemRestart`` from ``source`` ends: on a group hub a site's restart
        (its source is named after the site) only the names ``<site>:...``; else everything
        (``None``)."""
        return f"{source}{SEP}" if source in self.sites else None

    def agent(self, agent: str) -> tuple[str, ...]:
        """The agent (first), its site on a group hub and its teams (not site)."""
        scopes = self._agent.get(agent)
        if scopes is None:
            teams = tuple(f"team:{t}" for t in self.agent_teams.get(agent, ()))
            scopes = self._agent[agent] = (f"agent:{agent}", *self._site(agent), *teams)
        return scopes

    def group(self, group: str | None) -> tuple[str, ...]:
        """Its site on a group hub and the teams answering a helpdesk group (not site)."""
        scopes = self._group.get(group)
        if scopes is None:
            teams = self.group_teams.get(group, ()) if group is not None else ()
            site = self._site(group) if group is not None else ()
            scopes = self._group[group] = (*site, *(f"team:{t}" for t in teams))
        return scopes

    def queue_and_agent(self, queue: str | None, agent: str | None) -> tuple[str, ...]:
        """site, the queue, the agent and all their teams, each once."""
        key = (queue, agent)
        scopes = self._pair.get(key)
        if scopes is None:
            parts = list(self.queue(queue) if queue else (SITE,))
            for scope in self.agent(agent) if agent else ():
                if scope not in parts:
                    parts.append(scope)
            scopes = self._pair[key] = tuple(parts)
        return scopes
