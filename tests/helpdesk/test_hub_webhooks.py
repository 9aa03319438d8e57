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

SECRET = "hub-tf-secret"
NOW = 1772409600 + 12 * 3600  # 2026-03-02 12:00 UTC: the fixtures' day
TYPEFORM = (FIXTURES / "typeform" / "form_response_nps.json").read_bytes()
DELIGHTED = (FIXTURES / "delighted" / "survey_response_created.json").read_bytes()


def config(tmp_path):
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


async def routes_ready(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        answer = await client.post("/hooks/nps/typeform", content=b"{}")
        other = await client.post("/hooks/happy/delighted", content=b"{}")
        if answer.status_code != 503 and other.status_code != 503:
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
