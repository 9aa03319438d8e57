"""The source toolkit: parts for HTTP polling sources and for mapping rows to events.

Public and documented (docs/plugins.md, "The source toolkit"); the built-in Zendesk,
Freshdesk, generic and survey sources are built from them. Modules:

- :mod:`.fetch` — GET JSON politely: pacing, ``429``/``Retry-After``, bounded retries;
- :mod:`.polling` — the loop of a polling source, options and secrets from the environment;
- :mod:`.seen` — a bounded set of ids already handled, for a checkpoint;
- :mod:`.tickets` — ticket snapshots to ticket events, remembering each ticket's state;
- :mod:`.timeparse` — the time values helpdesks and exports write, to epoch seconds;
- :mod:`.mapping` — rows to ticket snapshots or survey responses by configuration;
- :mod:`.rows` — rows read from files, turned into events with a mapping;
- :mod:`.follow` — the new lines of a file another program writes, across log rotation.
"""

from panneau.hub.toolkit.fetch import Fetcher, FetchError, retry_after_s
from panneau.hub.toolkit.follow import FileFollower
from panneau.hub.toolkit.mapping import (
    DEFAULT_SCALES,
    SURVEY_FIELDS,
    TICKET_FIELDS,
    RowMapping,
    lookup,
    mapping_problems,
    row_to_survey,
    row_to_ticket,
    scale_problems,
    score_problem,
)
from panneau.hub.toolkit.polling import (
    HelpdeskOptions,
    account_url,
    from_env,
    make_fetcher,
    poll_forever,
    run_polling,
)
from panneau.hub.toolkit.rows import RowConsumer, read_rows, records_of
from panneau.hub.toolkit.seen import SeenIds
from panneau.hub.toolkit.tickets import (
    OPEN_STATUSES,
    SOLVED_STATUSES,
    STATUSES,
    TicketSnapshot,
    TicketTracker,
    renamed,
)
from panneau.hub.toolkit.timeparse import AHEAD_S, implausible_time, iso_utc, parse_time

__all__ = [
    "AHEAD_S",
    "DEFAULT_SCALES",
    "OPEN_STATUSES",
    "SOLVED_STATUSES",
    "STATUSES",
    "SURVEY_FIELDS",
    "TICKET_FIELDS",
    "FetchError",
    "Fetcher",
    "FileFollower",
    "HelpdeskOptions",
    "RowConsumer",
    "RowMapping",
    "SeenIds",
    "TicketSnapshot",
    "TicketTracker",
    "account_url",
    "from_env",
    "implausible_time",
    "iso_utc",
    "lookup",
    "make_fetcher",
    "mapping_problems",
    "parse_time",
    "poll_forever",
    "read_rows",
    "records_of",
    "renamed",
    "retry_after_s",
    "row_to_survey",
    "row_to_ticket",
    "run_polling",
    "scale_problems",
    "score_problem",
]
