"""Modules a screen's process imports and never runs: left unrun until first use, or not run.

Only the screen commands opt in (:func:`panneau.hub.cli.common.hub_client`, before it imports
the hub client; ``panneau kiosk`` before it imports its app): a wall panel's memory is the one
place the saving counts, and a hub, a test run or a program using :mod:`panneau.hub.client`
as a library keeps the standard import machinery untouched.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from typing import Any

__all__ = ["defer_websockets_extras", "skip_plotext_docs"]

_FIRST_USE = threading.RLock()
_RUNNING: set[str] = set()


class _OnFirstUse(types.ModuleType):
    """A module whose code runs when one of its own names is first read: an ``import``
    statement alone (which reads only ``__spec__`` and the like) leaves it unrun. Run once,
    whichever thread reads first; the others wait for the end of the run."""

    def __getattr__(self, name: str) -> Any:  # called for names the module does not hold yet
        with _FIRST_USE:
            if type(self) is _OnFirstUse and self.__name__ not in _RUNNING:
                _RUNNING.add(self.__name__)
                try:
                    self.__spec__.loader.exec_module(self)
                finally:
                    _RUNNING.discard(self.__name__)
                self.__class__ = types.ModuleType
        if type(self) is _OnFirstUse:  # read by its own code as it runs: not defined yet
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(self, name)


def _import_lazily(name: str) -> None:
    """Import module ``name`` so that its code runs on first use only; nothing changes for a
    module already imported. (The standard library's ``LazyLoader`` runs the module as soon as
    an ``import`` statement names it again, as websockets' do.)"""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _OnFirstUse
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


def defer_websockets_extras() -> None:
    """websockets 17 imports ``importlib.metadata`` (read only by a development build, for its
    version) and ``urllib.request`` (read only for the system's proxy settings) whatever it
    does: with what they import (email, http.client, zipfile, csv…), about 1.2 MiB of a wall
    panel's memory for nothing (a hub's address needs no proxy settings:
    the hub client reads them only where there may be some). Call before websockets is imported."""
    _import_lazily("importlib.metadata")
    _import_lazily("urllib.request")


def _no_doc(*_args: Any, **_kwargs: Any) -> None:
    """What plotext's documentation helpers do in a screen's process: nothing."""


def _doc_helper(name: str) -> Any:
    """Any helper plotext imports from ``plotext._doc_utils`` (``add``, ``documentation``…)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return _no_doc


def skip_plotext_docs() -> None:
    """plotext builds the help text of all its functions as it is imported (``plotext._doc``
    through ``plotext._doc_utils``: a documentation object of every parameter, and two
    coloured copies of each function's help kept by the function): about 0.5 MiB of a wall
    panel's memory that only ``help()`` and ``plotext.doc`` read. Its plots are drawn the
    same without it; its functions are left without docstrings. Call before plotext is
    imported (nothing changes once it is)."""
    if "plotext" in sys.modules:
        return
    helpers = types.ModuleType("plotext._doc_utils", "plotext's documentation: not built")
    helpers.__getattr__ = _doc_helper  # type: ignore[method-assign]
    sys.modules["plotext._doc_utils"] = helpers
    sys.modules["plotext._doc"] = types.ModuleType("plotext._doc", "not built")
