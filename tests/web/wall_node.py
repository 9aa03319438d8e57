"""Running the wall page's ES modules (hub/web/*.js) under Node, for the model tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
WEB = Path(__file__).parents[2] / "hub" / "web"


def run_node(tmp_path: Path, script: str, *args: str, given: object = None) -> dict:
    """Run ``script`` (an ES module that may import ``./wall.js``, ``./charts.js``…) with
    ``args`` and ``given`` as JSON on its stdin; its stdout read as JSON."""
    for module in WEB.glob("*.js"):
        shutil.copy(module, tmp_path / module.name)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "run.js").write_text(script)
    out = subprocess.run([NODE, "run.js", *args], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=60, input=json.dumps(given))
    return json.loads(out.stdout)
