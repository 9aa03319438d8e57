"""Shared helpers for the engine tests: a small config and a way to run events."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from panneau.hub import events as ev
from panneau.hub.config import Config, KpiSettings, QueueSettings, Team, Threshold
from panneau.hub.engine import Engine, Snapshot

#: 2027-01-15 08:00:00 UTC, a whole minute.
T0 = 1_800_000_000.0


def make_config(**kpi) -> Config:
    """Queue ``q`` (T = 20 s) in team ``t`` with agents A and B; queue ``s`` with T = 30 s."""
    return Config(
        kpi=KpiSettings(**kpi),
        queues={"q": QueueSettings(), "s": QueueSettings(service_level_s=30)},
        teams=[Team(id="t", queues=["q"], agents=["A", "B"], groups=["G"])],
    )


Runner = Callable[..., Snapshot]


@pytest.fixture
def run() -> Runner:
    """``run(events, now, config=None, thresholds=None, **kpi)`` → snapshot at ``now``."""

    def _run(events: Iterable[ev.Event], now: float, config: Config | None = None,
             thresholds: list[Threshold] | None = None, **kpi) -> Snapshot:
        config = config or make_config(**kpi)
        if thresholds:
            config.thresholds = thresholds
        engine = Engine(config)
        for event in events:
            engine.apply(event)
        return engine.snapshot(now)

    return _run
