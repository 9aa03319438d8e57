"""docs/plugins.md cannot rot: every hook, hook argument, event type (and field) and context
member is documented, and its code snippets are the tested files' own code.

Snippets: a line ``<!-- snippet: PATH#NAME -->`` is followed by a fenced block holding the
lines between ``# docs: begin NAME`` and ``# docs: end NAME`` of PATH. After changing such a
region, refresh the guide with ``python tests/test_plugin_docs.py``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

import pytest

import panneau.hub.testing
import panneau.hub.toolkit
from panneau.hub import hookspecs
from panneau.hub.commands import CommandSpec
from panneau.hub.events import EVENT_TYPES
from panneau.hub.sources import SourceContext, SourceSpec

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
SNIPPET = re.compile(r"<!-- snippet: (?P<path>[^#\s]+)#(?P<name>[\w-]+) -->\n"
                     r"(?:```\w*\n.*?\n```\n)?", re.S)
LANG = {".py": "python", ".toml": "toml"}


def region(path: str, name: str) -> str:
    """The lines of ``path`` between its ``docs: begin/end NAME`` markers."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == f"# docs: begin {name}")
    end = next(i for i, line in enumerate(lines) if line.strip() == f"# docs: end {name}")
    return "\n".join(lines[begin + 1:end])


def with_snippets(text: str) -> str:
    """The guide with every snippet block refreshed from its file."""

    def block(m: re.Match) -> str:
        path, name = m["path"], m["name"]
        lang = LANG.get(Path(path).suffix, "")
        return f"<!-- snippet: {path}#{name} -->\n```{lang}\n{region(path, name)}\n```\n"

    return SNIPPET.sub(block, text)


def section(text: str, heading: str) -> str:
    """The text from ``heading`` to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1:]
    stop = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: stop.start()] if stop else rest


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


HOOKS = [fn for _, fn in inspect.getmembers(hookspecs, inspect.isfunction)
         if hasattr(fn, "panneau_spec")]


def test_every_hook_is_found():
    assert {fn.__name__ for fn in HOOKS} >= {"register_sources", "register_commands"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda fn: fn.__name__)
def test_every_hook_and_argument_is_documented(guide, hook):
    args = list(inspect.signature(hook).parameters)
    heading = f"### {hook.__name__}({', '.join(args)})"
    assert heading + "\n" in guide, f"docs/plugins.md needs a heading {heading!r}"
    body = section(guide, heading)
    for arg in args:
        assert f"- `{arg}`:" in body, f"argument {arg!r} of {hook.__name__} is not described"


@pytest.mark.parametrize("cls", EVENT_TYPES.values(), ids=lambda c: c.__name__)
def test_every_event_type_and_field_is_documented(guide, cls):
    row = next((line for line in guide.splitlines() if line.startswith(f"| `{cls.__name__}` |")),
               None)
    assert row, f"event type {cls.__name__} is missing from the events table"
    assert f"`{cls.kind}`" in row
    for f in dataclasses.fields(cls):
        if f.name not in ("ts", "source", "source_pos"):
            assert f"`{f.name}`" in row, f"field {cls.__name__}.{f.name} is not documented"


CONTEXT = [n for n in dir(SourceContext) if not n.startswith("_")] + list(
    SourceContext.__annotations__)


@pytest.mark.parametrize("member", sorted(set(CONTEXT)))
def test_every_source_context_member_is_documented(guide, member):
    body = section(guide, "## 4. The source and its context")
    assert f"ctx.{member}" in body, f"ctx.{member} is not documented"
    attr = getattr(SourceContext, member, None)
    if callable(attr):
        for arg in list(inspect.signature(attr).parameters)[1:]:
            assert re.search(rf"`(await )?ctx\.{member}\([^`]*\b{arg}\b", body), (
                f"argument {arg!r} of ctx.{member} is not documented")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(SourceSpec)])
def test_every_source_spec_field_is_documented(guide, field):
    assert f"| `{field}` |" in section(guide, "### register_sources(register)")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(CommandSpec)])
def test_every_command_spec_field_is_documented(guide, field):
    assert f"| `{field}` |" in section(guide, "### register_commands(register)")


@pytest.mark.parametrize("name", panneau.hub.testing.__all__)
def test_every_testing_helper_is_documented(guide, name):
    assert f"`{name}(" in section(guide, "## 10. Testing with `panneau.hub.testing`")


@pytest.mark.parametrize("name", panneau.hub.toolkit.__all__)
def test_every_toolkit_part_is_documented(guide, name):
    body = section(guide, "## 12. The source toolkit: `panneau.hub.toolkit`")
    assert f"`{name}`" in body or f"`{name}(" in body, f"toolkit {name} is not documented"


def test_the_built_in_helpdesk_sources_use_the_toolkit():
    for plugin in ("zendesk", "freshdesk", "generic", "surveys"):
        code = "".join(p.read_text(encoding="utf-8")
                       for p in (ROOT / "plugins" / plugin).glob("*.py"))
        assert "from panneau.hub.toolkit." in code, plugin


def test_snippets_are_the_tested_code(guide):
    assert len(SNIPPET.findall(guide)) >= 6
    assert with_snippets(guide) == guide, "snippets are stale: run python tests/test_plugin_docs.py"


def test_snippet_files_exist():
    for path in {m["path"] for m in SNIPPET.finditer(GUIDE.read_text(encoding="utf-8"))}:
        assert (ROOT / path).exists(), path


if __name__ == "__main__":
    GUIDE.write_text(with_snippets(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"refreshed {GUIDE}\n")
