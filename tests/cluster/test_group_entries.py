"""Figures entered by hand for a site's team live at that site's hub, and nowhere else.

A Paris site hub and a group hub on a real nats-server. A figure for ``paris:support`` typed
on the group hub made the group's ``site:paris`` differ from Paris's own ``site``: the group hub
now refuses it, saying where to enter it, and the same figure entered at Paris reaches the
group through Paris's stream, one value on both. The group's own figures (no team) count in
its total only, never in a ``site:<name>``.
"""

from __future__ import annotations

from panneau.hub import wire
from panneau.hub.config import parse_config
from panneau.hub.config.schema import ClusterSettings
from panneau.hub.events import FigureEntered
from panneau.hub.figure_entry import figure_frame, misplaced_entry
from tests.cluster.test_site_edge import running, until
from tests.hub.conftest import MANAGER, config_text, hello, recv_until


def site_config(tmp_path, server):
    text = config_text(str(tmp_path / "paris.db"))
    return parse_config(text + f'[cluster]\nrole = "site"\nsite = "paris"\n'
                               f'servers = ["{server.url}"]\nheartbeat_s = 0.2\n', "paris.toml")


def group_config(tmp_path, server):
    text = config_text(str(tmp_path / "group.db")).split("[[tokens]]")[0]
    return parse_config(text + f'[[tokens]]\nrole = "manager"\ntoken = "{MANAGER}"\n'
                               f'[cluster]\nrole = "group"\nsites = ["paris", "lyon"]\n'
                               f'servers = ["{server.url}"]\n', "group.toml")


async def answer(hub, frame: dict) -> dict:
    """The ``ok`` or ``error`` a manager gets for ``frame``."""
    ws = await hello(hub.ws_url, MANAGER)
    try:
        await ws.send(wire.encode(frame))
        return (await recv_until(ws, lambda f: f["type"] in ("ok", "error"), 10))[-1]
    finally:
        await ws.close()


def training(hub, scope: str) -> float | None:
    hub.snapshot = hub.engine.snapshot(hub.clock())
    return hub.snapshot.get(scope, "today", "training_hours")


async def test_a_site_team_s_figure_is_entered_at_the_site_and_is_one_value(tmp_path,
                                                                          nats_server):
    async with running(site_config(tmp_path, nats_server)) as paris, \
            running(group_config(tmp_path, nats_server)) as group:
        refused = await answer(group, figure_frame("training_hours", "5",
                                                   team="paris:support"))
        assert refused["type"] == "error"
        assert refused["reason"] == (
            "paris:support is a team of site paris: enter its figures at paris's hub "
            "(--team support there); they reach this group hub through its stream, so "
            "site:paris stays the figure paris's hub shows")
        assert training(group, "site:paris") is None  # nothing counted

        ok = await answer(paris, figure_frame("training_hours", "5", team="support"))
        assert ok["type"] == "ok"
        await until(lambda: training(group, "site:paris") == 5.0)
        assert training(paris, "site") == 5.0
        assert training(group, "team:paris:support") == 5.0

        # the group's own figure: its total only, never a site's
        assert (await answer(group, figure_frame("training_hours", "2")))["type"] == "ok"
        assert (training(group, "site"), training(group, "site:paris")) == (7.0, 5.0)


async def test_an_entry_accepted_before_for_a_site_s_team_may_be_withdrawn(tmp_path,
                                                                          nats_server):
    """Entries a group hub took for a site's team before it refused them stay counted
    (nothing accepted is lost) until a manager withdraws them: a correction to 0."""
    config = group_config(tmp_path, nats_server)
    async with running(config) as group:
        old = FigureEntered(ts=group.clock(), entry_id="old1", figure="training_hours",
                            amount=4, team="paris:support", by="boss", source="input",
                            source_pos="boss")
        group.journal.accept("input", [old], None, False, group.clock())
    async with running(config) as group:
        assert training(group, "site:paris") == 4.0  # replayed from the journal
        changed = await answer(group, figure_frame("training_hours", "3", team="paris:support",
                                                   corrects="old1"))
        assert changed["type"] == "error" and "enter its figures at paris's hub" in (
            changed["reason"])
        withdrawn = await answer(group, figure_frame("training_hours", "0",
                                                     team="paris:support", corrects="old1"))
        assert withdrawn["type"] == "ok"
        assert training(group, "site:paris") == 0.0


def test_an_edge_takes_no_entered_figure_a_site_hub_takes_them_all():
    edge = ClusterSettings(role="edge", sites=["paris"])
    assert misplaced_entry(edge, None, 5, None) == (
        "this is an edge hub: it shows its sites' figures; enter figures at the site's hub, "
        "they reach every edge through its stream")
    assert misplaced_entry(edge, "support", 0, "old1") is None  # a withdrawal
    site = ClusterSettings(role="site", site="paris")
    assert misplaced_entry(site, "support", 5, None) is None
    assert misplaced_entry(None, "support", 5, None) is None
    group = ClusterSettings(role="group", sites=["paris"])
    assert misplaced_entry(group, None, 5, None) is None  # the group's own
    assert misplaced_entry(group, "paris:support", 5, None) is not None
