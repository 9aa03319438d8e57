"""What a valid config may still lack: the warnings of ``panneau config check`` and ``panneau hub``.

An error (:mod:`.load`) is a config the hub cannot run; a warning, one it runs but that
cannot do what a hub is for: nobody can connect (no token), nothing comes in (no source, on a
hub that has no cluster to fold either), or no screen but a manager's has a team to show.
"""

from __future__ import annotations

from panneau.hub.config.schema import Config
from panneau.hub.config.validate import ConfigIssue

__all__ = ["config_warnings"]


def config_warnings(config: Config) -> list[ConfigIssue]:
    """The warnings of a config that loaded (``config`` as :func:`.load.parse_config` gave it),
    each at the key it is about."""
    warnings = []
    if not config.tokens:
        warnings.append(ConfigIssue(("tokens",), "none: no screen and no command can connect "
                                                 "to this hub; add [[tokens]] (`panneau init` "
                                                 "writes a starting set)"))
    cluster = config.cluster
    if not config.sources and (cluster is None or cluster.role == "site"):
        warnings.append(ConfigIssue(("sources",), "none: no call, ticket or agent state comes "
                                                  "in, so every figure stays empty; add "
                                                  "[[sources]] (`panneau plugins` lists them)"))
    if not config.teams:
        warnings.append(ConfigIssue(("teams",), "none: kiosks and agent screens show a team, so "
                                                "only a manager's console has figures; add "
                                                "[[teams]] with their queues and agents"))
    return warnings
