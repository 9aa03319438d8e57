"""Fixtures of the browser tests: the hub tests' feed source through a real plugin manager."""

from __future__ import annotations

import pytest


@pytest.fixture
def feed_pm():
    from panneau.hub.plugins import make_plugin_manager
    from tests.hub.conftest import FeedPlugin

    pm = make_plugin_manager(load_entry_points=False)
    pm.register(FeedPlugin(), name="test-feed-plugin")
    return pm
