"""Which objective an agent's overlay shows, as one line; the pulse question to ask. Pure.

"Team objective: FCR 74% → 80% by 31 Dec, on track". Objectives are collective: the hub sends
an agent its team's and the site's only (none of its team's when the team is small), never
one bound to an agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from panneau.hub.objectives import objective_line
from panneau.hub.view import ViewState

__all__ = ["objective_of", "pulse_question"]


def objective_of(view: ViewState) -> tuple[str, str]:
    """``(line, status)`` of the objective to show: the team's first, else the site's first;
    ``("", "")`` when the view holds none."""
    team = view.meta.get("team")
    found: list[tuple[bool, int, Mapping[str, Any]]] = []
    for key, value in view.keys("objective"):
        if isinstance(value, Mapping) and value.get("key_results"):
            order = int(key.id) if key.id.isdigit() else 0
            found.append((value.get("team") != team or team is None, order, value))
    if not found:
        return "", ""
    _, _, objective = min(found, key=lambda f: (f[0], f[1]))
    kr = objective["key_results"][0]
    return objective_line(objective), str(kr.get("status") or "")


def pulse_question(view: ViewState, answered_here: bool = False) -> str:
    """The question to ask, or ``""`` when there is none or the agent answered it."""
    ask = view.values.get("pulse:ask")
    if answered_here or not isinstance(ask, Mapping) or ask.get("answered") is not False:
        return ""
    return str(ask.get("question") or "")
