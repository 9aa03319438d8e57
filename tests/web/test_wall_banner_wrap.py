"""On a narrow browser wall an alert line wraps between its figures, as the kiosk's, and a
comparison under a figure stays inside its tile; no banner line breaks between a number and
its unit.

The real wall page in headless Chromium against a real hub on 127.0.0.1, showing the kiosk
tests' fixed view of six figures in alert (the hub's own view stands aside for it).
"""

from __future__ import annotations

import json

from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from tests.hub.conftest import config_text
from tests.kiosk.kiosk_data import OCCUPANCY, many_alerts
from tests.web.wall_browser import needs_chromium, open_wall, wait_for

pytestmark = needs_chromium
#: For the alert line: how many boxes each of its figures takes (1: whole) and its height in
#: lines of its own font.
SHOWN = """() => { const line = document.querySelector('#banner .alert');
    const parts = [...line.querySelectorAll('.part')];
    const tile = document.querySelector(".tile[data-kpi='calls_waiting']").getBoundingClientRect();
    const inside = (r) => r.left >= tile.left - 0.5 && r.right <= tile.right + 0.5;
    return {boxes: parts.map((p) => [p.textContent, p.getClientRects().length]),
            lines: line.getBoundingClientRect().height / parts[0].getBoundingClientRect().height,
            refs: [...document.querySelectorAll(".tile[data-kpi='calls_waiting'] .ref")].map(
              (r) => [r.textContent, inside(r.getBoundingClientRect())]),
            glued: [...document.querySelectorAll('#banner .insight .glued')].map(
              (g) => [g.textContent, g.getClientRects().length])};
  }"""


async def test_a_narrow_walls_alert_line_breaks_between_figures(tmp_path, feed_pm):
    config = parse_config(config_text(str(tmp_path / "hub.db")), "wall.toml")
    values = many_alerts()
    values["insight:occupancy/queue:billing"] = {"rule": "occupancy", "text": OCCUPANCY}
    async with Hub(config, pm=feed_pm) as hub, open_wall(hub, (480, 800)) as page:
        await wait_for(page, "window.panneauWall && panneauWall.wall.link.connected",
                       "the hub connected")
        await page.evaluate(f"""() => {{ panneauWall.hub.onView = () => {{}};
            panneauWall.wall.setView({json.dumps(values)}); }}""")
        await wait_for(page, "document.querySelector('#banner .alert') !== null", "the alerts")
        shown = await page.evaluate(SHOWN)
        await page.screenshot(path=str(tmp_path / "wall-narrow-banner.png"))
    assert shown["lines"] >= 2, shown  # it wraps...
    assert all(boxes == 1 for _, boxes in shown["boxes"]), shown  # ...never inside a figure
    assert shown["boxes"][0][0].startswith("Calls waiting · now")
    # a tile narrower than "↑+6 yesterday": the comparison wraps inside it, never clipped
    assert shown["refs"] == [["↑+6 yesterday", True], ["↑+8 last week", True]], shown
    # an insight never breaks between a number and its unit
    assert [text for text, _ in shown["glued"]] == ["79 %", "(88 %", "15 min):", "~70 %",
                                                    "60 min", "15 min)"], shown
    assert all(boxes == 1 for _, boxes in shown["glued"]), shown
