"""``history`` requests on the wire: series for charts, under the same privacy as views."""

from __future__ import annotations

import pytest

from panneau.hub import wire
from panneau.hub.server.history import bucketed


def test_bucketed_keeps_the_last_sample_of_each_step():
    rows = [(0.0, "a", 1.0), (30.0, "a", 2.0), (60.0, "a", 3.0), (61.0, "b", 9.0),
            (119.0, "a", 4.0), (120.0, "a", 5.0)]
    assert bucketed(rows, 0.0, 60.0) == {"a": [[30.0, 2.0], [119.0, 4.0], [120.0, 5.0]],
                                         "b": [[61.0, 9.0]]}


async def ask(tools, hub, token: str, **frame) -> dict:
    """Connect with ``token``, send one ``history`` frame, return the answer to it."""
    ws = await tools.hello(hub.ws_url, token)
    await ws.send(wire.encode({"type": "history", "ref": "r", **frame}))
    [*_, answer] = await tools.recv_until(ws, lambda f: f.get("ref") == "r")
    await ws.close()
    return answer


@pytest.fixture
async def sampled_hub(start_hub):
    """A hub whose history holds two hours of made-up samples, one a minute."""
    async with start_hub() as hub:
        now = hub.clock()
        for minute in range(120):
            ts = now - 7200 + minute * 60
            hub.journal.add_history(ts, [
                ("team:support/today/answered", float(minute)),
                ("queue:sales/today/answered", float(2 * minute)),
                ("agent:ag-ann/today/answered", float(minute // 10)),
                ("agent:ag-ben/today/answered", 1.0)])
        yield hub, now


async def test_a_manager_gets_any_series_bucketed(sampled_hub, tools):
    hub, now = sampled_hub
    keys = ["team:support/today/answered", "kpi:agent:ag-ben/today/answered"]
    answer = await ask(tools, hub, tools.MANAGER, keys=keys, since=now - 3600, until=now,
                       step_s=1800)
    assert answer["type"] == "series" and answer["step_s"] == 1800
    support = answer["series"]["team:support/today/answered"]
    assert [v for _, v in support] == [89.0, 119.0]  # the last sample of each half hour
    assert answer["series"]["agent:ag-ben/today/answered"] == [[support[0][0], 1.0],
                                                               [support[1][0], 1.0]]
    fine = await ask(tools, hub, tools.MANAGER, keys=keys[:1], since=now - 600, until=now)
    assert len(fine["series"]["team:support/today/answered"]) == 10  # the sampling interval


async def test_kiosks_and_agents_get_only_series_their_view_may_hold(sampled_hub, tools):
    hub, now = sampled_hub
    span = {"since": now - 3600, "until": now}
    kiosk = tools.kiosk_token("support")
    ok = await ask(tools, hub, kiosk, keys=["team:support/today/answered"], **span)
    assert ok["type"] == "series" and len(ok["series"]["team:support/today/answered"]) == 60
    for token, key in ((kiosk, "agent:ag-ann/today/answered"),  # no agent on a wall
                       (kiosk, "queue:sales/today/answered"),  # another team's queue
                       (tools.agent_token("ag-ben"), "agent:ag-ann/today/answered"),
                       (tools.agent_token("ag-dee"), "queue:sales/today/answered")):  # small
        refused = await ask(tools, hub, token, keys=[key], **span)
        assert refused == {"type": "error", "ref": "r",
                           "reason": f"history: {key!r} is not yours to see"}
    own = await ask(tools, hub, tools.agent_token("ag-ann"),
                    keys=["agent:ag-ann/today/answered", "team:support/today/answered"], **span)
    assert own["series"]["agent:ag-ann/today/answered"][-1][1] == 11.0


@pytest.mark.parametrize(("frame", "reason"), [
    ({"keys": []}, "history: 1 to 24 keys"),
    ({"keys": ["support/answered"]}, "history: keys are <scope>/<window>/<kpi>"),
    ({"keys": [3]}, "history: keys are <scope>/<window>/<kpi>"),
    ({"keys": ["site/today/answered"], "until_offset": -7200}, "history: until must be after"),
    ({"keys": ["site/today/answered"], "since_offset": 9 * 86400}, "at most 691200 s later"),
])
async def test_bad_history_requests_get_an_error_and_the_connection_stays(
        sampled_hub, tools, frame, reason):
    hub, now = sampled_hub
    frame = dict(frame)
    since = now - 3600 - frame.pop("since_offset", 0)
    until = now + frame.pop("until_offset", 0)
    ws = await tools.hello(hub.ws_url, tools.MANAGER)
    await ws.send(wire.encode({"type": "history", "ref": "bad", "since": since, "until": until,
                               **frame}))
    [*_, error] = await tools.recv_until(ws, lambda f: f.get("ref") == "bad")
    assert error["type"] == "error" and reason in error["reason"]
    await ws.send(wire.encode({"type": "history", "ref": "good", "since": now - 600,
                               "keys": ["team:support/today/answered"]}))
    [*_, good] = await tools.recv_until(ws, lambda f: f.get("ref") == "good")
    assert good["type"] == "series"
    await ws.close()
