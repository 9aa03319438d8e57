"""What the manager console shows, from the manager's view: pure, no I/O, no clock.

One family of figures at a time (voice, tickets, surveys, staffing, agents; ``f`` cycles):
its columns are every KPI of that family in the catalogue (:data:`panneau.hub.catalogue.KPIS`)
that has a value for a row shown, so a new source's figures appear with no change here.
Instant KPIs read the ``now`` window, the others ``today``. Tables: the overview (site, each
site of a group hub, each team, each queue), the agents (optionally of one team: the drill
from a team), the insights, the comments on figures and the messages. Each table's first row
gives the targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from panneau.hub.catalogue import KPIS, KpiInfo
from panneau.hub.display import (
    NO_DATA,
    STATE_LABELS,
    SYMBOLS,
    format_duration,
    format_value,
    label_of,
    state_reason,
    state_symbol,
)
from panneau.hub.freshness import Link, figure_stale, scope_sources, stale_sources
from panneau.hub.view import ViewState

__all__ = [
    "FAMILIES", "Cell", "ConsoleModel", "Row", "StaleRule", "agent_day", "build_console",
    "columns_for", "parse_line", "parse_send", "sort_rows", "stale_rule",
]

FAMILIES: tuple[str, ...] = ("voice", "tickets", "surveys", "staffing", "agents")
TARGET_ROW = "target"
#: The state shown for a configured agent with no state today (never logged in).
NOT_SEEN = "not seen today"
#: The mark of no data, the same as on every other screen (the kiosk's, the wall's).
NO_DATA_MARK = SYMBOLS.nodata
#: The overview's section of the queues of several teams or of none.
SHARED_QUEUES = "section:queues"


def _value_text(kpi: str, value: float | None) -> str:
    return NO_DATA_MARK if value is None else format_value(kpi, value)


def _duration_text(seconds: float | None) -> str:
    text = format_duration(seconds)
    return NO_DATA_MARK if text == NO_DATA else text


#: Whether the figure of a KPI (first) on a scope (second; ``None``: the site) is doubtful.
StaleRule = Callable[[str, str | None], bool]


def _never(kpi: str, scope: str | None) -> bool:
    return False


def stale_rule(view: ViewState, link: Link) -> StaleRule:
    """The wall's and the overlay's rule (:func:`panneau.hub.freshness.figure_stale`): a
    figure is doubtful without the hub link, or when a stale or down source that may feed
    its scope feeds it (on a group hub a site's figures wait on that site only)."""
    sources = stale_sources(view)

    def stale(kpi: str, scope: str | None) -> bool:
        return figure_stale(kpi, scope_sources(sources, scope or "site"), link)
    return stale


@dataclass(frozen=True, slots=True)
class Cell:
    """A value's text, its threshold state (drawn as colour and symbol), the number behind
    it (for sorting), whether a manager commented it and whether it is doubtful (a source
    feeding it stale or down, or the hub link lost)."""

    text: str
    state: str | None = None
    value: float | None = None
    noted: bool = False
    stale: bool = False

    @property
    def marked(self) -> str:
        """The text after the state's symbol (as on the kiosk; ``◌`` for a doubtful figure,
        as on the wall), ``✎`` when commented."""
        if self.stale and self.text not in ("", NO_DATA_MARK):
            text = f"◌{self.text}"
        else:
            text = f"{state_symbol(self.state)}{self.text}" if self.state else self.text
        return f"{text}✎" if self.noted else text


Row = tuple[str, tuple[Cell, ...]]


@dataclass(frozen=True, slots=True)
class ConsoleModel:
    """Rows of every table, each ``(row key, cells)``, and the column labels of the two
    figure tables (overview and agents) for ``family``."""

    family: str = "voice"
    columns: tuple[str, ...] = ()
    teams: tuple[Row, ...] = ()
    agents: tuple[Row, ...] = ()
    agent_columns: tuple[str, ...] = ()
    insights: tuple[Row, ...] = ()
    notes: tuple[Row, ...] = ()
    messages: tuple[Row, ...] = ()
    team_filter: str | None = None
    #: when the ``today`` window starts (``meta.day_start``, ``"HH:MM"``; None: not said)
    day_start: str | None = None


def window_of(info: KpiInfo) -> str:
    """The window a KPI is shown in on the console."""
    return "now" if info.instant else "today"


def column_label(info: KpiInfo) -> str:
    """A figure's column heading: its name and window on two lines of about equal width
    (``Tickets`` / ``solved today``, ``SL (all`` / ``callers) today``). The window is named
    because the wall judges other windows (15 min…) of the same KPI, so a bare ``SL`` would
    be ambiguous; on one line a column was as wide as both and at 80 columns the tickets'
    last heading was cut (``Tickets solved t``)."""
    words = f"{label_of(info.id)} {window_of(info)}".split()
    cut = min(range(1, len(words)), key=lambda i: (
        max(len(" ".join(words[:i])), len(" ".join(words[i:]))), -i))
    return f"{' '.join(words[:cut])}\n{' '.join(words[cut:])}"


def columns_for(view: ViewState, family: str, scopes: Iterable[str]) -> list[KpiInfo]:
    """The catalogue KPIs of ``family`` that have a value for one of ``scopes``: those with a
    target first (what the team is steered by), each group in catalogue order."""
    scopes = list(scopes)
    found = [info for info in KPIS.values() if info.family == family and any(
        view.kpi(scope, window_of(info), info.id) is not None for scope in scopes)]
    targeted = {info.id for info in found
                if any(f"target:{scope}/{info.id}" in view.values for scope in scopes)}
    return sorted(found, key=lambda info: info.id not in targeted)


def _cell(view: ViewState, scope: str, window: str, kpi: str,
          stale: StaleRule = _never) -> Cell:
    value = view.kpi(scope, window, kpi)
    noted = f"annotation:{scope}/{window}/{kpi}" in view.values
    return Cell(_value_text(kpi, value), view.state(scope, window, kpi), value, noted,
                value is not None and stale(kpi, scope))


def _target_cell(view: ViewState, scopes: Sequence[str], kpi: str) -> Cell:
    """The first target found for ``kpi`` among ``scopes``, as text (``≥80%``, ``≤20s``)."""
    for scope in scopes:
        target = view.values.get(f"target:{scope}/{kpi}")
        if target and target.get("target") is not None:
            sign = {True: "≥", False: "≤"}.get(target.get("higher_is_better"), "")
            return Cell(sign + format_value(kpi, target["target"]))
    return Cell("")


def _scopes(view: ViewState, kind: str) -> list[str]:
    """Scopes of a kind that have figures, or that the hub names as configured
    (``meta.scopes``: a team quiet since midnight too): ``team`` → ``["team:duo",
    "team:support"]``."""
    meta = view.meta if isinstance(view.meta, dict) else {}
    named = meta.get("scopes") if isinstance(meta.get("scopes"), list) else []
    found = {k.scope for k, _ in view.keys("kpi")} | {s for s in named if isinstance(s, str)}
    return sorted(s for s in found if s.startswith(f"{kind}:"))


def _team_lists(view: ViewState, key: str) -> dict[str, list[str]]:
    """A ``meta`` map of each team to its configured ids (``meta.team_agents``,
    ``meta.team_queues``), in the configuration's order; empty from a hub that does not
    send it, anything not a list of strings left out."""
    meta = view.meta if isinstance(view.meta, dict) else {}
    named = meta.get(key)
    if not isinstance(named, dict):
        return {}
    return {t: [i for i in ids if isinstance(i, str)] for t, ids in named.items()
            if isinstance(ids, list)}


def _team_agents(view: ViewState) -> dict[str, list[str]]:
    """Each team's configured agents (``meta.team_agents``)."""
    return _team_lists(view, "team_agents")


def _agent_ids(view: ViewState, team: str | None) -> list[str]:
    """The agents' rows: every configured agent (of ``team`` when given) in the
    configuration's order, active today or not, then those known only from events (a team's:
    by the team their state names), by id."""
    configured = _team_agents(view)
    listed = list(dict.fromkeys(a for t, ids in configured.items() if team in (None, t)
                                for a in ids))
    seen = {k.id for k, _ in view.keys("agent")} | {s.partition(":")[2]
                                                      for s in _scopes(view, "agent")}
    others = sorted(a for a in seen.difference(listed) if team is None
                    or (view.values.get(f"agent:{a}") or {}).get("team") == team)
    return listed + others


def _team_queues(view: ViewState) -> dict[str, list[str]]:
    """Each team's configured queues (``meta.team_queues``; empty from a hub that does not
    send it: then every queue goes to the section of its own)."""
    return _team_lists(view, "team_queues")


def overview_order(view: ViewState) -> list[str]:
    """The overview's rows: the site-level scopes, each team followed by the queues only it
    serves, then :data:`SHARED_QUEUES` and the queues of several teams or of none, so a queue
    never sits under a team it does not belong to."""
    owners: dict[str, list[str]] = {}
    for team, queues in _team_queues(view).items():
        for queue in queues:
            owners.setdefault(f"queue:{queue}", []).append(f"team:{team}")
    queues = _scopes(view, "queue")
    rows = ["site", *_scopes(view, "site")]
    for team in _scopes(view, "team"):
        rows += [team, *(q for q in queues if owners.get(q) == [team])]
    others = [q for q in queues if q not in rows]
    return rows + ([SHARED_QUEUES, *others] if others else [])


def _name(scope: str) -> str:
    kind, _, ident = scope.partition(":")
    if scope == SHARED_QUEUES:
        return "Queues of several teams or none"
    return {"team": f"Team {ident}", "queue": f"  queue {ident}",
            "site": f"  site {ident}"}.get(kind, "Site") if ident else "Site"


def _figure_rows(view: ViewState, scopes: Sequence[str], infos: Sequence[KpiInfo],
                 first: dict[str, tuple[Cell, ...]], target_scopes: Sequence[str],
                 stale: StaleRule = _never) -> tuple[Row, ...]:
    blanks = (Cell(""),) * (len(next(iter(first.values()), ())) - 1)
    targets = tuple(_target_cell(view, target_scopes, i.id) for i in infos)
    rows: list[Row] = []
    if any(c.text for c in targets):
        rows.append((TARGET_ROW, (Cell("target"), *blanks, *targets)))
    for scope in scopes:
        if scope == SHARED_QUEUES:  # a section's heading, no figures
            rows.append((scope, (*first[scope], *blanks, *(Cell("") for _ in infos))))
            continue
        rows.append((scope, (*first[scope],
                             *(_cell(view, scope, window_of(i), i.id, stale) for i in infos))))
    return tuple(rows)


def build_console(view: ViewState, now: float, family: str = "voice",
                  team: str | None = None, stale: StaleRule = _never) -> ConsoleModel:
    """The console's rows at ``now``: ``family``'s figures, the agents of ``team`` (all if
    ``None``); a figure ``stale`` says is doubtful is marked so."""
    shared = overview_order(view)
    infos = columns_for(view, family, shared)
    teams = _figure_rows(view, shared, infos, {s: (Cell(_name(s)),) for s in shared}, shared,
                         stale)
    agent_ids = _agent_ids(view, team or None)
    agent_scopes = [f"agent:{a}" for a in agent_ids]
    agent_infos = columns_for(view, family, agent_scopes)
    first = {}
    for agent, scope in zip(agent_ids, agent_scopes, strict=True):
        entry = view.values.get(scope) or {}
        state = STATE_LABELS.get(entry.get("state", ""), entry.get("state") or NOT_SEEN)
        since = entry.get("since")
        first[scope] = (
            Cell(str(entry.get("name") or agent)),
            Cell(state + (f": {why}" if (why := state_reason(state, entry.get("reason")))
                          else "")),
            Cell(_duration_text(now - since) if isinstance(since, int | float)
                 else NO_DATA_MARK))
    targets_from = [f"team:{team}"] if team else []
    agents = _figure_rows(view, agent_scopes, agent_infos, first, [*targets_from, "site"],
                          stale)
    return ConsoleModel(
        family, tuple(column_label(i) for i in infos), teams,
        tuple((k.removeprefix("agent:"), c) for k, c in agents),
        tuple(column_label(i) for i in agent_infos),
        _insight_rows(view), _note_rows(view, now), _message_rows(view, now), team,
        day_start if isinstance(day_start := view.meta.get("day_start"), str) else None)


def _insight_rows(view: ViewState) -> tuple[Row, ...]:
    rows = []
    for ident, insight in sorted(view.items("insight:")):
        figures = ", ".join(f"{k} {v:g}" for k, v in (insight.get("figures") or {}).items())
        rows.append((ident, (
            Cell(str(insight.get("text", "")), {"info": None}.get(
                insight.get("severity", "warn"), insight.get("severity"))),
            Cell(str(insight.get("period", ""))), Cell(figures))))
    return tuple(rows)


def _note_rows(view: ViewState, now: float) -> tuple[Row, ...]:
    rows = []
    for key, note in sorted(view.items("annotation:")):
        until = note.get("until")
        rows.append((key, (Cell(key), Cell(str(note.get("text", ""))),
                           Cell(str(note.get("by", ""))),
                           Cell(_duration_text(until - now) if until else NO_DATA_MARK))))
    return tuple(rows)


def _message_rows(view: ViewState, now: float) -> tuple[Row, ...]:
    messages = []
    for msg_id, m in sorted(view.items("message:"), key=lambda item: item[1].get("sent", 0)):
        to = m.get("to") or {}
        acked = m.get("acked_by") or []
        expires = m.get("expires")
        left = _duration_text(expires - now) if isinstance(expires, int | float) else NO_DATA_MARK
        messages.append((msg_id, (
            Cell(str(m.get("text", ""))),
            Cell(to.get("agent") or to.get("team") or "everyone"),
            Cell(left, "warn" if isinstance(expires, int | float) and expires <= now else None),
            Cell(f"{len(acked)}: {', '.join(acked)}" if acked else "none yet"),
        )))
    return tuple(messages)


def sort_rows(rows: Sequence[Row], column: int, reverse: bool = False) -> tuple[Row, ...]:
    """``rows`` by the value (else the text) of one column; the target row stays first and
    rows with nothing in that column go last."""
    head = [r for r in rows if r[0] == TARGET_ROW]
    body = [r for r in rows if r[0] != TARGET_ROW]

    def cell(row: Row) -> Cell:
        return row[1][column] if column < len(row[1]) else Cell("")

    def key(row: Row) -> tuple[int, float, str]:
        c = cell(row)
        return (0, c.value, "") if c.value is not None else (1, 0.0, c.text)

    filled = sorted((r for r in body if cell(r).text not in ("", NO_DATA_MARK)), key=key,
                    reverse=reverse)
    return (*head, *filled, *(r for r in body if cell(r).text in ("", NO_DATA_MARK)))


def agent_day(view: ViewState, agent: str) -> tuple[Row, ...]:
    """Every figure of one agent today, family by family: ``(kpi, [family, label, today,
    last hour, target])``."""
    scope = f"agent:{agent}"
    team = (view.values.get(scope) or {}).get("team")
    rows = []
    for family in FAMILIES:
        for info in columns_for(view, family, [scope]):
            window = window_of(info)
            hour = view.kpi(scope, "60m", info.id)
            rows.append((info.id, (
                Cell(family), Cell(label_of(info.id)), _cell(view, scope, window, info.id),
                Cell(format_value(info.id, hour) if hour is not None else ""),
                _target_cell(view, [*([f"team:{team}"] if team else []), "site"], info.id))))
    return tuple(rows)


def parse_send(line: str, expires_s: float = 3600.0) -> dict:
    """``@support text`` → to a team, ``@@bob text`` → to an agent, else to everyone.

    Returns the ``send_message`` frame; raises ``ValueError`` on an empty text.
    """
    line = line.strip()
    frame: dict = {"type": "send_message", "expires_s": expires_s}
    if line.startswith("@@"):
        target, _, line = line[2:].partition(" ")
        frame["agent"] = target
    elif line.startswith("@"):
        target, _, line = line[1:].partition(" ")
        frame["team"] = target
    if not line.strip():
        raise ValueError("nothing to send: write the message after the recipient")
    frame["text"] = line.strip()
    return frame


def parse_line(line: str, expires_s: float = 3600.0) -> dict:
    """The composer's line as a frame: ``!note KEY text`` comments a figure (``KEY`` is
    ``<scope>/<window>/<kpi>``), ``!unnote KEY`` removes the comment, anything else is a
    message (:func:`parse_send`). Raises ``ValueError`` saying what is missing."""
    stripped = line.strip()
    command, _, rest = stripped.partition(" ")
    if command in ("!note", "!unnote"):
        key, _, text = rest.strip().partition(" ")
        if not key:
            raise ValueError(f"{command} KEY{' text' if command == '!note' else ''}: "
                             "KEY is <scope>/<window>/<kpi>")
        if command == "!note" and not text.strip():
            raise ValueError("!note KEY text: write the comment after the figure's key")
        return {"type": "annotate", "key": key,
                "text": text.strip() if command == "!note" else ""}
    return parse_send(line, expires_s)
