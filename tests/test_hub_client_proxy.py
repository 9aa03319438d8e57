"""The hub client asks for the system's proxy settings only where there may be some."""

from __future__ import annotations

import os
import sys

import pytest

from panneau.hub import client


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="system proxy settings there")
def test_no_proxy_variable_no_proxy(monkeypatch):
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    assert client._proxy() is None


@pytest.mark.parametrize("name", ["https_proxy", "HTTP_PROXY", "all_proxy", "no_proxy"])
def test_a_proxy_variable_keeps_websockets_default(monkeypatch, name):
    monkeypatch.setenv(name, "http://proxy.lan:3128")
    assert client._proxy() is True
