"""The protocol docs list every frame and close code; the example client works."""

import asyncio
import sys
from pathlib import Path

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
