"""docs/security.md's nginx recipe, run as written: webhooks pass, nothing else does."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import ssl
from pathlib import Path

import httpx
import pytest
import trustme

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def recipe() -> str:
    """The ```nginx block of docs/security.md."""
    blocks = re.findall(r"```nginx\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1
    return blocks[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(tmp: Path, server: str) -> str:
    temp = "\n".join(f"    {kind}_temp_path {tmp}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
            "daemon off;\nevents { worker_connections 64; }\n"
            f"http {{\n    access_log off;\n{temp}\n{server}}}\n")


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")
async def test_the_nginx_recipe_passes_webhooks_and_hides_the_rest(start_hub, tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "hooks.example.com")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "fullchain.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "privkey.pem"))
    port = free_port()
    async with start_hub(feed={"count": 1}) as hub:
        server = (recipe()
                  .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
                  .replace("/etc/letsencrypt/live/hooks.example.com", str(tmp_path))
                  .replace("http://127.0.0.1:8766", f"http://127.0.0.1:{hub.http_port}"))
        assert str(hub.http_port) in server and str(tmp_path) in server
        (tmp_path / "nginx.conf").write_text(nginx_conf(tmp_path, server))
        proc = await asyncio.create_subprocess_exec(
            NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            ctx = ssl.create_default_context()
            ca.configure_trust(ctx)
            async with httpx.AsyncClient(verify=ctx, base_url=f"https://127.0.0.1:{port}",
                                         timeout=5) as http:
                async with asyncio.timeout(20):
                    while True:  # until nginx listens
                        assert proc.returncode is None, (tmp_path / "error.log").read_text()
                        try:
                            answer = await http.post("/hooks/feed/ping", content=b"via nginx")
                            break
                        except httpx.ConnectError:
                            await asyncio.sleep(0.05)
                assert answer.status_code == 200
                assert answer.json() == {"got": "via nginx", "path": "/hooks/feed/ping"}
                for hidden in ("/healthz", "/metrics", "/", "/wall/"):
                    assert (await http.get(hidden)).status_code == 404, hidden
                unknown = await http.post("/hooks/nope/x", content=b"{}")
                assert unknown.status_code == 404 and "no source named" in unknown.text
        finally:
            proc.terminate()
            await proc.wait()
