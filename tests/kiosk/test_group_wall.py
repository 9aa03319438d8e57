"""A group hub's wall: the group total and each site, a stale site named and greyed alone."""

from __future__ import annotations

from kiosk_data import T0, group_values, view_of

from panneau.hub.freshness import Link
from panneau.kiosk.model import build_page, notices, page_specs, panel_title


def test_a_by_site_page_shows_each_kpi_for_the_group_then_each_site():
    view = view_of(group_values(paris="live", lyon="live"))
    specs = page_specs(view)
    assert [s.title for s in specs] == ["Sites", "Now"]
    page = build_page(view, specs[0], Link(True))
    assert [(t.label, t.text) for t in page.tiles] == [
        ("Offered", "30"), ("Offered · lyon", "10"), ("Offered · paris", "20"),
        ("SL (Asterisk)", "80%"), ("SL (Asterisk) · lyon", "60%"),
        ("SL (Asterisk) · paris", "90%")]
    assert panel_title(view.meta) == "All sites"
    assert panel_title({"scope": "site:paris"}) == "Site paris"


def test_a_wall_without_site_scopes_leaves_the_by_site_page_out():
    values = group_values()
    values = {k: v for k, v in values.items() if not k.startswith("kpi:site:")}
    assert [s.title for s in page_specs(view_of(values))] == ["Now"]


def test_a_stale_site_is_named_and_only_its_figures_and_the_total_grey():
    view = view_of(group_values(paris="stale", lyon="live"))
    page = build_page(view, page_specs(view)[0], Link(True))
    stale = {t.label: t.stale for t in page.tiles}
    assert stale["Offered · paris"] and stale["Offered"]
    assert not stale["Offered · lyon"]
    lines = [n.text for n in notices(view, Link(True), T0, lambda ts: "10:59")]
    assert lines[0] == "Site paris stale since 10:59, last event 10:59"


def test_a_wall_of_one_site_is_not_told_of_another_site_s_cut():
    values = group_values(paris="live", lyon="stale")
    values["meta"] = {**values["meta"], "scope": None, "team": "paris:support"}
    lines = [n.text for n in notices(view_of(values), Link(True), T0, lambda ts: "10:59")]
    assert not [line for line in lines if "lyon" in line]
    values["meta"] = {**values["meta"], "team": None, "scope": "site"}
    lines = [n.text for n in notices(view_of(values), Link(True), T0, lambda ts: "10:59")]
    assert lines[0].startswith("Site lyon stale since 10:59")


def test_the_console_of_a_group_hub_lists_each_site_after_the_group():
    from panneau.console.model import build_console

    values = group_values(paris="live", lyon="live")
    values["meta"] = {"role": "manager", "identity": "boss", "as_of": T0 - 5}
    values["kpi:team:paris:support/today/offered"] = 12
    values["kpi:team:lyon:support/today/offered"] = 4
    model = build_console(view_of(values), T0)
    offered = model.columns.index("Offered\ntoday") + 1
    rows = [(key, cells[0].text, cells[offered].text) for key, cells in model.teams
            if key != "target"]
    assert rows == [("site", "Site", "30"), ("site:lyon", "  site lyon", "10"),
                    ("site:paris", "  site paris", "20"),
                    ("team:lyon:support", "Team lyon:support", "4"),
                    ("team:paris:support", "Team paris:support", "12")]
