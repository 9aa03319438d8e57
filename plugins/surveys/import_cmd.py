"""``panneau import-survey``: load survey answers from an export (CSV, TSV, JSON, JSON lines).

The mapping file is TOML with the keys of a ``generic`` source's ``mapping`` table (``fields``,
``survey``, ``scale_min``/``scale_max``, ``score_map``, ``time_format``, ``timezone``). Valid
rows are stored in the hub's journal under ``--source`` together with the ids already imported,
in one transaction, so importing the same export twice stores nothing new. The hub counts them
when it next starts (it replays its journal). Bad rows are listed as ``FILE:LINE: reason``.
Exit status: 0 all rows imported, 1 some rows skipped, 2 nothing could be done. The surveys
plugin adds this command through the ``register_commands`` hook.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from panneau.hub.cli.common import fail, not_text, unreadable
from panneau.hub.commands import CommandSpec
from panneau.hub.config import ConfigError, load_config
from panneau.hub.config.schema import Config
from panneau.hub.config.validate import ConfigIssue, build, format_path
from panneau.hub.events import SurveyResponse
from panneau.hub.toolkit.mapping import RowMapping
from panneau.hub.toolkit.rows import RowConsumer, read_rows
from panneau.hub.toolkit.timeparse import implausible_time

__all__ = ["IMPORT_SURVEY", "load_mapping"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the export: .csv, .tsv, .json, .jsonl or .ndjson")
    parser.add_argument("--mapping", required=True, metavar="FILE",
                        help="TOML column mapping (see docs/sources/surveys.md)")
    parser.add_argument("--config", default="panneau.toml", metavar="FILE",
                        help="the hub's config: where its journal is (default: panneau.toml)")
    parser.add_argument("--source", default="import-survey", metavar="NAME",
                        help="source name the answers are stored under (default: import-survey)")
    parser.add_argument("--delimiter", default=",", help="CSV delimiter (default: ,)")
    parser.add_argument("--encoding", default="utf-8-sig", help="file encoding (default: utf-8)")
    parser.add_argument("--records", metavar="KEY",
                        help="JSON: the (dotted) key holding the list of records")
    parser.add_argument("--dry-run", action="store_true",
                        help="check and count, store nothing (no config needed)")


def load_mapping(path: str) -> RowMapping:
    """Read and check a mapping file; ``ValueError`` lists every problem, one a line (a
    file that cannot be read or is not TOML: one line saying so, without Python's words)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{not_text(path)}: save it as UTF-8") from None
    except OSError as exc:
        raise ValueError(f"--mapping: {unreadable(path, exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: invalid TOML: {exc}") from None
    data.setdefault("kind", "survey")
    issues: list[ConfigIssue] = []
    mapping = build(RowMapping, data, (), issues)
    problems = [f"{format_path(i.path)}: {i.message}" for i in issues]
    if mapping is not None and mapping.kind != "survey":
        problems.append("kind: import-survey takes survey rows only")
    if problems:
        raise ValueError("\n".join(f"{path}: {p}" for p in problems))
    assert mapping is not None
    return mapping


@dataclass
class _Skips:
    """The little of a source context that reading rows needs."""

    name: str
    lines: list[str] = field(default_factory=list)

    def skipped(self, detail: str, count: int = 1) -> None:
        self.lines.append(detail)

    def now(self) -> float:
        return time.time()


def _too_old(ctx: _Skips, where: str, response: SurveyResponse, config: Config) -> bool:
    """An answer the hub's journal would not keep (``hub.retention_days``) is a bad row: the
    hub's hourly retention would delete it, unseen, right after it was reported imported."""
    days = config.hub.retention_days
    reason = implausible_time(response.ts, ctx.now(), "time", days * 86400.0)
    if reason is not None:
        ctx.skipped(f"{where}: {reason}: the journal keeps hub.retention_days ({days})")
    return reason is not None


_NAME = "import-survey"


def _read(args: argparse.Namespace, rows: RowConsumer, ctx: _Skips, config: Config | None,
          responses: list[SurveyResponse]) -> int:
    """Read every row of the export into ``responses`` (bad rows into ``ctx``); the number
    of rows. ``ValueError`` when the file itself cannot be read: not in ``--encoding``,
    not CSV the reader can parse, not JSON, or of an unknown kind."""
    total = 0
    try:
        for where, row in read_rows(Path(args.file), delimiter=args.delimiter,
                                    encoding=args.encoding, records=args.records,
                                    label=args.file):
            if where == args.file and isinstance(row, Exception):  # the whole file
                raise ValueError(f"{args.file}: {row}")
            total += 1
            for response in rows.consume(where, row):
                if config is not None and _too_old(ctx, where, response, config):
                    rows.seen.discard(response.response_id)  # importable once it is not
                else:
                    responses.append(response)
    except UnicodeDecodeError:
        raise ValueError(f"{not_text(args.file, args.encoding)}: save it as UTF-8, or give "
                         "its --encoding (e.g. --encoding utf-16)") from None
    except csv.Error as exc:
        raise ValueError(f"{args.file}: not a CSV file the reader can parse, after row "
                         f"{total}: {exc}") from None
    except OSError as exc:
        raise ValueError(unreadable(args.file, exc)) from None
    return total


def run(args: argparse.Namespace) -> int:
    """Read, check, store; print what happened. A file that cannot be read whole (missing,
    a folder, not CSV or JSON the readers can parse) stores nothing and exits 2."""
    try:
        mapping = load_mapping(args.mapping)
        Path(args.file).open("rb").close()
    except ValueError as exc:
        return fail(_NAME, exc)
    except OSError as exc:
        return fail(_NAME, unreadable(args.file, exc))
    path = Path(args.file)
    journal, config = None, None
    if not args.dry_run or Path(args.config).is_file():
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            return fail(_NAME, exc)
    if config is not None and not args.dry_run:
        if any(s.name == args.source for s in config.sources):
            return fail(_NAME, f"--source {args.source!r} is a configured source; pick "
                               "another name")
        from panneau.hub.server.journal import Journal, JournalError

        try:
            journal = Journal(config.hub.database)
        except JournalError as exc:
            return fail(_NAME, exc)
    try:
        ctx = _Skips(args.source)
        state = journal.checkpoint(args.source) if journal else None
        rows = RowConsumer(ctx, mapping, state if isinstance(state, dict) else {},  # type: ignore[arg-type]
                           remember_ids=1_000_000)
        responses: list[SurveyResponse] = []
        try:
            total = _read(args, rows, ctx, config, responses)
        except ValueError as exc:  # nothing stored: the file is read whole first
            return fail(_NAME, exc)
        if journal is not None and responses:
            journal.accept(args.source, responses, rows.state(), True, time.time())
    finally:
        if journal is not None:
            journal.close()
    out = sys.stdout.write
    for line in ctx.lines:
        sys.stderr.write(line + "\n")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(Counter(r.survey for r in responses).items()))
    already = total - len(responses) - len(ctx.lines)
    verb = "would store" if args.dry_run else "stored"
    out(f"{path}: {total} rows, {verb} {len(responses)} responses"
        f"{f' ({kinds})' if kinds else ''}, {already} already imported, "
        f"{len(ctx.lines)} skipped\n")
    if responses and not args.dry_run:
        out(f"stored under source {args.source!r}; the hub counts them when it next starts\n")
    return 1 if ctx.lines else 0


#: ``panneau import-survey``, registered by the surveys plugin.
IMPORT_SURVEY = CommandSpec(
    "import-survey", "import survey responses from a CSV or JSON export", run, _arguments,
    example="panneau import-survey answers.csv --mapping mapping.toml --config panneau.toml")
