"""CSAT, NPS and CES from survey answers."""

from __future__ import annotations

import pytest

from panneau.hub import events as ev
from tests.engine.conftest import T0


def answer(i: int, kind: str, score: float, low: float, high: float, **kw) -> ev.SurveyResponse:
    return ev.SurveyResponse(ts=T0 + i, response_id=f"r{i}", survey=kind, score=score,
                             scale_min=low, scale_max=high, **kw)


def test_csat_top_two_box_and_binary(run):
    events = [answer(i, "csat", s, 1, 5) for i, s in enumerate((5, 4, 3, 1))]
    events += [answer(10, "csat", 1, 0, 1), answer(11, "csat", 0, 0, 1)]
    snap = run(events, T0 + 60)
    today = snap.values["site"]["today"]
    assert today["csat_pct"] == 50.0  # 5, 4 and "good" out of six
    assert today["csat_responses"] == 6
    assert "site/today/csat_pct" in snap.small_n
    assert run(events, T0 + 60, csat_satisfied_min=5).get("site", "today", "csat_pct") == (
        pytest.approx(200 / 6))


def test_csat_other_scale_uses_same_share(run):
    events = [answer(0, "csat", 8, 1, 10), answer(1, "csat", 7, 1, 10)]
    assert run(events, T0 + 60).get("site", "today", "csat_pct") == 50.0  # 0.75 of the range


@pytest.mark.parametrize("scores, expected", [
    ((10, 9, 8, 6, 0), 0.0),
    ((10, 10, 7), pytest.approx(200 / 3)),
    ((0, 3), -100.0),
    ((9,), 100.0),
])
def test_nps(run, scores, expected):
    events = [answer(i, "nps", s, 0, 10) for i, s in enumerate(scores)]
    today = run(events, T0 + 60).values["site"]["today"]
    assert today["nps"] == expected
    assert today["nps_responses"] == today["survey_responses"] == len(scores)


def test_scopes_of_an_answer(run):
    events = [ev.TicketCreated(ts=T0, ticket_id="k", group="G"),
              answer(1, "nps", 10, 0, 10, agent="A", queue="s"),
              answer(2, "ces", 3, 1, 7, ticket_id="k")]
    snap = run(events, T0 + 60)
    assert snap.get("agent:A", "today", "nps") == 100.0
    assert snap.get("queue:s", "today", "nps") == 100.0
    assert snap.get("team:t", "today", "nps") == 100.0
    assert snap.get("team:t", "today", "ces_avg") == 3.0
    assert snap.get("queue:q", "today", "nps") is None


def test_a_repeated_answer_counts_once(run):
    events = [answer(2, "nps", 5, 0, 10), answer(2, "nps", 5, 0, 10)]
    snap = run(events, T0 + 60)
    assert snap.bad_events == {"duplicate_response": 1}
    assert snap.get("site", "today", "nps_responses") == 1


@pytest.mark.parametrize("args", [
    ("nps", 11, 0, 10), ("csat", 3, 5, 1), ("csat", float("nan"), 1, 5),
    # found by the range property: a garbage kind on a -1..0 scale made ces_avg negative
    (None, -1.0, -1.0, 0.0), ("ces", -1.0, -1.0, 0.0),
])
def test_answers_off_their_scale_or_kind_are_refused_when_built(args):
    with pytest.raises(ev.InvalidEvent):
        answer(0, *args)
