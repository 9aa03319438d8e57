"""The agent's figures line up whatever their labels: an agent who also handles tickets gets
the catalogue's longer labels (``Tickets created``, ``Pending tickets``) next to ``AHT``."""

from __future__ import annotations

import pytest
from overlay_views import NOW, agent_values, make_view

from panneau.hub.freshness import Link
from panneau.hub.view import kpi_key
from panneau.overlay.figures import figure_lines
from panneau.overlay.model import build_model

TICKETS = {"tickets_created": 3, "tickets_solved": 12, "backlog": 2, "tickets_pending": 1,
           "sla_breaches": 0}


def ticket_agent_figures():
    values = agent_values()
    values |= {kpi_key("agent:alice", "today", kpi): v for kpi, v in TICKETS.items()}
    return build_model(make_view(values), NOW, Link(True, NOW - 1)).figures




def test_the_wide_table_widens_for_long_labels_and_keeps_values_in_one_column():
    figures = ticket_agent_figures()
    assert any(len(f.label) > 10 for f in figures)  # the case this guards
    lines = figure_lines(figures, 100, len(figures), lambda _: "")
    assert len(lines) == len(figures)
    ends = {line.plain.index(fig.text, len(fig.label)) + len(fig.text)
            for line, fig in zip(lines, figures, strict=True)}
    assert len(ends) == 1, [line.plain for line in lines]
    for line, fig in zip(lines, figures, strict=True):
        assert line.plain.startswith(fig.label + " "), line.plain


@pytest.mark.parametrize("width", [24, 40, 60])
def test_columns_of_cells_keep_their_values_in_one_place_and_apart_from_labels(width):
    figures = [f for f in ticket_agent_figures() if f.value is not None]
    lines = figure_lines(figures, width, 6, lambda _: "")
    cols = min(-(-len(figures) // 6), width // 17)  # no cell narrower than a readable label
    if cols * 6 < len(figures):  # 24 wide: one column, its last line counting the others
        assert lines[-1].plain.strip() == f"+{len(figures) - (cols * 6 - 1)} more"
        figures, lines = figures[:cols * 6 - 1], lines[:-1]
    rows = -(-len(figures) // cols)
    cell_w = width // cols
    for col in range(cols):
        cells = [line.plain[col * cell_w:(col + 1) * cell_w] for line in lines]
        shown = figures[col * rows:(col + 1) * rows]
        ends = set()
        for cell, fig in zip(cells, shown, strict=False):
            assert len(cell) == cell_w
            value_at = cell.rindex(" " + fig.text + " ") + 1
            ends.add(value_at + len(fig.text))
            label = cell[:value_at].rstrip()
            assert label and fig.label.startswith(label.rstrip("…")), (cell, fig.label)
        assert len(ends) == 1, cells
