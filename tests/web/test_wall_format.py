"""The browser wall writes every figure as the kiosk does (one figure, one text, wherever it
shows): ``formatValue`` of hub/web/wall.js (run by Node) against
``panneau.hub.display.format_value`` for every unit of the catalogue. Money figures (cost per
contact, revenue) read ``12`` on the browser wall where the kiosk and the console read
``12.35``, and ``100`` for ``99.99``."""

from __future__ import annotations

import json

from panneau.hub.catalogue import KPIS
from panneau.hub.display import format_value
from panneau.hub.server.wall import wall_catalogue
from tests.web.wall_node import needs_node, run_node

pytestmark = needs_node
VALUES = [0.0, 0.04, 0.5, 2.5, 4.35, 9.95, 12.345, 99.99, 100.0, 150.4, 1234.5, 3599.6,
          3600.0, 7322.0, -3.25, -0.004]
SCRIPT = """
import { formatValue } from "./wall.js";
const { catalogue, kpis, values } = JSON.parse(process.argv[2]);
console.log(JSON.stringify(kpis.map((k) => values.map((v) => formatValue(catalogue[k], v)))));
"""


def test_every_unit_reads_the_same_on_the_browser_wall_and_the_kiosk(tmp_path):
    kpis = sorted({info.unit: kpi for kpi, info in KPIS.items()}.values())
    shown = run_node(tmp_path, SCRIPT, json.dumps(
        {"catalogue": wall_catalogue(), "kpis": kpis, "values": VALUES}))
    expected = [[format_value(kpi, v) for v in VALUES] for kpi in kpis]
    differ = {(kpi, v): (js, py) for kpi, row_js, row_py in zip(kpis, shown, expected, strict=True)
              for v, js, py in zip(VALUES, row_js, row_py, strict=True) if js != py}
    assert differ == {}
