"""The browser wall asks again for its Trends page's series by the kiosk's rule
(hub/chart_asks.py): hub/web/charts.js chartsDue run by Node on tests/hub/test_chart_asks.py's
cases. At ×60 both asked the hub about every wall second (once a minute of the hub's clock).
"""

from __future__ import annotations

from tests.chart_data import ZONE
from tests.hub.test_chart_asks import CASES, SCOPE
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
DUE = """
import { chartsDue } from "./charts.js";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => {
  const { cases, scope, zone } = JSON.parse(text);
  console.log(JSON.stringify(cases.map(([values, answers, now, askedAt, wall]) =>
    chartsDue(values, scope, answers, now, zone, askedAt, wall, 60))));
});
"""


def test_the_wall_asks_for_its_charts_by_the_kiosks_rule(tmp_path):
    cases = [list(case[1:6]) for case in CASES]
    due = run_node(tmp_path, DUE, given={"cases": cases, "scope": SCOPE, "zone": str(ZONE)})
    assert dict(zip([c[0] for c in CASES], due, strict=True)) == {c[0]: c[6] for c in CASES}
