"""Which objectives and scorecards an audience receives. Pure.

- ``manager``: every ``objective:<n>`` and every ``scorecard:<scope>``.
- ``kiosk`` of a team: the objectives of its team and the site's, and its team's scorecard.
  A kiosk of a scope instead (``site``, a group hub's ``site:<name>``): the site's objectives
  whose key results it may see, and that scope's scorecard.
- ``agent``: the objectives of its team and the site's (the overlay's one line), no scorecard;
  none of its team's when the team is small (its figures would tell a colleague's).
- An objective is never bound to an agent (the config refuses it), and a non-manager receives
  an objective only when every key result's scope is ``site`` or one it may see already: a
  site objective on another team's figures stays with the managers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["visible_goals"]


def visible_goals(role: str, team: str | None, small: bool, scopes: list[str],
                  goals: Mapping[str, Any], scope: str | None = None) -> dict[str, Any]:
    """The ``objective:`` and ``scorecard:`` keys of ``goals`` an audience may receive
    (``scopes``: the KPI scopes it sees; ``small``: an agent of a small team; ``scope``: a
    kiosk's scope, when it shows one instead of a team)."""
    if role == "manager":
        return dict(goals)
    out: dict[str, Any] = {}
    seen = {"site", *scopes}
    own = f"scorecard:team:{team}" if team is not None else (
        f"scorecard:{scope}" if scope is not None else None)
    for key, value in goals.items():
        if key.startswith("objective:"):
            owner = value.get("team")
            if owner not in (None, team) or (owner is not None and small):
                continue
            if all(kr["scope"] in seen for kr in value["key_results"]):
                out[key] = value
        elif role == "kiosk" and key == own:
            out[key] = value
    return out
