"""``panneau plugin new``: a source plugin package from the template in ``hub/templates``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from panneau.hub.cli.common import add_command, fail

__all__ = ["TEMPLATE", "names", "render_plugin"]

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "plugin"
_NAME = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")


def names(name: str) -> dict[str, str]:
    """The template's placeholders for a plugin name such as ``my-acd``."""
    if not _NAME.match(name):
        raise ValueError(f"plugin name {name!r}: use lowercase letters, digits, - or _ "
                         "(e.g. my-acd)")
    base = re.sub(r"^panneau[-_]", "", name)
    words = re.split(r"[-_]", base)
    return {
        "dist": f"panneau-{'-'.join(words)}",
        "module": f"panneau_{'_'.join(words)}",
        "source": "_".join(words),
        "Class": "".join(w.title() for w in words),
    }


def render_plugin(name: str, parent: Path) -> Path:
    """Write the package for ``name`` under ``parent``; returns its folder."""
    values = names(name)
    if parent.exists() and not parent.is_dir():
        raise ValueError(f"--dir {parent} is a file, not a folder")
    target = parent / values["dist"]
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    for template in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = str(template.relative_to(TEMPLATE))[: -len(".tmpl")]
        text = template.read_text(encoding="utf-8")
        for key, value in values.items():
            relative = relative.replace(f"__{key}__", value)
            text = text.replace(f"{{{{{key}}}}}", value)
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return target


def run(args: argparse.Namespace) -> int:
    """Create the package and say what to do next."""
    try:
        names(args.name)
    except ValueError as exc:  # a wrong argument: exit 2, as argparse's
        return fail("plugin new", str(exc))
    try:
        target = render_plugin(args.name, Path(args.dir))
    except (ValueError, FileExistsError) as exc:
        return fail("plugin new", exc, 1)
    except OSError as exc:  # e.g. a folder it may not write in
        return fail("plugin new", f"cannot write {exc.filename or args.dir}: "
                                  f"{exc.strerror or exc}", 1)
    sys.stdout.write(
        f"created {target}\nnext:\n  cd {target}\n  pip install -c {_lock()} -e '.[test]'\n"
        "  pytest\n  panneau plugins\n"
    )
    return 0


def _lock() -> str:
    """Panneau's ``requirements.lock`` when run from a checkout (the plugin's test tools are
    then installed at the versions Panneau pins), else where to find it."""
    lock = Path(__file__).resolve().parents[2] / "requirements.lock"
    return str(lock) if lock.is_file() else "PANNEAU/requirements.lock"


def register(subparsers) -> None:
    """Add ``plugin`` with its ``new`` action."""
    parser = add_command(
        subparsers, "plugin", "create a new source plugin package from the template",
        "panneau plugin new my-acd",
        run,
    )
    parser.add_argument("action", choices=["new"])
    parser.add_argument("name", help="the plugin's name, e.g. my-acd")
    parser.add_argument("--dir", default=".", help="where to create it (default: here)")
