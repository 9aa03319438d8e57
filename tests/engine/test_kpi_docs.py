"""docs/kpis.md documents every KPI of the catalogue, and the engine emits only catalogued ids."""

from __future__ import annotations

from pathlib import Path

from panneau.hub import events as ev
from panneau.hub.catalogue import KPIS
from panneau.hub.engine.tickets import CHANNELS, TICKET_TYPES
from tests.engine.conftest import T0

DOC = Path(__file__).parents[2] / "docs" / "kpis.md"


def test_every_kpi_is_documented():
    text = DOC.read_text()
    shares = {f"tickets_via_{c}" for c in CHANNELS} | {f"tickets_type_{t}" for t in TICKET_TYPES}
    missing = [k for k in KPIS if k not in shares and f"`{k}`" not in text]
    assert missing == []
    assert shares <= set(KPIS)
    assert "`tickets_via_<channel>`" in text and all(c in text for c in CHANNELS)
    assert "`tickets_type_<type>`" in text and all(t in text for t in TICKET_TYPES)


def test_engine_emits_catalogued_ids_only(run):
    events = [
        ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
        ev.CallEntered(ts=T0, call_id="c", queue="q", caller_id="1"),
        ev.CallAnswered(ts=T0 + 5, call_id="c", queue="q", agent="A", hold_s=5),
        ev.CallEnded(ts=T0 + 65, call_id="c", queue="q", agent="A", hold_s=5, talk_s=60,
                     ended_by="agent"),
        ev.CallEntered(ts=T0 + 70, call_id="d", queue="q"),
        ev.CallAbandoned(ts=T0 + 80, call_id="d", queue="q", wait_s=10),
        ev.TicketCreated(ts=T0, ticket_id="t", group="G", channel="chat", ticket_type="task"),
        ev.TicketReplied(ts=T0 + 60, ticket_id="t"),
        ev.TicketSolved(ts=T0 + 120, ticket_id="t"),
        ev.SurveyResponse(ts=T0, response_id="r", survey="ces", score=2, scale_min=1,
                          scale_max=7),
    ]
    flat = run(events, T0 + 200).flat()
    emitted = {key.rsplit("/", 1)[1] for key in flat}
    assert emitted <= set(KPIS)
    assert {"agents_needed", "occupancy_pct", "one_touch_pct", "ces_avg"} <= emitted
