"""A journal with hand-made KPI history (Europe/Paris, two working days) and its config."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from panneau.hub.server.journal import Journal

PARIS = ZoneInfo("Europe/Paris")
REPORT_TOML = """\
[hub]
database = "{db}"
timezone = "Europe/Paris"
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"

[[teams]]
id = "support"
queues = ["support"]
agents = ["ag-ann", "ag-ben", "ag-cid"]

# the support team's service level: warn at 80 %, alert at 70 %
[[thresholds]]
kpi = "service_level_pct"
team = "support"
target = 85.0
warn = 80.0
alert = 70.0

[[tokens]]
role = "manager"
token = "manager-token"
label = "boss"

[[tokens]]
role = "reporting"
token = "reporting-token"
label = "power bi"

[[tokens]]
role = "agent"
token = "agent-token"
agent = "ag-ann"

[[tokens]]
role = "kiosk"
token = "kiosk-token"
team = "support"
"""


def at(day: int, hh: int, mm: int) -> float:
    """Epoch of 2026-11-<day> hh:mm in Paris (UTC+1 in November)."""
    return datetime(2026, 11, day, hh, mm, tzinfo=PARIS).timestamp()


#: (local day, hh, mm, key, value): what the hub sampled.
SAMPLES = [
    (2, 8, 0, "team:support/today/service_level_pct", 90.0),
    (2, 8, 30, "team:support/today/service_level_pct", 85.0),
    (2, 9, 0, "team:support/today/service_level_pct", 75.0),
    (2, 9, 30, "team:support/today/service_level_pct", 72.0),
    (2, 8, 0, "site/now/calls_waiting", 1.0),
    (2, 8, 30, "site/now/calls_waiting", 2.0),
    (2, 9, 0, "site/now/calls_waiting", 3.0),
    (2, 9, 30, "site/now/calls_waiting", 4.0),
    (2, 9, 30, "agent:ag-ann/today/aht_s", 300.0),
    (2, 9, 30, "queue:support/today/abandon_rate_pct", 12.5),
    (3, 8, 0, "team:support/today/service_level_pct", 65.0),
    (3, 9, 10, "team:support/today/service_level_pct", 82.0),
    (3, 9, 10, "agent:ag-ann/today/aht_s", 250.0),
]


@pytest.fixture
def samples():
    """:data:`SAMPLES`."""
    return SAMPLES


@pytest.fixture
def report_config(tmp_path):
    """``(config path, database path)`` with :data:`SAMPLES` in the database's history."""
    db = tmp_path / "hub.db"
    journal = Journal(db)
    try:
        for day, hh, mm, key, value in SAMPLES:
            journal.add_history(at(day, hh, mm), [(key, value)])
    finally:
        journal.close()
    path = tmp_path / "panneau.toml"
    path.write_text(REPORT_TOML.format(db=db))
    return path, db
