"""``panneau compiled build``: compile the engine, events and queue_log parse path with mypyc.

The source files are the pure-Python ones, unchanged, but for the events module, whose native
classes :mod:`panneau.hub.compiled_events` writes from it: mypyc (``pip install
'panneau[fast]'``) type-checks them and turns each into a C extension, built by setuptools
with the machine's C compiler in a child process. mypyc names a module after its path, so the
build sees the part folders through a staging tree ``panneau/hub`` and ``panneau/plugins``
(symbolic links), as they are installed. The result replaces
:func:`~panneau.hub.compiled.build_dir_default` only once the whole build has worked and its
extensions import; a failed build leaves the previous state (a build or none) as it was, and
the pure engine keeps working.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path

from panneau.hub.compiled import DIR_ENV, ENV, MANIFEST, build_dir_default, source_hash

__all__ = ["EVENTS", "GROUP", "PARSE_MODULES", "BuildError", "build", "remove", "sources",
           "type_errors"]

#: The queue_log parse path, compiled with the engine (every module of panneau.hub.engine
#: but its ``__init__``, which stays Python).
PARSE_MODULES = ("record", "verbs", "queue_log")
#: Compiled from the source :mod:`panneau.hub.compiled_events` writes from hub/events.py.
EVENTS = "panneau.hub.events"
#: mypyc's name for the shared library holding the compiled code of every module.
GROUP = "panneau_compiled"
_MYPY_FLAGS = ("--explicit-package-bases", "--ignore-missing-imports", "--follow-imports=silent")
#: C compiler flags added to ``$CFLAGS`` on Linux (ELF): the library's own functions hidden, so
#: that the calls between them (mypyc's runtime helpers included) are direct and open to
#: inlining rather than through the PLT, and the calls into libpython through the GOT
#: (``-fno-plt``). Only the module init functions are exported, as Python needs. cachegrind,
#: a compiled replay of 100,000 queue_log lines: 3,555 -> 3,467 M instructions (-3 % of
#: the replay's own, start-up left out), the parse alone 1,831 -> 1,806 M.
_ELF_CFLAGS = ("-fvisibility=hidden", "-fno-plt")


class BuildError(RuntimeError):
    """The compiled build could not be made; the message says why and what to do."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def sources() -> dict[str, Path]:
    """Module name -> source file, for every module the build compiles."""
    hub, plugins = _package_dir("panneau.hub"), _package_dir("panneau.plugins")
    found = {f"panneau.hub.engine.{p.stem}": p for p in sorted((hub / "engine").glob("*.py"))
             if p.stem != "__init__"}
    found[EVENTS] = hub / "events.py"
    for stem in PARSE_MODULES:
        found[f"panneau.plugins.asterisk.{stem}"] = plugins / "asterisk" / f"{stem}.py"
    return found


def _check_tools() -> str:
    """The mypy version, once a C compiler, Python's headers and mypyc are known to be there."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    if not shutil.which(shlex.split(cc)[0]):
        raise BuildError(f"no C compiler ({shlex.split(cc)[0]!r} not found): install one "
                         "(Debian: apt install gcc python3-dev)")
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        raise BuildError(f"Python's C headers are missing ({headers}): install them (Debian: "
                         "apt install python3-dev)")
    try:
        from mypy.version import __version__ as mypy_version
    except ImportError:
        raise BuildError("mypyc is not installed: pip install 'panneau[fast]'") from None
    return mypy_version


_SETUP = """\
from setuptools import setup
from mypyc.build import mypycify
setup(name="panneau-compiled", ext_modules=mypycify({args!r}, group_name={group!r}))
"""


def _native_events(path: Path) -> str:
    """The events module's source with native classes (:mod:`panneau.hub.compiled_events`),
    written by a pure-Python child process (it reads the pure classes)."""
    done = subprocess.run([sys.executable, "-m", "panneau.hub.compiled_events", str(path)],
                          env={**os.environ, ENV: "pure"}, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise BuildError(f"the native events module could not be written:\n{done.stderr[-2000:]}")
    return done.stdout


def _stage(work: Path, files: dict[str, Path]) -> list[str]:
    """The paths of ``files`` under ``work/src/panneau``, as mypyc must see them: the part
    folders through symbolic links, but for the events module's native source."""
    stage = work / "src" / "panneau"
    stage.mkdir(parents=True)
    hub = _package_dir("panneau.hub")
    (stage / "hub").mkdir()
    for entry in hub.iterdir():
        if entry.name != "events.py":
            (stage / "hub" / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (stage / "hub" / "events.py").write_text(_native_events(files.get(EVENTS, hub / "events.py")))
    (stage / "plugins").symlink_to(_package_dir("panneau.plugins"), target_is_directory=True)
    return [str(Path("src", *name.split(".")).with_suffix(".py")) for name in files]


def type_errors() -> list[str]:
    """mypy's errors on the modules the build compiles (mypyc refuses to build with any)."""
    from mypy import api

    with tempfile.TemporaryDirectory(prefix="panneau-typecheck-") as tmp:
        staged = _stage(Path(tmp), sources())
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            os.environ["MYPYPATH"], old = str(Path(tmp, "src")), os.environ.get("MYPYPATH")
            out, _, _ = api.run([*_MYPY_FLAGS, "--cache-dir", os.devnull, *staged])
        finally:
            os.chdir(cwd)
            if old is None:
                os.environ.pop("MYPYPATH", None)
            else:
                os.environ["MYPYPATH"] = old
    return [line for line in out.splitlines() if ": error:" in line]


def _compile(work: Path, files: dict[str, Path], say: Callable[[str], None]) -> Path:
    """Compile ``files`` in ``work``; the folder the extensions were written to."""
    staged = _stage(work, files)
    (work / "setup.py").write_text(_SETUP.format(args=[*_MYPY_FLAGS, *staged], group=GROUP))
    out, log = work / "out", work / "build.log"
    env = {**os.environ, "MYPYPATH": str(work / "src"), ENV: "pure"}
    if sys.platform.startswith("linux"):
        env["CFLAGS"] = " ".join([os.environ.get("CFLAGS", ""), *_ELF_CFLAGS]).strip()
    command = [sys.executable, "setup.py", "build_ext", "--build-lib", str(out),
               "--build-temp", str(work / "objects"), "-j", str(os.cpu_count() or 1)]
    say(f"compiling {len(files)} modules with mypyc (a minute or two)...")
    with log.open("w") as sink:
        done = subprocess.run(command, cwd=work, env=env, stdout=sink, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        lines = log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if ": error:" in line] or lines[-15:]
        raise BuildError("mypyc failed:\n  " + "\n  ".join(errors[:15]))
    return out


def _check_imports(build_dir: Path) -> None:
    """Import the engine from ``build_dir`` in a fresh process; a ``BuildError`` if it fails."""
    probe = ("from panneau.hub import compiled; import panneau.hub.engine, "
             "panneau.plugins.asterisk.queue_log; assert compiled.running() == 'compiled'")
    env = {**os.environ, ENV: "compiled", DIR_ENV: str(build_dir)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise BuildError(f"the compiled build does not import:\n{done.stderr[-2000:]}")


def build(build_dir: Path | None = None, say: Callable[[str], None] = print) -> dict:
    """Compile and put the build in ``build_dir``; its manifest. ``BuildError`` says why not."""
    build_dir = build_dir or build_dir_default()
    mypy_version = _check_tools()
    files = sources()
    before = {name: source_hash(path) for name, path in files.items()}
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="panneau-compiled-") as tmp:
        out = _compile(Path(tmp), files, say)
        if {name: source_hash(path) for name, path in files.items()} != before:
            raise BuildError("a source file changed during the build: run it again")
        modules = {name: {"file": str(Path(*name.split(".")).with_suffix("")) + suffix,
                          "source": str(path), "sha256": before[name]}
                   for name, path in files.items()}
        modules[f"{GROUP}__mypyc"] = {"file": f"{GROUP}__mypyc{suffix}"}
        manifest = {"mypy": mypy_version, "ext_suffix": suffix, "python": sys.version,
                    "modules": modules}
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
        for entry in modules.values():
            if not (out / entry["file"]).is_file():
                raise BuildError(f"mypyc wrote no {entry['file']}")
        new = build_dir.with_name(f"{build_dir.name}.new-{os.getpid()}")
        shutil.move(out, new)
    try:
        old = build_dir.with_name(f"{build_dir.name}.old-{os.getpid()}")
        if build_dir.exists():
            build_dir.rename(old)
        new.rename(build_dir)
        try:
            _check_imports(build_dir)
        except BuildError:
            shutil.rmtree(build_dir)
            if old.exists():
                old.rename(build_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    return manifest


def remove(build_dir: Path | None = None) -> bool:
    """Delete the compiled build (new processes then run the pure engine); whether there was one."""
    build_dir = build_dir or build_dir_default()
    if not build_dir.exists():
        return False
    shutil.rmtree(build_dir)
    return True
