"""What a new site admin mistypes on the command line gets one line saying what is wrong, an
exit code, and nothing written — never a Python traceback."""

from __future__ import annotations

import socket

import pytest

from panneau.hub.cli.common import unreadable
from panneau.hub.cli.main import main


@pytest.fixture
def config(tmp_path) -> str:
    path = tmp_path / "panneau.toml"
    path.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n')
    return str(path)


def config_check(tmp_path, text: str, capsys) -> tuple[int, list[str]]:
    """``panneau config check`` of a file holding ``text``: its exit code and output lines,
    the file named ``panneau.toml`` in them."""
    path = tmp_path / "panneau.toml"
    path.write_text(text)
    code = main(["config", "check", str(path)])
    return code, capsys.readouterr().out.replace(str(path), "panneau.toml").splitlines()


def test_export_to_a_folder_or_into_a_missing_one_is_refused_before_reading(tmp_path, config,
                                                                            capsys):
    """``-o /tmp`` ended in IsADirectoryError's traceback."""
    (tmp_path / "out").mkdir()
    cases = {str(tmp_path / "out"): f"-o {tmp_path / 'out'} is a folder: give a file name",
             str(tmp_path / "nowhere" / "k.csv"):
                 f"-o {tmp_path / 'nowhere' / 'k.csv'}: the folder {tmp_path / 'nowhere'} "
                 "does not exist"}
    for output, said in cases.items():
        assert main(["export", "--config", config, "--from", "2026-11-01", "-o", output]) == 2
        assert capsys.readouterr().err == f"panneau export: {said}\n"
    assert not (tmp_path / "nowhere").exists() and list((tmp_path / "out").iterdir()) == []


def test_plugin_new_in_a_file_is_refused(tmp_path, capsys):
    """``--dir`` naming a file ended in NotADirectoryError's traceback."""
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    assert main(["plugin", "new", "my-acd", "--dir", str(notes)]) == 1
    assert capsys.readouterr().err == (f"panneau plugin new: --dir {notes} is a file, not a "
                                       "folder\n")
    assert notes.read_text() == "mine\n"


def test_init_in_a_file_says_so_and_writes_nothing(tmp_path, capsys):
    """``panneau init FILE`` said ``[Errno 17] File exists: 'FILE'``."""
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    assert main(["init", str(notes)]) == 1
    assert capsys.readouterr().err == f"panneau init: {notes} is a file, not a folder\n"
    assert notes.read_text() == "mine\n"


def test_config_check_refuses_asterisk_options_no_source_could_run_with(tmp_path, capsys):
    """A poll every 0 s, reads of 0 bytes, a port past 65535: config check said OK."""
    config = tmp_path / "panneau.toml"
    config.write_text('[[sources]]\nname = "q"\nplugin = "asterisk_queue_log"\n'
                      '[sources.options]\npath = "/var/log/asterisk/queue_log"\n'
                      'poll_interval_s = 0\nchunk_bytes = 0\n'
                      '[[sources]]\nname = "a"\nplugin = "asterisk_ami"\n[sources.options]\n'
                      'username = "panneau"\nport = 99999\nreconnect_max_s = 0.5\n')
    assert main(["config", "check", str(config)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{config}:6: sources[0].options.poll_interval_s: must be greater than 0, got 0",
        f"{config}:7: sources[0].options.chunk_bytes: must be at least 1, got 0",
        f"{config}:13: sources[1].options.port: must be 1 to 65535, got 99999",
        f"{config}:14: sources[1].options.reconnect_max_s: must be at least reconnect_min_s "
        "(1), got 0.5",
        "4 problems found"]


@pytest.mark.parametrize("command", [["message", "hi"], ["annotate", "site/today/offered", "x"],
                                     ["input", "training_hours", "2"]])
@pytest.mark.parametrize(("timeout", "said"), [
    ("-1", "must be a number of seconds over 0, got '-1'"),
    ("0", "must be a number of seconds over 0, got '0'"),
    ("nan", "must be a number of seconds over 0, got 'nan'"),
    ("soon", "not a number of seconds: 'soon'")])
def test_a_timeout_of_no_time_is_refused_before_connecting(command, timeout, said, capsys):
    """``--timeout -1`` was taken: the command gave up at once, saying ``no answer from … in
    -1 s`` from a hub it never waited for."""
    with pytest.raises(SystemExit) as caught:
        main([command[0], "--hub", "ws://127.0.0.1:9", "--token", "manager-token",
              "--timeout", timeout, *command[1:]])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(f"panneau {command[0]}: error: argument --timeout: {said}\n"), err


def test_replay_of_a_missing_file_or_a_folder_says_which_in_one_line(tmp_path, capsys):
    """``panneau replay queue_log /tmp`` said ``[Errno 21] Is a directory: '/tmp'``."""
    missing = tmp_path / "queue_log"
    cases = {str(missing): f"no file at {missing}",
             str(tmp_path): f"{tmp_path} is a folder, not a file"}
    for path, said in cases.items():
        assert main(["replay", "queue_log", path]) == 2
        out = capsys.readouterr()
        assert (out.out, out.err) == ("", f"panneau replay: {said}\n")
    assert unreadable("q.log", PermissionError(13, "Permission denied", "q.log")) == (
        "cannot read q.log: Permission denied")


@pytest.mark.parametrize("key", ["listen", "http_listen"])
def test_hub_on_a_port_in_use_names_it_and_touches_no_database(tmp_path, key, capsys):
    """``panneau hub`` on a taken port printed ``[Errno 98] error while attempting to bind on
    address ('127.0.0.1', 8765): address already in use`` — after creating the database and
    saving an engine state in it."""
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    db, config = tmp_path / "hub.db", tmp_path / "panneau.toml"
    other = "http_listen" if key == "listen" else "listen"
    config.write_text(f'[hub]\n{key} = "127.0.0.1:{port}"\n{other} = "127.0.0.1:0"\n'
                      f'database = "{db}"\n')
    with taken:
        assert main(["hub", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        f"panneau hub: cannot listen on 127.0.0.1:{port} (hub.{key} in {config}): port {port} "
        f"is already in use (another hub, or another program: `ss -ltnp 'sport = :{port}'` "
        f"shows which); stop it, or give hub.{key} another port\n")
    assert list(tmp_path.iterdir()) == [config]


def test_hub_on_an_address_of_another_machine_says_so(tmp_path, capsys):
    config = tmp_path / "panneau.toml"
    config.write_text(f'[hub]\nlisten = "192.0.2.1:8765"\ndatabase = "{tmp_path / "hub.db"}"\n')
    assert main(["hub", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        f"panneau hub: cannot listen on 192.0.2.1:8765 (hub.listen in {config}): this machine "
        "has no address 192.0.2.1; give one of its own, 127.0.0.1 (this machine only) or "
        "0.0.0.0 (every address)\n")
    assert list(tmp_path.iterdir()) == [config]


def test_config_check_refuses_one_port_for_both_listen_settings(tmp_path, capsys):
    """Both on 8765: config check said OK, and the hub failed to bind its HTTP port only after
    opening its database."""
    text = '[hub]\nlisten = "127.0.0.1:8765"\nhttp_listen = "0.0.0.0:8765"\n'
    assert config_check(tmp_path, text, capsys) == (1, [
        "panneau.toml:3: hub.http_listen: port 8765 is hub.listen's too: the websocket and "
        "HTTP ports must differ", "1 problem found"])


def test_config_check_warns_of_a_hub_nobody_can_use(tmp_path, capsys):
    """A config with no token, no source and no team: config check said OK."""
    assert config_check(tmp_path, "[hub]\n", capsys) == (0, [
        "panneau.toml: warning: tokens: none: no screen and no command can connect to this "
        "hub; add [[tokens]] (`panneau init` writes a starting set)",
        "panneau.toml: warning: sources: none: no call, ticket or agent state comes in, so "
        "every figure stays empty; add [[sources]] (`panneau plugins` lists them)",
        "panneau.toml: warning: teams: none: kiosks and agent screens show a team, so only a "
        "manager's console has figures; add [[teams]] with their queues and agents",
        "panneau.toml: valid, with 3 warnings above"])
    edge = ('[cluster]\nrole = "edge"\nsites = ["paris"]\n[[teams]]\nid = "t"\n'
            'queues = ["q"]\n[[tokens]]\nrole = "manager"\ntoken = "manager-token"\n')
    # an edge hub's events come from NATS: no source is no warning
    assert config_check(tmp_path, edge, capsys) == (0, ["panneau.toml: OK"])


def test_a_threshold_below_0_for_a_figure_never_negative_is_refused(tmp_path, capsys):
    """``targets set site abandon_rate_pct --target -5`` was written: a rate over -5 % is
    always past its target."""
    config = tmp_path / "panneau.toml"
    text = '[[thresholds]]\nkpi = "asa_s"\nwarn = 20.0\nalert = 40.0\n'
    config.write_text(text)
    assert main(["targets", "set", "site", "abandon_rate_pct", "--target", "-5", "--config",
                 str(config)]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"panneau targets set: {config}:7: thresholds[1].target: abandon_rate_pct is never "
        "below 0 (pct), got -5"]
    assert config.read_text() == text
    text = ('[[thresholds]]\nkpi = "asa_s"\nwarn = -20\nalert = -10.5\n'
            '[[thresholds]]\nkpi = "nps"\ntarget = -10\n')  # NPS goes to -100
    assert config_check(tmp_path, text, capsys) == (1, [
        "panneau.toml:3: thresholds[0].warn: asa_s is never below 0 (s), got -20",
        "panneau.toml:4: thresholds[0].alert: asa_s is never below 0 (s), got -10.5",
        "2 problems found"])


def test_a_level_a_percentage_or_the_nps_never_reaches_is_refused(tmp_path, capsys):
    """``targets set team:support service_level_pct --warn 120`` was written (a typo for 12 or
    82: the figure, at most 100 %, stayed warn all day); an NPS target of 500, a key result's
    FCR of 150 % went through config check too."""
    config = tmp_path / "panneau.toml"
    text = '[[teams]]\nid = "support"\nqueues = ["support"]\nagents = ["ann"]\n'
    config.write_text(text)
    assert main(["targets", "set", "team:support", "service_level_pct", "--warn", "120",
                 "--config", str(config)]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"panneau targets set: {config}:8: thresholds[0].warn: service_level_pct is never "
        "above 100 (pct), got 120"]
    assert config.read_text() == text
    text = ('[[thresholds]]\nkpi = "nps"\ntarget = 500\nalert = -100\n'
            '[[thresholds]]\nkpi = "service_level_pct"\ntarget = 100\nwarn = 0\n'
            '[[objectives]]\ntitle = "Resolve"\n[[objectives.key_results]]\n'
            'kpi = "fcr_pct"\ntarget = 150\nbaseline = -3\n')
    assert config_check(tmp_path, text, capsys) == (1, [
        "panneau.toml:3: thresholds[0].target: nps is never above 100 (score), got 500",
        "panneau.toml:13: objectives[0].key_results[0].target: fcr_pct is never above 100 "
        "(pct), got 150",
        "panneau.toml:14: objectives[0].key_results[0].baseline: fcr_pct is never below 0 "
        "(pct), got -3",
        "3 problems found"])


def test_a_kiosk_dwell_of_0_or_less_is_refused(tmp_path, capsys):
    """``[kiosk] dwell_s = 0``: config check said OK, and the wall stayed on its first page."""
    text = ('[kiosk]\ndwell_s = 0\n[[kiosk.pages]]\ntitle = "Now"\nkpis = ["calls_waiting"]\n'
            'window = "now"\ndwell_s = -5\n[[kiosk.pages]]\ntitle = "Today"\n'
            'kpis = ["offered"]\ndwell_s = 0.5\n')
    assert config_check(tmp_path, text, capsys) == (1, [
        "panneau.toml:2: kiosk.dwell_s: must be greater than 0, got 0",
        "panneau.toml:7: kiosk.pages[0].dwell_s: must be greater than 0, got -5",
        "2 problems found"])


def test_config_check_refuses_kpi_settings_no_contact_centre_means(tmp_path, capsys):
    """A service level T of -5 s, a staffing goal of 150 %: config check said OK."""
    text = ("[kpi]\nservice_level_s = -5\nshort_abandon_s = -3\nwrapup_s = -1.5\n"
            "fcr_repeat_hours = 0\nsmall_n = -1\nservice_level_target_pct = 150\n"
            "[queues.support]\nservice_level_s = 0\n")
    assert config_check(tmp_path, text, capsys) == (1, [
        "panneau.toml:2: kpi.service_level_s: must be greater than 0, got -5",
        "panneau.toml:3: kpi.short_abandon_s: must be 0 or more, got -3",
        "panneau.toml:4: kpi.wrapup_s: must be 0 or more, got -1.5",
        "panneau.toml:5: kpi.fcr_repeat_hours: must be greater than 0, got 0",
        "panneau.toml:6: kpi.small_n: must be 0 or more, got -1",
        "panneau.toml:7: kpi.service_level_target_pct: must be over 0 and at most 100, got 150",
        "panneau.toml:9: queues.support.service_level_s: must be greater than 0, got 0",
        "7 problems found"])


@pytest.mark.parametrize(("args", "said"), [
    (["--service-level", "-5"],
     "error: argument --service-level: must be a number of seconds over 0, got '-5'"),
    (["--service-level", "2.5"],
     "error: argument --service-level: not a whole number of seconds: '2.5'"),
    (["--day", "2026-01-01"], "--day is for `panneau replay journal`; a file is replayed whole "
                              "(--at TIME gives the figures at a moment of it)")])
def test_replay_of_a_file_refuses_a_service_level_of_no_time_and_a_day(tmp_path, args, said,
                                                                       capsys):
    """``--service-level -5`` replayed with T = -5 s; ``--day`` was ignored without a word."""
    log = tmp_path / "queue_log"
    log.write_text("1767261600|c1|support|NONE|ENTERQUEUE||+331|1\n")
    try:
        code = main(["replay", "queue_log", str(log), "--json", *args])
    except SystemExit as exc:  # argparse's own
        code = exc.code
    assert code == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.endswith(f"panneau replay: {said}\n"), out.err


@pytest.mark.parametrize(("argv", "command", "unknown"), [
    (["plugins", "extra"], "plugins", "extra"),
    (["targets", "list", "--scope", "site"], "targets list", "--scope site"),
    (["message", "--hub", "ws://127.0.0.1:9", "--token", "manager-token", "--urgent", "hi"],
     "message", "--urgent")])
def test_an_unknown_argument_is_said_by_its_command_with_its_usage(argv, command, unknown,
                                                                   capsys):
    """``panneau targets list --scope site`` said ``panneau: error: unrecognized arguments``
    under the usage of ``panneau`` itself, which names no option of the command."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: panneau {command} [-h]"), err
    assert err.endswith(f"panneau {command}: error: unrecognized arguments: {unknown}\n"), err


@pytest.mark.parametrize(("args", "said"), [
    (["  "], "the text must be 1 to 500 characters, got 0"),
    (["x" * 501], "the text must be 1 to 500 characters, got 501"),
    (["--team", "support", "--agent", "ag-ann", "hi"], "send to a team or to an agent, not both")])
def test_a_message_the_hub_would_refuse_is_refused_before_connecting(args, said, capsys):
    """An empty message went to the hub, whose refusal exited 1 as if it were the hub's fault;
    port 9 here would answer 'connection refused' had it been reached."""
    assert main(["message", "--hub", "ws://127.0.0.1:9", "--token", "manager-token",
                 *args]) == 2
    assert capsys.readouterr().err == f"panneau message: {said}\n"


@pytest.mark.parametrize(("args", "said"), [
    (["team:support/answered", "x"],
     "annotation key must be <scope>/<window>/<kpi>, got 'team:support/answered'"),
    (["kpi:site/today/happiness", "x"], "unknown KPI 'happiness'"),
    (["--remove", "site/today/happiness"], "unknown KPI 'happiness'"),
    (["site/today/answered", "x" * 501], "the text must be at most 500 characters, got 501")])
def test_an_annotation_the_hub_would_refuse_is_refused_before_connecting(args, said, capsys):
    """A bad key went to the hub, whose refusal exited 1 as if it were the hub's fault; port 9
    here would answer 'connection refused' had it been reached."""
    assert main(["annotate", "--hub", "ws://127.0.0.1:9", "--token", "manager-token",
                 *args]) == 2
    assert capsys.readouterr().err == f"panneau annotate: {said}\n"


@pytest.mark.parametrize(("reader", "option", "said"), [
    ("queue_log", "timezone=UTC", "queue_log files take no --option"),  # said 'KEY in: none'
    ("queue_log_csv", "zone=UTC", "queue_log_csv takes KEY=VALUE with KEY one of timezone"),
    ("queue_log_csv", "timezone", "queue_log_csv takes KEY=VALUE with KEY one of timezone")])
def test_a_replay_option_the_reader_does_not_take_is_named(tmp_path, capsys, reader, option,
                                                           said):
    log = tmp_path / "queue_log"
    log.write_text("1767261600|c1|support|NONE|ENTERQUEUE||+331|1\n")
    assert main(["replay", reader, str(log), "--option", option]) == 2
    assert capsys.readouterr().err == f"panneau replay: --option {option!r}: {said}\n"


@pytest.mark.parametrize("argv, command", [
    (["hub"], "hub"),
    (["replay", "queue_log", "queue_log"], "replay"),
    (["replay", "journal", "--day", "2026-11-01"], "replay journal"),
    (["export", "--from", "2026-11-01"], "export"),
    (["targets", "list"], "targets list"),
    (["import-survey", "answers.csv", "--mapping", "mapping.toml"], "import-survey"),
])
def test_every_line_of_a_config_with_several_problems_carries_the_command(
        tmp_path, monkeypatch, argv, command, capsys):
    """``panneau replay`` printed its name before the first problem only: the next lines
    read as another program's output."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "queue_log").write_text("")
    (tmp_path / "answers.csv").write_text("id,time,score\n")
    (tmp_path / "mapping.toml").write_text(
        'survey = "csat"\n[fields]\nid = "id"\ntime = "time"\nscore = "score"\n')
    (tmp_path / "panneau.toml").write_text(
        '[hub]\ntimezone = "Nowhere/City"\nbogus = 1\n')
    assert main([*argv, "--config", "panneau.toml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (f"panneau {command}: panneau.toml:2: hub.timezone: unknown time "
                        "zone 'Nowhere/City'")
    assert lines[1].startswith(f"panneau {command}: panneau.toml:3: hub.bogus: unknown key")
    assert len(lines) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "answers.csv", "mapping.toml", "panneau.toml", "queue_log"]


def test_targets_set_on_a_config_with_several_problems_names_itself_on_every_line(
        tmp_path, capsys):
    config = tmp_path / "panneau.toml"
    text = '[hub]\ntimezone = "Nowhere/City"\nbogus = 1\n'
    config.write_text(text)
    assert main(["targets", "set", "site", "calls_waiting", "--target", "1",
                 "--config", str(config)]) == 2
    lines = capsys.readouterr().err.replace(str(config), "panneau.toml").splitlines()
    assert lines[0] == "panneau targets set: refused, nothing changed:"
    assert lines[1].startswith("panneau targets set: panneau.toml:2: hub.timezone:")
    assert lines[2].startswith("panneau targets set: panneau.toml:3: hub.bogus:")
    assert config.read_text() == text


@pytest.mark.parametrize(("argv", "said"), [
    (["demo", "--speed", "0"], "panneau demo: --speed must be above 0 and at most 3600"),
    (["demo", "--team", "nope"], "panneau demo: no team 'nope' (teams: support, sales, expert)"),
    (["demo", "--overlay", "zed"], "panneau demo: no agent 'zed' in the demo (agents: "),
    (["demo", "--sites", "5"], "panneau demo: --sites must be 1 to 4"),
    (["replay", "nope", "x.log"], "panneau replay: no source reads 'nope' files (known: "),
    (["replay", "queue_log"], "panneau replay: queue_log needs a FILE"),
    (["replay", "journal", "x.db"], "panneau replay journal: takes no FILE (the database "
                                    "comes from --config)"),
    (["replay", "journal"], "panneau replay journal: --day YYYY-MM-DD is required"),
])
def test_demo_and_replay_refuse_bad_options_as_every_command_does(tmp_path, monkeypatch, argv,
                                                                   said, capsys):
    """One line on stderr under the command's name, exit code 2, nothing written: the words of
    the shared ``fail()``, which these two wrote by hand beside it."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith(said) and out.err.count("\n") == 1, out.err
    assert list(tmp_path.iterdir()) == []
