"""What the engine hands out: figures, states, agents and alerts at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["AgentNow", "Alert", "Snapshot", "State"]

State = Literal["ok", "warn", "alert"]
AgentState = Literal["logged_out", "available", "ringing", "on_call", "wrapup", "paused"]


@dataclass(frozen=True, slots=True)
class AgentNow:
    """One agent at the snapshot instant: state, since when, pause reason, queues logged in."""

    state: AgentState
    since: float
    reason: str | None = None
    queues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """A KPI state that got worse (after hysteresis) at ``at``: raised by the engine's
    :meth:`~panneau.hub.engine.Engine.advance`, in force until the state is back to ok.

    ``state`` is the KPI's state at the last judgment (an alert eased to warn by the
    hysteresis says warn); ``previous``, ``value`` and ``at`` are the raise's."""

    scope: str
    window: str
    kpi: str
    state: State
    previous: State | None
    value: float
    at: float

    @property
    def key(self) -> str:
        """``<scope>/<window>/<kpi>``, also the alert's id."""
        return f"{self.scope}/{self.window}/{self.kpi}"

    def as_dict(self) -> dict[str, object]:
        """The alert as screens get it (``alert`` frames and the views' alert list)."""
        return {"key": self.key, "state": self.state, "value": self.value, "since": self.at,
                "previous": self.previous,
                "text": f"{self.kpi} {self.state} in {self.scope} ({self.window})"}


@dataclass(slots=True)
class Snapshot:
    """Figures at ``at``. ``values[scope][window][kpi]``; a KPI without data is absent.

    The inner dicts may be shared with later snapshots: treat a snapshot as read-only.
    """

    at: float
    values: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    #: The thresholded KPIs' states at the last judgment (the same as :attr:`active_alerts`'):
    #: on a hub's grid, up to a second older than :attr:`values` between two judgments.
    states: dict[str, dict[str, dict[str, State]]] = field(default_factory=dict)
    agents: dict[str, AgentNow] = field(default_factory=dict)
    #: The previous snapshot's :attr:`agents` and the agents whose view differs from it
    #: (``None``: not known): a reader comparing two snapshots looks at those only. Not a
    #: figure: left out of equality (the same figures however the engine got there).
    agents_since: tuple[dict[str, AgentNow], frozenset[str] | None] | None = field(
        default=None, compare=False, repr=False)
    #: Alerts raised at this instant (a state got worse since the previous advance).
    alerts: list[Alert] = field(default_factory=list)
    #: Every alert in force, by key (raised and not yet back to ok). The engine owns them: they
    #: are saved with its state and survive a restart. Shared with later snapshots until one
    #: changes.
    active_alerts: dict[str, Alert] = field(default_factory=dict)
    bad_events: dict[str, int] = field(default_factory=dict)
    #: ``{scope: {kpi: Threshold-like dict}}`` for KPIs with a configured threshold.
    targets: dict[str, dict[str, dict[str, float | bool | None]]] = field(default_factory=dict)
    #: ``{scope: {reason: agents}}`` paused agents by reason, now.
    paused_reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    #: ``<scope>/<window>/<kpi>`` keys of survey figures from fewer than ``kpi.small_n`` answers.
    small_n: frozenset[str] = frozenset()

    def flat(self) -> dict[str, float]:
        """``{"<scope>/<window>/<kpi>": value}``."""
        return {
            f"{scope}/{window}/{kpi}": value
            for scope, windows in self.values.items()
            for window, kpis in windows.items()
            for kpi, value in kpis.items()
        }

    def get(self, scope: str, window: str, kpi: str) -> float | None:
        """One value, or ``None`` when absent."""
        return self.values.get(scope, {}).get(window, {}).get(kpi)
