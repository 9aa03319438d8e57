"""Config validation: the example loads; each kind of mistake is named with key and line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from panneau.hub.cli.main import main
from panneau.hub.config import ConfigError, load_config, parse_config
from panneau.hub.config.schema import HubSettings

ROOT = Path(__file__).resolve().parent.parent


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "t.toml")
    return info.value.messages


def test_example_config_loads():
    config = load_config(ROOT / "panneau.example.toml")
    assert [t.id for t in config.teams] == ["support", "sales"]
    assert config.hub.timezone == "Europe/Paris"
    assert config.queues["sales"].service_level_s == 30
    assert config.kiosk.pages[1].trend == "service_level_offered_pct"
    assert config.team_of_agent("Erin").id == "sales"


def test_empty_config_gets_defaults():
    config = parse_config("")
    assert config.hub.listen == "127.0.0.1:8765"
    assert config.kpi.service_level_s == 20
    assert [p.kind for p in config.kiosk.pages] == ["figures", "figures", "figures", "trends"]


def test_unknown_key_named_with_line():
    (msg,) = errors('[hub]\nlisten = "127.0.0.1:1"\nlisen = "x"\n')
    assert msg.startswith("t.toml:3: hub.lisen: unknown key (known keys: ")


def test_wrong_type():
    assert errors("[hub]\nretention_days = \"ninety\"\n") == [
        "t.toml:2: hub.retention_days: expected an integer, got a string ('ninety')"
    ]


def test_missing_value_in_array_of_tables():
    assert errors('[[teams]]\nid = "a"\n[[teams]]\nname = "B"\n') == [
        "t.toml:3: teams[1].id: missing value (this key is required)"
    ]


def test_duplicate_team():
    assert errors('[[teams]]\nid = "a"\n\n[[teams]]\nid = "a"\n') == [
        "t.toml:5: teams[1].id: duplicate team id 'a'"
    ]



def test_an_agent_in_two_teams_is_refused(tmp_path, capsys):
    """It passed ``config check``: the agent's screen showed the first team (the privacy rule
    gives an agent its own team's figures, one team), the engine counted the agent in both."""
    text = ('[[teams]]\nid = "support"\nagents = ["ann", "ben"]\n\n'
            '[[teams]]\nid = "sales"\nagents = ["cid",\n          "ann"]\n\n'
            '[[teams]]\nid = "night"\nagents = ["ann", "dee", "dee"]\n')
    said = [
        "t.toml:7: teams[1].agents: agent 'ann' is in team 'support' too (teams[0]): an agent "
        "belongs to one team, the one its screen shows beside its own figures",
        "t.toml:12: teams[2].agents: agent 'ann' is in team 'support' too (teams[0]): an agent "
        "belongs to one team, the one its screen shows beside its own figures",
        "t.toml:12: teams[2].agents: agent 'dee' is listed twice",
    ]
    assert errors(text) == said
    path = tmp_path / "t.toml"
    path.write_text(text)
    assert main(["config", "check", str(path)]) == 1
    assert capsys.readouterr().out.replace(str(path), "t.toml").splitlines() == [
        *said, "3 problems found"]
    assert parse_config(text.replace('"ann"]', '"eve"]').replace('"ann", "dee", "dee"',
                                                                   '"fay"'), "t.toml")

def test_duplicate_token():
    text = (
        '[[teams]]\nid = "a"\n'
        '[[tokens]]\nrole = "kiosk"\nteam = "a"\ntoken = "secret-one"\n'
        '[[tokens]]\nrole = "manager"\ntoken = "secret-one"\n'
    )
    assert errors(text) == ["t.toml:9: tokens[1].token: duplicate token (same as tokens[0])"]


def test_plain_and_hashed_duplicate_token():
    import hashlib

    digest = hashlib.sha256(b"secret-one").hexdigest()
    text = (
        '[[tokens]]\nrole = "manager"\ntoken = "secret-one"\n'
        f'[[tokens]]\nrole = "manager"\ntoken_sha256 = "{digest}"\n'
    )
    assert errors(text) == [
        "t.toml:6: tokens[1].token_sha256: duplicate token (same as tokens[0])"
    ]


def test_literal_choice():
    assert errors('[[tokens]]\nrole = "admin"\ntoken = "abcdefghij"\n') == [
        "t.toml:2: tokens[0].role: expected one of 'kiosk', 'agent', 'manager', 'reporting', "
        "got 'admin'"
    ]


def test_every_error_is_reported_at_once():
    text = (
        '[hub]\nlisten = 5\ntimezone = "Mars/Olympus"\n'
        '[[thresholds]]\nkpi = "happiness"\nwarn = 1.0\n'
        '[[tokens]]\nrole = "agent"\ntoken = "abcdefghij"\nagent = "Nobody"\n'
    )
    assert errors(text) == [
        "t.toml:2: hub.listen: expected a string, got an integer (5)",
        "t.toml:3: hub.timezone: unknown time zone 'Mars/Olympus'",
        "t.toml:5: thresholds[0].kpi: unknown KPI 'happiness'",
        "t.toml:10: tokens[0].agent: agent 'Nobody' is in no team",
    ]


def test_threshold_order_checked_against_direction():
    text = '[[thresholds]]\nkpi = "service_level_pct"\nwarn = 60.0\nalert = 75.0\n'
    assert errors(text) == ["t.toml:4: thresholds[0].alert: alert must be below or equal to warn"]


def test_nested_table_and_inline_key_lines():
    text = '[kiosk]\ndwell_s = 5.0\n[[kiosk.pages]]\ntitle = "x"\nkpis = ["nope"]\n'
    assert errors(text) == ["t.toml:5: kiosk.pages[0].kpis[0]: unknown KPI 'nope'"]


@pytest.mark.parametrize("name", ["", " ", "crm/eu", ".", ".."])
def test_a_source_name_that_cannot_be_in_a_url_is_refused(name):
    """A typeform source named "a/b" listened, said the hub, on /hooks/a/b/typeform, which
    answered "no source named 'a'"; config check said OK. One named ".." listened on
    /hooks/../typeform, which every sender sends as /typeform."""
    text = f'[[sources]]\nname = "{name}"\nplugin = "simulator"\n'
    assert errors(text) == [
        f"t.toml:2: sources[0].name: {name!r}: a source name is a part of its webhooks' URL "
        "(/hooks/<name>/…): not empty, no '/', not '.' or '..'"]


@pytest.mark.parametrize(("path", "reason"), [
    ("../happy/delighted", "'..' and '.' are not path segments here: senders resolve them "
                           "to another address"),
    ("a/./b", "'..' and '.' are not path segments here: senders resolve them to another "
              "address"),
    ("a//b", "an empty segment ('//') is not allowed"),
    ("hook?x=1", "'?' cannot be in a path"),
    ("caf%C3%A9", "'%' cannot be in a path"),
    ("my hook", "' ' cannot be in a path"),
])
def test_a_webhook_path_that_is_not_canonical_is_refused_with_its_line(tmp_path, path, reason):
    text = ('[[sources]]\nname = "tf"\nplugin = "typeform"\n[sources.options]\n'
            f'path = "{path}"\n[sources.options.forms.f1]\nscore_field = "q"\n')
    code, lines = panneau_config_check(tmp_path, text)
    assert (code, lines) == (1, [f"panneau.toml:5: sources[0].options.path: {path!r}: {reason}",
                                 "1 problem found"])
    for fine in ("typeform", "/typeform", "v1/typeform/", "a-b_c.d~e", ""):
        code, lines = panneau_config_check(tmp_path, text.replace(path, fine))
        assert code == 0, (fine, lines)


def test_a_number_that_is_no_finite_number_is_refused():
    """TOML writes nan and inf; "panneau targets set … --target nan" wrote one and the hub
    took it (config check: OK)."""
    text = ('[kiosk]\ndwell_s = nan\n'
            '[[thresholds]]\nkpi = "service_level_pct"\ntarget = inf\nwarn = -inf\n'
            'alert = 50.0\n')
    assert errors(text) == [
        "t.toml:2: kiosk.dwell_s: expected a finite number, got nan",
        "t.toml:5: thresholds[0].target: expected a finite number, got inf",
        "t.toml:6: thresholds[0].warn: expected a finite number, got -inf"]


def test_invalid_toml_gives_tomllib_line():
    (msg,) = errors("[hub\nlisten = 1\n")
    assert msg.startswith("t.toml: invalid TOML: ") and "line 1" in msg


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "missing.toml")
    assert "cannot read" in info.value.messages[0]


def test_source_options_checked_against_plugin(tmp_path):
    from panneau.hub.plugins import collect_sources, make_plugin_manager

    registry = collect_sources(make_plugin_manager())
    text = (
        '[[sources]]\nname = "e"\nplugin = "echo"\n[sources.options]\nagents = "Alice"\n'
        '[[sources]]\nname = "f"\nplugin = "nothing_like_it"\n'
    )
    with pytest.raises(ConfigError) as info:
        parse_config(text, "t.toml", registry)
    assert info.value.messages[0] == (
        "t.toml:5: sources[0].options.agents: expected a list of strings, got a string ('Alice')"
    )
    assert info.value.messages[1].startswith(
        "t.toml:8: sources[1].plugin: no source plugin named 'nothing_like_it' (known: "
    )


def test_a_port_above_65535_is_named_as_such():
    """``127.0.0.1:99999`` was refused as "expected HOST:PORT", which it is."""
    assert errors('[hub]\nlisten = "127.0.0.1:99999"\nhttp_listen = ":65536"\n') == [
        "t.toml:2: hub.listen: port 99999 is above 65535, the highest there is (0 takes a "
        "free one)",
        "t.toml:3: hub.http_listen: port 65536 is above 65535, the highest there is (0 takes a "
        "free one)"]
    assert parse_config('[hub]\nlisten = "127.0.0.1:65535"\nhttp_listen = "127.0.0.1:0"\n'
                        ).hub.listen == "127.0.0.1:65535"


def test_a_malformed_value_does_not_hide_the_other_problems_of_its_section():
    text = ('[hub]\nlisten = "nonsense"\nbogus = 1\nretention_days = "x"\n'
            'day_start = 7\ntimezone = "Mars/Olympus"\n')
    assert errors(text) == [
        "t.toml:2: hub.listen: expected HOST:PORT, got 'nonsense'",
        "t.toml:3: hub.bogus: unknown key (known keys: " + ", ".join(sorted(
            f.name for f in dataclasses.fields(HubSettings))) + ")",
        "t.toml:4: hub.retention_days: expected an integer, got a string ('x')",
        "t.toml:5: hub.day_start: expected a string, got an integer (7)",
        "t.toml:6: hub.timezone: unknown time zone 'Mars/Olympus'",
    ]


def test_a_time_zone_name_too_long_for_a_file_is_an_unknown_time_zone():
    """Found by benchmarks/fuzz.py: the zoneinfo lookup raised OSError (name too long)."""
    zone = "Europe/" + "x" * 300
    assert errors(f'[hub]\ntimezone = "{zone}"\n') == [
        f"t.toml:2: hub.timezone: unknown time zone {zone!r}"]


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    """An editor that saved the file as Latin-1 (an accented team name): a clear error naming
    the line, as any other mistake, never a traceback."""
    path = tmp_path / "panneau.toml"
    path.write_bytes('[hub]\ntimezone = "UTC"\n[[teams]]\nid = "sav"\nname = "Équipe SAV"\n'
                     .encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.messages == [
        f"{path}:5: not UTF-8 text (byte 0xc9): save the file as UTF-8"]


def panneau_config_check(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    """``panneau config check FILE`` as a user runs it: exit code and output lines."""
    import subprocess
    import sys

    path = tmp_path / "panneau.toml"
    path.write_text(text)
    out = subprocess.run([str(Path(sys.executable).parent / "panneau"), "config", "check",
                          str(path)], capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout.replace(str(path), "panneau.toml").splitlines()


def test_survey_sizes_and_scales_out_of_order_are_named_with_their_line(tmp_path):
    text = ('[[sources]]\nname = "tf"\nplugin = "typeform"\n[sources.options]\n'
            'max_body_bytes = -1\nremember_ids = -5\nmax_age_days = 0\n'
            '[sources.options.forms.f1]\nscore_field = "q"\nsurvey = "csat"\n'
            'scale_min = 5\nscale_max = 1\n'
            '[[sources]]\nname = "dl"\nplugin = "delighted"\n[sources.options]\n'
            'survey = "nps"\nscale_min = 11\nremember_ids = 0\n'
            '[[sources]]\nname = "rows"\nplugin = "generic"\n[sources.options]\n'
            'folder = "/tmp"\nremember_files = -1\n[sources.options.mapping]\n'
            'kind = "survey"\nfields = {id = "id", time = "t", score = "s"}\n')
    code, lines = panneau_config_check(tmp_path, text)
    assert code == 1
    assert lines == [
        "panneau.toml:5: sources[0].options.max_body_bytes: must be at least 1, got -1",
        "panneau.toml:6: sources[0].options.remember_ids: must be at least 1, got -5",
        "panneau.toml:7: sources[0].options.max_age_days: must be more than 0, got 0",
        "panneau.toml:11: sources[0].options.forms.f1.scale_min: 5 must be below "
        "scale_max (1)",
        "panneau.toml:18: sources[1].options.scale_min: 11 must be below scale_max "
        "(10, the usual for nps)",
        "panneau.toml:19: sources[1].options.remember_ids: must be at least 1, got 0",
        "panneau.toml:25: sources[2].options.remember_files: must be at least 1, got -1",
        "7 problems found",
    ]
    fixed = {"max_body_bytes = -1": "max_body_bytes = 1024", "remember_ids = -5":
             "remember_ids = 10", "max_age_days = 0": "max_age_days = 0.5",
             "scale_min = 5\nscale_max = 1": "scale_min = 1\nscale_max = 5",
             "scale_min = 11": "scale_min = 1", "remember_ids = 0": "remember_ids = 1",
             "remember_files = -1": ""}
    for wrong, right in fixed.items():
        text = text.replace(wrong, right)
    text += ('[[teams]]\nid = "t"\nqueues = ["q"]\n'  # nor a warning
             '[[tokens]]\nrole = "manager"\ntoken = "manager-token"\n')
    assert panneau_config_check(tmp_path, text) == (0, ["panneau.toml: OK"])


@pytest.mark.parametrize(("text", "said"), [
    ("teams = 5\n", "t.toml:1: teams: expected a list of tables, got an integer (5)"),
    ('[[teams]]\nid = "a"\nqueues = "q"\n',
     "t.toml:3: teams[0].queues: expected a list of strings, got a string ('q')"),
    ('[kiosk.schedule]\ndays = "mon"\n', "t.toml:2: kiosk.schedule.days: expected a list of "
     "'mon' or 'tue' or 'wed' or 'thu' or 'fri' or 'sat' or 'sun' values, got a string ('mon')")])
def test_a_list_of_the_wrong_type_says_what_it_holds_in_the_plural(text, said):
    """``expected a list of a table``: the item's name was put after ``list of`` as it was."""
    with pytest.raises(ConfigError) as info:
        parse_config(text, "t.toml")
    assert said in info.value.messages


def test_the_hubs_clock_speed_is_above_0_and_at_most_an_hour_a_second():
    """``[hub] clock_speed`` (demos, trials, tests): 0 would stop the hub's clock."""
    problem = "hub.clock_speed: must be above 0 and at most 3600 (1: the wall clock)"
    assert errors("[hub]\nclock_speed = 0\n") == [f"t.toml:2: {problem}"]
    assert errors("[hub]\nretention_days = 9\nclock_speed = 7200.0\n") == [f"t.toml:3: {problem}"]
    assert parse_config("[hub]\nclock_speed = 60\n", "t.toml").hub.clock_speed == 60
