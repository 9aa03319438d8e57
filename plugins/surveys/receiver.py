"""One webhook endpoint: size limit, signature, JSON, parse, exactly-once storage.

Answers: 413 body too large, 401 bad or missing signature, 400 not JSON or not the expected
shape, 422 understood but unusable (unknown form, score off the scale), 503 when the hub could
not store it (the sender should retry), 200 otherwise (``stored``, ``duplicate`` or ``ignored``).
Every refusal is logged and counted as skipped input; nothing is emitted for it.

Exactly once: the idempotency key of each stored response goes into the checkpoint, journalled
in the same transaction as the event, so a retry — even after a hub restart — is answered
``duplicate`` without a second event. The last ``remember_ids`` keys are kept.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from panneau.hub.sources import HttpRequest, HttpResponse, SourceContext
from panneau.hub.toolkit.seen import SeenIds
from panneau.plugins.surveys.parse import Parsed, Refused

__all__ = ["WebhookReceiver", "serve"]


class WebhookReceiver:
    """Handles requests for one source; ``verify`` checks the signature on the raw request."""

    def __init__(self, ctx: SourceContext, *, verify: Callable[[HttpRequest], bool],
                 parse: Callable[[Any], Parsed], max_body_bytes: int, remember_ids: int) -> None:
        self.ctx, self.verify, self.parse = ctx, verify, parse
        self.max_body_bytes = max_body_bytes
        cp = ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}
        self.seen = SeenIds(cp.get("seen", ()), remember_ids)
        self._lock = asyncio.Lock()

    def _refuse(self, status: int, reason: str) -> HttpResponse:
        self.ctx.log.warning("%s: webhook refused (%d): %s", self.ctx.name, status, reason)
        self.ctx.skipped(f"webhook refused ({status}): {reason}")
        return HttpResponse(status, {"error": reason})

    async def handle(self, req: HttpRequest) -> HttpResponse:
        """The handler given to ``ctx.add_route``."""
        if len(req.body) > self.max_body_bytes:
            return self._refuse(413, f"body of {len(req.body)} bytes is over the "
                                     f"{self.max_body_bytes}-byte limit")
        if not self.verify(req):
            return self._refuse(401, "bad or missing signature")
        try:
            payload = json.loads(req.body)
        except (ValueError, RecursionError):  # RecursionError: arrays nested too deep
            return self._refuse(400, "body is not JSON")
        try:
            parsed = self.parse(payload)
        except Refused as exc:
            return self._refuse(exc.status, exc.reason)
        async with self._lock:
            if parsed.key in self.seen:
                self.ctx.log.info("%s: %s already stored (retry)", self.ctx.name, parsed.key)
                return HttpResponse(200, {"status": "duplicate", "id": parsed.key})
            if parsed.response is None:
                self.ctx.log.info("%s: %s ignored: %s", self.ctx.name, parsed.key, parsed.note)
                return HttpResponse(200, {"status": "ignored", "id": parsed.key,
                                          "reason": parsed.note})
            self.seen.add(parsed.key)
            try:
                await self.ctx.emit([parsed.response], checkpoint={"seen": self.seen.to_list()})
            except Exception as exc:
                self.seen.discard(parsed.key)
                self.ctx.log.error("%s: could not store %s: %s", self.ctx.name, parsed.key, exc)
                return HttpResponse(503, {"error": "could not store the response; retry later"})
        return HttpResponse(200, {"status": "stored", "id": parsed.key})


async def serve(ctx: SourceContext, path: str, receiver: WebhookReceiver) -> None:
    """Register the route, report live, and wait until cancelled."""
    url = ctx.add_route("POST", path, receiver.handle)
    ctx.set_status("live", f"listening on {url}")
    await asyncio.Event().wait()
