"""Plugin discovery through a real installed distribution (tests/plugin_dists/panneau-echo)."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from panneau.hub.cli.main import builtin_commands
from panneau.hub.events import AgentLoggedIn
from panneau.hub.hookspecs import hookimpl
from panneau.hub.plugins import (
    collect_commands,
    collect_sources,
    make_plugin_manager,
    plugin_infos,
)
from panneau.hub.sources import SourceSpec
from panneau.hub.testing import ManualClock, RecordingContext, run_source
from tests.hub.conftest import eventually, hello, recv


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

    ctx = RecordingContext("e", checkpoint=1, clock=ManualClock(100.0))
    await run_source(EchoSource(EchoOptions(agents=["A", "B"])), ctx,
                     until=lambda c: c.status == "live")
    assert ctx.batches == [[AgentLoggedIn(ts=100.0, source="e", source_pos="1", agent="B")]]
    assert ctx.checkpoints == [2]


# --- plugins that break: skipped, reported, the rest served -------------------------------

BROKEN = 'raise ImportError("needs libfoo, which is not installed")\n'
RUDE = '''
from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl


@hookimpl
def register_commands(register):
    register(CommandSpec("rude-ok", "registered before the hook raised", lambda args: 0))
    raise RuntimeError("rude plugin broke")


@hookimpl
def register_sources(register):
    raise RuntimeError("no sources either")
'''
CLASH = '''
from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl


def bad_arguments(parser):
    parser.add_argument("--x")
    parser.add_argument("--x")  # argparse refuses a second --x


@hookimpl
def register_commands(register):
    register(CommandSpec("hub", "takes a built-in name", lambda args: 0))
    register(CommandSpec("clash-args", "arguments that argparse refuses", lambda args: 0,
                         bad_arguments))
    register(CommandSpec("clash-fine", "a good command", lambda args: 7))
'''
STUCK = '''
import asyncio
import threading

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec


class StuckSource:
    """A source whose blocking read never returns, done the recommended way."""

    def __init__(self, options):
        pass

    async def run(self, ctx):
        ctx.set_status("live")
        await asyncio.to_thread(threading.Event().wait)


@hookimpl
def register_sources(register):
    register(SourceSpec(name="stuck", factory=StuckSource))
'''


PANNEAU = str(Path(sys.executable).parent / "panneau")


def install_plugin(folder: Path, name: str, code: str) -> None:
    """A distribution ``panneau-NAME`` on ``folder`` (a sys.path entry): module ``code``
    with a ``panneau`` entry point."""
    (folder / f"{name}_plugin.py").write_text(code)
    info = folder / f"panneau_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: panneau-{name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[panneau]\n{name} = {name}_plugin\n")


def install_fake_plugins(folder: Path) -> Path:
    """Distributions on ``folder`` (a sys.path entry) with ``panneau`` entry points: one whose
    import fails, one whose hooks raise, one whose commands clash, one stuck in a thread."""
    for name, code in (("broken", BROKEN), ("rude", RUDE), ("clash", CLASH), ("stuck", STUCK)):
        install_plugin(folder, name, code)
    return folder


def test_a_plugin_that_calls_sys_exit_is_skipped_as_one_that_raises(tmp_path, monkeypatch):
    """``sys.exit()`` at import or in a hook ended every ``panneau`` command."""
    install_plugin(tmp_path, "quits", "import sys\nsys.exit('no licence file')\n")
    install_plugin(tmp_path, "quitter", "import sys\nfrom panneau.hub.hookspecs import hookimpl"
                                        "\n\n\n@hookimpl\ndef register_sources(register):\n"
                                        "    sys.exit(4)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = make_plugin_manager()
    assert [(f.name, f.error) for f in pm.failures] == [("quits", "SystemExit: no licence file")]
    registry = collect_sources(pm)
    assert "quitter: register_sources failed, nothing of it is used: SystemExit: 4" in (
        registry.refused)
    assert "simulator" in registry.specs


def test_a_plugin_that_fails_to_load_is_skipped_and_the_rest_served(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(install_fake_plugins(tmp_path)))
    pm = make_plugin_manager()
    assert [(f.name, f.origin, f.error) for f in pm.failures] == [
        ("broken", "panneau-broken 0.1 (entry point)",
         "ImportError: needs libfoo, which is not installed")]
    loaded = {i.name for i in plugin_infos(pm)}
    assert {"echo", "rude", "clash", "stuck", "panneau.plugins.asterisk"} <= loaded
    sources = collect_sources(pm)
    assert {"echo", "stuck", "asterisk_queue_log"} <= set(sources.specs)
    assert sources.refused == ["rude: register_sources failed, nothing of it is used: "
                               "RuntimeError: no sources either"]
    commands = collect_commands(pm, builtin_commands())
    assert "rude-ok" not in commands.specs  # all or nothing per plugin and hook
    assert {"demo", "kiosk", "overlay", "console", "clash-fine"} <= set(commands.specs)
    assert commands.refused[0] == ("rude: register_commands failed, nothing of it is used: "
                                   "RuntimeError: rude plugin broke")
    assert commands.refused[1] == "clash: command 'hub' is a built-in command"
    assert commands.refused[2].startswith("clash: command 'clash-args': arguments() failed: "
                                          "ArgumentError")


def test_a_hook_implementation_of_no_hook_is_skipped_at_load(tmp_path, monkeypatch):
    (tmp_path / "typo_plugin.py").write_text(
        "from panneau.hub.hookspecs import hookimpl\n\n@hookimpl\n"
        "def register_source(register):\n    pass\n")
    info = tmp_path / "panneau_typo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: panneau-typo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[panneau]\ntypo = typo_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = make_plugin_manager()
    assert [f.name for f in pm.failures] == ["typo"]
    assert "register_source" in pm.failures[0].error
    assert "typo" not in {i.name for i in plugin_infos(pm)}
    pm.check_pending()  # nothing unknown left registered


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])}


def test_panneau_plugins_lists_the_rest_and_the_errors(tmp_path):
    env = _env(install_fake_plugins(tmp_path))
    out = subprocess.run([PANNEAU, "plugins"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "failed: broken [panneau-broken 0.1 (entry point)]: ImportError: needs libfoo" in (
        out.stdout)
    assert "refused: rude: register_commands failed" in out.stdout
    assert "echo  [panneau-echo 0.0.1 (entry point)]" in out.stdout
    assert "    commands: clash-fine\n" in out.stdout
    assert "plugin broken (panneau-broken 0.1 (entry point)) skipped" in out.stderr
    fine = subprocess.run([PANNEAU, "clash-fine"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert fine.returncode == 7  # a plugin's command works next to the broken ones


def test_a_source_naming_a_plugin_that_failed_to_load_says_why(tmp_path):
    """config check (and the hub) said only "no source plugin named 'broken'" of a plugin
    that is installed but whose import fails: the author looked for a typo."""
    env = _env(install_fake_plugins(tmp_path))
    config = tmp_path / "panneau.toml"
    config.write_text('[[sources]]\nname = "a"\nplugin = "broken"\n'
                      '[[sources]]\nname = "b"\nplugin = "brokn"\n')
    out = subprocess.run([PANNEAU, "config", "check", str(config)], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 1
    broken, typo = out.stdout.splitlines()[:2]
    assert broken == (f"{config}:3: sources[0].plugin: the plugin 'broken' (panneau-broken 0.1 "
                      "(entry point)) failed to load: ImportError: needs libfoo, which is not "
                      "installed")
    assert typo.startswith(f"{config}:6: sources[1].plugin: no source plugin named 'brokn' "
                           "(known: asterisk_ami, ")
    assert typo.endswith("; failed to load: broken; failed in register_sources: rude "
                         "(panneau plugins says why))")


def test_sigterm_ends_the_hub_with_a_source_stuck_in_a_thread(tmp_path):
    """A real ``panneau hub`` process; one plugin fails to import, one source never returns
    from ``asyncio.to_thread``: the hub starts, and SIGTERM still ends the process."""
    (tmp_path / "site").mkdir()
    env = _env(install_fake_plugins(tmp_path / "site"))
    config = tmp_path / "panneau.toml"
    config.write_text('[hub]\nlisten = "127.0.0.1:0"\nhttp_listen = "127.0.0.1:0"\n'
                      f'database = "{tmp_path / "hub.db"}"\n'
                      '[[sources]]\nname = "pbx"\nplugin = "stuck"\n')
    proc = subprocess.Popen([PANNEAU, "hub", "--config", str(config)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        errors = []
        for line in proc.stderr:  # bounded: the process ends or the test's timeout hits
            errors.append(line)
            if "source pbx is live" in line:
                break
        assert any("plugin broken" in e and "skipped" in e for e in errors), errors
        assert proc.stdout.readline().startswith("panneau hub: websocket ws://127.0.0.1:")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, rest
    assert "stopped" in rest and "source threads still busy" in rest
    assert time.monotonic() - started < 15



BROKEN_SAYS = ("the plugin 'broken' (panneau-broken 0.1 (entry point)) failed to load: "
               "ImportError: needs libfoo, which is not installed")
RUDE_SAYS = ("the plugin 'rude' (panneau-rude 0.1 (entry point)) failed in register_sources: "
             "RuntimeError: no sources either")


@pytest.mark.parametrize(("plugin", "code", "says"), [
    pytest.param("broken", BROKEN, BROKEN_SAYS, id="import"),
    pytest.param("rude", RUDE, RUDE_SAYS, id="register_sources")])
async def test_a_source_plugin_that_fails_darkens_its_source_not_the_hub(tmp_path, plugin, code,
                                                                         says):
    """One plugin failing to import made ``panneau hub`` refuse to start: every wall dark; one
    whose ``register_sources`` raised still did after that was fixed (f2fb93c). Now a real
    hub starts, its other source runs, and that one is down with the plugin's error in the
    log, /healthz, /metrics and the screens' status; ``config check`` still refuses it."""
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, plugin, code)
    install_plugin(site, "stuck", STUCK)
    config = tmp_path / "panneau.toml"
    config.write_text('[hub]\nlisten = "127.0.0.1:0"\nhttp_listen = "127.0.0.1:0"\n'
                      f'database = "{tmp_path / "hub.db"}"\n'
                      f'[[sources]]\nname = "pbx"\nplugin = "{plugin}"\n'
                      '[[sources]]\nname = "ok"\nplugin = "stuck"\n'
                      '[[tokens]]\nrole = "manager"\ntoken = "manager-token-1"\n')
    env = {**_env(site), "PANNEAU_LOAD_PLUGINS": f"{plugin},stuck"}
    out = subprocess.run([PANNEAU, "config", "check", str(config)], capture_output=True,
                         text=True, env=env, timeout=60)
    assert (out.returncode, out.stdout.splitlines()[0]) == (
        1, f"{config}:7: sources[0].plugin: {says}")
    proc = await asyncio.create_subprocess_exec(
        PANNEAU, "hub", "--config", str(config), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        logged = []
        async with asyncio.timeout(60):
            while not (any("source ok is live" in line for line in logged)
                       and any("source pbx not started" in line for line in logged)):
                line = (await proc.stderr.readline()).decode()
                assert line, f"the hub ended: {logged}"
                logged.append(line)
            urls = (await proc.stdout.readline()).decode().split()
        assert any(f"source pbx not started: {says}" in line for line in logged), logged
        ws_url, http_url = urls[urls.index("websocket") + 1], urls[urls.index("http") + 1]

        def get(path: str) -> str:
            with urllib.request.urlopen(f"{http_url}{path}", timeout=30) as answer:
                return answer.read().decode()

        health = json.loads(await asyncio.to_thread(get, "/healthz"))
        assert {name: (s["status"], s["detail"]) for name, s in health["sources"].items()} == {
            "pbx": ("down", says), "ok": ("live", "")}
        metrics = (await asyncio.to_thread(get, "/metrics")).splitlines()
        assert {'panneau_source_live{source="pbx"} 0', 'panneau_source_live{source="ok"} 1'
                } <= set(metrics)
        manager = await hello(ws_url, "manager-token-1")
        view = (await recv(manager, 30))["view"]
        await manager.close()
        assert (view["source:pbx"]["status"], view["source:pbx"]["detail"]) == (
            "down", says)
    finally:
        if proc.returncode is None:
            proc.terminate()
        await asyncio.wait_for(proc.communicate(), 60)
    # with every plugin loaded, a kind no plugin offers is a typo: the hub refuses it
    (tmp_path / "typo").mkdir()
    install_plugin(tmp_path / "typo", "stuck", STUCK)
    out = subprocess.run([PANNEAU, "hub", "--config", str(config)], capture_output=True,
                         text=True, timeout=60,
                         env={**_env(tmp_path / "typo"), "PANNEAU_LOAD_PLUGINS": "stuck"})
    assert out.returncode == 2
    assert (f"panneau hub: {config}:7: sources[0].plugin: no source plugin named '{plugin}'"
            in out.stderr)

# --- options a plugin's own checks refuse ---------------------------------------------------

FUSSY = '''
import asyncio
from dataclasses import dataclass

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec


@dataclass
class FussyOptions:
    level: int = 1

    def __post_init__(self):
        if not 1 <= self.level <= 3:
            raise ValueError(f"level must be 1 to 3, got {self.level}")


@dataclass
class GrumpyOptions:
    mood: str = "fine"

    def __post_init__(self):
        if self.mood != "fine":
            raise RuntimeError("grumpy cannot work like this")


class Idle:
    def __init__(self, options):
        self.options = options

    async def run(self, ctx):
        ctx.set_status("live", repr(self.options))
        await asyncio.Event().wait()


@hookimpl
def register_sources(register):
    register(SourceSpec(name="fussy", factory=Idle, options=FussyOptions))
    register(SourceSpec(name="grumpy", factory=Idle, options=GrumpyOptions))
'''
REFUSING = ('[[sources]]\nname = "pbx"\nplugin = "fussy"\n[sources.options]\nlevel = 9\n'
            '[[sources]]\nname = "mood"\nplugin = "grumpy"\n[sources.options]\nmood = "bad"\n'
            '[[sources]]\nname = "e"\nplugin = "echo"\n[sources.options]\nagents = ["A"]\n')
REFUSED = {"pbx": "plugin 'fussy' refused these options: level must be 1 to 3, got 9",
           "mood": "plugin 'grumpy' refused these options: RuntimeError: grumpy cannot work "
                   "like this"}


def test_options_a_plugin_refuses_in_post_init_are_named_by_config_check(tmp_path):
    (tmp_path / "site").mkdir()
    install_plugin(tmp_path / "site", "fussy", FUSSY)
    config = tmp_path / "panneau.toml"
    config.write_text(REFUSING)
    out = subprocess.run([PANNEAU, "config", "check", str(config)], capture_output=True,
                         text=True, env=_env(tmp_path / "site"), timeout=60)
    assert (out.returncode, out.stderr) == (1, "")
    assert out.stdout.splitlines() == [f"{config}:4: sources[0].options: {REFUSED['pbx']}",
                                       f"{config}:9: sources[1].options: {REFUSED['mood']}",
                                       "2 problems found"]
    config.write_text(REFUSING.replace("level = 9", "level = 2").replace('"bad"', '"fine"')
                      + '[[teams]]\nid = "t"\nqueues = ["q"]\n'  # no warning either
                      + '[[tokens]]\nrole = "manager"\ntoken = "manager-token"\n')
    out = subprocess.run([PANNEAU, "config", "check", str(config)], capture_output=True,
                         text=True, env=_env(tmp_path / "site"), timeout=60)
    assert out.stdout == f"{config}: OK\n", out.stdout


async def test_a_source_whose_options_the_plugin_refuses_is_down_and_the_rest_run(
        tmp_path, monkeypatch):
    """A hub given a config nobody checked against the plugins (``Hub(parse_config(...))``):
    the source is down with the plugin's reason, never started with no options."""
    install_plugin(tmp_path, "fussy", FUSSY)
    monkeypatch.syspath_prepend(str(tmp_path))
    states = await _down_beside_echo(tmp_path, REFUSING, REFUSED)
    for name, reason in REFUSED.items():
        assert states[name].detail == f"bad options: options: {reason}"
        assert states[name].restarts == 0


async def _down_beside_echo(tmp_path: Path, sources: str, down) -> dict:
    """The sources' states in a hub of ``sources`` (whose echo source ``e`` goes live) once
    those named in ``down`` are down."""
    from panneau.hub.config import parse_config
    from panneau.hub.server.app import Hub

    text = (f'[hub]\nlisten = "127.0.0.1:0"\nhttp_listen = "127.0.0.1:0"\n'
            f'database = "{tmp_path / "hub.db"}"\n{sources}')
    async with Hub(parse_config(text, "t.toml"), pm=make_plugin_manager()) as hub:
        states = hub.supervisor.states
        await eventually(lambda: states["e"].status == "live" and all(
            states[name].status == "down" for name in down), 30,
            "the good source live, the others down")
        return {name: copy.copy(state) for name, state in states.items()}  # as they were


NO_RUN = '''
from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceSpec


class NoRun:
    def __init__(self, options):
        pass


class SyncRun:
    def __init__(self, options):
        pass

    def run(self, ctx):  # not async: a loop here would hold the hub's event loop for ever
        ctx.set_status("live", "ran")


@hookimpl
def register_sources(register):
    register(SourceSpec(name="norun", factory=NoRun))
    register(SourceSpec(name="syncrun", factory=SyncRun))
'''
NO_RUN_SAYS = {
    "a": "TypeError: source 'norun': its factory returned a NoRun, which has no run(ctx) "
         "method: a source needs 'async def run(self, ctx)'",
    "b": "TypeError: source 'syncrun': SyncRun.run is not 'async def': a plain function runs "
         "on the hub's event loop and holds every screen and source while it runs",
}


async def test_a_factory_that_gives_no_async_run_is_named_with_the_fix(tmp_path, monkeypatch):
    """The hub said "AttributeError: 'NoRun' object has no attribute 'run'", and ran a plain
    ``def run`` on its loop (one that loops froze every screen) before failing to await it."""
    install_plugin(tmp_path, "norun", NO_RUN)
    monkeypatch.syspath_prepend(str(tmp_path))
    states = await _down_beside_echo(
        tmp_path, '[[sources]]\nname = "a"\nplugin = "norun"\n'
                  '[[sources]]\nname = "b"\nplugin = "syncrun"\n'
                  '[[sources]]\nname = "e"\nplugin = "echo"\n[sources.options]\nagents = ["A"]\n',
        NO_RUN_SAYS)
    for name, says in NO_RUN_SAYS.items():
        assert states[name].detail.startswith(f"{says}; restarting in")
