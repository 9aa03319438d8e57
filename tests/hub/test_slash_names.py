"""Agents named as Asterisk writes them (``Agent/1127``, ``SIP/1001``; docs/sources/asterisk.md
says to list that name in ``[[teams]].agents``): a scope that holds ``/``. Figure ids are read
from the right, where a window or a KPI id never holds one."""

from __future__ import annotations

import csv
import io

from panneau.hub.cli.main import main
from panneau.hub.config import parse_config
from panneau.hub.server.journal import Journal
from panneau.hub.server.views import Audience, key_visible
from panneau.hub.view import parse_key

TOML = """\
[hub]
database = "{db}"

[[teams]]
id = "support"
queues = ["support"]
agents = ["Agent", "Agent/1127", "Agent/1128"]
"""


def test_a_figure_key_with_a_slash_in_its_scope_is_read_from_the_right():
    key = parse_key("kpi:agent:Agent/1127/today/answered")
    assert (key.kind, key.scope, key.window, key.kpi) == (
        "kpi", "agent:Agent/1127", "today", "answered")
    assert parse_key("target:agent:SIP/1001/aht_s").scope == "agent:SIP/1001"


def test_an_agent_sees_its_own_alerts_and_notes_never_a_colleagues(tmp_path):
    """``Agent/1128``'s alert was taken for the scope ``agent:Agent``: hidden from its owner,
    shown to the agent named ``Agent``."""
    config = parse_config(TOML.format(db=tmp_path / "p.db"))
    owner, other = Audience("agent", agent="Agent/1128"), Audience("agent", agent="Agent")
    key = "agent:Agent/1128/today/aht_s"
    assert key_visible(owner, config, key)
    assert not key_visible(other, config, key)
    assert key_visible(other, config, "agent:Agent/today/aht_s")


def test_exports_keep_such_an_agent_in_its_scope(tmp_path, capsys):
    """The CSV said scope ``agent:Agent``, window ``1127``, KPI ``today/aht_s``, and
    ``--scope agent:Agent/1127`` found nothing."""
    db = tmp_path / "p.db"
    journal = Journal(db)
    try:
        journal.add_history(1795996800.0, [("agent:Agent/1127/today/aht_s", 90.0),
                                           ("agent:Agent/1128/today/aht_s", 170.0)])
    finally:
        journal.close()
    config = tmp_path / "panneau.toml"
    config.write_text(TOML.format(db=db))
    argv = ["export", "--config", str(config), "--from", "2026-11-30", "--to", "2026-11-30"]
    assert main([*argv, "--scope", "agent:Agent/1127"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["scope"], r["window"], r["kpi"], r["value"]) for r in rows] == [
        ("agent:Agent/1127", "today", "aht_s", "90")]
