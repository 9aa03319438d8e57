"""``panneau plugin new``: the generated package installs and its own test passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from panneau.hub.cli.main import main
from panneau.hub.cli.plugin_new_cmd import names


def test_names_from_a_plugin_name():
    assert names("my-acd") == {"dist": "panneau-my-acd", "module": "panneau_my_acd",
                               "source": "my_acd", "Class": "MyAcd"}
    assert names("panneau-pbx")["module"] == "panneau_pbx"
    with pytest.raises(ValueError, match="lowercase"):
        names("My ACD")


def test_refuses_a_bad_name_and_an_existing_folder(tmp_path, capsys):
    assert main(["plugin", "new", "Bad Name", "--dir", str(tmp_path)]) == 2  # a wrong argument
    assert capsys.readouterr().err == ("panneau plugin new: plugin name 'Bad Name': use lowercase "
                                       "letters, digits, - or _ (e.g. my-acd)\n")
    (tmp_path / "panneau-x").mkdir()
    assert main(["plugin", "new", "x", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_generated_plugin_installs_and_its_test_passes(tmp_path, capsys):
    assert main(["plugin", "new", "my-acd", "--dir", str(tmp_path)]) == 0
    package = tmp_path / "panneau-my-acd"
    out = capsys.readouterr().out
    assert "created" in out
    # with Panneau's pins, as docs/plugins.md says (a plain install upgraded pytest)
    lock = Path(__file__).resolve().parent.parent / "requirements.lock"
    assert f"  pip install -c {lock} -e '.[test]'\n" in out
    assert "pip install -c PANNEAU/requirements.lock -e '.[test]'" in (
        package / "README.md").read_text()
    assert not list(package.rglob("*.tmpl")) and not list(package.rglob("*{{*"))
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--target", str(site), str(package)],
        check=True, timeout=180, capture_output=True,
    )
    assert list(site.glob("panneau_my_acd-0.1.0.dist-info"))
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("PANNEAU_LOAD_PLUGINS", None)
    result = subprocess.run(
        # a deprecation is an error: a plugin author's first run (under the newest pytest,
        # which pip gives `.[test]`) showed pytest-asyncio's "loop scope is unset" warning
        [sys.executable, "-W", "error::DeprecationWarning", "-m", "pytest", "-q", "-p",
         "no:cacheprovider", "tests"],
        cwd=package, env=env, timeout=120, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
