"""A hub whose own loop (publishing, history, rollups…) dies stops loudly instead of serving
figures frozen at that moment to screens that stay connected."""

from __future__ import annotations

import asyncio
import logging

import pytest

from panneau.hub.cli import hub_cmd
from panneau.hub.config import parse_config
from panneau.hub.server.app import HubBroken
from panneau.hub.server.gcpolicy import GcPolicy
from tests.hub.conftest import config_text

BROKEN = r"the hub's task hub:publish ended \(RuntimeError: broke on purpose\): the hub stops"


def _break_publishing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing's end-of-tick step (outside the loop's guard around a tick) raises."""
    def broken(self) -> None:
        raise RuntimeError("broke on purpose")

    monkeypatch.setattr(GcPolicy, "after_tick", broken)


async def test_a_dead_publish_loop_is_logged_and_ends_serving(start_hub, tools, caplog,
                                                              monkeypatch):
    caplog.set_level(logging.CRITICAL, "panneau.hub.server.app")
    async with start_hub(feed={"count": 3}) as hub:
        ws = await tools.hello(hub.ws_url, tools.MANAGER)
        assert (await tools.recv(ws))["type"] == "snapshot"
        assert not hub.broken.is_set()
        _break_publishing(monkeypatch)
        hub.mark_dirty()
        with pytest.raises(HubBroken, match=BROKEN):
            async with asyncio.timeout(30):
                await hub.serve_forever()
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL] == [
        BROKEN.replace("\\", "")]
    await tools.eventually(lambda: ws.close_code is not None)  # the screen sees it go
    assert ws.close_code == 1001


async def test_stopping_the_hub_is_not_taken_for_a_dead_loop(start_hub, caplog):
    caplog.set_level(logging.CRITICAL, "panneau.hub.server.app")
    async with start_hub(feed={"count": 3}) as hub:
        pass
    assert not hub.broken.is_set()
    assert not [r for r in caplog.records if r.levelno == logging.CRITICAL]


async def test_panneau_hub_stops_with_the_reason_when_a_loop_dies(tmp_path, feed_pm,
                                                                  monkeypatch):
    """``panneau hub``'s serving coroutine ends with :class:`HubBroken` (run_hub: exit 1)."""
    config = parse_config(config_text(str(tmp_path / "hub.db"), {"count": 3}), "test.toml")
    _break_publishing(monkeypatch)
    with pytest.raises(HubBroken, match=BROKEN):
        async with asyncio.timeout(30):
            await hub_cmd._serve(config, feed_pm, str(tmp_path / "test.toml"))
