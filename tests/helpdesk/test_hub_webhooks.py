"""Survey webhooks posted for real to a running hub's HTTP port (panneau.hub.server.app.Hub)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx

from panneau.hub.config.load import parse_config
from panneau.hub.server.app import Hub
from panneau.plugins.surveys.signatures import typeform_signature
from tests.helpdesk.conftest import FIXTURES
from tests.hub.conftest import eventually

SECRET = "hub-tf-secret"
NOW = 1772409600 + 12 * 3600  # 2026-03-02 12:00 UTC: the fixtures' day
TYPEFORM = (FIXTURES / "typeform" / "form_response_nps.json").read_bytes()
DELIGHTED = (FIXTURES / "delighted" / "survey_response_created.json").read_bytes()


def config(tmp_path, nps_options: str = ""):
    return parse_config(f"""
[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{tmp_path / 'panneau.db'}"

[[teams]]
id = "support"
agents = ["Alice", "Bob", "Carol"]

[[sources]]
name = "nps"
plugin = "typeform"
[sources.options]
secret = "{SECRET}"
{nps_options}
[sources.options.forms.pNpS2026]
score_field = "recommend"
agent_field = "agent"
ticket_field = "ticket_id"

[[sources]]
name = "happy"
plugin = "delighted"
[sources.options]
secret = "{SECRET}"
agent_property = "Agent"
""")


async def routes_ready(client: httpx.AsyncClient,
                       paths: tuple[str, ...] = ("/hooks/nps/typeform",
                                                 "/hooks/happy/delighted")) -> None:
    for _ in range(200):
        if all([(await client.post(path, content=b"{}")).status_code != 503 for path in paths]):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the survey sources never registered their routes")


def signed(body: bytes) -> dict[str, str]:
    return {"Typeform-Signature": typeform_signature(SECRET, body)}


async def test_webhooks_through_the_hub_once_each_even_across_a_restart(tmp_path):
    async with Hub(config(tmp_path), clock=lambda: NOW) as hub:
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            await routes_ready(client)
            good = await client.post("/hooks/nps/typeform", content=TYPEFORM,
                                     headers=signed(TYPEFORM))
            retry = await client.post("/hooks/nps/typeform", content=TYPEFORM,
                                      headers=signed(TYPEFORM))
            forged = await client.post("/hooks/nps/typeform", content=TYPEFORM,
                                       headers={"Typeform-Signature": "sha256=AAAA"})
            digest = hmac.new(SECRET.encode(), DELIGHTED, hashlib.sha256).hexdigest()
            delighted = await client.post("/hooks/happy/delighted", content=DELIGHTED,
                                          headers={"X-Delighted-Webhook-Signature": digest})
            unsigned = await client.post("/hooks/happy/delighted", content=DELIGHTED)
        assert (good.status_code, good.json()["status"]) == (200, "stored")
        assert (retry.status_code, retry.json()["status"]) == (200, "duplicate")
        assert forged.status_code == 401 and "signature" in forged.json()["error"]
        assert delighted.json()["status"] == "stored" and unsigned.status_code == 401
        assert hub.journal.count_events() == 2
        figures = hub.engine.snapshot(NOW).flat()
        # one NPS 9 (promoter, Alice) and one NPS 6 (detractor, Bob): NPS 0 on 2 answers
        assert figures["site/today/nps"] == 0.0
        assert figures["site/today/survey_responses"] == 2
        assert figures["agent:Alice/today/nps"] == 100.0
        assert figures["team:support/today/nps"] == 0.0
    async with Hub(config(tmp_path), clock=lambda: NOW) as hub:
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            await routes_ready(client)
            late_retry = await client.post("/hooks/nps/typeform", content=TYPEFORM,
                                           headers=signed(TYPEFORM))
        assert late_retry.json()["status"] == "duplicate"
        assert hub.journal.count_events() == 2
        assert hub.engine.snapshot(NOW).flat()["site/today/survey_responses"] == 2


async def test_malformed_and_unknown_form_refused_by_the_hub(tmp_path):
    unknown = json.loads(TYPEFORM)
    unknown["form_response"]["form_id"] = "other"
    unknown_body = json.dumps(unknown).encode()
    async with Hub(config(tmp_path), clock=lambda: NOW) as hub:
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            await routes_ready(client)
            bad_json = await client.post("/hooks/nps/typeform", content=b"{oops",
                                         headers=signed(b"{oops"))
            other_form = await client.post("/hooks/nps/typeform", content=unknown_body,
                                           headers=signed(unknown_body))
        assert bad_json.status_code == 400 and bad_json.json() == {"error": "body is not JSON"}
        assert other_form.status_code == 422 and "unknown form 'other'" in \
            other_form.json()["error"]
        assert hub.journal.count_events() == 0


async def post_as_written(url: str, path: str) -> tuple[int, dict]:
    """POST ``path`` exactly as written: httpx, as senders do, resolves '..' before sending."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {address.host}\r\nContent-Length: 2\r\n"
                 "Connection: close\r\n\r\n{}".encode())
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


async def test_a_webhook_path_with_dot_dot_is_refused_and_the_other_sources_run(tmp_path):
    """A typeform source given path "../happy/delighted" served POST
    /hooks/nps/../happy/delighted: a sender resolves it to the delighted source's address,
    a raw request reached the typeform handler."""
    nps = 'path = "../happy/delighted"'
    async with Hub(config(tmp_path, nps), clock=lambda: NOW) as hub:
        states = hub.supervisor.states
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            await eventually(lambda: states["nps"].status == "down", 30, "nps refused")
            await routes_ready(client, ("/hooks/happy/delighted",))
            status, answer = await post_as_written(hub.http_url,
                                                   "/hooks/nps/../happy/delighted")
            digest = hmac.new(SECRET.encode(), DELIGHTED, hashlib.sha256).hexdigest()
            delighted = await client.post("/hooks/happy/delighted", content=DELIGHTED,
                                          headers={"X-Delighted-Webhook-Signature": digest})
        reason = ("bad options: options.path: '../happy/delighted': '..' and '.' are not path "
                  "segments here: senders resolve them to another address")
        assert (states["nps"].status, states["nps"].detail) == ("down", reason)
        assert (status, answer["error"], answer["detail"]) == (
            503, "source 'nps' is not running", reason)
        assert delighted.json()["status"] == "stored"


async def test_an_nps_score_between_two_points_is_refused_and_nothing_else_lost(tmp_path):
    """A Delighted NPS answer of 9.5 was stored and counted as a promoter."""
    half = json.loads(DELIGHTED)
    half["event_data"]["score"] = 9.5
    half["event_data"]["id"] = "half-point"
    bodies = [json.dumps(half).encode(), DELIGHTED]
    async with Hub(config(tmp_path), clock=lambda: NOW) as hub:
        async with httpx.AsyncClient(base_url=hub.http_url) as client:
            await routes_ready(client)
            answers = [await client.post("/hooks/happy/delighted", content=body, headers={
                "X-Delighted-Webhook-Signature":
                    hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()})
                for body in bodies]
        assert (answers[0].status_code, answers[0].json()) == (422, {
            "error": "event_data.score 9.5 is not a whole number: nps answers are whole "
                     "points of 0..10"})
        assert answers[1].json()["status"] == "stored"
        assert [e.score for e in hub.journal.events()] == [6.0]
