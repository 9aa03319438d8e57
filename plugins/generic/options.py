"""Options of the ``generic`` source: where rows come from and how they map to events."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from panneau.hub.config.validate import OptionProblems, negative, not_positive, under_minimum
from panneau.hub.sources import secret_from_env
from panneau.hub.toolkit.mapping import RowMapping

__all__ = ["GenericOptions", "resolve_headers"]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class GenericOptions:
    """Exactly one of ``folder`` (files dropped there) or ``url`` (a JSON endpoint polled)."""

    mapping: RowMapping
    folder: str | None = None
    pattern: str = "*.csv"
    url: str | None = None
    records: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    since_param: str | None = None
    poll_interval_s: float = 30.0
    settle_s: float = 2.0
    csv_delimiter: str = ","
    encoding: str = "utf-8-sig"
    remember_ids: int = 20000
    remember_files: int = 10000
    max_tracked_tickets: int = 20000
    min_request_interval_s: float = 0.0
    max_retry_wait_s: float = 300.0
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        """Refuse what no source could run with (the mapping refuses its own): ``config
        check`` and the hub then say the same, at the key's line, before anything starts."""
        problems = under_minimum(self, 1, "remember_ids", "remember_files",
                                 "max_tracked_tickets")
        if (self.folder is None) == (self.url is None):
            problems["url" if self.url is not None else "folder"] = \
                "give exactly one of folder or url"
        problems |= not_positive(self, "poll_interval_s", "timeout_s")
        problems |= negative(self, "settle_s", "min_request_interval_s", "max_retry_wait_s")
        if problems:
            raise OptionProblems(problems)


def resolve_headers(headers: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """HTTP headers with every ``${NAME}`` replaced by that environment variable, or by the
    file ``$NAME_FILE`` names (secrets stay out of the config file); ``ValueError`` names a
    variable that is not set."""

    def substitute(key: str, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            secret = secret_from_env(name, environ)
            if not secret:
                raise ValueError(f"headers.{key}: environment variable {name} is not set")
            return secret

        return _VAR.sub(one, value)

    return {key: substitute(key, value) for key, value in headers.items()}
