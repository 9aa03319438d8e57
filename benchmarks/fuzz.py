"""Coverage-guided fuzzing of every parser that reads outside input (atheris / libFuzzer).

Targets: the queue_log parser, the AMI event mapper, the survey webhook parsers (Typeform and
Delighted), the wire decoder (client frames) and the config loader. Each target turns the
fuzzer's bytes into its input; a documented rejection (``WireError``, ``ConfigError``,
``Refused``, a line or message reported as skipped) counts as a rejection, any other exception
as *uncaught*: a bug. Uncaught exceptions are recorded (the first few with their input) and the
run goes on, so one bug does not hide the next.

Not part of the test suite (it takes minutes). Run::

    .venv/bin/pip install -c requirements.lock -e ".[fuzz]"
    .venv/bin/python benchmarks/fuzz.py                  # 1,000,000 inputs per target
    .venv/bin/python benchmarks/fuzz.py --runs 20000 --target wire

Each target runs in its own process, seeded from the committed fixtures, with a fixed libFuzzer
seed; the table at the end gives inputs, rejections and uncaught exceptions per target (goal: 0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TARGETS = ("queue_log", "ami", "webhooks", "wire", "config")
MAX_LEN = {"queue_log": 4096, "ami": 4096, "webhooks": 4096, "wire": 2048, "config": 2048}


# --- seeds -------------------------------------------------------------------------------


def _seeds(target: str) -> list[bytes]:
    if target == "queue_log":
        lines = (FIXTURES / "asterisk_live" / "queue_log").read_bytes().splitlines(True)
        return [b"".join(lines[i:i + 8]) for i in range(0, min(len(lines), 400), 8)]
    if target == "ami":
        blocks = [p.read_bytes() for p in sorted((FIXTURES / "ami").glob("*.txt"))]
        recorded = gzip.decompress((FIXTURES / "asterisk_live" / "ami_events.txt.gz")
                                   .read_bytes()).split(b"\r\n\r\n")
        return blocks + [b + b"\r\n\r\n" for b in recorded[:200]]
    if target == "webhooks":
        return [(FIXTURES / "typeform" / "form_response_nps.json").read_bytes(),
                (FIXTURES / "delighted" / "survey_response_created.json").read_bytes()]
    if target == "wire":
        from panneau.hub import wire
        frames = [{"type": "hello", "v": 1, "token": "agent-token-1", "epoch": "e", "seq": 3},
                  {"type": "ack", "message_id": "m1"},
                  {"type": "send_message", "text": "Huddle", "expires_s": 600, "team": "a"},
                  {"type": "annotate", "key": "kpi:team:a/today/aht_s", "text": "note"}]
        return [wire.encode(f) for f in frames]
    if target == "config":
        return [b'[hub]\nlisten = "127.0.0.1:8765"\ntimezone = "Europe/Paris"\n'
                b'[[teams]]\nid = "support"\nqueues = ["support"]\nagents = ["ann"]\n'
                b'[[thresholds]]\nkpi = "calls_waiting"\nwarn = 3.0\nalert = 6.0\n'
                b'[[tokens]]\nrole = "agent"\ntoken = "agent-token-ann"\nagent = "ann"\n',
                b'[[kiosk.pages]]\ntitle = "Now"\nwindow = "now"\nkpis = ["calls_waiting"]\n'
                b'[kiosk.schedule]\non = "07:30"\noff = "19:00"\ndays = ["mon", "tue"]\n']
    raise ValueError(target)


# --- targets: bytes -> "ok" | "rejected" (anything raised is uncaught) --------------------------


def _target(name: str) -> Callable[[bytes], str]:
    if name == "queue_log":
        from panneau.plugins.asterisk.queue_log import parse_lines

        def queue_log(data: bytes) -> str:
            result = parse_lines(data.decode("utf-8", "replace").splitlines())
            return "rejected" if result.skipped else "ok"
        return queue_log
    if name == "ami":
        from panneau.plugins.asterisk.ami_events import AmiTranslator

        def ami(data: bytes) -> str:
            translator = AmiTranslator("pbx")
            messages = []
            for block in data.decode("utf-8", "replace").split("\r\n\r\n"):
                pairs = (ln.split(": ", 1) for ln in block.split("\r\n") if ": " in ln)
                messages.append(dict(pairs))
            translator.seed(messages[:2], 1795379100.0)
            for msg in messages:
                translator.event(msg, 1795379100.0)
            translator.tick(1795379200.0)
            return "rejected" if translator.problems else "ok"
        return ami
    if name == "webhooks":
        from panneau.plugins.surveys.options import DelightedOptions, TypeformForm
        from panneau.plugins.surveys.parse import Refused, parse_delighted, parse_typeform
        forms = {"pNpS2026": TypeformForm(score_field="recommend", comment_field="why",
                                          ticket_field="ticket_id", agent_field="agent",
                                          call_field="call_id", queue_field="queue")}
        delighted = DelightedOptions(secret="x", call_property="Call", ticket_property="Ticket")

        def webhooks(data: bytes) -> str:
            try:
                payload: Any = json.loads(data)
            except ValueError:
                return "rejected"
            refused = 0
            for parse, options in ((parse_typeform, forms), (parse_delighted, delighted)):
                try:
                    parse(payload, options, "surveys")
                except Refused:
                    refused += 1
            return "rejected" if refused == 2 else "ok"  # each body is meant for one of them
        return webhooks
    if name == "wire":
        from panneau.hub import wire

        def wire_target(data: bytes) -> str:
            try:
                wire.decode_client(data, 65536)
            except wire.WireError:
                return "rejected"
            return "ok"
        return wire_target
    if name == "config":
        from panneau.hub.config import ConfigError, parse_config

        def config(data: bytes) -> str:
            try:
                parse_config(data.decode("utf-8", "replace"), "fuzz.toml")
            except ConfigError:
                return "rejected"
            return "ok"
        return config
    raise ValueError(name)


# --- child: one target under libFuzzer --------------------------------------------------------


def _child(name: str, runs: int, report: Path, corpus: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["panneau"]):
        target = _target(name)
    counts = {"inputs": 0, "rejected": 0, "uncaught": 0, "examples": []}

    def flush() -> None:
        report.write_text(json.dumps(counts))

    def one(data: bytes) -> None:
        counts["inputs"] += 1
        try:
            if target(data) == "rejected":
                counts["rejected"] += 1
        except Exception as exc:
            counts["uncaught"] += 1
            what = f"{type(exc).__name__}: {exc}"[:300]
            if len(counts["examples"]) < 5 and all(e["error"] != what
                                                   for e in counts["examples"]):
                counts["examples"].append({"error": what, "input": data[:300].hex()})
        if counts["inputs"] % 10000 == 0 or counts["inputs"] >= runs:
            flush()

    flush()
    atheris.Setup([sys.argv[0], f"-runs={runs}", "-seed=1", f"-max_len={MAX_LEN[name]}",
                   "-print_final_stats=0", str(corpus)], one)
    atheris.Fuzz()


# --- parent ----------------------------------------------------------------------------------


def _run(name: str, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for i, seed in enumerate(_seeds(name)):
            (corpus / f"seed{i}").write_bytes(seed[:MAX_LEN[name]])
        report = Path(tmp) / "report.json"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", name, "--runs", str(runs),
                               "--report", str(report), "--corpus", str(corpus)],
                              capture_output=True, text=True, cwd=tmp,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
        elapsed = time.perf_counter() - started
        counts = json.loads(report.read_text()) if report.exists() else {
            "inputs": 0, "rejected": 0, "uncaught": 0, "examples": []}
        counts["seconds"] = elapsed
        counts["exit"] = done.returncode
        if done.returncode != 0:
            counts["stderr"] = done.stderr[-2000:]
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1_000_000, help="inputs per target")
    parser.add_argument("--target", choices=TARGETS, action="append", help="default: all")
    parser.add_argument("--child", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.runs, args.report, args.corpus)
        return
    print(f"{'target':<10} {'inputs':>10} {'rejected':>10} {'uncaught':>9} {'inputs/s':>9}")
    failed = False
    for name in args.target or TARGETS:
        c = _run(name, args.runs)
        rate = c["inputs"] / c["seconds"] if c["seconds"] else 0
        print(f"{name:<10} {c['inputs']:>10,} {c['rejected']:>10,} {c['uncaught']:>9,} "
              f"{rate:>9,.0f}", flush=True)
        for example in c["examples"]:
            print(f"    {example['error']}\n      input (hex): {example['input'][:120]}")
        if c["exit"] != 0 or c["inputs"] < args.runs:
            print(f"    the fuzzer stopped early (exit {c['exit']}):\n{c.get('stderr', '')}")
        failed |= bool(c["uncaught"]) or c["exit"] != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
