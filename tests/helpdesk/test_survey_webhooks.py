"""Survey webhooks served over real HTTP (aiohttp on 127.0.0.1), posted with httpx."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx
import pytest

from panneau.hub.testing import ManualClock, RecordingContext, make_source
from panneau.plugins import surveys
from panneau.plugins.surveys.options import TypeformForm
from panneau.plugins.surveys.parse import Refused, parse_typeform
from panneau.plugins.surveys.signatures import typeform_signature, typeform_signature_ok
from tests.helpdesk.conftest import FIXTURES, LiveServer, shared_file

SECRET = "tf-secret-5d1"
TYPEFORM_BODY = (FIXTURES / "typeform" / "form_response_nps.json").read_bytes()
DELIGHTED_BODY = (FIXTURES / "delighted" / "survey_response_created.json").read_bytes()
FORMS = {"pNpS2026": {"score_field": "recommend", "survey": "nps", "comment_field": "why",
                      "ticket_field": "ticket_id", "agent_field": "agent",
                      "call_field": "call_id", "queue_field": "queue"}}


#: The hub's clock in these tests: five minutes after the fixtures' answers were given.
ANSWERED = 1772445600.0  # 2026-03-02T10:00:00Z, the Typeform fixture's submitted_at
DAY = 86400.0


@pytest.fixture
def ctx() -> RecordingContext:
    """The context of a source named ``src``, its clock just after the fixtures' answers."""
    return RecordingContext("src", clock=ManualClock(ANSWERED + 300))


class Hooked:
    """A source running with its webhook served over real HTTP."""

    def __init__(self, plugin_name: str, options: dict, ctx: RecordingContext) -> None:
        self.source = make_source(surveys, plugin_name, options)
        self.ctx, self.server = ctx, LiveServer()

    async def __aenter__(self) -> Hooked:
        self.task = asyncio.create_task(self.source.run(self.ctx))
        for _ in range(100):
            if self.ctx.routes or self.task.done():
                break
            await asyncio.sleep(0.01)
        self.server.serve_context_routes(self.ctx)
        await self.server.start()
        (_, self.path), = self.ctx.routes
        self.client = httpx.AsyncClient(base_url=self.server.url)
        return self

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(self.path, content=body, headers=headers or {})

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task
        await self.server.close()


def tf_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Typeform-Signature": typeform_signature(secret, body),
            "Content-Type": "application/json"}


def typeform(ctx: RecordingContext, **extra) -> Hooked:
    return Hooked("typeform", {"secret": SECRET, "forms": FORMS} | extra, ctx)


async def test_signed_typeform_response_is_stored_once(ctx):
    async with typeform(ctx) as hook:
        assert hook.path == "/hooks/src/typeform"
        first = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
        retry = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
    assert (first.status_code, first.json()["status"]) == (200, "stored")
    assert (retry.status_code, retry.json()["status"]) == (200, "duplicate")
    (event,) = ctx.events
    assert (event.survey, event.score, event.scale_min, event.scale_max) == ("nps", 9, 0, 10)
    assert (event.ticket_id, event.agent, event.call_id, event.queue) == (
        "101", "Alice", "1772445000.42", "support")
    assert event.comment == "Quick answer, thanks"
    assert event.response_id == "typeform:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
    assert ctx.checkpoint == {"seen": ["typeform:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"]}


async def test_retry_after_a_restart_is_still_a_duplicate(ctx):
    async with typeform(ctx) as hook:
        await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
    again = ctx.restarted()
    async with typeform(again) as hook:
        retry = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
    assert retry.json()["status"] == "duplicate" and again.events == []


async def test_concurrent_retries_store_one_response(ctx):
    async with typeform(ctx) as hook:
        answers = await asyncio.gather(*(hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
                                         for _ in range(6)))
    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 5 + ["stored"]
    assert len(ctx.events) == 1


def _variant(**changes) -> bytes:
    payload = json.loads(TYPEFORM_BODY)
    payload["form_response"].update(changes)
    return json.dumps(payload).encode()


@pytest.mark.parametrize(("body", "headers", "status", "reason"), [
    (TYPEFORM_BODY, {"Typeform-Signature": typeform_signature("other", TYPEFORM_BODY)}, 401,
     "bad or missing signature"),
    (TYPEFORM_BODY, {}, 401, "bad or missing signature"),
    (TYPEFORM_BODY, {"Typeform-Signature": "sha256=" + hmac.new(
        SECRET.encode(), TYPEFORM_BODY, hashlib.sha256).hexdigest()}, 401,
     "bad or missing signature"),  # hex is not Typeform's encoding
    (b"{not json", None, 400, "body is not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, None, 400, "body is not JSON"),  # nested too deep
    (b'{"event_id": "x"}', None, 400, "no form_response object"),
    (_variant(form_id="nope"), None, 422, "unknown form 'nope'"),
    (_variant(answers=[{"type": "number", "number": 11, "field": {"ref": "recommend"}}]), None,
     422, "outside 0..10"),
    (_variant(submitted_at="yesterday"), None, 422, "submitted_at is not a time"),
    # an integer no float holds: it raised OverflowError (answered 500, retried forever)
    (_variant(submitted_at=10**400), None, 422, "submitted_at is not a time"),
    (b"{" + b" " * 300_000 + b"}", None, 413, "over the 262144-byte limit"),
])
async def test_bad_webhooks_are_refused_with_a_reason(ctx, body, headers, status, reason):
    async with typeform(ctx) as hook:
        answer = await hook.post(body, tf_headers(body) if headers is None else headers)
    assert answer.status_code == status and reason in answer.json()["error"]
    assert ctx.events == [] and len(ctx.skipped_details) == 1 and reason in ctx.skipped_details[0]


async def test_body_tampered_after_signing_is_refused(ctx):
    headers = tf_headers(TYPEFORM_BODY)
    tampered = TYPEFORM_BODY.replace(b'"number": 9', b'"number": 10')
    async with typeform(ctx) as hook:
        answer = await hook.post(tampered, headers)
    assert answer.status_code == 401 and ctx.events == []


async def test_a_response_without_the_scored_question_is_ignored(ctx):
    body = _variant(answers=[])
    async with typeform(ctx) as hook:
        answer = await hook.post(body, tf_headers(body))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert ctx.events == []


async def test_storage_failure_answers_503_and_a_retry_stores_it(ctx):
    ctx.emit_error = RuntimeError("journal unavailable")
    async with typeform(ctx) as hook:
        failed = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
        ctx.emit_error = None
        retried = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
    assert failed.status_code == 503 and retried.json()["status"] == "stored"
    assert len(ctx.events) == 1


async def test_without_a_secret_the_source_refuses_to_start(ctx, monkeypatch):
    monkeypatch.delenv("TYPEFORM_SECRET", raising=False)
    source = make_source(surveys, "typeform", {"forms": FORMS})
    with pytest.raises(ValueError, match="TYPEFORM_SECRET"):
        await source.run(ctx)
    assert ctx.statuses[-1][0] == "down" and ctx.routes == {}


def delighted_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Delighted-Webhook-Signature": digest}


async def test_delighted_response_signed_in_hex(ctx):
    options = {"secret": SECRET, "ticket_property": "Ticket", "agent_property": "Agent",
               "call_property": "Call"}
    updated = json.loads(DELIGHTED_BODY) | {"event_type": "survey_response.updated"}
    updated_body = json.dumps(updated).encode()
    async with Hooked("delighted", options, ctx) as hook:
        bad = await hook.post(DELIGHTED_BODY, delighted_headers(DELIGHTED_BODY, "wrong"))
        good = await hook.post(DELIGHTED_BODY, delighted_headers(DELIGHTED_BODY))
        later = await hook.post(updated_body, delighted_headers(updated_body))
    assert bad.status_code == 401 and good.json()["status"] == "stored"
    assert later.json()["status"] == "duplicate"  # the same response id
    (event,) = ctx.events
    assert (event.survey, event.score, event.ticket_id, event.agent, event.call_id) == (
        "nps", 6, "103", "Bob", "1772444000.7")
    assert event.ts == 1772445900


def test_recorded_2018_typeform_capture_parses():
    body = shared_file("survey_webhooks", "typeform_form_response_2018_captured.json").read_bytes()
    signature = typeform_signature(SECRET, body)
    assert typeform_signature_ok(SECRET, body, signature)
    assert not typeform_signature_ok(SECRET, body + b" ", signature)
    forms = {"VwQv3f": TypeformForm(score_field="bLDSobwFWrO1")}  # a yes/no question
    with pytest.raises(Refused, match="not a number: True"):
        parse_typeform(json.loads(body), forms, "tf")
    forms = {"VwQv3f": TypeformForm(score_field="no-such-question")}
    parsed = parse_typeform(json.loads(body), forms, "tf")
    assert parsed.response is None and parsed.key == "typeform:4969bac7b56e83a82ad060f0ae57faed"


def test_a_choice_answer_with_a_numeric_label_is_a_score():
    payload = json.loads(_variant(answers=[
        {"type": "choice", "choice": {"label": "4"}, "field": {"id": "x", "ref": "satisfied"}}]))
    forms = {"pNpS2026": TypeformForm(score_field="satisfied", survey="csat")}
    parsed = parse_typeform(payload, forms, "tf")
    assert (parsed.response.score, parsed.response.scale_max) == (4.0, 5)
    payload["form_response"]["answers"][0]["choice"]["label"] = "Very"
    with pytest.raises(Refused, match="not a number: 'Very'"):
        parse_typeform(payload, forms, "tf")


def test_a_readable_date_outside_any_event_is_refused_not_an_error():
    """Found by benchmarks/fuzz.py: a year-1013 ``submitted_at`` raised InvalidEvent."""
    payload = json.loads(TYPEFORM_BODY)
    payload["form_response"]["submitted_at"] = "1013-03-02T10:05:00Z"
    forms = {"pNpS2026": TypeformForm(score_field="recommend")}
    with pytest.raises(Refused, match=r"ts must be a time in 1970\.\.3000") as info:
        parse_typeform(payload, forms, "tf")
    assert info.value.status == 422


def test_a_relationship_form_says_so_on_its_answers():
    payload = json.loads(_variant(answers=[
        {"type": "number", "number": 5, "field": {"id": "x", "ref": "satisfied"}}]))
    forms = {"pNpS2026": TypeformForm(score_field="satisfied", survey="csat",
                                      about="relationship")}
    assert parse_typeform(payload, forms, "tf").response.about == "relationship"
    forms = {"pNpS2026": TypeformForm(score_field="satisfied", survey="csat")}
    assert parse_typeform(payload, forms, "tf").response.about is None


@pytest.mark.parametrize(("submitted_at", "reason"), [
    (12345, "1970-01-01T03:25:45Z is more than 7 days before the hub's clock"),
    (int(ANSWERED) * 1000, "looks like epoch milliseconds: send epoch seconds"),
    ("2999-12-31T00:00:00Z", "2999-12-31T00:00:00Z is ahead of the hub's clock "
                             "(2026-03-02T10:05:00Z): check the sender's clock and time zone"),
    (ANSWERED + 3600, "is ahead of the hub's clock"),  # an hour: a time zone taken for UTC
    ("2026-02-20T10:00:00Z", "import old answers with panneau import-survey"),
])
async def test_an_answer_dated_far_from_now_is_refused_and_nothing_is_lost(
        ctx, submitted_at, reason):
    """A webhook brings an answer as it is given: 1970, a year-2999 test or milliseconds
    would be stored where no window ever shows them. The answer stored before stays."""
    bad = _variant(submitted_at=submitted_at, token="later-answer")
    async with typeform(ctx) as hook:
        good = await hook.post(TYPEFORM_BODY, tf_headers(TYPEFORM_BODY))
        answer = await hook.post(bad, tf_headers(bad))
    assert good.json()["status"] == "stored"
    assert answer.status_code == 422 and reason in answer.json()["error"], answer.json()
    assert [e.response_id for e in ctx.events] == [
        "typeform:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"]
    assert ctx.checkpoint == {"seen": ["typeform:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"]}
    assert len(ctx.skipped_details) == 1 and reason in ctx.skipped_details[0]


@pytest.mark.parametrize("submitted_at", [ANSWERED - 6 * DAY, ANSWERED + 600])
async def test_a_retry_days_later_and_a_clock_minutes_ahead_are_stored(ctx, submitted_at):
    body = _variant(submitted_at=submitted_at)
    async with typeform(ctx) as hook:
        answer = await hook.post(body, tf_headers(body))
    assert answer.json()["status"] == "stored" and ctx.events[0].ts == submitted_at


async def test_max_age_days_lets_older_answers_in(ctx):
    body = _variant(submitted_at=ANSWERED - 20 * DAY)
    async with typeform(ctx, max_age_days=30) as hook:
        answer = await hook.post(body, tf_headers(body))
    assert answer.json()["status"] == "stored"


async def test_delighted_epoch_milliseconds_are_refused(ctx):
    payload = json.loads(DELIGHTED_BODY)
    payload["event_data"]["created_at"] *= 1000
    body = json.dumps(payload).encode()
    async with Hooked("delighted", {"secret": SECRET}, ctx) as hook:
        answer = await hook.post(body, delighted_headers(body))
    assert answer.status_code == 422 and answer.json()["error"] == (
        "event_data.created_at 1772445900000 looks like epoch milliseconds: send epoch seconds")
    assert ctx.events == []


def test_max_age_days_must_be_positive():
    with pytest.raises(ValueError, match="max_age_days: must be more than 0, got 0"):
        make_source(surveys, "delighted", {"secret": SECRET, "max_age_days": 0})


@pytest.mark.parametrize(("change", "reason"), [
    ({"token": {"a": 1}}, "form_response.token is not a text: {'a': 1}"),
    ({"token": "t" * 201}, "form_response.token is over 200 characters"),
    ({"hidden": {"agent": {"x": 1}}}, "hidden.agent is not a text: {'x': 1}"),
    ({"hidden": {"ticket_id": True}}, "hidden.ticket_id is not a text: True"),
])
async def test_an_id_or_link_that_is_no_text_is_refused(ctx, change, reason):
    """A token or hidden field holding an object was stored as its Python text (agent
    "{'x': 1}", response "typeform:{'a': 1}"); a 3,000-character token went into every
    checkpoint of the last 5,000 ids."""
    body = _variant(**change)
    async with typeform(ctx) as hook:
        answer = await hook.post(body, tf_headers(body))
    assert answer.status_code == 422 and answer.json()["error"] == reason
    assert ctx.events == []
