"""An edge or group hub's sources: one ``nats_site`` consumer per site it folds."""

from __future__ import annotations

from panneau.hub.cluster.stream import SITE_PLUGIN
from panneau.hub.config.schema import Config, SourceConfig

__all__ = ["EDGE_PLUGIN", "edge_sources"]

#: The built-in source plugin that reads one site's stream.
EDGE_PLUGIN = SITE_PLUGIN


def edge_sources(config: Config) -> list[SourceConfig]:
    """The sources an edge or group hub runs (none for a single box or a site hub); a group
    hub's prefix each site's identifiers with the site (:mod:`panneau.hub.cluster.group`)."""
    cluster = config.cluster
    if cluster is None or cluster.role not in ("edge", "group"):
        return []
    return [SourceConfig(name=site, plugin=EDGE_PLUGIN, options={
        "site": site, "servers": list(cluster.servers), "stream": cluster.stream,
        "stale_after_s": cluster.stale_after_s, "namespace": cluster.role == "group"})
        for site in cluster.sites]
