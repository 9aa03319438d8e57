"""``panneau import-survey``: a CSV export with a column mapping, into the hub's journal."""

from __future__ import annotations

import time

from panneau.hub.cli.main import main
from panneau.hub.config.schema import Config
from panneau.hub.server.journal import Journal
from panneau.hub.testing import figures

CSV = """Response ID;Submitted;How likely are you to recommend us?;Agent
r1;2026-03-02 10:00;10;Alice
r2;2026-03-02 10:05;9;Alice
r3;2026-03-02 10:10;7;Bob
r4;2026-03-02 10:15;3;Bob
r5;2026-03-02 10:20;n/a;Bob
"""
MAPPING = """
survey = "nps"
time_format = "%Y-%m-%d %H:%M"
[fields]
id = "Response ID"
time = "Submitted"
score = "How likely are you to recommend us?"
agent = "Agent"
"""


def setup(tmp_path):
    (tmp_path / "answers.csv").write_text(CSV)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "panneau.toml").write_text(  # the 2026-03-02 rows: kept ten years
        f'[hub]\ndatabase = "{tmp_path / "p.db"}"\nretention_days = 3650\n')
    return ["import-survey", str(tmp_path / "answers.csv"), "--delimiter", ";",
            "--mapping", str(tmp_path / "mapping.toml"), "--config", str(tmp_path / "panneau.toml")]


def stored(tmp_path):
    journal = Journal(tmp_path / "p.db")
    try:
        return list(journal.events())
    finally:
        journal.close()


def test_import_stores_valid_rows_once_and_lists_bad_ones(tmp_path, capsys):
    argv = setup(tmp_path)
    assert main(argv) == 1  # one row skipped
    out, err = capsys.readouterr()
    assert "5 rows, stored 4 responses (nps 4), 0 already imported, 1 skipped" in out
    assert err.strip() == (f"{tmp_path / 'answers.csv'}:6: score 'n/a' is not a number "
                           "(map it in score_map)")
    events = stored(tmp_path)
    assert [e.response_id for e in events] == ["r1", "r2", "r3", "r4"]
    assert {e.source for e in events} == {"import-survey"}
    # promoters r1, r2; passive r3; detractor r4 → NPS (2 − 1) / 4 = 25
    got = figures(events, config=Config(), at=1772449200)
    assert got["site/today/nps"] == 25.0 and got["site/today/survey_responses"] == 4
    assert got["agent:Bob/today/nps"] == -50.0
    assert main(argv) == 1
    out, _ = capsys.readouterr()
    assert "stored 0 responses, 4 already imported, 1 skipped" in out
    assert len(stored(tmp_path)) == 4


def test_dry_run_stores_nothing(tmp_path, capsys):
    argv = setup(tmp_path)
    assert main([*argv, "--dry-run"]) == 1
    assert "would store 4 responses" in capsys.readouterr().out
    assert not (tmp_path / "p.db").exists()


def test_bad_mapping_is_refused_with_every_problem(tmp_path, capsys):
    argv = setup(tmp_path)
    (tmp_path / "mapping.toml").write_text('survey = "stars"\n[fields]\nid = "Response ID"\n')
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "survey: expected one of 'nps', 'csat', 'ces', got 'stars'" in err
    assert not (tmp_path / "p.db").exists()
    (tmp_path / "mapping.toml").write_text('[fields]\nid = "Response ID"\nrating = "x"\n')
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "fields.rating: not a survey field" in err and "fields.time: required" in err


def test_csat_export_in_json(tmp_path, capsys):
    argv = setup(tmp_path)
    (tmp_path / "answers.json").write_text(
        '{"results": [' + ",".join(
            f'{{"id": "c{i}", "at": "2026-03-02T1{i}:00:00Z", "rating": {s}}}'
            for i, s in enumerate([5, 4, 3, 1, 5])) + "]}")
    (tmp_path / "mapping.toml").write_text(
        'survey = "csat"\n[fields]\nid = "id"\ntime = "at"\nscore = "rating"\n')
    argv[1] = str(tmp_path / "answers.json")
    assert main([*argv, "--records", "results"]) == 0
    # satisfied = 4 or 5 on 1..5: c0, c1, c4 → 60 %
    got = figures(stored(tmp_path), config=Config(), at=1772449200 + 3 * 3600)
    assert got["site/today/csat_pct"] == 60.0 and got["site/today/survey_responses"] == 5


def test_rows_the_journal_would_not_keep_are_bad_rows(tmp_path, capsys):
    """12345 (1970), a row older than hub.retention_days and one dated 2999 were reported
    stored: the hub's retention deleted the old ones within the hour, the future one was
    never counted. They are listed as bad rows now, and the old one can be imported once
    the journal keeps it."""
    argv = setup(tmp_path)
    now = int(time.time())
    (tmp_path / "answers.csv").write_text(
        "Response ID;Submitted;How likely are you to recommend us?;Agent\n"
        f"r1;{now - 3600};9;Alice\nr2;12345;10;Alice\nr3;{now - 100 * 86400};3;Bob\n"
        "r4;2999-01-01T00:00:00Z;8;Bob\n")
    (tmp_path / "mapping.toml").write_text(MAPPING.replace('time_format = "%Y-%m-%d %H:%M"', ""))
    (tmp_path / "panneau.toml").write_text(f'[hub]\ndatabase = "{tmp_path / "p.db"}"\n')
    assert main([*argv, "--dry-run"]) == 1
    assert "would store 1 responses" in capsys.readouterr().out
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "4 rows, stored 1 responses (nps 1), 0 already imported, 3 skipped" in out
    where = f"{tmp_path / 'answers.csv'}"
    first, old, future = err.splitlines()
    assert first.startswith(f"{where}:3: time 1970-01-01T03:25:45Z is more than 90 days before "
                            "the hub's clock (")
    assert old.startswith(f"{where}:4: time ") and old.endswith(
        ": the journal keeps hub.retention_days (90)")
    assert future.startswith(f"{where}:5: time 2999-01-01T00:00:00Z is ahead of the hub's clock")
    assert [e.response_id for e in stored(tmp_path)] == ["r1"]
    (tmp_path / "panneau.toml").write_text(
        f'[hub]\ndatabase = "{tmp_path / "p.db"}"\nretention_days = 365\n')
    assert main(argv) == 1
    assert "stored 1 responses (nps 1), 1 already imported, 2 skipped" in \
        capsys.readouterr().out
    assert [e.response_id for e in stored(tmp_path)] == ["r1", "r3"]


def test_a_score_between_two_points_of_the_scale_is_refused_by_panneau_import_survey(
        tmp_path):
    """NPS answers are whole points 0..10 (a 9.5 counted as a promoter); CSAT and CES answers
    are points of their scale too (4.5 counted as satisfied on 1..5)."""
    import subprocess
    import sys
    from pathlib import Path

    argv = setup(tmp_path)
    (tmp_path / "answers.csv").write_text(CSV.replace(";10;", ";9.5;").replace(";3;", ";3.0;"))
    panneau = str(Path(sys.executable).parent / "panneau")
    out = subprocess.run([panneau, *argv], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "5 rows, stored 3 responses (nps 3), 0 already imported, 2 skipped" in out.stdout
    assert out.stderr.splitlines() == [
        f"{tmp_path / 'answers.csv'}:2: score 9.5 is not a whole number: nps answers are "
        "whole points of 0..10",
        f"{tmp_path / 'answers.csv'}:6: score 'n/a' is not a number (map it in score_map)"]
    assert [e.response_id for e in stored(tmp_path)] == ["r2", "r3", "r4"]
    (tmp_path / "answers.csv").write_text("Response ID;Submitted;Rating;Agent\n"
                                          "c1;2026-03-02 10:00;4.5;Alice\n"
                                          "c2;2026-03-02 10:05;4;Alice\n")
    (tmp_path / "mapping.toml").write_text(MAPPING.replace('"nps"', '"csat"').replace(
        "How likely are you to recommend us?", "Rating"))
    out = subprocess.run([panneau, *argv], capture_output=True, text=True, timeout=60)
    assert out.stderr.splitlines() == [
        f"{tmp_path / 'answers.csv'}:2: score 4.5 is not a whole number: csat answers are "
        "whole points of 1..5"]
    assert [e.response_id for e in stored(tmp_path)] == ["r2", "r3", "r4", "c2"]


def test_a_file_in_another_encoding_is_named_and_nothing_stored(tmp_path, capsys):
    """A UTF-16 export (Excel's "Unicode text") ended in UnicodeDecodeError's traceback; a
    mapping file that is not text said only "'utf-8' codec can't decode…", naming no file."""
    argv = setup(tmp_path)
    answers = tmp_path / "answers.csv"
    answers.write_bytes(CSV.encode("utf-16"))
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"panneau import-survey: {answers}:1: not UTF-8 text (byte 0xff): save it as "
        "UTF-8, or give its --encoding (e.g. --encoding utf-16)\n")
    assert not (tmp_path / "p.db").exists() or stored(tmp_path) == []
    # one Latin-1 name far down a long export: the line it is on (the decoder reads by
    # chunks: the message said neither line nor offset, and named utf-8-sig, the default
    # the user never typed)
    rows = "".join(f"x{i};2026-03-02 10:00;7;Bob\n" for i in range(1, 2000))
    answers.write_bytes((CSV + rows).encode("utf-8") + "y;2026-03-02 10:00;7;Zoé\n"
                        .encode("latin-1"))
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"panneau import-survey: {answers}:2006: not UTF-8 text (byte 0xe9): save it as "
        "UTF-8, or give its --encoding (e.g. --encoding utf-16)\n")
    assert not (tmp_path / "p.db").exists() or stored(tmp_path) == []
    mapping = tmp_path / "mapping.toml"
    mapping.write_bytes(b"survey = 'nps'\n\xa9\xff not text")
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"panneau import-survey: {mapping}:2: not UTF-8 text (byte 0xa9): save it as UTF-8\n")


def test_a_file_that_cannot_be_read_whole_is_one_clear_line_and_nothing_stored(
        tmp_path, capsys):
    """A missing mapping said ``[Errno 2] No such file or directory``, bad TOML only
    tomllib's words, a CSV the reader chokes on ended in ``_csv.Error``'s traceback, and
    JSON that is not JSON exited 1 as if one row were bad."""
    argv = setup(tmp_path)
    answers, mapping = tmp_path / "answers.csv", tmp_path / "mapping.toml"
    assert main(argv) == 1  # the good rows stored once: nothing below may add or lose any
    capsys.readouterr()
    before = [e.response_id for e in stored(tmp_path)]
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "bad.toml").write_text("[fields\nid = 1\n")
    (tmp_path / "huge.csv").write_text(
        CSV.replace("r2;", "r9;").replace("3;Bob", '3;"' + "x" * 200_000 + '"', 1))
    (tmp_path / "broken.json").write_text('{"results": [1,\n')
    (tmp_path / "answers.txt").write_text(CSV)

    def run(**swap: str) -> str:
        args = [*argv]
        for option, value in swap.items():
            args[args.index(option if option != "file" else str(answers))] = value
        assert main([arg for arg in args]) == 2
        out = capsys.readouterr()
        assert out.out == ""
        return out.err.replace(str(tmp_path) + "/", "")

    def with_mapping(path: str) -> str:
        return run(**{str(mapping): path})

    def with_file(path: str) -> str:
        return run(file=path)

    said = "panneau import-survey: "
    assert with_mapping(str(tmp_path / "nope.toml")) == f"{said}--mapping: no file at nope.toml\n"
    assert with_mapping(str(tmp_path)) == (
        f"{said}--mapping: {str(tmp_path).rstrip('/')} is a folder, not a file\n")
    assert with_mapping(str(tmp_path / "bad.toml")) == (
        f"{said}bad.toml: invalid TOML: Expected ']' at the end of a table declaration "
        "(at line 1, column 8)\n")
    assert with_file(str(tmp_path / "nope.csv")) == f"{said}no file at nope.csv\n"
    assert with_file(str(tmp_path / "folder.csv")) == f"{said}folder.csv is a folder, not a file\n"
    assert with_file(str(tmp_path / "huge.csv")) == (
        f"{said}huge.csv: not a CSV file the reader can parse, after row 3: field larger "
        "than field limit (131072)\n")
    assert with_file(str(tmp_path / "broken.json")).startswith(
        f"{said}broken.json: cannot read the file: Expecting value: line 2")
    assert with_file(str(tmp_path / "answers.txt")) == (
        f"{said}answers.txt: unknown file type '.txt' (csv, tsv, json, jsonl, ndjson)\n")
    assert [e.response_id for e in stored(tmp_path)] == before == ["r1", "r2", "r3", "r4"]
