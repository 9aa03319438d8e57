"""``panneau targets list``: every threshold as the hub applies it."""

from __future__ import annotations

from panneau.hub.cli.main import main

THRESHOLDS = """
[[teams]]
id = "support"
queues = ["support"]

[[thresholds]]
kpi = "service_level_pct"
team = "support"
target = 85
warn = 80
alert = 70
hysteresis = 2

[[thresholds]]
kpi = "asa_s"
warn = 20
alert = 40

[[thresholds]]
kpi = "csat_pct"
target = 90
direction = "lower"
"""


def test_targets_list_shows_the_hysteresis_and_which_way_is_better(tmp_path, capsys):
    """It showed target, warn and alert only: a manager could not tell why a figure stayed in
    warn past its level (the hysteresis) nor which way the hub rates it."""
    config = tmp_path / "panneau.toml"
    config.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n{THRESHOLDS}')
    assert main(["targets", "list", "--config", str(config)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "team:support         service_level_pct          target     85  warn     80  "
        "alert     70  hysteresis    2  higher is better (default)",
        "site                 asa_s                      target      —  warn     20  "
        "alert     40  hysteresis    0  lower is better (default)",
        "site                 csat_pct                   target     90  warn      —  "
        "alert      —  hysteresis    0  lower is better",
    ]
