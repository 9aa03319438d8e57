"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

__all__ = ["TOKEN_ENV", "add_command", "fail", "hub_client", "not_text", "open_journal",
           "read_token", "screen_args", "seconds_over_zero", "timeout_arg", "unreadable",
           "whole_seconds_over_zero"]

#: The environment variable screens and CLI commands read a token from (after --token-file).
TOKEN_ENV = "PANNEAU_TOKEN"


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    summary: str,
    example: str,
    run: Callable[[argparse.Namespace], int],
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add a subcommand whose ``--help`` ends with an example."""
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=description or summary,
        epilog=f"example:\n  {example}" if example else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run, command_parser=parser)  # says what it does not know
    return parser


def screen_args(parser: argparse.ArgumentParser, role: str = "this screen's") -> None:
    """The options every client of the hub takes: address, token, TLS files."""
    parser.add_argument("--hub", required=True, metavar="URL",
                        help="hub websocket address: ws://HOST:PORT, or wss://HOST:PORT (TLS)")
    parser.add_argument("--token", help=f"{role} token (visible in ps: prefer --token-file "
                                         f"or ${TOKEN_ENV})")
    parser.add_argument("--token-file", metavar="FILE",
                        help=f"read {role} token from FILE (first line)")
    parser.add_argument("--ca-file", metavar="FILE",
                        help="trust only this CA bundle for a wss:// hub (default: the system's)")
    parser.add_argument("--client-cert", metavar="FILE",
                        help="PEM certificate + key to present when the hub asks (mutual TLS)")


def seconds_over_zero(text: str) -> float:
    """An argparse ``type``: a number of seconds over 0 (a wait, a timeout); argparse prints
    ``argument --timeout: …`` and exits 2 for anything else (``-1``, ``0``, ``nan``, ``soon``)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not seconds > 0:  # nan too
        raise argparse.ArgumentTypeError(f"must be a number of seconds over 0, got {text!r}")
    return seconds


def whole_seconds_over_zero(text: str) -> int:
    """An argparse ``type``: a whole number of seconds over 0 (a service level's T)."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds over 0, got {text!r}")
    return seconds


def timeout_arg(parser: argparse.ArgumentParser) -> None:
    """``--timeout SECONDS`` of the commands that send one request to the hub."""
    parser.add_argument("--timeout", type=seconds_over_zero, default=10.0, metavar="SECONDS",
                        help="give up after this many seconds, over 0 (default: 10)")


def read_token(args: argparse.Namespace) -> str:
    """The token from ``--token``, ``--token-file`` or ``$PANNEAU_TOKEN``, in that order.

    Raises ``ValueError`` saying what to give when none is there or the file is unreadable.
    """
    if getattr(args, "token", None):
        return args.token
    if getattr(args, "token_file", None):
        try:
            lines = Path(args.token_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ValueError(f"cannot read the token file {args.token_file}: "
                             f"{exc.strerror}") from exc
        except UnicodeDecodeError:
            raise ValueError(f"{not_text(args.token_file)}: is it the token file?") from None
        token = lines[0].strip() if lines else ""
        if not token:
            raise ValueError(f"the token file {args.token_file} is empty")
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ValueError(f"no token: give --token-file FILE, set ${TOKEN_ENV}, or --token")
    return token


def hub_client(args: argparse.Namespace, **kwargs: Any) -> Any:
    """A :class:`panneau.hub.client.HubClient` for the screen options (``ValueError`` if bad).
    A screen's process leaves what websockets imports and never uses unrun
    (:mod:`panneau.hub.leanimports`)."""
    from panneau.hub.leanimports import defer_websockets_extras

    defer_websockets_extras()
    from panneau.hub.client import HubClient

    return HubClient(args.hub, read_token(args), ca_file=args.ca_file,
                     client_cert=args.client_cert, **kwargs)


def fail(command: str, message: object, code: int = 2) -> int:
    """Print ``panneau COMMAND: message`` on stderr, each line of a message of several (a
    config's problems) under the same prefix; returns ``code``."""
    sys.stderr.write("".join(f"panneau {command}: {line}\n"
                             for line in str(message).splitlines() or [""]))
    return code


def output_problem(option: str, path: str) -> str | None:
    """Why ``path``, given to ``option``, cannot be written as a file (``None`` when it can
    be tried): checked before anything is read, so a typo costs no wait."""
    where = Path(path)
    if where.is_dir():
        return f"{option} {path} is a folder: give a file name"
    if not where.parent.is_dir():
        return f"{option} {path}: the folder {where.parent} does not exist"
    return None


def unreadable(path: str, exc: OSError) -> str:
    """One line saying why the input file ``path`` could not be opened (``exc``), without
    Python's ``[Errno N]``."""
    if isinstance(exc, FileNotFoundError):
        return f"no file at {path}"
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a folder, not a file"
    return f"cannot read {path}: {exc.strerror or exc}"


def not_text(path: str | Path, encoding: str = "utf-8") -> str:
    """``PATH:LINE: not UTF-8 text (byte 0x…)``: where the first byte of ``path`` that is not
    ``encoding`` text is (the line an editor shows it on), one wording for every file a
    command reads. Called once decoding failed: the file is read again, whole (a decoder that
    reads by chunks knows no line)."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    name = "UTF-8" if utf8 else encoding
    try:
        data = Path(path).read_bytes()
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return f"{path}:{line}: not {name} text (byte 0x{data[exc.start]:02x})"
    except (OSError, LookupError):
        pass
    return f"{path}: not {name} text"


def open_journal(path: str) -> sqlite3.Connection:
    """The hub's journal at ``path`` (``hub.database``), opened read-only; ``FileNotFoundError``
    when there is no file, ``ValueError`` when it holds no journal (empty, or not SQLite).
    (sqlite3 imported here: the screens' commands import this module and never read a journal.)"""
    import sqlite3

    if not Path(path).exists():
        raise FileNotFoundError(f"no database at {path}")
    if not Path(path).is_file():  # a folder: sqlite3 says "disk I/O error"
        raise ValueError(f"{path} is not a Panneau journal (hub.database)")
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        db.execute("SELECT 1 FROM kpi_history LIMIT 1").fetchall()
    except sqlite3.DatabaseError:  # no such table, or not a database at all
        db.close()
        raise ValueError(f"{path} is not a Panneau journal (hub.database)") from None
    return db
