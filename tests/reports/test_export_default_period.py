"""``panneau export`` without ``--from`` starts at the oldest sample (docs/reports.md): the
workbook's Summary said the period began on 1970-01-01 (epoch 0), not at that sample."""

from __future__ import annotations

from datetime import datetime

import openpyxl

from panneau.hub.cli.main import main


def test_the_summary_period_starts_at_the_oldest_sample(report_config, tmp_path):
    config, _ = report_config
    for interval, first in (("sample", datetime(2026, 11, 2, 8, 0)),
                            ("day", datetime(2026, 11, 2))):
        out = tmp_path / f"{interval}.xlsx"
        assert main(["export", "--config", str(config), "--to", "2026-11-03",
                     "--interval", interval, "-o", str(out)]) == 0
        rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
        assert rows[1][:3] == ("period", first, datetime(2026, 11, 4)), interval


def test_an_empty_history_has_a_period_of_nothing_but_its_end(report_config, tmp_path):
    config, _ = report_config
    out = tmp_path / "x.xlsx"
    assert main(["export", "--config", str(config), "--to", "2026-10-01", "-o", str(out)]) == 0
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    assert rows[1][:3] == ("period", datetime(2026, 10, 2), datetime(2026, 10, 2))
