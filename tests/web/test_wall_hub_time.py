"""The browser wall's hub time (hubTime, hubSpeed) reads the hub's clock as the Textual
screens' (hub/freshness.py hub_time, hub_speed): one rule, run by Node against the Python.

The hub says ``meta.clock_speed`` only when it is not 1 (hub/server/views.py); hubTime read it
on its own beside hubSpeed, and took a ``clock_speed`` of 1 for a sped hub: its time was the
figures' ``as_of`` moved on, where every Textual screen's is the wall clock's. And as theirs, the
page's time never goes back while the hub's goes on (a late frame's ``as_of`` is held), but
follows a hub restarted with another clock (tests/hub/test_hub_time.py).
"""

from __future__ import annotations

from typing import Any

from panneau.hub.freshness import hub_speed, hub_time
from tests.hub.test_hub_time import LATE, T0, W0, sped
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
RUN = """
import { hubSpeed, hubTime } from "./wall.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => {
  const runs = JSON.parse(text);
  console.log(JSON.stringify(runs.map((steps) => {
    let seen = null;
    return steps.map(([meta, wall]) => {
      const [time, next] = hubTime(meta, seen, wall);
      seen = next;
      return [time, hubSpeed(meta)];
    });
  })));
});
"""


def python_runs(runs: list[list[tuple[Any, float]]]) -> list[list[list[float]]]:
    """What the Textual screens read for the same steps (``seen`` carried along)."""
    out = []
    for steps in runs:
        seen, shown = None, []
        for meta, wall in steps:
            time, seen = hub_time(meta, wall, seen)
            shown.append([time, hub_speed(meta) if isinstance(meta, dict) else 1.0])
        out.append(shown)
    return out


def test_one_rule_for_the_hubs_clock_speed(tmp_path):
    metas = [{}, {"as_of": T0}, {"as_of": T0, "clock_speed": 1}, {"as_of": T0, "clock_speed": 60},
             {"as_of": T0, "clock_speed": 2.5}, {"as_of": T0, "clock_speed": 0},
             {"as_of": T0, "clock_speed": -3}, {"as_of": T0, "clock_speed": "60"},
             {"as_of": T0, "clock_speed": None}, {"clock_speed": 60}, None]
    runs = [[(meta, T0 + 5.0), (meta, T0 + 7.5)] for meta in metas]
    shown = run_node(tmp_path, RUN, given=runs)
    assert shown == python_runs(runs)
    # a hub that says 1 is the wall clock's: not the figures' time moved on from as_of
    assert shown[2] == [[T0 + 5.0, 1], [T0 + 7.5, 1]]
    assert shown[3] == [[T0, 60], [T0 + 150.0, 60]]


def test_the_pages_time_is_held_and_followed_as_the_screens(tmp_path):
    """The same readings as the Textual screens': a late frame held, a new clock followed."""
    restarted = [(sped(T0), W0), (sped(T0), W0 + 10.0), (sped(T0 - 3600), W0 + 10.0),
                 (sped(T0 - 3600), W0 + 11.0)]
    runs = [LATE, restarted]
    shown = run_node(tmp_path, RUN, given=runs)
    assert shown == python_runs(runs)
    late = [time for time, _ in shown[0]]
    assert late == sorted(late) and late[11] == late[10] == T0 + 75.0
    assert [time for time, _ in shown[1]] == [T0, T0 + 600, T0 - 3600, T0 - 3540]
