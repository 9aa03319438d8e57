"""A site hub and an edge hub on a real nats-server: same figures, no loss, no double count."""

from __future__ import annotations

import contextlib
from functools import partial

from panneau.hub.cluster.outbox import CURSOR_SOURCE
from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from panneau.hub.server.journal import Journal
from tests.hub.conftest import config_text, eventually

until = partial(eventually, timeout=30.0)

FIGURES = ("offered", "answered", "calls_waiting")
FED = 5 + 2 * 30  # five logins, then 30 calls entered and answered


def site_config(db, server, count=30, interval_s=0.005):
    text = config_text(str(db), {"count": count, "interval_s": interval_s})
    return parse_config(text + f'[cluster]\nrole = "site"\nsite = "paris"\n'
                               f'servers = ["{server.url}"]\nheartbeat_s = 0.2\n', "site.toml")


def edge_config(db, server, stale_after_s=10.0):
    text = config_text(str(db))
    return parse_config(text + f'[cluster]\nrole = "edge"\nsites = ["paris"]\n'
                               f'servers = ["{server.url}"]\nstale_after_s = {stale_after_s}\n',
                        "edge.toml")


@contextlib.asynccontextmanager
async def running(config, feed_pm=None):
    from panneau.hub.plugins import make_plugin_manager
    pm = feed_pm or make_plugin_manager(load_entry_points=False)
    async with Hub(config, pm=pm) as hub:
        yield hub


def figures(hub) -> dict[str, float | None]:
    hub.snapshot = hub.engine.snapshot(hub.clock())
    return {k: hub.snapshot.get("site", "today", k) for k in FIGURES}


async def test_an_edge_folds_the_site_stream_to_the_same_figures(tmp_path, nats_server,
                                                                 feed_pm):
    async with running(site_config(tmp_path / "site.db", nats_server), feed_pm) as site, \
            running(edge_config(tmp_path / "edge.db", nats_server)) as edge:
        await until(lambda: edge.journal.count_events() == FED)
        await until(lambda: edge.supervisor.states["paris"].status == "live")
        assert figures(edge) == figures(site)
        assert figures(edge)["answered"] == 30
        assert site.health()["cluster"]["published"] == FED
        assert site.health()["cluster"]["backlog"] == 0
        # the edge's events keep their order and content, attributed to the site
        assert [e.ts for e in edge.journal.events()] == [e.ts for e in site.journal.events()]
        assert {e.source for e in edge.journal.events()} == {"paris"}


async def test_a_republish_after_a_crash_is_dropped_by_the_server(tmp_path, nats_server,
                                                                 feed_pm):
    site_db, edge_db = tmp_path / "site.db", tmp_path / "edge.db"
    async with running(site_config(site_db, nats_server), feed_pm) as site, \
            running(edge_config(edge_db, nats_server)) as edge:
        await until(lambda: edge.journal.count_events() == FED)
        await until(lambda: site.outbox.cursor == FED)
    # As after a kill -9 between the publish and the cursor write: the cursor is behind.
    journal = Journal(str(site_db))
    journal.accept(CURSOR_SOURCE, [], {"rowid": 10}, True, 0.0)
    journal.close()
    async with running(site_config(site_db, nats_server), feed_pm) as site, \
            running(edge_config(edge_db, nats_server)) as edge:
        await until(lambda: site.outbox.cursor == FED)
        assert site.outbox.duplicates == FED - 10  # every republished row was a duplicate
        await until(lambda: edge.supervisor.states["paris"].status == "live")
        assert edge.journal.count_events() == FED
        assert figures(edge)["offered"] == 30


async def test_a_cut_stream_goes_stale_on_the_edge_and_catches_up(tmp_path, nats_server,
                                                                  feed_pm):
    config = site_config(tmp_path / "site.db", nats_server, count=400, interval_s=0.01)
    async with running(config, feed_pm) as site, \
            running(edge_config(tmp_path / "edge.db", nats_server, stale_after_s=0.5)) as edge:
        await until(lambda: edge.journal.count_events() > 20)
        nats_server.kill()  # the stream is cut for both hubs
        cut_at = site.journal.count_events()
        paris = edge.supervisor.states["paris"]
        await until(lambda: paris.status in ("down", "stale") and "site paris" in paris.detail)
        # the site goes on: its sources, journal and screens do not wait for NATS
        await until(lambda: site.journal.count_events() > cut_at + 40)
        assert site.health()["cluster"]["connected"] is False
        nats_server.start()
        await until(lambda: site.journal.count_events() == 5 + 2 * 400, timeout=60)
        await until(lambda: edge.journal.count_events() == 5 + 2 * 400, timeout=60)
        await until(lambda: edge.supervisor.states["paris"].status == "live")
        assert figures(edge) == figures(site)
