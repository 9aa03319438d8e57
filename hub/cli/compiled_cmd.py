"""``panneau compiled``: build, show or remove the optional compiled engine (docs/install.md).

The pure-Python engine is the reference and the default; ``panneau compiled build`` compiles
the same source with mypyc (:mod:`panneau.hub.compiled_build`) and every process started
afterwards runs it (:mod:`panneau.hub.compiled`), with the same figures.
"""

from __future__ import annotations

import argparse
import sys

from panneau.hub.cli.common import add_command
from panneau.hub.compiled import ENV, build_dir_default, describe

__all__ = ["register", "run"]


def register(subparsers) -> None:
    """Add ``compiled``."""
    parser = add_command(
        subparsers, "compiled",
        "build, show or remove the optional compiled engine (same figures, faster)",
        "panneau compiled build   # after pip install 'panneau[fast]'", run,
        description="The optional compiled engine: the pure-Python engine and queue_log parser "
                    "compiled with mypyc (needs pip install 'panneau[fast]' and a C compiler). "
                    f"Processes started after a build run it; {ENV}=pure runs the pure engine "
                    "anyway. Without an action: which engine runs, and why.",
    )
    parser.add_argument("action", nargs="?", choices=("status", "build", "remove"),
                        default="status", help="status (default), build or remove")


def run(args: argparse.Namespace) -> int:
    """Build, remove or tell; exit status 1 when a build fails (the pure engine stays)."""
    if args.action == "build":
        from panneau.hub.compiled_build import BuildError, build

        try:
            manifest = build()
        except BuildError as exc:
            print(f"compiled engine not built: {exc}\nthe pure-Python engine keeps running",
                  file=sys.stderr)
            return 1
        print(f"compiled {len(manifest['modules']) - 1} modules with mypyc "
              f"{manifest['mypy']} into {build_dir_default()}; processes started from now "
              "on run it (panneau compiled status)")
    elif args.action == "remove":
        from panneau.hub.compiled_build import remove

        gone = remove()
        print("compiled engine removed" if gone else "no compiled engine to remove")
        print("processes started from now on run the pure-Python engine")
    else:
        print(f"engine: {describe()}")
    return 0
