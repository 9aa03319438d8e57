"""docs/sources/*.md cannot rot: every option is documented and every config example validates."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from panneau.hub.config.load import parse_config
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.hub.toolkit.mapping import RowMapping
from panneau.plugins.freshdesk.options import FreshdeskOptions
from panneau.plugins.generic.options import GenericOptions
from panneau.plugins.surveys.options import DelightedOptions, TypeformForm, TypeformOptions
from panneau.plugins.zendesk.options import ZendeskOptions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sources"
OPTIONS = [("zendesk.md", ZendeskOptions), ("freshdesk.md", FreshdeskOptions),
           ("surveys.md", TypeformOptions), ("surveys.md", TypeformForm),
           ("surveys.md", DelightedOptions), ("generic.md", GenericOptions),
           ("generic.md", RowMapping)]


@pytest.mark.parametrize(("doc", "cls"), OPTIONS, ids=lambda v: getattr(v, "__name__", v))
def test_every_option_is_documented(doc, cls):
    text = (DOCS / doc).read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in text]
    assert missing == [], f"{doc} does not document {missing}"


@pytest.mark.parametrize("doc", ["zendesk.md", "freshdesk.md", "surveys.md", "generic.md"])
def test_config_examples_validate(doc):
    registry = collect_sources(make_plugin_manager(load_entry_points=False))
    blocks = re.findall(r"```toml\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), re.S)
    examples = [b for b in blocks if "[[sources]]" in b]
    assert examples, f"{doc} has no [[sources]] example"
    for block in examples:
        parse_config(block, doc, registry)
