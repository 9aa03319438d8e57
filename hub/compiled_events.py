"""The events module as the compiled build compiles it: ``hub/events.py`` with native classes.

mypyc makes a class native (fields at fixed places in the object, read and set without a
lookup; built by a direct call) only when nothing it cannot see through decorates it. The
event classes of ``hub/events.py`` are made at run time by ``_event`` (a slotted keyword-only
dataclass whose checked ``__init__`` is generated from the type hints), so compiled as they
are they stay interpreted classes: reading their fields was ~7-10 % of the compiled engine,
building them a large part of the queue_log parse.

:func:`native_source` writes the source the build compiles instead (``panneau compiled
build`` runs it in a pure-Python child process, :mod:`panneau.hub.compiled_build`): the same
file, with each ``@_event`` class replaced by a native class
(``mypyc_attr(allow_interpreted_subclasses=True)``: plugins subclass events) holding the same
fields and methods, whose ``__init__`` is the one ``_event`` generates — the same keyword-only
parameters and defaults, the same checks in the same order, lines written by the same
``_check`` — then made a dataclass like the pure one (``fields``, ``replace``, equality, hash,
repr); and a native positional builder per class that :func:`~panneau.hub.events.unchecked_builder`
hands out. The manifest keeps the hash of ``hub/events.py`` itself: a changed events module
means the pure engine runs, as for any other compiled source.

One difference (docs/install.md): a native ``float`` field is a C double, so an ``int`` given
for it (``ts=5``) reads back as ``5.0`` — equal, and the engine's figures are floats either
way — and a ``_validate`` message shows it so (``score 11.0``). Declared ``float | int``
instead, to keep the ``int``, the fields are boxed and the engine gains a third as much
(``Engine.apply`` +5 % against +15-20 %, measured).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import typing
from pathlib import Path
from typing import Literal

__all__ = ["native_source"]

_HEAD = '''
from mypy_extensions import mypyc_attr

_fmax: Final = 1.7976931348623157e+308  # Final: a C double, not a lookup in the module's dict


def _native_dataclass(cls: type, annotations: dict[str, str],
                      defaults: dict[str, object]) -> None:
    """Make the native ``cls`` a dataclass as ``_event`` makes the pure one (without its
    ``__init__`` and slots: it has both): its fields' descriptors are put aside while
    ``dataclass`` reads the class, as mypyc does for its own dataclasses."""
    names = [name for name, hint in annotations.items() if not hint.startswith("ClassVar")]
    saved = {name: cls.__dict__[name] for name in names}
    for name in names:
        delattr(cls, name)
    for name, value in defaults.items():
        setattr(cls, name, value)
    setattr(cls, "__annotations__", annotations)
    dataclass(init=False, eq=True, unsafe_hash=True, kw_only=True)(cls)
    for name, value in saved.items():
        setattr(cls, name, value)

'''


_NUMBER = re.compile(r"\(type\((\w+)\) is float or type\(\1\) is int\) and ([^()]+?)(?=\)+:$| or )")


def _text(lines: list[str], node: ast.AST) -> str:
    return "".join(lines[node.lineno - 1:node.end_lineno])  # type: ignore[attr-defined]


def _native_class(node: ast.ClassDef, lines: list[str], cls: type, check: typing.Callable
                  ) -> str:
    """The native class for the pure ``cls`` (its definition ``node``)."""
    name, kind = cls.__name__, cls.kind  # type: ignore[attr-defined]
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    env: dict[str, typing.Any] = {}
    body = [f"    {line}" for f in fields for line in check(f.name, hints[f.name], env)]
    constants = [f"_{name}{key} = frozenset({sorted(value)!r})\n" for key, value in env.items()]
    for key in ["_KIND", *env]:
        new = repr(kind) if key == "_KIND" else f"_{name}{key}"
        body = [line.replace(key, new) for line in body]
    # ``type(v)`` is one pointer read in C, ``v.__class__`` a lookup by name
    body = [re.sub(r"\b(\w+)\.__class__", r"type(\1)", line) for line in body]
    # a float's range tested on its C double (mypyc knows it is a float once ``type(v) is
    # float``), an int's as before: the same outcome, without two generic comparisons
    body = [_NUMBER.sub(r"((type(\1) is float and \2) or (\g<0>))", line) for line in body]
    params = [f"{f.name}: Any" if f.default is dataclasses.MISSING else
              f"{f.name}: Any = {f.default!r}" for f in fields]
    # mypy narrows an Any checked against ``str`` to ``str``, not to the field's Literal
    body += [f"        self.{f.name} = {f.name}  # type: ignore[assignment]" for f in fields]
    owner = next((c for c in cls.__mro__ if "_validate" in vars(c)), None)
    if owner is not None:
        body.append(f"        {owner.__name__}._validate(self)")
    own, defaults, methods, annotations = [], {}, [], {"kind": "ClassVar[str]"}
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            field, hint = item.target.id, ast.unparse(item.annotation)
            if field == "kind":
                continue
            own.append(f"    {field}: {hint}\n")
            annotations[field] = hint
            if item.value is not None:
                defaults[field] = ast.literal_eval(item.value)
        elif isinstance(item, ast.FunctionDef):
            methods.append("\n" + _text(lines, item))
    bases = ", ".join(ast.unparse(base) for base in node.bases)
    doc = ast.get_docstring(node, clean=False) or ""
    return "".join([
        *constants,
        "\n\n@mypyc_attr(allow_interpreted_subclasses=True)\n",
        f"class {name}({bases}):\n" if bases else f"class {name}:\n",
        f"    {doc!r}\n\n",
        f"    kind: ClassVar[str] = {kind!r}\n",
        "" if bases else "    __dataclass_fields__: ClassVar[dict[str, Any]]  # for mypy\n",
        *own,
        f"\n    def __init__(self, *, {', '.join(params)}) -> None:\n",
        "\n".join(body), "\n",
        *methods,
        f"\n\n_native_dataclass({name}, {annotations!r}, {defaults!r})\n",
    ])


def _param(hint: typing.Any) -> str:
    """A builder parameter's type for a field's ``hint``: the field's own (a float arrives as
    a C double), a ``Literal`` as ``str``, anything else ``Any``."""
    args = typing.get_args(hint)
    optional = type(None) in args
    if optional:
        (hint,) = [a for a in args if a is not type(None)]
    if typing.get_origin(hint) is Literal:
        hint = str
    if hint not in (float, int, str, bool):
        return "Any"
    return f"{hint.__name__} | None" if optional else hint.__name__


def _builder(cls: type) -> str:
    """A native positional builder of ``cls`` (every field, in declaration order), named
    ``unchecked_<Class>`` as the pure module's ``__getattr__`` hands it out; typed, so that a
    compiled parser calls it directly."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    args = ", ".join(f"{n}: {_param(hints[n])}" for n in names)
    keywords = ", ".join(f"{n}={n}" for n in names)
    return (f"\n\ndef unchecked_{cls.__name__}({args}) -> {cls.__name__}:\n"
            f"    return {cls.__name__}({keywords})\n")


def native_source(path: Path) -> str:
    """The source the build compiles for ``panneau.hub.events``, from ``path`` (that module's
    file; the module itself must be the pure one, imported from it)."""
    from panneau.hub import events

    source = path.read_text()
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    out, done, classes = [], 0, []
    for node in tree.body:
        # ``_event`` is not used any more; the module's ``__getattr__`` (``unchecked_<Class>``)
        # is replaced by the native builders of that name (and a compiled module's own
        # ``__getattr__`` can crash its import: mypyc issue 1198)
        if isinstance(node, ast.FunctionDef) and node.name in ("_event", "__getattr__"):
            out.append("".join(lines[done:node.lineno - 1]))
            done = node.end_lineno or done
            continue
        if not isinstance(node, ast.ClassDef) or not any(
                isinstance(d, ast.Name) and d.id == "_event" for d in node.decorator_list):
            continue
        start = min(d.lineno for d in node.decorator_list) - 1
        if not classes:  # the helpers go before the first class
            out.append("".join(lines[done:start]) + _HEAD)
        else:
            out.append("".join(lines[done:start]))
        cls = getattr(events, node.name)
        classes.append(cls)
        out.append(_native_class(node, lines, cls, events._check))
        done = node.end_lineno or done
    out.append("".join(lines[done:]))
    out += [_builder(cls) for cls in classes]
    out.append("\n\n_UNCHECKED.update({\n"
               + "".join(f"    {c.__name__}: unchecked_{c.__name__},\n" for c in classes) + "})\n")
    return "".join(out)


if __name__ == "__main__":  # python -m panneau.hub.compiled_events EVENTS.py > OUT.py
    sys.stdout.write(native_source(Path(sys.argv[1])))
