"""Plugin discovery through a real installed distribution (tests/plugin_dists/panneau-echo)."""

from __future__ import annotations

import pytest

from panneau.hub.events import AgentLoggedIn
from panneau.hub.hookspecs import hookimpl
from panneau.hub.plugins import collect_sources, make_plugin_manager, plugin_infos
from panneau.hub.sources import SourceSpec


def test_entry_point_plugin_is_loaded_with_its_distribution():
    pm = make_plugin_manager()
    infos = {i.name: i for i in plugin_infos(pm)}
    assert infos["echo"].origin == "panneau-echo 0.0.1 (entry point)"
    assert infos["echo"].hooks == ("register_sources",)
    registry = collect_sources(pm)
    assert registry.provider["echo"] == "echo"
    assert registry.specs["echo"].description.startswith("test source")


def test_load_plugins_env_limits_entry_points(monkeypatch):
    monkeypatch.setenv("PANNEAU_LOAD_PLUGINS", "")
    pm = make_plugin_manager()
    assert "echo" not in {i.name for i in plugin_infos(pm)}


def test_duplicate_source_names_are_refused():
    class First:
        @hookimpl
        def register_sources(self, register):
            register(SourceSpec(name="twice", factory=object))

    class Second:
        @hookimpl
        def register_sources(self, register):
            register(SourceSpec(name="twice", factory=object))
            register("not a spec")

    pm = make_plugin_manager(load_entry_points=False)
    pm.register(First(), name="first")
    pm.register(Second(), name="second")
    registry = collect_sources(pm)
    assert registry.provider["twice"] == "first"
    assert registry.refused == [
        "second: source 'twice' is already registered by first",
        "second: register() takes a SourceSpec, got 'not a spec'",
    ]


def test_a_misspelled_hook_is_caught():
    import pluggy

    class Typo:
        @hookimpl
        def register_source(self, register):  # missing s
            pass

    pm = make_plugin_manager(load_entry_points=False)
    pm.register(Typo())
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


async def test_echo_source_emits_through_its_context():
    from panneau_echo import EchoOptions, EchoSource

    emitted = []

    class Ctx:
        name = "e"
        checkpoint = 1

        async def emit(self, events, checkpoint=None):
            emitted.append((events, checkpoint))

        def set_status(self, status, detail=""):
            raise SystemExit  # stop the idle wait

        def now(self):
            return 100.0

    with pytest.raises(SystemExit):
        await EchoSource(EchoOptions(agents=["A", "B"])).run(Ctx())
    assert emitted == [([AgentLoggedIn(ts=100.0, source="e", source_pos="1", agent="B")], 2)]
