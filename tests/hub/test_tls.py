"""TLS on both hub ports with certificates made by trustme: handshakes, screens over wss://,
untrusted and mismatched certificates, mutual TLS, and renewal while clients stay connected."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import trustme
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.client import TLS_FAILED, HubClient
from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from panneau.hub.server.tls import TlsError

PANNEAU = Path(sys.executable).parent / "panneau"


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def write_cert(ca: trustme.CA, folder: Path, name: str = "hub",
               names: tuple[str, ...] = ("127.0.0.1", "localhost")) -> tuple[Path, Path, Path]:
    """A certificate for ``names`` signed by ``ca``: (cert, key, ca bundle) files."""
    folder.mkdir(parents=True, exist_ok=True)
    cert = ca.issue_cert(*names)
    cert_path, key_path, ca_path = (folder / f"{name}.crt", folder / f"{name}.key",
                                    folder / "ca.crt")
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    ca.cert_pem.write_to_path(str(ca_path))
    return cert_path, key_path, ca_path


def tls_settings(cert: Path, key: Path, **more: object) -> dict:
    return {"tls_cert": str(cert), "tls_key": str(key), **more}


async def first_update(client: HubClient):
    """The first thing ``client`` reports; the client is closed after it."""
    try:
        async with asyncio.timeout(10):
            async for update in client.updates():
                return update
    finally:
        await client.close()
    raise AssertionError("no update")


def peer_cert(ws) -> bytes:
    return ws.transport.get_extra_info("ssl_object").getpeercert(binary_form=True)


def der(path: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(path.read_text().split("-----END CERTIFICATE-----")[0]
                                    + "-----END CERTIFICATE-----\n")


async def test_both_ports_speak_tls_and_screens_connect_over_wss(start_hub, tools, tmp_path, ca):
    cert, key, ca_file = write_cert(ca, tmp_path / "tls")
    async with start_hub(feed={"count": 3}, **tls_settings(cert, key)) as hub:
        assert hub.ws_url.startswith("wss://127.0.0.1:")
        assert hub.http_url.startswith("https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=str(ca_file))
        async with connect(hub.ws_url, ssl=ctx) as ws:
            assert peer_cert(ws) == der(cert)
            await ws.send(wire.encode({"type": "hello", "v": 1,
                                       "token": tools.kiosk_token("support")}))
            snapshot = await tools.recv(ws)
            assert snapshot["type"] == "snapshot"
        async with httpx.AsyncClient(verify=ctx) as http:
            for url in (hub.http_url, "https" + hub.ws_url[3:]):  # both ports answer /healthz
                health = (await http.get(url + "/healthz")).json()
                assert health["epoch"] == hub.epoch
            answer = await http.post(hub.http_url + "/hooks/feed/ping", content=b"over tls")
            assert answer.json()["got"] == "over tls"
            assert "panneau_auth_failures_total 0" in (await http.get(
                hub.http_url + "/metrics")).text
        client = HubClient(hub.ws_url, tools.MANAGER, ca_file=str(ca_file))
        kinds = []
        async with asyncio.timeout(10):
            async for update in client.updates():
                kinds.append(update.kind)
                if update.kind == "snapshot":
                    break
        await client.close()
        assert kinds[:2] == ["connected", "snapshot"]


async def test_clear_text_client_gets_nothing_from_a_tls_port(start_hub, tools, tmp_path, ca):
    cert, key, _ = write_cert(ca, tmp_path / "tls")
    async with start_hub(**tls_settings(cert, key)) as hub:
        client = HubClient("ws" + hub.ws_url[3:], tools.MANAGER, backoff_min=0.05)
        update = await first_update(client)
        assert update.kind == "unreachable"  # never connected
        assert "a hub with a TLS certificate wants wss://" in update.frame["reason"]
        assert client.view.epoch is None


async def test_an_untrusted_certificate_is_refused_with_a_clear_error(start_hub, tools,
                                                                      tmp_path, ca):
    cert, key, _ = write_cert(ca, tmp_path / "tls")
    other_ca_file = write_cert(trustme.CA(), tmp_path / "other")[2]
    async with start_hub(**tls_settings(cert, key)) as hub:
        for ca_file in (None, str(other_ca_file)):  # the system store, then a wrong CA
            client = HubClient(hub.ws_url, tools.MANAGER, ca_file=ca_file, backoff_min=0.05)
            update = await first_update(client)
            assert update.kind == "rejected" and update.frame["code"] == TLS_FAILED
            assert "is not trusted" in update.frame["reason"]
            assert "--ca-file" in update.frame["reason"]
            assert client.view.epoch is None
        proc = await asyncio.create_subprocess_exec(
            str(PANNEAU), "message", "--hub", hub.ws_url, "--token", tools.MANAGER, "hi",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 1
        assert "certificate" in err.decode() and "is not trusted" in err.decode()


async def test_mutual_tls_wants_a_client_certificate_from_the_ca(start_hub, tools, tmp_path, ca):
    cert, key, ca_file = write_cert(ca, tmp_path / "tls")
    clients_ca = trustme.CA()
    clients_ca.cert_pem.write_to_path(str(tmp_path / "clients.crt"))
    wall = clients_ca.issue_cert("wall-1.panneau")
    wall.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "wall.pem"))
    stranger = ca.issue_cert("stranger.panneau")  # right server CA, wrong client CA
    stranger.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "stranger.pem"))
    settings = tls_settings(cert, key, tls_client_ca=str(tmp_path / "clients.crt"))
    async with start_hub(**settings) as hub:
        ok = HubClient(hub.ws_url, tools.kiosk_token("support"), ca_file=str(ca_file),
                       client_cert=str(tmp_path / "wall.pem"))
        async with asyncio.timeout(10):
            async for update in ok.updates():
                if update.kind == "snapshot":
                    break
        await ok.close()
        for pem in (None, str(tmp_path / "stranger.pem")):
            refused = HubClient(hub.ws_url, tools.kiosk_token("support"), ca_file=str(ca_file),
                                client_cert=pem)
            update = await first_update(refused)
            assert update.kind == "rejected" and update.frame["code"] == TLS_FAILED
            assert "--client-cert" in update.frame["reason"], update.frame
            assert refused.view.epoch is None


async def test_the_hub_refuses_to_start_on_unusable_tls_files(tmp_path, tools, ca):
    cert, key, _ = write_cert(ca, tmp_path / "tls")
    other_key = write_cert(ca, tmp_path / "other")[1]
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello\n")
    cases = [
        (cert, tmp_path / "missing.key", "cannot read the TLS key"),
        (cert, other_key, "does not match the certificate"),
        (not_pem, key, "is not a PEM file"),
    ]
    for i, (c, k, words) in enumerate(cases):
        text = tools.config_text(str(tmp_path / f"hub{i}.db"), **tls_settings(c, k))
        with pytest.raises(TlsError, match=words) as caught:
            async with Hub(parse_config(text)):
                pass
        assert str(k if "key" in words else c) in str(caught.value)
        assert not (tmp_path / f"hub{i}.db").exists()  # refused before anything was opened


def test_panneau_hub_says_why_it_will_not_start(tmp_path, tools, ca):
    cert = write_cert(ca, tmp_path / "tls")[0]
    other_key = write_cert(ca, tmp_path / "other")[1]
    config = tmp_path / "panneau.toml"
    config.write_text(tools.config_text(str(tmp_path / "cli.db"), **tls_settings(cert, other_key)))
    done = subprocess.run([str(PANNEAU), "hub", "--config", str(config)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert (f"panneau hub: TLS: the key {other_key} does not match the certificate {cert}"
            in done.stderr.splitlines()[-1]), done.stderr  # through fail(), as every error


def test_config_check_wants_cert_and_key_together(tools, tmp_path):
    text = tools.config_text(str(tmp_path / "h.db"), tls_cert="/x.crt", tls_client_ca="/ca")
    with pytest.raises(Exception, match=r"hub.tls_key: give both tls_cert and tls_key"):
        parse_config(text)


async def test_renewed_certificate_serves_new_connections_old_ones_stay(start_hub, tools,
                                                                       tmp_path, ca):
    cert, key, ca_file = write_cert(ca, tmp_path / "tls")
    first = der(cert)
    ctx = ssl.create_default_context(cafile=str(ca_file))
    async with start_hub(feed={"count": 0, "interval_s": 0.02},
                         **tls_settings(cert, key, tls_check_s=0.05)) as hub:
        old = await connect(hub.ws_url, ssl=ctx)
        await old.send(wire.encode({"type": "hello", "v": 1, "token": tools.MANAGER}))
        seq = (await tools.recv(old))["seq"]
        # A renewal as certbot does it: new files written beside, then moved into place.
        new_cert, new_key, _ = write_cert(ca, tmp_path / "renewed")
        shutil.move(new_key, key)
        shutil.move(new_cert, cert)
        renewed = der(cert)
        assert renewed != first
        async with asyncio.timeout(10):
            while hub.tls.reloads == 0:
                await asyncio.sleep(0.02)
        async with connect(hub.ws_url, ssl=ctx) as fresh:
            assert peer_cert(fresh) == renewed
        assert peer_cert(old) == first
        for _ in range(3):  # the old connection still gets its deltas, in order
            frame = await tools.recv_until(old, lambda f: f["type"] == "delta")
            assert frame[-1]["seq"] == seq + 1
            seq += 1
        async with httpx.AsyncClient(verify=ctx) as http:
            assert (await http.get(hub.http_url + "/healthz")).status_code == 200
        await old.close()


async def test_a_broken_renewal_keeps_the_previous_certificate(start_hub, tools, tmp_path, ca,
                                                               caplog):
    cert, key, ca_file = write_cert(ca, tmp_path / "tls")
    first = der(cert)
    async with start_hub(**tls_settings(cert, key, tls_check_s=0.05)) as hub:
        shutil.copy(write_cert(ca, tmp_path / "renewed")[0], cert)  # new cert, old key
        async with asyncio.timeout(10):
            while "cannot be used" not in caplog.text:
                await asyncio.sleep(0.02)
        ctx = ssl.create_default_context(cafile=str(ca_file))
        async with connect(hub.ws_url, ssl=ctx) as ws:
            assert peer_cert(ws) == first
        assert hub.tls.reloads == 0
        assert caplog.text.count("cannot be used") == 1  # said once, not every check


async def until(pilot, condition, timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await pilot.pause(0.02)


async def test_a_kiosk_and_an_overlay_run_over_wss(tmp_path, ca):
    from panneau.kiosk.app import KioskApp
    from panneau.overlay.app import OverlayApp
    from panneau.overlay.widgets import StateBar
    from panneau.plugins.simulator import demo

    cert, key, ca_file = write_cert(ca, tmp_path / "tls")
    config = demo.demo_config(scenario="incident", speed=20.0, database=str(tmp_path / "d.db"),
                              listen="127.0.0.1:0", http_listen="127.0.0.1:0")
    config.hub.tls_cert, config.hub.tls_key = str(cert), str(key)
    team = config.teams[0]
    async with Hub(config) as hub:
        assert hub.ws_url.startswith("wss://")
        kiosk = KioskApp(HubClient(hub.ws_url, demo.kiosk_token(team.id), ca_file=str(ca_file)))
        async with kiosk.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: kiosk.link.connected and kiosk.view.meta)
            assert kiosk.view.meta["team"] == team.id
            await until(pilot, lambda: any(k.startswith("kpi:team:") for k in kiosk.view.values))
            await kiosk.client.close()
        overlay = OverlayApp(HubClient(hub.ws_url, demo.agent_token(team.agents[0]),
                                       ca_file=str(ca_file)), tick_s=0.1)
        async with overlay.run_test(size=(60, 15)) as pilot:
            state = overlay.screen.query_one(StateBar)
            await until(pilot, lambda: "● live" in str(state.render()))
            assert overlay.overlay.model.agent == team.agents[0]
            await overlay.client.close()


async def test_a_certificate_for_another_name_says_so_not_give_a_ca(start_hub, tools, tmp_path,
                                                                     ca):
    """docs/security.md's recipe names the hub hub.example.lan; a screen given the hub's
    address as 127.0.0.1, with the right CA, was told to give the CA with --ca-file."""
    cert, key, ca_file = write_cert(ca, tmp_path / "tls", names=("wall.example.lan",))
    async with start_hub(**tls_settings(cert, key)) as hub:
        client = HubClient(hub.ws_url, tools.MANAGER, ca_file=str(ca_file), backoff_min=0.05)
        update = await first_update(client)
        assert update.kind == "rejected" and update.frame["code"] == TLS_FAILED
        reason = update.frame["reason"]
        assert "is not for 127.0.0.1" in reason and "--ca-file" not in reason
        # the hint said "e.g. wss://hub.example.lan:PORT", whatever the hub's name and port
        port = urlsplit(hub.ws_url).port
        assert reason.endswith(
            f"in --hub, replace 127.0.0.1 by a name the certificate holds (its "
            f"subjectAltName), keeping :{port}: `panneau hub` prints that address when it "
            "starts"), reason
        assert "example.lan" not in reason and "PORT" not in reason


def test_the_start_up_line_gives_the_address_the_certificate_names(tmp_path, tools, ca):
    """A hub on 127.0.0.1 with a certificate for hub.example.lan printed
    wss://127.0.0.1:PORT, which every screen verifying the certificate refuses."""
    cert, key, ca_file = write_cert(ca, tmp_path / "tls", names=("hub.example.lan",))
    config = tmp_path / "panneau.toml"
    config.write_text(tools.config_text(str(tmp_path / "cli.db"), **tls_settings(cert, key)))
    proc = subprocess.Popen([str(PANNEAU), "--log-level", "warning", "hub", "--config",
                             str(config)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PANNEAU_LOAD_PLUGINS": ""})
    try:
        words = proc.stdout.readline().split()
        assert words[:3] == ["panneau", "hub:", "websocket"], words
        ws, http = urlsplit(words[3]), urlsplit(words[5])
        assert (ws.scheme, ws.hostname, http.scheme, http.hostname) == (
            "wss", "hub.example.lan", "https", "hub.example.lan")
        ctx = ssl.create_default_context(cafile=str(ca_file))
        with socket.create_connection(("127.0.0.1", ws.port), timeout=10) as raw, \
                ctx.wrap_socket(raw, server_hostname=ws.hostname) as tls:
            assert tls.getpeercert()["subjectAltName"] == (("DNS", "hub.example.lan"),)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize(("listen", "names", "host"), [
    ("127.0.0.1", ["localhost", "127.0.0.1"], "127.0.0.1"),   # the certificate names it
    ("127.0.0.1", ["hub.example.lan"], "hub.example.lan"),      # it does not: its name
    ("0.0.0.0", ["localhost", "127.0.0.1", "hub.example.lan"], "hub.example.lan"),
    ("0.0.0.0", ["localhost"], "localhost"),
    ("::", ["*.example.lan", "hub.example.lan"], "hub.example.lan"),  # no wildcard in a URL
    ("10.0.0.5", [], "10.0.0.5"),                                # no names read: as bound
    ("::", [], "[::1]"),
    ("::1", ["::1"], "[::1]"),
])
def test_a_screen_is_given_a_host_the_certificate_holds(listen, names, host):
    from panneau.hub.server.tls import screen_host

    assert screen_host(listen, names) == host


async def test_wss_to_a_hub_without_a_certificate_says_to_use_ws(start_hub, tools):
    """The hub speaks clear text; the screen asked TLS: the hub resets the handshake, and
    ``panneau message`` said ``wss://127.0.0.1:PORT: `` with nothing after it."""
    from panneau.hub.cli.request import send_frame

    async with start_hub() as hub:
        url = hub.ws_url.replace("ws://", "wss://")
        with pytest.raises(RuntimeError) as caught:
            await asyncio.wait_for(send_frame(url, tools.MANAGER, {"type": "ack",
                                                                   "message_id": "x"}), 20)
        assert str(caught.value) == (
            f"{url}: the connection ended during the TLS handshake: the hub may have no TLS "
            f"certificate (then use {hub.ws_url})")
