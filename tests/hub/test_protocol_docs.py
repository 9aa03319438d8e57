"""The protocol docs list every frame and close code; the example client works."""

import asyncio
import re
import sys
from pathlib import Path

import msgpack
import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire

ROOT = Path(__file__).resolve().parents[2]


def test_protocol_md_documents_every_frame_and_close_code():
    text = (ROOT / "docs" / "protocol.md").read_text()
    for kind in [*wire.CLIENT_FRAMES, *wire.HUB_FRAMES]:
        assert f"| `{kind}` |" in text, kind
        for field in {**wire.CLIENT_FRAMES, **wire.HUB_FRAMES}[kind]:
            assert f"`{field}`" in text, (kind, field)
    for code in wire.CLOSE_REASONS:
        assert f"| {code} |" in text, code


async def test_the_example_client_follows_a_hub(start_hub, tools):
    async with start_hub(feed={"count": 0, "interval_s": 0.01}) as hub:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "docs" / "examples" / "client.py"), hub.ws_url,
            tools.kiosk_token("support"), "--frames", "4",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err
        lines = out.decode().splitlines()
        assert lines[0].startswith("snapshot seq=")
        assert [line.split()[0] for line in lines[-3:]] == ["delta"] * 3
        assert "team:support/today/answered=" in lines[-1]


def _documented_fields(key: str) -> set[str]:
    """The top-level fields protocol.md's view-key table gives a value of ``key``."""
    text = (ROOT / "docs" / "protocol.md").read_text()
    shape = re.search(rf"^\| `{re.escape(key)}` \| `\{{(.*?)\}}` \|", text, re.M).group(1)
    return {part.split(":")[0].strip() for part in re.sub(r"\{[^}]*\}", "", shape).split(",")}


async def test_a_raw_client_gets_messages_as_documented_with_an_absolute_expiry(start_hub,
                                                                                tools):
    """A third party reading the websocket with msgpack alone (no Panneau code) sees a
    manager's message with the fields protocol.md lists — ``expires`` absolute, the request's
    relative ``expires_s`` never sent back — in its ``message`` frame and its view key. Sent
    before the hub's first tick, the message never reached the views (the first tick's old
    inputs read the message list after it had grown): it waited here forever."""
    async with start_hub() as hub, connect(hub.ws_url) as ws:
        await ws.send(msgpack.packb({"type": "hello", "v": 1, "token": tools.MANAGER}))
        frames = [msgpack.unpackb(await asyncio.wait_for(ws.recv(), 10))]
        await ws.send(msgpack.packb({"type": "send_message", "text": "Huddle",
                                     "team": "support", "expires_s": 600}))
        while not any(f["type"] == "delta" and any(k.startswith("message:") for k in f["set"])
                      for f in frames):
            frames.append(msgpack.unpackb(await asyncio.wait_for(ws.recv(), 10)))
    documented = _documented_fields("message:<id>")
    assert documented == {"id", "text", "sender", "to", "sent", "expires", "acked_by"}
    pushed = next(f["message"] for f in frames if f["type"] == "message")
    (viewed,) = (v for f in frames if f["type"] == "delta" for k, v in f["set"].items()
                 if k.startswith("message:"))
    for message in (pushed, viewed):
        assert set(message) == documented, message
        assert message["expires"] - message["sent"] == pytest.approx(600.0)
