"""Small-team rule at the wire: an agent of a 2-agent team gets no team and no queue outcome.

Team "sales" lists two agents (ag-dee, ag-eve; ``hub.min_team_size`` is 3). Queue "sales"
answered today minus ag-dee's own would be ag-eve's, so ag-dee's frames may carry, of the
queue, only calls waiting and the longest wait now (figures, states, targets, alerts).
"""

import asyncio
import contextlib

from panneau.hub import wire
from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from panneau.hub.server.views import SMALL_TEAM_QUEUE_KPIS

THRESHOLDS = """
[[thresholds]]
kpi = "offered"
queue = "sales"
direction = "lower"
warn = 1.0
alert = 2.0
"""


async def _drain(ws, seconds: float) -> list[dict]:
    frames: list[dict] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            for _ in range(10_000):
                frames.append(wire.decode_hub(await ws.recv()))
    return frames


def _keys(frames: list[dict]) -> set[str]:
    return {k for f in frames for k in [*(f.get("view") or f.get("set") or {}),
                                        *(f.get("unset") or [])]}


def _queue_part(key: str) -> tuple[str, str]:
    """``kpi:queue:sales/now/calls_waiting`` → ``("now", "calls_waiting")``; targets: ``""``."""
    window, _, kpi = key.partition("/")[2].rpartition("/")
    return window, kpi


async def test_a_small_team_agent_receives_no_queue_outcome(tmp_path, feed_pm, tools):
    text = tools.config_text(str(tmp_path / "hub.db"), {"count": 30, "interval_s": 0.02})
    config = parse_config(text + THRESHOLDS, "small.toml")
    assert len(config.team("sales").agents) < config.hub.min_team_size
    async with Hub(config, pm=feed_pm) as hub:
        dee = await tools.hello(hub.ws_url, tools.agent_token("ag-dee"))
        ann = await tools.hello(hub.ws_url, tools.agent_token("ag-ann"))  # team of 3
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("sales"))
        got = await asyncio.gather(*(_drain(ws, 2.5) for ws in (dee, ann, kiosk)))
        dee_frames, ann_frames, kiosk_frames = got
        assert hub.journal.count_events("feed") == 5 + 60
        dee_keys, kiosk_keys = _keys(dee_frames), _keys(kiosk_frames)
        # the hub has the queue's outcome figures and alerts; the kiosk gets them
        assert "kpi:queue:sales/today/answered" in kiosk_keys
        assert any(f["type"] == "alert" and f["alert"]["key"].startswith("queue:sales/")
                   for f in kiosk_frames)
        # ag-dee: its own figures, the queue's waiting calls, nothing else of the team
        assert "kpi:agent:ag-dee/today/answered" in dee_keys
        assert "kpi:queue:sales/now/calls_waiting" in dee_keys
        queue_keys = {k for k in dee_keys if ":queue:" in k}
        assert {_queue_part(k) for k in queue_keys} <= {
            (w, kpi) for w in ("now", "") for kpi in SMALL_TEAM_QUEUE_KPIS}
        assert not any(k.partition(":")[2].startswith("team:") for k in dee_keys)
        assert not [f for f in dee_frames if f["type"] == "alert"]
        assert "ag-eve" not in repr(dee_frames)
        meta = next(f["view"]["meta"] for f in dee_frames if f["type"] == "snapshot")
        assert meta["team_figures"] is False and meta["queues"] == ["sales"]
        # an agent of a team at the minimum size keeps its queue's outcome figures
        assert "kpi:queue:support/today/answered" in _keys(ann_frames)
        for ws in (dee, ann, kiosk):
            await ws.close()
