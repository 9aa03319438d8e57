"""Two site hubs with the same team names and a group hub on a real nats-server.

The group hub's ``site:<name>`` figures equal a replay of that site's journal alone, its group
total adds them up, and its walls get the scopes their tokens name.
"""

from __future__ import annotations

import asyncio

from panneau.hub.config import parse_config
from panneau.hub.freshness import Link
from panneau.hub.testing import snapshot
from panneau.hub.view import ViewState
from panneau.kiosk.model import build_page, notices, page_specs
from tests.cluster.test_site_edge import running, until
from tests.hub.conftest import config_text, hello, recv

SITES = {"paris": 30, "lyon": 20}  # calls each site's feed emits (the same call ids)
FIGURES = ("offered", "answered", "asa_s", "service_level_pct")
GROUP_WALL, PARIS_SUPPORT = "group-wall-token", "paris-support-token"


def site_config(db, server, site: str):
    text = config_text(str(db), {"count": SITES[site], "interval_s": 0.002})
    return parse_config(text + f'[cluster]\nrole = "site"\nsite = "{site}"\n'
                               f'servers = ["{server.url}"]\nheartbeat_s = 0.2\n', f"{site}.toml")


def group_config(db, server, stale_after_s: float = 10.0):
    text = config_text(str(db)).split("[[tokens]]")[0]  # the same teams, the group's tokens
    return parse_config(
        text + '[[kiosk.pages]]\ntitle = "Sites"\nkpis = ["offered"]\nby_site = true\n'
               f'[[tokens]]\nrole = "kiosk"\ntoken = "{GROUP_WALL}"\nscope = "site"\n'
               f'[[tokens]]\nrole = "kiosk"\ntoken = "{PARIS_SUPPORT}"\n'
               'team = "paris:support"\n'
               f'[cluster]\nrole = "group"\nsites = {list(SITES)!r}\n'.replace("'", '"')
               + f'servers = ["{server.url}"]\nstale_after_s = {stale_after_s}\n',
        "group.toml")


def today(snap, scope: str) -> dict:
    return {k: snap.get(scope, "today", k) for k in FIGURES}


async def view_when(hub, token: str, predicate, timeout: float = 30.0) -> dict:
    """The view a screen with ``token`` holds once ``predicate(view)`` is true."""
    ws = await hello(hub.ws_url, token)
    try:
        frame = await recv(ws)
        assert frame["type"] == "snapshot"
        view = frame["view"]
        async with asyncio.timeout(timeout):
            while not predicate(view):
                frame = await recv(ws, timeout)
                if frame["type"] == "delta":
                    view.update(frame["set"])
                    for key in frame["unset"]:
                        view.pop(key, None)
        return view
    finally:
        await ws.close()


async def test_the_group_hub_keeps_sites_apart_and_adds_them_up(tmp_path, nats_server,
                                                                feed_pm):
    paris_config = site_config(tmp_path / "paris.db", nats_server, "paris")
    lyon_config = site_config(tmp_path / "lyon.db", nats_server, "lyon")
    async with running(paris_config, feed_pm) as paris, running(lyon_config, feed_pm) as lyon, \
            running(group_config(tmp_path / "group.db", nats_server)) as group:
        sites = {"paris": paris, "lyon": lyon}
        fed = {name: 5 + 2 * count for name, count in SITES.items()}  # logins, calls
        await until(lambda: all(h.journal.count_events() == fed[n] for n, h in sites.items()))
        await until(lambda: group.journal.count_events() == sum(fed.values()))
        await until(lambda: all(group.supervisor.states[n].status == "live" for n in SITES))

        now = group.clock()
        snap = group.engine.snapshot(now)
        for name, hub in sites.items():
            alone = snapshot(hub.journal.events(), config=hub.config, at=now)
            assert today(snap, f"site:{name}") == today(alone, "site")
            assert today(snap, f"team:{name}:support") == today(alone, "team:support")
            assert today(snap, f"queue:{name}:sales") == today(alone, "queue:sales")
            assert snap.get(f"site:{name}", "now", "agents_logged_in") == 5
        assert snap.get("site", "today", "offered") == sum(SITES.values())
        assert snap.get("site", "today", "answered") == sum(SITES.values())
        assert snap.get("site", "now", "agents_logged_in") == 10
        assert not {"team:support", "queue:support", "site:None"} & set(snap.values)

        wall = await view_when(group, GROUP_WALL, lambda v: v.get(
            "kpi:site/today/offered") == sum(SITES.values()))
        assert wall["meta"]["scope"] == "site"
        scopes = {k.split(":", 1)[1].rsplit("/", 2)[0] for k in wall if k.startswith("kpi:")}
        assert scopes == {"site", "site:paris", "site:lyon"}
        assert wall["kpi:site:paris/today/offered"] == SITES["paris"]
        assert wall["kpi:site:lyon/today/offered"] == SITES["lyon"]
        assert {k for k in wall if k.startswith("source:")} == {"source:paris", "source:lyon"}
        assert not [k for k in wall if k.startswith(("agent:", "message:"))]  # totals only

        team = await view_when(group, PARIS_SUPPORT, lambda v: v.get(
            "kpi:team:paris:support/today/offered") is not None)
        assert team["meta"]["team"] == "paris:support"
        assert team["kpi:team:paris:support/today/offered"] == today(
            snapshot(paris.journal.events(), config=paris.config, at=now),
            "team:support")["offered"]
        figures = [k for k in team if k.startswith(("kpi:", "state:", "target:", "alert:"))]
        assert figures and not [k for k in figures if "lyon" in k or k.startswith("kpi:site")]


async def test_a_cut_site_is_named_stale_on_the_group_wall_and_catches_up(tmp_path, nats_server,
                                                                         feed_pm):
    paris_config = site_config(tmp_path / "paris.db", nats_server, "paris")
    lyon_config = site_config(tmp_path / "lyon.db", nats_server, "lyon")
    config = group_config(tmp_path / "group.db", nats_server, stale_after_s=0.5)
    fed = {name: 5 + 2 * count for name, count in SITES.items()}
    async with running(lyon_config, feed_pm), running(config) as group:
        states = group.supervisor.states
        async with running(paris_config, feed_pm):
            await until(lambda: group.journal.count_events() == sum(fed.values()))
            await until(lambda: all(states[n].status == "live" for n in SITES))
        # the Paris hub is gone (or its link cut): no heartbeat from it any more
        await until(lambda: states["paris"].status in ("stale", "down")
                    and "site paris" in states["paris"].detail)
        assert states["lyon"].status == "live"
        wall = await view_when(group, GROUP_WALL, lambda v: v.get(
            "source:paris", {}).get("status") in ("stale", "down"))
        assert wall["source:lyon"]["status"] == "live"
        view = ViewState(values=wall)
        lines = [n.text for n in notices(view, Link(True), group.clock(), lambda ts: "10:00")]
        assert lines[0].startswith("Site paris stale since 10:00")
        assert not [line for line in lines if "lyon" in line]
        specs = [s for s in page_specs(view) if any(s.scopes)]
        tiles = [t for s in specs for t in build_page(view, s, Link(True)).tiles]
        assert tiles and all(t.stale == ("lyon" not in t.label) for t in tiles)
        async with running(paris_config, feed_pm):  # back: it catches up, the wall is live
            await until(lambda: states["paris"].status == "live")
            await until(lambda: group.journal.count_events() == sum(fed.values()))
