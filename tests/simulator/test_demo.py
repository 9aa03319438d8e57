"""``panneau demo``: a real hub on loopback fed by the simulator, screens headless."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import sys
import time
from pathlib import Path

import pytest

from panneau.hub.freshness import Link
from panneau.kiosk.model import build_page, page_specs
from panneau.plugins.simulator.command import demo_clock, demo_group, demo_hub, demo_screen
from tests.hub.conftest import eventually


async def wait_for(pilot, condition, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition not reached in time")


def states(app, kpi: str) -> set[str]:
    return {v for k, v in app.view.values.items()
            if k.startswith("state:") and k.endswith(f"/now/{kpi}")}


async def test_kiosk_shows_figures_then_the_incident_changes_colours(tmp_path):
    # the simulated day stands still until the screen has its first figures: under load the
    # incident (two simulated minutes, 6 s at 20×) was already in when they came
    start = time.time()
    clock = {"now": lambda: start}
    async with demo_hub(tmp_path, clock=lambda: clock["now"]()) as hub:
        app = demo_screen(hub, team="support")
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_for(pilot, lambda: app.view.meta.get("team") == "support")
                await wait_for(pilot, lambda: any(k.startswith("kpi:") for k in app.view.values))
                assert states(app, "calls_waiting") <= {"ok", "warn"}
                clock["now"] = demo_clock(20.0, start)
                await wait_for(pilot, lambda: "alert" in states(app, "calls_waiting"))
                assert hub.engine.snapshot(hub.clock()).bad_events == {}
        finally:
            await app.client.close()
    assert (tmp_path / "demo.db").exists()


async def test_overlay_shows_the_agents_own_figures(tmp_path):
    async with demo_hub(tmp_path, scenario="lunch_peak", speed=20.0) as hub:
        app = demo_screen(hub, agent="alice")
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.view.meta.get("agent") == "alice")
                await wait_for(pilot, lambda: any(k.startswith("kpi:agent:alice/")
                                                  for k in app.view.values))
                assert not any(k.startswith("kpi:agent:") and not k.startswith(
                    "kpi:agent:alice/") for k in app.view.values)
        finally:
            await app.client.close()


async def test_two_sites_fold_into_the_group_wall(tmp_path):
    """``panneau demo --sites 2``: two simulated site hubs, a nats-server, the group hub and
    its wall: the group's figures and each site's, the two sites' support teams apart."""
    async with demo_group(tmp_path, 2, speed=20.0) as group:
        app = demo_screen(group, group_wall=True)
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_for(pilot, lambda: app.view.meta.get("scope") == "site")
                await wait_for(pilot, lambda: {"site1", "site2"} <= {
                    e.source for e in group.journal.events()}, timeout=60)
                await wait_for(pilot, lambda: all(
                    f"kpi:{scope}/today/offered" in app.view.values
                    for scope in ("site", "site:site1", "site:site2")), timeout=60)
                assert not any(k.startswith(("kpi:team:", "kpi:queue:", "kpi:agent:"))
                               for k in app.view.values)
                assert {k[7:] for k in app.view.values if k.startswith("source:")} == {
                    "site1", "site2"}
                sites_now = next(p for p in page_specs(app.view) if p.title == "Sites now")
                labels = [t.label for t in build_page(app.view, sites_now, Link(True)).tiles]
                assert labels[:3] == ["Calls waiting", "Calls waiting · site1",
                                      "Calls waiting · site2"]
                await wait_for(pilot, lambda: app.panel.query_one("#top").team == "All sites")
        finally:
            await app.client.close()
        sites = [site.journal.count_events() for site in group.sites]
        assert all(sites)
        snap = group.engine.snapshot(group.clock())
        assert {"team:site1:support", "team:site2:support"} <= set(snap.values)
        assert "team:support" not in snap.values
    assert (tmp_path / "group.db").exists()


def test_demo_clock_runs_faster():
    clock = demo_clock(60.0, start=1000.0)
    assert 1000.0 <= clock() < 1000.0 + 60
    assert demo_clock(1.0)() == pytest.approx(time.time(), abs=1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
async def test_kill_or_a_closed_terminal_quits_as_ctrl_q_and_removes_the_folder(tmp_path, sig):
    """``kill`` (SIGTERM) or closing the terminal (SIGHUP) ended the process at once: the
    hub never stopped and its temporary folder (database, log) stayed behind. A real
    ``panneau demo`` on a pseudo-terminal: it quits as Ctrl+Q does, the folder goes."""
    master, slave = pty.openpty()
    drained = bytearray()
    loop = asyncio.get_running_loop()

    def drain() -> None:  # the screen's output read, so that it never waits on the terminal
        try:
            drained.extend(os.read(master, 65536))
        except OSError:  # the demo closed the terminal: nothing more to read
            loop.remove_reader(master)

    loop.add_reader(master, drain)
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "panneau"), "demo", stdin=slave, stdout=slave,
        stderr=slave, env={**os.environ, "TMPDIR": str(tmp_path), "TERM": "xterm-256color"},
        start_new_session=True)
    os.close(slave)
    try:
        def up() -> bool:
            logs = list(tmp_path.glob("panneau-demo-*/demo.log"))
            return bool(logs) and " up: ws " in logs[0].read_text()

        await eventually(up, 60, "the demo's hub up")
        await eventually(lambda: b"Support" in drained, 60, "the kiosk drawn")
        if sig == signal.SIGHUP:  # the terminal goes first
            loop.remove_reader(master)
            os.close(master)
        proc.send_signal(sig)
        await asyncio.wait_for(proc.wait(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        if sig != signal.SIGHUP:
            loop.remove_reader(master)
            os.close(master)
    assert list(tmp_path.glob("panneau-demo-*")) == []
