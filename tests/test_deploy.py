"""The systemd units in deploy/: no token on a command line, a reachable browser page, screen
power commands that work under KMS."""

from __future__ import annotations

import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def exec_lines(unit: Path) -> list[str]:
    return [line for line in unit.read_text().splitlines() if line.startswith("ExecStart")]


def test_no_unit_puts_a_token_on_a_command_line():
    units = sorted(DEPLOY.glob("*.service"))
    kiosks = [u for u in units if "kiosk" in u.name]
    assert len(kiosks) == 3
    for unit in units:
        for line in exec_lines(unit):
            assert not re.search(r"--token[ =]", line), (unit.name, line)
    for unit in kiosks:
        assert any("--token-file /etc/panneau/kiosk.token" in x for x in exec_lines(unit))


def test_the_browser_unit_tells_textual_serve_its_public_address():
    (line,) = exec_lines(DEPLOY / "panneau-kiosk-web.service")
    assert "host='0.0.0.0'" in line
    public = re.search(r"public_url='([^']+)'", line)
    assert public and "0.0.0.0" not in public.group(1)


def test_screen_power_uses_cec_not_vcgencmd():
    for name, message in (("off", "--standby"), ("on", "--image-view-on")):
        lines = exec_lines(DEPLOY / f"panneau-screen-{name}.service")
        assert lines == [f"ExecStart=/usr/bin/cec-ctl --device /dev/cec0 --playback --to 0 "
                         f"{message}"]
    assert not any("vcgencmd" in x for u in DEPLOY.glob("*.service") for x in exec_lines(u))
