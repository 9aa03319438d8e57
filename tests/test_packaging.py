"""What gets installed is one import package, ``panneau``, whatever else the machine holds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("hub", "kiosk", "overlay", "console", "plugins")


def test_every_package_folder_is_listed_in_pyproject():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    code = {init.parent for part in PARTS for init in (ROOT / part).rglob("__init__.py")}
    data = {folder for folder in (ROOT / "hub" / "templates", ROOT / "hub" / "web")
            for folder in (folder, *(d for d in folder.rglob("*") if d.is_dir()))
            if "__pycache__" not in folder.parts}
    on_disk = {"panneau." + ".".join(d.relative_to(ROOT).parts) for d in code | data}
    assert set(setuptools["packages"]) == on_disk
    assert setuptools["package-dir"] == {f"panneau.{p}": p for p in PARTS}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools leaves build/ in the tree it builds, and a stale build/
    # would put files the checkout no longer has into the wheel.
    tree = out / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.db*", ".*cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "-w", str(out), str(tree)],
                   check=True, timeout=300)
    return next(out.glob("panneau-*.whl"))


def test_the_wheel_holds_only_the_panneau_namespace(wheel):
    with zipfile.ZipFile(wheel) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
        names = set(zf.namelist())
    assert {t for t in tops if not t.endswith(".dist-info")} == {"panneau"}
    assert "panneau/kiosk/kiosk.tcss" in names
    assert {"panneau/hub/web/wall.js", "panneau/hub/web/msgpack.min.js"} <= names
    assert "panneau/hub/templates/plugin/pyproject.toml.tmpl" in names


def test_installed_beside_a_foreign_plugins_package(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # Dependencies come from the test environment's site-packages (a plain path entry: its
    # own .pth files, such as the editable panneau finder, are not processed).
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, timeout=300)
    for foreign in ("plugins", "hub", "kiosk"):  # generic names another project may own
        (site / foreign).mkdir()
        (site / foreign / "__init__.py").write_text("raise ImportError('foreign package')\n")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "plugins").mkdir(parents=True)
    (elsewhere / "plugins" / "__init__.py").write_text("DEFAULT_PLUGINS = 'not ours'\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for args in (["--help"], ["demo", "--help"]):
        done = subprocess.run([str(venv / "bin" / "panneau"), *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "usage: panneau" in done.stdout
    where = subprocess.run([str(py), "-c", "import panneau.hub; print(panneau.hub.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(venv))
