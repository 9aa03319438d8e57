"""An edge hub's sources: one ``nats_site`` consumer per site it folds."""

from __future__ import annotations

from panneau.hub.config.schema import Config, SourceConfig

__all__ = ["EDGE_PLUGIN", "edge_sources"]

#: The built-in source plugin that reads one site's stream.
EDGE_PLUGIN = "nats_site"


def edge_sources(config: Config) -> list[SourceConfig]:
    """The sources an edge hub runs (none for a single box or a site hub)."""
    cluster = config.cluster
    if cluster is None or cluster.role != "edge":
        return []
    return [SourceConfig(name=site, plugin=EDGE_PLUGIN, options={
        "site": site, "servers": list(cluster.servers), "stream": cluster.stream,
        "stale_after_s": cluster.stale_after_s}) for site in cluster.sites]
