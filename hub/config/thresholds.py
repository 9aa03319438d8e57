"""Which ``[[thresholds]]`` entry applies to a scope: one rule for the engine's states and
alerts (:mod:`panneau.hub.engine.thresholds`) and the scorecard's targets and states.

The most specific wins: the queue's (for ``queue:<q>``), else one naming a team of the scope
(the queue's teams, the agent's, the team itself), else on a group hub one naming the scope's
site alone (``site = "paris"``: for ``site:paris`` and Paris's teams, queues and agents), else
the general one; among equals the first in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from panneau.hub.config.schema import Threshold

__all__ = ["applicable"]


def applicable(candidates: Iterable[Threshold], kind: str, name: str, teams: Sequence[str],
               site: str | None) -> Threshold | None:
    """The threshold that applies to scope ``<kind>:<name>`` among ``candidates`` (one KPI's):
    the queue's, else a team's of ``teams``, else the site's (``site``: a group hub's site of
    the scope), else the general one."""
    found = None
    rank = 5
    for t in candidates:
        if t.queue is not None:
            level = 0 if kind == "queue" and t.queue == name else 5
        elif t.team is not None:
            level = 1 if t.team in teams else 5
        elif t.site is not None:
            level = 2 if t.site == site else 5
        else:
            level = 3
        if level < rank:
            found, rank = t, level
    return found
