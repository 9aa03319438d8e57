"""A client that never reads is dropped once its buffer is full; 200 others keep up."""

import asyncio
import socket

from websockets.asyncio.client import connect

from panneau.hub import wire


async def _reader(ws, seqs: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with asyncio.timeout(0.2):
                frame = wire.decode_hub(await ws.recv())
        except TimeoutError:
            continue
        if frame["type"] in ("snapshot", "delta"):
            seqs.append(frame["seq"])


async def test_a_slow_reader_is_dropped_and_never_slows_the_others(start_hub, tools):
    async with start_hub(feed={"count": 0, "interval_s": 0.005},
                         client_buffer_bytes=65536) as hub:
        writer = await tools.hello(hub.ws_url, tools.MANAGER)
        for i in range(2000):  # a 1 MB manager view, in a scope only managers see
            await writer.send(wire.encode({"type": "annotate", "text": f"{i:04d}" * 120,
                                           "key": f"agent:nobody{i}/today/answered"}))
            if i % 50 == 49:  # read each batch's delta as we go: this client is not slow
                last = f"agent:nobody{i}/today/answered"
                await tools.recv_until(writer, lambda f, last=last: f["type"] == "delta" and any(
                    k.endswith(last) for k in f["set"]), timeout=10, limit=5000)
        writer_seqs: list[int] = []
        tokens = [*(tools.agent_token(a) for t in tools.AGENTS.values() for a in t),
                  *(tools.kiosk_token(t) for t in tools.AGENTS)]
        normal = [await tools.hello(hub.ws_url, tokens[i % len(tokens)]) for i in range(200)]
        seqs: list[list[int]] = [[] for _ in normal]
        stop = asyncio.Event()
        readers = [asyncio.create_task(_reader(ws, got, stop))
                   for ws, got in zip([*normal, writer], [*seqs, writer_seqs], strict=True)]
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", hub.ws_port))
        # the same generous handshake bound as tools.hello: the hub is busy under load
        slow = await connect(hub.ws_url, sock=sock, max_queue=1, max_size=None, open_timeout=60)
        await slow.send(wire.encode({"type": "hello", "v": 1, "token": tools.MANAGER}))
        async with asyncio.timeout(10):
            while not hub.metrics.clients_dropped["client too slow"]:
                await asyncio.sleep(0.05)
        before = {a: s.seq for a, s in hub.publisher.audiences.items()}
        async with asyncio.timeout(30):  # the others go on receiving (a condition, not a time)
            while not (all(s.seq > before[a] for a, s in hub.publisher.audiences.items()
                           if a in before)
                       and all(got and got[-1] >= min(before.values()) for got in seqs)):
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*readers)
        assert hub.metrics.clients_dropped["client too slow"] == 1
        kiosks = sum(t.startswith("kiosk") for t in (tokens[i % len(tokens)] for i in range(200)))
        assert hub.clients_by_role() == {"kiosk": kiosks, "agent": 200 - kiosks, "manager": 1}
        assert writer_seqs  # the reading manager still receives its (big) deltas
        after = {a: s.seq for a, s in hub.publisher.audiences.items()}
        for got in seqs:
            assert got and got == list(range(got[0], got[0] + len(got)))  # in order, no gap
        for audience, seq in after.items():
            assert seq > before[audience]  # deltas kept flowing after the drop
        assert all(got[-1] >= min(before.values()) for got in seqs)
        for ws in [*normal, writer]:
            await ws.close()
        slow.transport.abort()
