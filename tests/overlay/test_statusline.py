"""The one-line text and its tmux form (pure), and the line of a real hub."""

from __future__ import annotations

import re
import time

import httpx
from overlay_views import NOW, agent_values, make_view, pbx_down, with_alert, with_message
from rich.text import Text

from panneau.hub.cli.main import main
from panneau.hub.config import parse_config
from panneau.hub.events import AgentLoggedIn, AgentPaused
from panneau.hub.freshness import Link
from panneau.hub.server.app import Hub
from panneau.overlay.lines import one_line
from panneau.overlay.model import build_model
from panneau.overlay.statusline import problem_line, status_line, tmux_paint, to_tmux
from tests.hub.conftest import agent_token, config_text, eventually, posted_body

LIVE = Link(True, NOW - 1)


def line(values: dict, width: int, link: Link = LIVE) -> Text:
    return one_line(build_model(make_view(values), NOW, link), width, tmux_paint)


def test_least_important_parts_leave_first():
    values = with_message(with_alert(agent_values()))
    assert line(values, 120).plain == (
        "On call 3:41 │ Q ✖5 ✖2:10 SL ▲78% │ ✖1 alert │ ✉1 [a] │ Answered 34- │ Talk 3:12 │ "
        "AHT 4:10-")
    assert line(values, 40).plain == "Q ✖5 ✖2:10 SL ▲78% │ ✖1 alert │ ✉1 [a]"
    assert line(values, 20).plain == "Q ✖5 ✖2:10 SL ▲78%"
    offline = line(values, 40, Link(False, NOW - 75)).plain
    assert offline.startswith("⚠ offline 1:15 │ Q◌ ✖5")  # the queue marked stale


def test_what_a_down_source_fed_is_marked_and_greyed():
    text = line(pbx_down(agent_values()), 120)
    assert text.plain == ("⚠ pbx down │ ◌ On call 3:41 │ Q◌ ✓2 ✓0:41 SL ✓84% │ Answered 34◌ │ "
                          "Talk 3:12◌ │ AHT 4:10◌")
    grey = tmux_paint("stale")
    for part in ("On call", "SL ✓84%", "Answered 34◌"):
        start = text.plain.index(part)
        assert all(span.style == grey for span in text.spans
                   if span.start <= start < span.end), part
    assert "#[fg=bright_black]◌ On call 3:41#[default]" in to_tmux(text)
    # and 42 s without news: the line still says what is down, then how old the data is
    values = pbx_down(agent_values())
    values["meta"]["as_of"] = NOW - 42
    old = line(values, 60, Link(True, NOW - 50))
    assert old.plain.startswith("⚠ pbx down, data 0:42 old │ Q◌ ✓2 ✓0:41 SL ✓84%"), old.plain
    assert to_tmux(old).startswith("#[fg=yellow,bold]⚠ pbx down, data 0:42 old#[default]")


def test_tmux_format_colours_and_escapes():
    text = Text("a#b ").append("✖5", style=tmux_paint("alert")).append(" ok", tmux_paint("ok"))
    assert to_tmux(text) == "a##b #[fg=red,bold]✖5#[default]#[fg=green] ok#[default]"
    assert "#[fg=red,bold]✖5#[default]" in to_tmux(line(with_alert(agent_values()), 60))


def test_a_problem_is_the_line_itself_for_tmux_shows_no_stderr(tmp_path, capsys, monkeypatch):
    """``status-right "#(panneau overlay … --status-line)"`` without a token, or with a bad
    address: the reason went to stderr only, which tmux never shows: a blank status line."""
    monkeypatch.delenv("PANNEAU_TOKEN", raising=False)
    cases = [(["--hub", "ws://127.0.0.1:9"], "no token: give --token-file FILE"),
             (["--hub", "localhost:8765", "--token", "x" * 10],
              "not a hub address: 'localhost:8765'"),
             (["--hub", "ws://127.0.0.1:9", "--token-file", str(tmp_path / "missing")],
              "cannot read the token file")]
    for args, words in cases:
        assert main(["overlay", *args, "--status-line", "--width", "200"]) == 2
        out, err = capsys.readouterr()
        assert out.startswith(f"#[fg=red,bold]⚠ {words}") and out.endswith("#[default]\n")
        assert out.count("\n") == 1, out
        assert err.startswith(f"panneau overlay: {words}"), err
    assert problem_line("no token #1", 8) == "#[fg=red,bold]⚠ no to…#[default]"


async def test_a_sped_hubs_line_counts_the_agents_time_on_the_hubs_clock(tmp_path, feed_pm):
    """A demo's hub (``clock_speed``) runs ahead of the wall clock: the line worked the agent's
    time in its state out on the wall's, and said "Paused 0:00" beside the overlay's "Paused:
    Lunch 9:31". A real hub two hours ahead; the agent paused five of its minutes ago."""
    text = config_text(str(tmp_path / "hub.db"), clock_speed=60.0)
    text += '[[sources]]\nname = "hook"\nplugin = "test_posted"\n'
    async with Hub(parse_config(text, "sped.toml"), pm=feed_pm,
                   clock=lambda: time.time() + 7200) as hub:
        await eventually(lambda: hub.supervisor.states["hook"].status == "live")
        paused = hub.clock() - 300
        async with httpx.AsyncClient(base_url=hub.http_url) as http:
            answer = await http.post("/hooks/hook/events", content=posted_body([
                AgentLoggedIn(ts=paused - 60, agent="ag-ann"),
                AgentPaused(ts=paused, agent="ag-ann", reason="Lunch")]))
            assert answer.json() == {"emitted": 2}
        await hub.wait_idle()
        line = await status_line(hub.ws_url, agent_token("ag-ann"), width=200, timeout_s=10)
    # the hub's time is its figures' (a step of 10 s at most behind): 4:50 to 5:00 and a bit
    minutes, seconds = map(int, re.search(r"Paused[^ ]* (\d+):(\d\d)", line).groups())
    assert 290 <= minutes * 60 + seconds <= 310, line
