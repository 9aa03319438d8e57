"""A client that stops answering the hub's pings is dropped (1011) and counted."""

import asyncio

from websockets.client import ClientProtocol
from websockets.uri import parse_uri

from panneau.hub import wire
from panneau.hub.server.ws import WsServer


async def test_a_client_without_pongs_is_dropped_with_1011_and_counted(start_hub, tools,
                                                                      monkeypatch):
    monkeypatch.setattr(WsServer, "PING_INTERVAL_S", 0.2)
    monkeypatch.setattr(WsServer, "PING_TIMEOUT_S", 1.0)
    async with start_hub() as hub:
        healthy = await tools.hello(hub.ws_url, tools.MANAGER)  # answers pings by itself
        protocol = ClientProtocol(parse_uri(hub.ws_url))  # sans I/O: pongs only if fed
        reader, writer = await asyncio.open_connection("127.0.0.1", hub.ws_port)
        protocol.send_request(protocol.connect())
        writer.write(b"".join(protocol.data_to_send()))
        while protocol.handshake_exc is None and protocol.state.name == "CONNECTING":
            protocol.receive_data(await asyncio.wait_for(reader.read(65536), 5))
        protocol.send_binary(wire.encode({"type": "hello", "v": 1, "token": tools.MANAGER}))
        writer.write(b"".join(protocol.data_to_send()))
        async with asyncio.timeout(10):  # never read again: the hub's pings go unanswered
            while not hub.metrics.clients_dropped["keepalive timeout"]:
                await asyncio.sleep(0.05)
        protocol.receive_data(await asyncio.wait_for(reader.read(), 5))  # the rest, to EOF
        protocol.receive_eof()
        assert protocol.close_rcvd is not None and protocol.close_rcvd.code == 1011
        assert 'panneau_clients_dropped_total{reason="keepalive timeout"} 1' in hub.metrics_text()
        assert hub.clients_by_role()["manager"] == 1  # the answering client stays
        await healthy.close(1011, "the client's own error")  # echoed by the hub: not a drop
        async with asyncio.timeout(5):
            while hub.clients_by_role()["manager"]:
                await asyncio.sleep(0.02)
        assert hub.metrics.clients_dropped["keepalive timeout"] == 1
        writer.close()
