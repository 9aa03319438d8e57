"""The optional compiled engine (``panneau compiled build``, docs/install.md).

When this machine has a usable build, it must give exactly the pure engine's figures: the
engine and Asterisk tests pass on it, a generated stream (in order and with late events) gives
the same snapshots and saved state, and ``panneau replay --json`` the same bytes. Those are
skipped, saying why, without a build. The suite itself runs the pure engine (the reference;
``tests/conftest.py``). How the engine is chosen, and a build that cannot be made, are tested
on every machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from panneau.hub import compiled
from panneau.hub.cli.main import main
from panneau.hub.compiled_build import BuildError, build, type_errors

ROOT = Path(__file__).resolve().parent.parent
_BUILD = compiled.choice(env="auto")
needs_build = pytest.mark.skipif(
    _BUILD.kind != "compiled",
    reason=f"no compiled engine to compare with the pure one: {_BUILD.why} (needs "
           "pip install -e '.[fast]', a C compiler and panneau compiled build)")


def run(engine: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python ARGS`` in the repository with ``PANNEAU_ENGINE=engine``."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, compiled.ENV: engine, **env}, timeout=900,
                          stdin=subprocess.DEVNULL, check=False)


@needs_build
@pytest.mark.timeout(900)  # the child's own bound: ~300 tests, past 300 s on a loaded machine
def test_the_engine_and_asterisk_tests_pass_on_the_compiled_engine():
    """Derandomised, as under CI: the same examples every run, so a failure here is the compiled
    engine's (the suite's own run of these tests, on the pure engine, explores new ones)."""
    probe = ("import sys, pytest; from panneau.hub import compiled; "
             "assert compiled.running() == 'compiled'; "
             "sys.exit(pytest.main(['-q', '-x', '-p', 'no:cacheprovider', "
             "'tests/engine', 'tests/asterisk']))")
    done = run("compiled", "-c", probe, CI="true")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]


@needs_build
def test_a_generated_stream_gives_the_same_figures_and_state():
    out = {}
    for engine in ("pure", "compiled"):
        done = run(engine, "-m", "tests.engine_dump", "2000", "5")
        assert done.returncode == 0, done.stderr[-2000:]
        out[engine] = json.loads(done.stdout)
        assert out[engine].pop("engine") == engine
    for stream in ("in_order", "late"):
        pure, fast = out["pure"][stream], out["compiled"][stream]
        assert len(pure["snapshots"]) == len(fast["snapshots"]) > 10
        for i, (a, b) in enumerate(zip(pure["snapshots"], fast["snapshots"], strict=True)):
            assert a == b, f"{stream}: snapshot {i} at {a['at']} differs"
        assert pure["saved"] == fast["saved"], f"{stream}: saved state differs"


@needs_build
def test_the_compiled_event_classes_behave_as_the_pure_ones():
    """Built, refused in the same words, shown, compared, hashed, pickled, replaced, their
    fields listed; a plugin's own subclass too (tests/events_dump.py). Ints given for float
    fields: the same outcome and values, held as floats by the compiled classes."""
    out = {}
    for engine in ("pure", "compiled"):
        done = run(engine, "-m", "tests.events_dump")
        assert done.returncode == 0, done.stderr[-2000:]
        out[engine] = json.loads(done.stdout)
        assert out[engine].pop("module") == engine
    pure, fast = out["pure"], out["compiled"]
    assert sum(case[0] == "refused" for case in pure["cases"]) >= 15
    for case_pure, case_fast in zip(pure.pop("int_cases"), fast.pop("int_cases"), strict=True):
        assert case_fast[0] == case_pure[0]
        assert case_fast[0] == "refused" or case_fast[2] == case_pure[2]  # 5 == 5.0
    assert fast == pure


@needs_build
def test_replay_gives_the_same_json(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_asterisk import generate

    generated = tmp_path / "queue_log"
    generate(generated, 30_000)
    for log in (generated, ROOT / "tests/fixtures/asterisk_live/queue_log"):
        # two processes: the file parsed in a child, the engine in the parent, both compiled
        args = ("-m", "panneau.hub.cli.main", "replay", "queue_log", str(log), "--json",
                "--processes", "2")
        pure, fast = run("pure", *args), run("compiled", *args)
        assert pure.returncode == fast.returncode == 0, pure.stderr + fast.stderr
        assert json.loads(pure.stdout)["queues"]  # figures, not an empty replay
        assert fast.stdout == pure.stdout, f"{log.name}: replay output differs"


def test_the_compiled_modules_type_check():
    """mypyc refuses to build a module with a type error: the suite says so first."""
    pytest.importorskip("mypy", reason="mypy not installed (pip install -e '.[fast]')")
    assert type_errors() == [], "panneau compiled build would fail on these"


def _fake_build(build_dir: Path, source: Path, sha256: str) -> None:
    """A build folder whose manifest lists one module compiled from ``source``."""
    import sysconfig

    build_dir.mkdir()
    (build_dir / "mod.so").write_bytes(b"")
    manifest = {"mypy": "0", "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
                "modules": {"panneau_probe": {"file": "mod.so", "source": str(source),
                                              "sha256": sha256}}}
    (build_dir / compiled.MANIFEST).write_text(json.dumps(manifest))


def test_the_choice_of_engine(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    none = tmp_path / "none"
    assert compiled.choice(none, "auto").kind == "pure"
    assert "no compiled build" in compiled.choice(none, "auto").why
    assert "PANNEAU_ENGINE=compiled but no compiled build" in compiled.choice(
        none, "compiled").error
    fresh = tmp_path / "fresh"
    _fake_build(fresh, source, compiled.source_hash(source))
    assert compiled.choice(fresh, "auto").kind == "compiled"
    assert compiled.choice(fresh, "auto").files == {"panneau_probe": fresh / "mod.so"}
    assert compiled.choice(fresh, "pure").kind == "pure"
    source.write_text("x = 2\n")  # the source changed after the build: never run stale code
    stale = compiled.choice(fresh, "auto")
    assert stale.kind == "pure" and "out of date" in stale.why and str(source) in stale.why
    assert "out of date" in compiled.choice(fresh, "compiled").error
    with pytest.raises(ImportError, match="use pure, compiled or auto"):
        compiled.choice(fresh, "fastest")


def test_engine_compiled_without_a_build_is_refused_when_the_engine_is_imported(tmp_path):
    env = {compiled.DIR_ENV: str(tmp_path / "none")}
    done = run("compiled", "-c", "import panneau.hub; import panneau.hub.engine", **env)
    assert done.returncode != 0
    assert "PANNEAU_ENGINE=compiled but no compiled build" in done.stderr
    pure = run("auto", "-m", "panneau.hub.cli.main", "--version", **env)
    assert pure.returncode == 0, pure.stderr
    assert "(engine: pure Python (no compiled build: panneau compiled build makes one))" in (
        pure.stdout)


def test_a_build_without_a_compiler_says_so_and_changes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    monkeypatch.setenv(compiled.DIR_ENV, str(tmp_path / "build"))
    with pytest.raises(BuildError, match="no C compiler"):
        build(tmp_path / "build")
    assert main(["compiled", "build"]) == 1
    err = capsys.readouterr().err
    assert "compiled engine not built: no C compiler" in err
    assert "the pure-Python engine keeps running" in err
    assert not (tmp_path / "build").exists()
