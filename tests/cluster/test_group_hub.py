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


#: The group's levels of ``answered`` (higher is better): 10 for every scope, and Paris's
#: manager's own 40 / 35, for Paris's scopes only.
SITE_LEVELS = ('[[thresholds]]\nkpi = "answered"\nwarn = 10.0\n'
               '[[thresholds]]\nkpi = "answered"\nsite = "paris"\nwarn = 40.0\nalert = 35.0\n')


async def test_a_site_s_own_levels_colour_its_scopes_and_raise_its_alerts(tmp_path, nats_server,
                                                                        feed_pm):
    from panneau.hub.config import load_config
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    text = config_text(str(tmp_path / "group.db")).split("[[tokens]]")[0]
    path = tmp_path / "group.toml"
    path.write_text(
        text + SITE_LEVELS + '[[kiosk.pages]]\ntitle = "Sites"\nkpis = ["answered"]\n'
        'by_site = true\n'
        f'[[tokens]]\nrole = "kiosk"\ntoken = "{GROUP_WALL}"\nscope = "site"\n'
        '[[tokens]]\nrole = "kiosk"\ntoken = "paris-wall-token"\nscope = "site:paris"\n'
        '[cluster]\nrole = "group"\nsites = ["paris", "lyon"]\n'
        f'servers = ["{nats_server.url}"]\n')
    config = load_config(path)
    fed = sum(5 + 2 * count for count in SITES.values())
    async with running(site_config(tmp_path / "paris.db", nats_server, "paris"), feed_pm), \
            running(site_config(tmp_path / "lyon.db", nats_server, "lyon"), feed_pm), \
            Hub(config, pm=make_plugin_manager(load_entry_points=False),
                config_path=path) as group:
        await until(lambda: group.journal.count_events() == fed)
        # Paris answered 30 (below its own alert level, 35), Lyon 20 (above the group's 10);
        # the alert is raised at the next whole second of event time after the figure
        wall = await view_when(group, "paris-wall-token", lambda v: v.get(
            "kpi:site:paris/today/answered") == SITES["paris"]
            and "alert:site:paris/today/answered" in v)
        assert wall["state:site:paris/today/answered"] == "alert"
        assert wall["target:site:paris/answered"]["warn"] == 40.0
        assert wall["alert:site:paris/today/answered"]["state"] == "alert"
        view = ViewState(values=wall)
        tiles = [t for s in page_specs(view) if s.title == "Sites"
                 for t in build_page(view, s, Link(True)).tiles]
        assert tiles and {t.state for t in tiles} == {"alert"}, tiles
        # the group wall: Lyon and the total keep the group's level
        wall = await view_when(group, GROUP_WALL, lambda v: v.get(
            "kpi:site/today/answered") == sum(SITES.values()))
        assert (wall["state:site/today/answered"], wall["state:site:lyon/today/answered"],
                wall["state:site:paris/today/answered"]) == ("ok", "ok", "alert")
        assert wall["target:site:lyon/answered"]["warn"] == 10.0
        # one owner of alerts, the engine: every Paris scope under Paris's levels (its teams,
        # queues and agents too), Lyon's and the total's under the group's; those raised while
        # the figures grew end at the next whole second of event time after the last event
        await until(lambda: not [key for key in group.engine.query().active_alerts
                                 if key.startswith(("site:lyon/", "site/"))])
        snap = group.engine.query()
        for name, warn in (("paris", 40.0), ("lyon", 10.0)):
            for scope in (f"site:{name}", f"team:{name}:support", f"queue:{name}:sales",
                          f"agent:{name}:ag-ann" if name == "paris" else "agent:lyon:ag-dee"):
                assert snap.targets[scope]["answered"]["warn"] == warn, scope
        assert {"site:paris/today/answered", "team:paris:support/today/answered"} <= set(
            snap.active_alerts)
        assert not [key for key in snap.active_alerts if key.startswith(("site:lyon/",
                                                                         "site/"))]

        # a reload naming a site the group does not have is refused; nothing is lost
        path.write_text(path.read_text().replace('site = "paris"', 'site = "nice"'))
        assert group.reloader.reload_file() is None
        assert ("thresholds[2].site: no site 'nice' in [cluster] sites (paris, lyon)"
                in group.reloader.error)
        assert group.engine.thresholds.find("site:paris", "answered").warn == 40.0
