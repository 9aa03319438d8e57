"""Which engine runs: the pure-Python one, or the optional build of it compiled with mypyc.

The pure-Python engine (``panneau.hub.engine.*``), the events (``panneau.hub.events``) and the
Asterisk ``queue_log`` parse path (``panneau.plugins.asterisk.{record,verbs,queue_log}``) are
the reference. ``panneau compiled build`` (:mod:`panneau.hub.compiled_build`, needs ``pip
install 'panneau[fast]'`` and a C compiler) compiles those same source files with mypyc (the
events module through the native classes :mod:`panneau.hub.compiled_events` writes from it)
into a build folder, with a manifest
naming each compiled module, its extension file and the SHA-256 of the source it came from
(:func:`build_dir_default`).

On ``import panneau.hub`` (before any engine module is imported) :func:`install` reads that
manifest and, when every listed source is unchanged and the build is for this Python, puts a
finder first on ``sys.meta_path`` that loads those modules from the build; any other module,
and every module when there is no usable build, loads from source as usual. The figures are
the same either way (``tests/test_compiled_engine.py`` compares them).

``PANNEAU_ENGINE`` chooses: ``pure`` never uses the build, ``compiled`` requires it (importing
the engine then raises an ``ImportError`` saying why it cannot be used), unset or ``auto``
uses it when it is there and up to date. :func:`describe` says which one runs, and why.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path

__all__ = ["DIR_ENV", "ENV", "MANIFEST", "Choice", "build_dir_default", "choice", "describe",
           "install", "running", "source_hash"]

MANIFEST = "build.json"
#: The environment variable that chooses the engine: ``pure``, ``compiled`` or ``auto``.
ENV = "PANNEAU_ENGINE"
#: The environment variable naming another folder for the build (tests, read-only installs).
DIR_ENV = "PANNEAU_COMPILED_DIR"
#: A module whose origin tells which engine actually runs.
_PROBE = "panneau.hub.engine.engine"


@dataclass(frozen=True)
class Choice:
    """The engine chosen at import: ``kind`` is ``"compiled"`` or ``"pure"``; ``why`` a phrase;
    ``error`` what importing the engine raises (``PANNEAU_ENGINE=compiled`` without a build)."""

    kind: str
    why: str
    files: dict[str, Path]
    error: str = ""


def source_hash(path: Path) -> str:
    """The SHA-256 of a source file, as the manifest keeps it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_dir_default() -> Path:
    """Where the build is: ``$PANNEAU_COMPILED_DIR``, else ``_compiled`` next to this file (the
    code it is compiled from)."""
    return Path(os.environ.get(DIR_ENV) or Path(__file__).resolve().parent / "_compiled")


def _read_build(build_dir: Path) -> tuple[dict[str, Path], str, str]:
    """``(module -> extension file, mypy version, "")`` for a usable build, or ``({}, "", why
    not)``."""
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text())
    except FileNotFoundError:
        return {}, "", "no compiled build: panneau compiled build makes one"
    except (OSError, ValueError) as exc:
        return {}, "", f"compiled build unreadable ({exc})"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if manifest.get("ext_suffix") != suffix:
        return {}, "", (f"compiled build is for another Python ({manifest.get('ext_suffix')}, "
                        f"this one needs {suffix}): run panneau compiled build again")
    files: dict[str, Path] = {}
    for name, entry in manifest["modules"].items():
        file = build_dir / entry["file"]
        if not file.is_file():
            return {}, "", f"compiled build incomplete ({entry['file']} missing)"
        source = entry.get("source")
        if source is not None:
            try:
                same = source_hash(Path(source)) == entry["sha256"]
            except OSError:
                same = False
            if not same:
                return {}, "", (f"compiled build out of date ({source} changed since it was "
                                "built): run panneau compiled build again")
        files[name] = file
    return files, manifest.get("mypy", ""), ""


def choice(build_dir: Path | None = None, env: str | None = None) -> Choice:
    """What ``PANNEAU_ENGINE`` (or ``env``) and the build in ``build_dir`` select."""
    build_dir = build_dir or build_dir_default()
    want = (os.environ.get(ENV, "") if env is None else env).strip().lower() or "auto"
    if want not in ("auto", "pure", "compiled"):
        raise ImportError(f"{ENV}={want!r}: use pure, compiled or auto")
    if want == "pure":
        return Choice("pure", f"{ENV}=pure", {})
    files, mypy, why_not = _read_build(build_dir)
    if why_not:
        error = f"{ENV}=compiled but {why_not}" if want == "compiled" else ""
        return Choice("pure", why_not, {}, error)
    return Choice("compiled", f"mypyc {mypy} build in {build_dir}", files)


class _Finder:
    """Loads the modules of a compiled build from their extension files (or refuses the
    engine with ``error``)."""

    def __init__(self, files: dict[str, Path], error: str = "") -> None:
        self.files, self.error = files, error

    def find_spec(self, name: str, path: object = None, target: object = None
                  ) -> ModuleSpec | None:
        if self.error and name == _PROBE:
            raise ImportError(self.error)
        file = self.files.get(name)
        return None if file is None else importlib.util.spec_from_file_location(name, file)


_chosen: Choice | None = None


def install() -> Choice:
    """Choose the engine once per process and install the finder that loads it."""
    global _chosen
    if _chosen is None:
        try:
            chosen = choice()
        except ImportError as exc:  # a wrong PANNEAU_ENGINE: said when the engine is imported
            chosen = Choice("pure", str(exc), {}, str(exc))
        loaded = [name for name in chosen.files if name in sys.modules]
        if loaded:  # imported from source already: half of each would be neither engine
            chosen = Choice("pure", f"{loaded[0]} was imported before panneau.hub", {})
        if chosen.files or chosen.error:
            sys.meta_path.insert(0, _Finder(chosen.files, chosen.error))
        _chosen = chosen
    return _chosen


def running() -> str:
    """``"compiled"`` or ``"pure"``: where the engine module in use was actually loaded from."""
    module = sys.modules.get(_PROBE)
    if module is None:
        module = importlib.import_module(_PROBE)
    origin = getattr(module, "__file__", "") or ""
    return "pure" if origin.endswith(".py") else "compiled"


def describe() -> str:
    """One phrase for logs, ``--version`` and benchmarks: the engine that runs, and why."""
    chosen = install()
    if running() == "compiled":
        return f"compiled ({chosen.why})"
    return f"pure Python ({chosen.why})"
