"""A config reload (SIGHUP or a file change) takes objectives, scorecard and pulse at once."""

from __future__ import annotations

from panneau.hub.config import load_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from tests.hub.conftest import hello
from tests.objectives.conftest import ANSWER_FASTER, CONFIG, Screen

#: The rollup loop would next wake in an hour: anything seen sooner came from the reload.
SLOW = CONFIG.replace('day_start = "06:00"', 'day_start = "06:00"\nhistory_interval_s = 3600')
ADDED = """
[pulse]
enabled = true
question = "Ready for the week?"
[scorecard]
period = "week"
[[scorecard.kpis]]
kpi = "csat_pct"
perspective = "customer"
""" + ANSWER_FASTER


async def test_objectives_scorecard_and_pulse_are_taken_on_reload(tmp_path):
    path = tmp_path / "panneau.toml"
    path.write_text(SLOW.format(db=tmp_path / "hub.db"))
    hub = Hub(load_config(path), pm=make_plugin_manager(load_entry_points=False),
              config_path=path)
    async with hub:
        manager = Screen(await hello(hub.ws_url, "manager-token-1"))
        ann = Screen(await hello(hub.ws_url, "agent-token-ann"))
        await manager.until(lambda v: "scorecard:team:support" in v)
        assert "objective:0" not in manager.view and "pulse:team:support" not in manager.view
        default = manager.view["scorecard:team:support"]

        path.write_text(path.read_text() + ADDED)
        result = hub.reloader.reload_file()  # what SIGHUP does
        assert set(result.live) == {"objectives", "scorecard", "pulse"}
        assert result.restart == ()
        await manager.until(lambda v: "objective:0" in v
                            and v["scorecard:team:support"] != default)
        assert manager.view["objective:0"]["title"] == "Answer faster"
        card = manager.view["scorecard:team:support"]
        assert card["period"].startswith("2") and "W" in card["period"]  # a week: 2026-W48
        assert [row["kpi"] for row in card["rows"]] == ["csat_pct"]
        await ann.until(lambda v: "pulse:ask" in v)
        assert ann.view["pulse:ask"]["question"] == "Ready for the week?"
        assert await ann.send({"type": "pulse_answer", "score": 4}) == {
            "type": "ok", "id": "pulse", "ref": "p"}

        path.write_text(path.read_text().replace("enabled = true", "enabled = false"))
        assert hub.reloader.reload_file().live == ("pulse",)
        await ann.until(lambda v: "pulse:ask" not in v)
        refused = await ann.send({"type": "pulse_answer", "score": 4})
        assert refused["type"] == "error" and "no pulse" in refused["reason"]
        await manager.close()
        await ann.close()
