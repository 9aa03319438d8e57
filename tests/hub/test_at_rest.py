"""At rest: the hub's files are its user's only; source secrets come from the environment or a
file it names, never only from the TOML."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from panneau.hub.cli.hub_cmd import clear_text_warning, secrets_held, shared_file_warning
from panneau.hub.config import HubSettings, parse_config
from panneau.hub.sources import secret_from_env
from panneau.plugins.generic.options import resolve_headers
from panneau.plugins.zendesk.options import ZendeskOptions, client_settings

PANNEAU = Path(sys.executable).parent / "panneau"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_database_and_its_wal_are_readable_by_the_hub_user_only(start_hub, tmp_path):
    old = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        async with start_hub(feed={"count": 5}) as hub:
            async with asyncio.timeout(10):
                while hub.journal.count_events("feed") < 5:
                    await asyncio.sleep(0.02)
            db = tmp_path / "hub.db"
            files = [db, db.with_name("hub.db-wal"), db.with_name("hub.db-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        os.umask(old)


def test_a_config_or_database_others_can_read_is_warned_about(tmp_path):
    path = tmp_path / "panneau.toml"
    path.write_text("[hub]\n")
    path.chmod(0o644)
    warning = shared_file_warning(str(path), "holds tokens")
    assert warning is not None
    assert "other users may read it (mode -rw-r--r--)" in warning
    assert f"chmod 600 {path}" in warning
    path.chmod(0o600)
    assert shared_file_warning(str(path), "holds tokens") is None
    assert shared_file_warning(str(tmp_path / "absent.db"), "holds messages") is None


def test_secrets_come_from_a_variable_or_the_file_it_names(tmp_path):
    secret = tmp_path / "zendesk-token"
    secret.write_text("s3cret-from-file\n")
    assert secret_from_env("ZENDESK_API_TOKEN", {"ZENDESK_API_TOKEN": "from-env"}) == "from-env"
    env = {"ZENDESK_API_TOKEN": "", "ZENDESK_API_TOKEN_FILE": str(secret)}
    assert secret_from_env("ZENDESK_API_TOKEN", env) == "s3cret-from-file"
    assert secret_from_env("ZENDESK_API_TOKEN", {}) is None
    with pytest.raises(ValueError, match=r"ZENDESK_API_TOKEN_FILE: cannot read .*missing"):
        secret_from_env("ZENDESK_API_TOKEN", {"ZENDESK_API_TOKEN_FILE": str(tmp_path / "missing")})
    settings = client_settings(ZendeskOptions(subdomain="acme"),
                               {"ZENDESK_EMAIL": "ops@acme.test", **env})
    expected = httpx.BasicAuth("ops@acme.test/token", "s3cret-from-file")
    assert settings["auth"]._auth_header == expected._auth_header  # the file's token
    headers = resolve_headers({"Authorization": "Bearer ${API_TOKEN}"},
                              {"API_TOKEN_FILE": str(secret)})
    assert headers == {"Authorization": "Bearer s3cret-from-file"}


def test_a_hub_open_to_the_network_without_tls_is_warned_about():
    assert clear_text_warning(HubSettings()) is None  # loopback only
    assert clear_text_warning(HubSettings(listen="[::1]:8765", http_listen="localhost:8766")) \
        is None
    warning = clear_text_warning(HubSettings(listen="0.0.0.0:8765"))
    assert warning is not None and warning.startswith("listen 0.0.0.0:8765: open to the network")
    assert "http_listen" not in warning and "docs/security.md" in warning
    both = clear_text_warning(HubSettings(listen="10.0.0.5:8765", http_listen=":8766"))
    assert both is not None and "listen 10.0.0.5:8765, http_listen :8766" in both
    assert clear_text_warning(HubSettings(listen="0.0.0.0:8765", tls_cert="c", tls_key="k")) \
        is None


@pytest.mark.parametrize(("tokens", "warned"), [
    ("", None),
    (f'[[tokens]]\nrole = "manager"\ntoken_sha256 = "{"ab" * 32}"\n', None),
    ('[[tokens]]\nrole = "manager"\ntoken = "manager-token-1"\n', "holds tokens")])
def test_the_hub_warns_of_a_readable_config_only_for_the_secrets_it_holds(tmp_path, tokens,
                                                                          warned):
    """A config readable by others and holding no token was said to "hold tokens"."""
    config = tmp_path / "panneau.toml"
    config.write_text(f'[hub]\nlisten = "127.0.0.1:0"\nhttp_listen = "127.0.0.1:0"\n'
                      f'database = "{tmp_path / "hub.db"}"\n{tokens}')
    config.chmod(0o644)
    proc = subprocess.Popen([str(PANNEAU), "--log-level", "warning", "hub", "--config",
                             str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PANNEAU_LOAD_PLUGINS": ""})
    try:
        assert proc.stdout.readline().startswith("panneau hub: websocket ")  # it is up
    finally:
        proc.terminate()
        err = proc.communicate(timeout=60)[1]
    said = [line for line in err.splitlines() if "other users may read it" in line]
    assert ("tokens: none: no screen and no command can connect" in err) == (not tokens), err
    if warned is None:
        assert said == [], err
    else:
        assert len(said) == 1 and f"{config} {warned} and other users may read it" in said[0]


def test_the_secrets_a_config_holds_are_named():
    config = parse_config('[[tokens]]\nrole = "manager"\ntoken_sha256 = "' + "ab" * 32 + '"\n'
                          '[[sources]]\nname = "pbx"\nplugin = "asterisk_ami"\n'
                          '[sources.options]\nsecret = "s3cret"\nsecret_env = "AMI"\n'
                          '[[sources]]\nname = "zd"\nplugin = "zendesk"\n'
                          '[sources.options]\napi_token = "t0ken"\n')
    assert secrets_held(config) == "the secret of source pbx, the api_token of source zd"
    assert secrets_held(parse_config("")) is None
