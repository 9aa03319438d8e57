"""A minimal Panneau screen: connect, say hello, keep the view, print a few KPIs.

Only ``websockets`` and ``msgpack`` are needed (no Panneau import), to show the raw protocol
of docs/protocol.md. Panneau's own screens use ``panneau.hub.client.HubClient``, which adds
reconnection with backoff and resume.

    python docs/examples/client.py ws://127.0.0.1:8765 TOKEN [--frames N]
"""

from __future__ import annotations

import argparse
import asyncio

import msgpack
from websockets.asyncio.client import connect


async def watch(url: str, token: str, frames: int | None) -> None:
    view: dict = {}
    epoch, seq = None, -1
    async with connect(url) as ws:
        await ws.send(msgpack.packb({"type": "hello", "v": 1, "token": token}))
        count = 0
        async for data in ws:
            frame = msgpack.unpackb(data)
            kind = frame["type"]
            if kind == "snapshot":
                view, epoch, seq = dict(frame["view"]), frame["epoch"], frame["seq"]
            elif kind == "delta":
                if frame["epoch"] != epoch or frame["seq"] != seq + 1:
                    print("out of step: reconnect for a snapshot")
                    return
                view.update(frame["set"])
                for key in frame["unset"]:
                    view.pop(key, None)
                seq = frame["seq"]
            elif kind in ("message", "alert", "status", "error"):
                print(kind, {k: v for k, v in frame.items() if k != "type"})
                continue
            else:
                continue  # a frame type added later in version 1: ignore it
            kpis = sorted((k, v) for k, v in view.items() if k.startswith("kpi:")
                          and k.endswith(("/now/calls_waiting", "/today/answered")))
            print(f"{kind} seq={seq}", " ".join(f"{k[4:]}={v:g}" for k, v in kpis[:6]))
            count += 1
            if frames is not None and count >= frames:
                return
    print("closed:", ws.close_code, ws.close_reason)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--frames", type=int, help="stop after this many view frames")
    args = parser.parse_args()
    asyncio.run(watch(args.url, args.token, args.frames))


if __name__ == "__main__":
    main()
