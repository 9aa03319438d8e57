"""The one view-key codec (hub/view.py): every documented key shape round-trips, bad ones fail."""

import pytest

from panneau.hub.view import Key, ViewState, format_key, parse_figure_id, parse_key

KEYS = [
    ("kpi:team:support/today/answered", Key("kpi", "team:support", "today", "answered")),
    ("state:queue:billing/now/calls_waiting",
     Key("state", "queue:billing", "now", "calls_waiting")),
    ("trend:site/60m/service_level_pct", Key("trend", "site", "60m", "service_level_pct")),
    ("ref:agent:ag-ann/today/aht_s", Key("ref", "agent:ag-ann", "today", "aht_s")),
    ("alert:queue:billing/15m/abandon_rate_pct",
     Key("alert", "queue:billing", "15m", "abandon_rate_pct")),
    ("annotation:team:support/today/offered",
     Key("annotation", "team:support", "today", "offered")),
    ("target:team:support/service_level_pct",
     Key("target", "team:support", kpi="service_level_pct")),
    ("agent:ag-ann", Key("agent", id="ag-ann")),
    ("source:pbx", Key("source", id="pbx")),
    ("message:a41c9e07b2d1", Key("message", id="a41c9e07b2d1")),
    ("meta", Key("meta")),
]


@pytest.mark.parametrize(("text", "key"), KEYS)
def test_every_key_shape_round_trips(text, key):
    assert parse_key(text) == key
    assert key.wire == format_key(key) == text


@pytest.mark.parametrize("text", [
    "", "kpi", "kpi:", "kpi:site/today", "kpi:site/today/x/y", "kpi:site//x", "target:site",
    "target:a/b/c", "bogus:site/today/x", "nocolon",
])
def test_malformed_keys_are_refused_with_the_key_in_the_message(text):
    with pytest.raises(ValueError, match=r"not|unknown"):
        parse_key(text)


def test_figure_ids():
    assert parse_figure_id("queue:billing/now/calls_waiting") == (
        "queue:billing", "now", "calls_waiting")
    assert Key("alert", "site", "today", "offered").figure == "site/today/offered"
    with pytest.raises(ValueError, match="<scope>/<window>/<kpi>"):
        parse_figure_id("site/today")


def test_view_state_reads_typed_keys_and_skips_malformed_ones():
    view = ViewState({"kpi:team:a/now/calls_waiting": 2, "kpi:broken": 1,
                      "ref:team:a/today/offered": {"yesterday": 3},
                      "target:team:a/offered": {"target": 5}})
    assert list(view.keys("kpi")) == [(Key("kpi", "team:a", "now", "calls_waiting"), 2)]
    assert view.figure("ref", "team:a", "today", "offered") == {"yesterday": 3}
    assert view.target("team:a", "offered") == {"target": 5}
    assert view.kpi("team:a", "now", "calls_waiting") == 2
