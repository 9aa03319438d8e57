"""Turn plain TOML data into typed dataclasses, collecting every error with its key path.

Supported field types: ``str``, ``int``, ``float`` (ints accepted), ``bool``, ``Literal[...]``,
``X | None``, ``list[T]``, ``dict[str, T]``, nested dataclasses and ``Any``. A field without a
default is required; a key the dataclass does not declare is refused. A dataclass checks rules
between its fields in ``__post_init__``, raising :class:`OptionProblems` (each problem at the
key it is about).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar

__all__ = ["ConfigIssue", "OptionProblems", "build", "format_path", "negative", "not_positive",
           "under_minimum"]

T = TypeVar("T")
Path = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a config: where (key path) and what."""

    path: Path
    message: str


class OptionProblems(ValueError):
    """Raised by a config dataclass's ``__post_init__``: ``problems`` maps each key at fault to
    what is wrong with it; ``config check`` names each with its line."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems.items()))
        self.problems = problems


def under_minimum(options: Any, minimum: int, *names: str) -> dict[str, str]:
    """The fields of ``options`` among ``names`` below ``minimum``, with what to give."""
    values = {name: getattr(options, name) for name in names}
    return {name: f"must be at least {minimum}, got {value}" for name, value in values.items()
            if isinstance(value, int | float) and value < minimum}


def not_positive(options: Any, *names: str) -> dict[str, str]:
    """The fields of ``options`` among ``names`` at 0 or below (a pause, a timeout)."""
    values = {name: getattr(options, name) for name in names}
    return {name: f"must be greater than 0, got {value:g}" for name, value in values.items()
            if isinstance(value, int | float) and value <= 0}


def negative(options: Any, *names: str) -> dict[str, str]:
    """The fields of ``options`` among ``names`` below 0."""
    values = {name: getattr(options, name) for name in names}
    return {name: f"must be 0 or more, got {value:g}" for name, value in values.items()
            if isinstance(value, int | float) and value < 0}


def format_path(path: Path) -> str:
    """``("sources", 1, "plugin")`` → ``sources[1].plugin``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is list:
        return f"a list of {_items_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _items_name(tp: Any) -> str:
    """What a list holds, in the plural: ``strings``, ``tables``, ``'mon' or 'tue' values``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_items_name(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is dict or dataclasses.is_dataclass(tp):
        return "tables"
    plural = {str: "strings", int: "integers", float: "numbers", bool: "true or false values"}
    return plural.get(tp) or f"{_type_name(tp)} values"


def _describe(value: Any) -> str:
    kind = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
    return f"{kind} ({value!r})" if not isinstance(value, list | dict) else kind


def build(cls: type[T], data: Any, path: Path, issues: list[ConfigIssue],
          owner: str | None = None) -> T | None:
    """Build ``cls`` from ``data``; problems go to ``issues``. What a dataclass's own checks
    (``__post_init__``) raise is a problem too, said as refused by ``owner`` when given
    (``"plugin 'x'"``); an :class:`OptionProblems` is placed at each key it names.

    The result may be partial when there were problems (bad fields hold ``None``): callers
    use it only to look for more problems, never to run.
    """
    return _convert(cls, data, path, issues, owner)


def _convert(tp: Any, value: Any, path: Path, issues: list[ConfigIssue],
             owner: str | None) -> Any:
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _convert(args[0], value, path, issues, owner)
        for arg in args:
            trial: list[ConfigIssue] = []
            out = _convert(arg, value, path, trial, owner)
            if not trial:
                return out
        issues.append(ConfigIssue(path, f"expected {_type_name(tp)}, got {_describe(value)}"))
        return None
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            issues.append(ConfigIssue(path, f"expected one of {choices}, got {value!r}"))
        return value
    if origin is list:
        if not isinstance(value, list):
            issues.append(ConfigIssue(path, f"expected {_type_name(tp)}, got {_describe(value)}"))
            return []
        (item_tp,) = typing.get_args(tp)
        return [_convert(item_tp, item, (*path, i), issues, owner)
                for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            issues.append(ConfigIssue(path, f"expected a table, got {_describe(value)}"))
            return {}
        _, item_tp = typing.get_args(tp)
        return {k: _convert(item_tp, v, (*path, k), issues, owner) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, value, path, issues, owner)
    return _convert_scalar(tp, value, path, issues)


_SCALARS: dict[type, Callable[[Any], bool]] = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
}


def _convert_scalar(tp: Any, value: Any, path: Path, issues: list[ConfigIssue]) -> Any:
    check = _SCALARS.get(tp)
    if check is None:
        raise TypeError(f"unsupported config field type {tp!r} at {format_path(path)}")
    if not check(value):
        issues.append(ConfigIssue(path, f"expected {_type_name(tp)}, got {_describe(value)}"))
        return None
    if tp is float:  # TOML writes nan and inf: no setting means them (a target of nan)
        try:
            number = float(value)
        except OverflowError:  # an integer no float holds
            number = math.inf
        if not math.isfinite(number):
            issues.append(ConfigIssue(path, f"expected a finite number, got {value!r}"))
            return None
        return number
    return value


def _build_dataclass(cls: Any, value: Any, path: Path, issues: list[ConfigIssue],
                     owner: str | None) -> Any:
    if not isinstance(value, dict):
        issues.append(ConfigIssue(path, f"expected a table, got {_describe(value)}"))
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in value:
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            issues.append(ConfigIssue((*path, key), f"unknown key (known keys: {known})"))
    kwargs, before = {}, len(issues)
    for name, f in fields.items():
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], (*path, name), issues, owner)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            issues.append(ConfigIssue((*path, name), "missing value (this key is required)"))
    try:
        return cls(**kwargs)
    except OptionProblems as exc:
        # a dotted key ("fields.score") is a path: named at the line of its deepest part
        issues.extend(ConfigIssue((*path, *key.split(".")), message)
                      for key, message in exc.problems.items())
    except Exception as exc:  # a dataclass's own checks; after a bad value, its consequence
        if len(issues) == before:
            said = str(exc) if type(exc) is ValueError and str(exc) else \
                f"{type(exc).__name__}: {exc}"
            issues.append(ConfigIssue(path, f"{owner} refused these options: {said}"
                                      if owner else said))
    return None
