"""docs/sources/asterisk.md cannot rot: every option documented, every example valid."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from panneau.hub.config.load import parse_config
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.plugins.asterisk.ami import AmiOptions
from panneau.plugins.asterisk.tailer import QueueLogOptions

DOC = Path(__file__).resolve().parents[2] / "docs" / "sources" / "asterisk.md"


@pytest.mark.parametrize("cls", [QueueLogOptions, AmiOptions], ids=lambda c: c.__name__)
def test_every_option_is_documented(cls):
    text = DOC.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in text]
    assert missing == []


def test_config_examples_validate():
    registry = collect_sources(make_plugin_manager(load_entry_points=False))
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    plugins = [parse_config(block, "asterisk.md", registry).sources[0].plugin for block in blocks]
    assert plugins == ["asterisk_queue_log", "asterisk_ami"]
