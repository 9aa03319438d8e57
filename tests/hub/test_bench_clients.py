"""The fan-out bench's lean screens (``benchmarks/bench_hub.py --clients lean``), on real
sockets: what they record is what a websockets client receives, frame for frame, and a frame
is stamped once it is complete."""

import asyncio
import time

import msgpack
from websockets.asyncio.server import serve

from benchmarks.bench_hub import MARKER_KEY, note_frame, open_lean
from panneau.hub import wire
from tests.hub.conftest import eventually


async def test_a_lean_screen_gets_the_hubs_snapshot_then_every_delta_in_order(start_hub, tools):
    async with start_hub(feed={"count": 0, "interval_s": 0.01}) as hub:
        frames: list[tuple[float, bytes]] = []
        firsts: list[int] = []
        transport = await open_lean(hub.ws_url, wire.encode(
            {"type": "hello", "v": 1, "token": tools.MANAGER}), frames,
            on_first_frame=lambda: firsts.append(len(frames)))
        try:
            await tools.eventually(lambda: len(frames) >= 6, what="a snapshot and 5 deltas")
        finally:
            transport.abort()
        decoded = [wire.decode_hub(data) for _, data in frames]
        assert firsts == [0]
        assert decoded[0]["type"] == "snapshot"
        seqs = [f["seq"] for f in decoded if f["type"] in ("snapshot", "delta")]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # none lost, none reordered
        stamps = [now for now, _ in frames]
        assert stamps == sorted(stamps)
        record = ("manager", [], [], [0], [])
        for now, data in frames:
            note_frame(record, data, now)
        assert record[3][0] == len(frames[0][1])  # the snapshot's size
        assert len(record[2]) == sum(f["type"] == "delta" for f in decoded)  # every delta
        # no marker in this feed: every delta's arrival is noted as one without it
        assert record[4] == [now for (now, _), f in zip(frames, decoded, strict=True)
                             if f["type"] == "delta"]


async def test_a_frame_read_in_many_pieces_or_fragments_is_stamped_once_complete():
    """A 2 MiB frame (many reads), then a message sent in three fragments: each recorded
    once, whole, stamped after the server began sending it."""
    big = msgpack.packb({"type": "delta", "seq": 1, "set": {MARKER_KEY: 7, "pad": "x" * 2**21},
                         "unset": []})
    parts = [b"ab", b"cd", b"ef"]
    sent: list[float] = []

    async def handler(ws):
        await ws.recv()  # the hello
        sent.append(time.time())
        await ws.send(big)
        await ws.send(parts)  # an iterable: one message in fragments

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        frames: list[tuple[float, bytes]] = []
        opened = asyncio.Event()
        transport = await open_lean(url, b"hello", frames, on_open=opened.set)
        try:
            async with asyncio.timeout(10):
                await opened.wait()
            await eventually(lambda: len(frames) >= 2, what="the big frame and the fragmented one")
        finally:
            transport.abort()
    assert [data for _, data in frames] == [big, b"abcdef"]
    assert frames[0][0] >= sent[0]
    record = ("agent", [], [], [0], [])
    note_frame(record, frames[0][1], frames[0][0])
    assert record[1] == [(7, frames[0][0])] and record[2] == [(len(big), False)]
    assert record[4] == []  # it carried the marker
