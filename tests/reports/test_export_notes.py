"""``panneau export`` of a journal whose comments an older version wrote with an end that is no
time: infinite, or beyond the years a date can hold (the hub then took any ``until``)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl

from panneau.hub.server.journal import Journal
from tests.reports.conftest import at

PANNEAU = str(Path(sys.executable).parent / "panneau")
KEY = "team:support/today/service_level_pct"


def test_a_comment_with_an_endless_until_is_exported_as_open_ended(report_config, tmp_path):
    config, db = report_config
    journal = Journal(db)
    try:  # as the older version stored them: set_annotation with the frame's until as given
        journal.set_annotation(KEY, "phone outage", "boss", at(2, 10, 5), until=float("inf"))
        journal.set_annotation(KEY, "still out", "boss", at(2, 11, 0), until=1e18)
        journal.set_annotation(KEY, "back at 18:00", "boss", at(2, 12, 0), until=at(2, 18, 0))
    finally:
        journal.close()
    export = [PANNEAU, "export", "--config", str(config), "--from", "2026-11-01",
              "--to", "2026-11-03", "--scope", "team:support"]
    out = subprocess.run(export, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    notes = [(row["time"], row["note"]) for row in csv.DictReader(io.StringIO(out.stdout))
             if row["note"]]
    assert notes == [("2026-11-02T10:05:00+01:00", "phone outage"),
                     ("2026-11-02T11:00:00+01:00", "still out"),
                     ("2026-11-02T12:00:00+01:00",
                      "back at 18:00 (until 2026-11-02T18:00:00+01:00)")]
    xlsx = tmp_path / "period.xlsx"
    out = subprocess.run([*export, "-o", str(xlsx)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    comments = [row for row in openpyxl.load_workbook(xlsx)["Comments"].iter_rows(
        values_only=True)]
    assert [row[-1] for row in comments[1:]] == [
        "phone outage", "still out", "back at 18:00 (until 2026-11-02 18:00)"]
