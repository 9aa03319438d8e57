"""The overlay model: pure, built from fixed agent views."""

from __future__ import annotations

from overlay_views import (
    NOW,
    agent_values,
    make_view,
    pbx_down,
    small_team,
    with_alert,
    with_message,
)

from panneau.hub.display import format_delta, format_duration, format_value
from panneau.hub.freshness import Link
from panneau.overlay.model import build_model

LIVE = Link(connected=True, last_frame_at=NOW - 1)


def model_of(values: dict, link: Link = LIVE, now: float = NOW, **kw):
    return build_model(make_view(values), now, link, **kw)


def test_formats_by_unit():
    assert format_duration(130) == "2:10"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "-"
    assert format_value("service_level_pct", 84.6) == "85%"
    assert format_value("answered", 34.0) == "34"
    assert format_value("frt_avg_min", 12.25) == "12m"
    assert format_value("answered", None) == "-"
    assert format_delta("aht_s", -12) == "-0:12"
    assert format_delta("answered", 4) == "+4"


def test_own_figures_against_targets_and_last_week():
    figs = {f.kpi: f for f in model_of(agent_values()).figures}
    assert (figs["answered"].text, figs["answered"].mark) == ("34", "behind")  # target 40
    assert figs["answered"].trend == "better" and figs["answered"].trend_text == "+4"
    assert (figs["aht_s"].mark, figs["aht_s"].trend) == ("behind", "better")  # 250 > 240, <262
    assert figs["acw_s"].mark == "ahead"  # team target 60 s, falls back from agent scope
    assert figs["csat_pct"].mark == "ahead" and figs["csat_pct"].trend == "worse"
    assert figs["fcr_pct"].mark == "behind"
    assert figs["occupancy_pct"].mark is None  # no target: no mark
    assert figs["avg_talk_s"].trend is None  # no reference


def test_absent_figure_is_not_zero():
    values = agent_values()
    del values["kpi:agent:alice/today/csat_pct"]
    fig = next(f for f in model_of(values).figures if f.kpi == "csat_pct")
    assert fig.value is None and fig.text == "-" and fig.mark is None


def test_queue_now_from_team_queues():
    q = model_of(with_alert(agent_values())).queue
    assert (q.waiting, q.waiting_state, q.longest_s, q.sl_pct, q.sl_state) == (
        5, "alert", 130, 77.5, "warn")
    assert q.worst == "alert"


def test_queue_now_adds_waiting_over_several_queues():
    values = agent_values()
    values["meta"]["queues"] = ["support", "vip"]
    values |= {"kpi:queue:vip/now/calls_waiting": 3, "state:queue:vip/now/calls_waiting": "warn",
               "kpi:queue:vip/now/longest_wait_s": 95,
               "kpi:queue:vip/today/service_level_offered_pct": 60.0}
    q = model_of(values).queue
    assert (q.waiting, q.waiting_state, q.longest_s, q.sl_pct) == (5, "warn", 95, 60.0)


def test_state_and_time_in_state():
    me = model_of(agent_values()).me
    assert (me.label, me.in_state, me.reason) == ("On call", "3:41", "")
    values = agent_values()
    values["agent:alice"] = {"state": "paused", "since": NOW - 4000, "reason": "Lunch"}
    me = model_of(values).me
    assert (me.label, me.reason, me.in_state) == ("Paused", "Lunch", "1:06:40")
    values["agent:alice"] = {"state": "wrapup", "since": NOW - 5, "reason": "Wrap-up"}
    assert (model_of(values).me.label, model_of(values).me.reason) == ("Wrap-up", "")


def test_team_figures_or_small_team_note():
    model = model_of(agent_values())
    assert not model.team_hidden
    assert [(f.label, f.text) for f in model.team] == [
        ("answered", "212"), ("abandoned", "3.1%"), ("ASA", "0:14")]
    hidden = model_of(small_team(agent_values()))
    assert hidden.team_hidden and hidden.team == ()


def test_messages_waiting_then_acked_here_then_acked_by_hub():
    values = with_message(agent_values())
    assert [(m.id, m.acked) for m in model_of(values).messages] == [("m1", False)]
    assert [(m.id, m.acked) for m in model_of(values, acked_here={"m1"}).messages] == [
        ("m1", True)]
    values["message:m1"]["acked_by"] = ["alice"]
    assert model_of(values).messages == ()


def test_expired_message_is_gone():
    values = with_message(agent_values())
    assert model_of(values, now=NOW + 3601).messages == ()


def test_alert_text_reads_the_queue_now():
    values = with_alert(agent_values())
    values["alert:a2"] = {"key": "queue:support/today/service_level_pct", "state": "warn",
                          "value": 77.5, "since": NOW, "text": "service_level_pct warn"}
    values["alert:a3"] = {"state": "warn", "text": "hub's own words"}
    alerts = model_of(values).alerts
    assert [(a.text, a.state) for a in alerts] == [
        ("support: 5 waiting, longest 2:10", "alert"),
        ("support: SL (Asterisk) today 78%", "warn"), ("hub's own words", "warn")]


def test_one_figure_one_state_and_one_line_per_alert():
    values = with_alert(agent_values())
    values["alert:a0"] = {"key": "queue:support/now/longest_wait_s", "state": "alert"}
    model = model_of(values)
    assert [(a.text, a.state) for a in model.alerts] == [  # two alerts, one text
        ("support: 5 waiting, longest 2:10", "alert")]
    values["state:queue:support/now/calls_waiting"] = "warn"  # the alert entries lag behind
    values["state:queue:support/now/longest_wait_s"] = "warn"
    model = model_of(values)
    assert [(a.text, a.state) for a in model.alerts] == [
        ("support: 5 waiting, longest 2:10", "warn")]
    assert (model.queue.waiting, model.queue.waiting_state) == (5, "warn")  # ▲5 both places
    for key in ("now/calls_waiting", "now/longest_wait_s"):
        values[f"state:queue:support/{key}"] = "ok"  # recovered: the alert line goes
    assert model_of(values).alerts == ()


def test_freshness():
    values = agent_values()
    assert model_of(values).fresh.level == "live"
    offline = model_of(values, Link(connected=False, last_frame_at=NOW - 75))
    assert (offline.fresh.level, offline.fresh.text) == ("offline", "offline 1:15")
    old = model_of(values, Link(connected=True, last_frame_at=NOW - 95), now=NOW + 40)
    assert (old.fresh.level, old.fresh.text) == ("stale", "data 0:42 old")
    values["source:pbx"]["status"] = "stale"
    assert model_of(values).fresh.text == "pbx stale"
    # both hold: both said (past 30 s it said only the age, and no longer which source)
    both = model_of(values, Link(connected=True, last_frame_at=NOW - 95), now=NOW + 40)
    assert (both.fresh.level, both.fresh.text) == ("stale", "pbx stale, data 0:42 old")
    refused = model_of(values, Link(rejected="bad token"))
    assert refused.fresh == refused.fresh.__class__("offline", "refused: bad token")


def test_freshness_names_every_source_down_in_few_words():
    """With the PBX and the helpdesk both down it said "⚠ helpdesk down": the first only."""
    values = agent_values()
    pbx = values["source:pbx"]
    for name, status in (("pbx", "down"), ("helpdesk", "down")):
        values[f"source:{name}"] = {**pbx, "status": status}
    assert model_of(values).fresh.text == "helpdesk, pbx down"
    for name, status in (("crm", "down"), ("acd", "down"), ("survey", "stale")):
        values[f"source:{name}"] = {**pbx, "status": status}
    assert model_of(values).fresh.text == "acd, crm +2 down, survey stale"


def test_a_demos_sped_clock_ages_the_data_in_wall_seconds():
    """``panneau demo --speed 60``: the overlay reads the hub's clock, 60× the wall's, and
    the figures' time lags up to an idle tick (a second: a minute of that clock); it said
    "data 0:31 old" at each quiet second."""
    values = agent_values()
    values["meta"]["clock_speed"] = 60.0
    assert model_of(values, now=NOW - 2 + 60 * 1.5).fresh.level == "live"  # 1.5 wall s
    old = model_of(values, now=NOW - 2 + 60 * 42)
    assert (old.fresh.level, old.fresh.text) == ("stale", "data 0:42 old")
    offline = model_of(values, Link(connected=False, lost_at=NOW - 60 * 75))
    assert offline.fresh.text == "offline 1:15"


def test_what_a_down_source_fed_is_stale_and_nothing_else():
    live = model_of(agent_values())
    assert not live.me.stale and not live.queue.stale
    assert not any(f.stale for f in (*live.figures, *live.team))
    model = model_of(pbx_down(agent_values()))
    assert model.fresh.text == "pbx down"
    assert model.me.stale and model.me.label == "On call"  # the last known state, marked
    assert model.queue.stale
    stale = {f.kpi for f in model.figures if f.stale}
    assert stale == {"answered", "avg_talk_s", "aht_s", "acw_s", "occupancy_pct", "fcr_pct"}
    assert {f.kpi for f in model.figures} - stale == {"csat_pct"}  # fed by the live surveys
    assert all(f.stale for f in model.team)


def test_the_lost_link_greys_everything_a_source_feeds_without_saying_which():
    values = agent_values()
    del values["source:pbx"]  # even with no source listed at all
    model = model_of(values, Link(connected=False, last_frame_at=NOW - 75))
    assert model.me.stale and model.queue.stale and all(f.stale for f in model.figures)


def test_a_source_that_lists_no_feeds_greys_every_figure():
    values = agent_values()
    values["source:pbx"]["status"] = "stale"
    model = model_of(values)
    assert model.me.stale and all(f.stale for f in model.figures)


def test_no_figure_of_anyone_else_is_read():
    values = agent_values() | {"kpi:agent:bob/today/answered": 99, "agent:bob": {"state": "paused"}}
    model = model_of(values)
    assert model.agent == "alice"
    assert "99" not in repr(model) and "bob" not in repr(model)
