"""Find the line of a key in TOML text, since ``tomllib`` does not report it.

A light scanner: it follows ``[table]`` and ``[[array]]`` headers and ``key = value`` lines
(including dotted keys). Keys inside inline tables and multi-line values resolve to the line
of their enclosing key.
"""

from __future__ import annotations

import re

__all__ = ["key_lines", "line_of"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_NAME = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*=")
Path = tuple[str | int, ...]


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[Path, int]:
    """Map each key path (array-of-tables items indexed) to its 1-based line."""
    lines: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    prefix: Path = ()
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            names = _split_dotted(header.group(2))
            base = _resolve(names, counts, prefix_only=True)
            if header.group(1) == "[[":
                index = counts.get(base, 0)
                counts[base] = index + 1
                prefix = (*base, index)
            else:
                prefix = base
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(raw)
        if key:
            path: Path = (*prefix, *_split_dotted(key.group(1)))
            lines.setdefault(path, number)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def _resolve(names: list[str], counts: dict[Path, int], *, prefix_only: bool) -> Path:
    """Header names → path, indexing through arrays of tables already seen."""
    path: Path = ()
    for i, name in enumerate(names):
        path = (*path, name)
        last = i == len(names) - 1
        if path in counts and not (prefix_only and last):
            path = (*path, counts[path] - 1)
    return path


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest enclosing key that has one."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return None
