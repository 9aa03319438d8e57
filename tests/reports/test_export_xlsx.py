"""``panneau export`` to XLSX and CSV: typed cells, sheets per scope kind, the summary."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from panneau.hub.cli.main import main


def _export(config, *extra):
    return main(["export", "--config", str(config), "--from", "2026-11-01",
                 "--to", "2026-11-03", *extra])


def _csv(capsys, config, *extra):
    assert _export(config, *extra) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _sheet(book, title):
    """Header and rows of a data sheet."""
    rows = list(book[title].iter_rows(values_only=True))
    assert rows[0][:3] == ("time", "scope", "window")
    return rows[0], rows[1:]


def test_xlsx_holds_the_csv_values_typed_by_unit(report_config, samples, tmp_path, capsys):
    config, _ = report_config
    table = _csv(capsys, config)
    assert len(table) == len(samples)
    out = tmp_path / "x.xlsx"
    assert _export(config, "-o", str(out)) == 0
    assert f"wrote {len(samples)} values" in capsys.readouterr().err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Site", "Teams", "Queues", "Agents", "Comments"]
    assert [c.value for c in book["Comments"]["A"]] == [
        "time", "no comment on a figure in this period"]
    cells = set()
    for title in ("Site", "Teams", "Queues", "Agents"):
        header, rows = _sheet(book, title)
        cells |= {(r[1], r[2], kpi) for r in rows for kpi, v in zip(header[3:], r[3:],
                                                                   strict=True) if v is not None}
    assert cells == {(r["scope"], r["window"], r["kpi"]) for r in table}
    header, agents = _sheet(book, "Agents")
    assert header == ("time", "scope", "window", "aht_s")
    assert agents == [(datetime(2026, 11, 2, 9, 30), "agent:ag-ann", "today",
                       timedelta(seconds=300)),  # an Excel duration
                      (datetime(2026, 11, 3, 9, 10), "agent:ag-ann", "today",
                       timedelta(seconds=250))]
    assert book["Agents"]["D2"].number_format == "[h]:mm:ss"
    queue = book["Queues"]["D2"]
    assert queue.value == pytest.approx(0.125) and queue.number_format == "0.0%"
    site = book["Site"]
    assert [c.value for c in site["D"]] == ["calls_waiting", 1, 2, 3, 4]
    assert site["D2"].number_format == "#,##0"
    assert site.freeze_panes == "A2"
    assert site.auto_filter.ref == "A1:D5"


def test_hour_and_day_intervals_keep_the_last_sample(report_config, capsys):
    config, _ = report_config
    key = ("team:support", "today", "service_level_pct")
    hours = [(r["time"], r["value"]) for r in _csv(capsys, config, "--interval", "hour")
             if (r["scope"], r["window"], r["kpi"]) == key]
    assert hours == [("2026-11-02T08:00:00+01:00", "85"), ("2026-11-02T09:00:00+01:00", "72"),
                     ("2026-11-03T08:00:00+01:00", "65"), ("2026-11-03T09:00:00+01:00", "82")]
    days = _csv(capsys, config, "--interval", "day")
    assert [(r["time"], r["scope"], r["kpi"], r["value"]) for r in days] == [
        ("2026-11-02T00:00:00+01:00", "agent:ag-ann", "aht_s", "300"),
        ("2026-11-02T00:00:00+01:00", "queue:support", "abandon_rate_pct", "12.5"),
        ("2026-11-02T00:00:00+01:00", "site", "calls_waiting", "4"),
        ("2026-11-02T00:00:00+01:00", "team:support", "service_level_pct", "72"),
        ("2026-11-03T00:00:00+01:00", "agent:ag-ann", "aht_s", "250"),
        ("2026-11-03T00:00:00+01:00", "team:support", "service_level_pct", "82"),
    ]


def test_summary_rates_each_day_against_the_target(report_config, tmp_path):
    config, _ = report_config
    out = tmp_path / "x.xlsx"
    assert _export(config, "--interval", "hour", "-o", str(out)) == 0
    sheet = openpyxl.load_workbook(out)["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("period", datetime(2026, 11, 1), datetime(2026, 11, 4))
    header = rows[4]
    line = dict(zip(header, rows[5], strict=True))
    # day 2 ended at 72 % (warn: at or under 80), day 3 at 82 % (ok)
    assert line == {
        "scope": "team:support", "kpi": "service_level_pct", "label": "SL (Asterisk)",
        "target": pytest.approx(0.85), "warn": pytest.approx(0.80),
        "alert": pytest.approx(0.70), "better": "higher", "days": 2, "days ok": 1,
        "days warn": 1, "days alert": 0, "last day": datetime(2026, 11, 3),
        "last value": pytest.approx(0.82), "last state": "ok"}
    assert len([r for r in rows[5:] if r[0]]) == 1  # agents are never rated here


@pytest.mark.parametrize(("dates", "reason"), [
    (["--from", "2026-13-01"], "--from '2026-13-01' is not a date (month must be in 1..12)"),
    (["--to", "9999-12-31"], "--to '9999-12-31' is outside the years of events (1970..3000)"),
    # the period the wrong way round wrote an empty file and exited 0
    (["--from", "2026-11-03", "--to", "2026-11-02"], "--to 2026-11-02 ends before --from "
                                                     "2026-11-03 begins"),
    (["--from", "2026-11-02T10:00", "--to", "2026-11-02T10:00"], "ends before"),
    # a typo wrote a file of headers only and exited 0, as for a quiet team
    (["--kpi", "answerd"], "--kpi: unknown answerd (see the catalogue: docs/kpis.md)"),
    (["--scope", "team:suport"], "--scope: no team 'suport' (teams: support)"),
    (["--scope", "bogus"], "--scope: expected site"),
])
def test_a_bad_date_is_refused_and_writes_nothing(report_config, tmp_path, capsys, dates,
                                                  reason):
    config, _ = report_config
    out = tmp_path / "x.xlsx"
    assert main(["export", "--config", str(config), *dates, "-o", str(out)]) == 2
    assert reason in capsys.readouterr().err
    assert not out.exists()


def test_scope_and_kpi_filters_apply_to_the_workbook(report_config, tmp_path):
    config, _ = report_config
    out = tmp_path / "x.xlsx"
    assert _export(config, "--scope", "team:support", "-o", str(out)) == 0
    book = openpyxl.load_workbook(out)
    assert [len(_sheet(book, t)[1]) for t in ("Site", "Teams", "Queues", "Agents")] == [
        0, 6, 0, 0]
