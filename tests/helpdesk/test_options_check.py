"""Helpdesk sources' options no poller could run with are refused by ``config check`` (and
so by the hub, in the same words) — they said OK, then the source polled in a tight loop, asked
for pages of 0 tickets, or went down at every restart on a custom status."""

from __future__ import annotations

from panneau.hub.cli.main import main

CONFIG = """[[sources]]
name = "zd"
plugin = "zendesk"
[sources.options]
subdomain = "acme"
poll_interval_s = 0
per_page = 0
[[sources]]
name = "fd"
plugin = "freshdesk"
[sources.options]
domain = "acme"
custom_statuses = { "6" = "waiting" }
max_pages_per_poll = -1
"""


def test_config_check_refuses_unusable_helpdesk_options(tmp_path, capsys):
    config = tmp_path / "panneau.toml"
    config.write_text(CONFIG)
    assert main(["config", "check", str(config)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{config}:6: sources[0].options.poll_interval_s: must be greater than 0, got 0",
        f"{config}:7: sources[0].options.per_page: must be at least 1, got 0",
        f"{config}:13: sources[1].options.custom_statuses.6: 'waiting' is not one of closed, "
        "deleted, hold, new, open, pending, solved",
        f"{config}:14: sources[1].options.max_pages_per_poll: must be at least 1, got -1",
        "4 problems found"]
