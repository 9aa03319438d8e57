"""What the manager console shows, from the manager's view: pure, no I/O, no clock.

Rows for every team (queue now, service level, answered, abandon rate, agents), every agent
(state, time in it, answered, AHT) and every message (who acknowledged it).
"""

from __future__ import annotations

from dataclasses import dataclass

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.display import STATE_LABELS, format_duration, format_value, state_symbol
from panneau.hub.view import ViewState

__all__ = ["AGENT_COLUMNS", "TEAM_COLUMNS", "Cell", "ConsoleModel", "build_console", "parse_send"]

#: (window, kpi) of each team column after the team's name.
TEAM_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("now", "calls_waiting", "Waiting"),
    ("now", "longest_wait_s", "Longest"),
    ("today", SERVICE_LEVEL, "SL"),
    ("today", "answered", "Answered"),
    ("today", "abandon_rate_pct", "Abandon"),
    ("now", "agents_available", "Avail"),
    ("now", "agents_on_call", "On call"),
    ("now", "agents_paused", "Paused"),
)
AGENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("today", "answered", "Answered"),
    ("today", "aht_s", "AHT"),
    ("today", "occupancy_pct", "Occup."),
)


@dataclass(frozen=True, slots=True)
class Cell:
    """A value's text and its threshold state (drawn as colour and symbol)."""

    text: str
    state: str | None = None

    @property
    def marked(self) -> str:
        """The text after the state's symbol (as on the kiosk)."""
        return f"{state_symbol(self.state)}{self.text}" if self.state else self.text


@dataclass(frozen=True, slots=True)
class ConsoleModel:
    """Rows of the three tables (messages oldest first), each ``(row key, cells)``."""

    teams: tuple[tuple[str, tuple[Cell, ...]], ...] = ()
    agents: tuple[tuple[str, tuple[Cell, ...]], ...] = ()
    messages: tuple[tuple[str, tuple[Cell, ...]], ...] = ()


def _cell(view: ViewState, scope: str, window: str, kpi: str) -> Cell:
    return Cell(format_value(kpi, view.kpi(scope, window, kpi)), view.state(scope, window, kpi))


def _scopes(view: ViewState, kind: str) -> list[str]:
    """Names of the scopes of a kind that have figures (``team`` → ``["duo", "support"]``)."""
    return sorted({k.scope.partition(":")[2] for k, _ in view.keys("kpi")
                   if k.scope.startswith(f"{kind}:")})


def build_console(view: ViewState, now: float) -> ConsoleModel:
    """The console's rows at ``now``."""
    teams = tuple(
        (scope, (Cell(scope.partition(":")[2] or "all teams"),
                 *(_cell(view, scope, w, k) for w, k, _ in TEAM_COLUMNS)))
        for scope in ["site", *(f"team:{t}" for t in _scopes(view, "team"))]
    )
    agent_ids = sorted({a for a, _ in view.items("agent:")} | set(_scopes(view, "agent")))
    agents = []
    for agent in agent_ids:
        entry = view.values.get(f"agent:{agent}") or {}
        state = STATE_LABELS.get(entry.get("state", ""), entry.get("state") or "-")
        since = entry.get("since")
        agents.append((agent, (
            Cell(str(entry.get("name") or agent)),
            Cell(state + (f": {entry['reason']}" if entry.get("reason") else "")),
            Cell(format_duration(now - since) if isinstance(since, int | float) else "-"),
            *(_cell(view, f"agent:{agent}", w, k) for w, k, _ in AGENT_COLUMNS),
        )))
    messages = []
    for msg_id, m in sorted(view.items("message:"), key=lambda item: item[1].get("sent", 0)):
        to = m.get("to") or {}
        acked = m.get("acked_by") or []
        expires = m.get("expires")
        left = format_duration(expires - now) if isinstance(expires, int | float) else "-"
        messages.append((msg_id, (
            Cell(str(m.get("text", ""))),
            Cell(to.get("agent") or to.get("team") or "everyone"),
            Cell(left, "warn" if isinstance(expires, int | float) and expires <= now else None),
            Cell(f"{len(acked)}: {', '.join(acked)}" if acked else "none yet"),
        )))
    return ConsoleModel(teams, tuple(agents), tuple(messages))


def parse_send(line: str, expires_s: float = 3600.0) -> dict:
    """``@support text`` → to a team, ``@@bob text`` → to an agent, else to everyone.

    Returns the ``send_message`` frame; raises ``ValueError`` on an empty text.
    """
    line = line.strip()
    frame: dict = {"type": "send_message", "expires_s": expires_s}
    if line.startswith("@@"):
        target, _, line = line[2:].partition(" ")
        frame["agent"] = target
    elif line.startswith("@"):
        target, _, line = line[1:].partition(" ")
        frame["team"] = target
    if not line.strip():
        raise ValueError("nothing to send: write the message after the recipient")
    frame["text"] = line.strip()
    return frame
