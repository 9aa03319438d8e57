"""How objectives and the scorecard read on a screen: Rich renderables from view values. Pure.

Used by the kiosk's Objectives and Scorecard pages and the console's scorecard screen; the
values are the hub's ``objective:<n>`` and ``scorecard:<scope>`` view entries
(:mod:`panneau.hub.objectives`). Every state carries a symbol as well as a colour.

``stale(kpi, scope)`` (optional) says whether a figure is doubtful (the tiles' rule,
:func:`panneau.hub.freshness.figure_stale`; ``scope`` as the entry gives it, ``None`` when it
gives none): its row is greyed and its state reads ``◌ stale``, and so is its objective's when
one of the objective's key results is — as the browser wall's ``goals.js`` draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from panneau.hub.config.schema import PERSPECTIVES
from panneau.hub.display import NO_DATA, SYMBOLS, Symbols, format_value
from panneau.hub.objectives import short_label

__all__ = ["PERSPECTIVE_TITLES", "STATUS_STYLES", "StaleRule", "goal_scope", "objectives_table",
           "progress_bar", "pulse_line", "pulse_table", "scorecard_period", "scorecard_table"]

PERSPECTIVE_TITLES = {"cost": "Cost", "customer": "Customer", "process": "Internal process",
                      "people": "People & learning"}
#: Objective status → (state used for symbol and colour).
STATUS_STYLES = {"achieved": "ok", "on track": "ok", "at risk": "warn", "no data": "nodata"}
_COLOURS = {"ok": "green", "warn": "yellow", "alert": "red", "nodata": "grey50",
            "none": "default"}
_STALE_COLOUR = "grey42"
#: Whether the figure of ``kpi`` on ``scope`` is doubtful.
StaleRule = Callable[[str, str | None], bool]


def _never(kpi: str, scope: str | None) -> bool:
    return False


def goal_scope(entry: Mapping[str, Any]) -> str | None:
    """The scope a key result or a scorecard gives (``None`` when it gives none)."""
    scope = entry.get("scope")
    return scope if isinstance(scope, str) else None


def _greyed(cells: list[Text], stale: bool) -> list[Text]:
    """The cells of a doubtful figure's row, greyed over their own colours."""
    if stale:
        for cell in cells:
            cell.stylize(_STALE_COLOUR)
    return cells


def _state_text(state: str | None, text: str, symbols: Symbols) -> Text:
    state = state or "none"
    return Text(f"{symbols.state(state)} {text}".rstrip(), style=_COLOURS.get(state, ""))


def _figure(kpi: str, value: float | None, symbols: Symbols) -> str:
    """A figure in a line of text: the no-data mark (``—``) as the tiles' labels show it, not
    the big digits' ``-``."""
    text = format_value(kpi, value)
    return symbols.nodata if text == NO_DATA else text


def _stale_text(symbols: Symbols, text: str = "") -> Text:
    """``◌ 72% stale`` (``◌ stale`` without a figure): a doubtful figure's state."""
    return Text(" ".join(w for w in (symbols.stale, text, "stale") if w), style=_STALE_COLOUR)


def progress_bar(pct: float | None, width: int = 10, symbols: Symbols = SYMBOLS) -> Text:
    """``██████░░░░ 60%`` (``—`` without a value)."""
    if pct is None:
        return Text(symbols.nodata, style="grey50")
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    return Text("█" * filled + "░" * (width - filled) + f" {pct:3.0f}%")


def _deadline(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.day} {day.strftime('%b')}"


def _site_owner(objective: Mapping[str, Any]) -> str:
    """``site``, or the ``site:<name>`` every key result of a group hub's objective is on."""
    scopes = {kr.get("scope") for kr in objective.get("key_results", ())}
    one = scopes.pop() if len(scopes) == 1 else None
    return one if isinstance(one, str) and one.startswith("site:") else "site"


def objectives_table(objectives: Iterable[Mapping[str, Any]], symbols: Symbols = SYMBOLS,
                     bar_width: int = 10, stale: StaleRule = _never) -> RenderableType:
    """One block per objective: title, period, status, progress; then its key results."""
    table = Table(box=None, expand=True, show_header=False, padding=(0, 1), show_edge=False)
    table.add_column("what", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("figures", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    count = 0
    for obj in objectives:
        count += 1
        owner = str(obj["team"]) if obj.get("team") else _site_owner(obj)
        results = [(kr, stale(kr["kpi"], goal_scope(kr))) for kr in obj.get("key_results", ())]
        doubtful = any(d for _, d in results)
        state = STATUS_STYLES.get(obj.get("status", ""), "none")
        table.add_row(*_greyed([
            Text(f"{obj['title']}", style="bold"),
            Text(f"{obj['period']} · {owner}", style="grey70"),
            _stale_text(symbols) if doubtful
            else _state_text(state, str(obj.get("status", "")), symbols),
            progress_bar(obj.get("progress_pct"), bar_width, symbols)], doubtful))
        for kr, doubtful in results:
            state = STATUS_STYLES.get(kr.get("status", ""), "none")
            figures = (f"{_figure(kr['kpi'], kr.get('value'), symbols)} → "
                       f"{format_value(kr['kpi'], kr['target'])} by {_deadline(kr['deadline'])}")
            table.add_row(*_greyed([
                Text(f"  {kr.get('label') or short_label(kr['kpi'])}"), Text(figures),
                _stale_text(symbols) if doubtful
                else _state_text(state, str(kr.get("status", "")), symbols),
                progress_bar(kr.get("progress_pct"), bar_width, symbols)], doubtful))
    if not count:
        return Text("No objective set for this team yet.", style="grey50")
    return table


def _row_cells(row: Mapping[str, Any], symbols: Symbols, doubtful: bool) -> list[Text]:
    kpi = row["kpi"]
    has = row.get("value") is not None
    value = format_value(kpi, row["value"]) if has else ""  # no value: the nodata mark alone
    state = row.get("state") if has else "nodata"
    target = row.get("target")
    return _greyed([
        Text(f"{row.get('label') or short_label(kpi)}"),
        Text("lead" if row.get("role") == "leading" else "lag", style="grey70"),
        _stale_text(symbols, value) if doubtful else _state_text(state, value, symbols),
        Text("" if row.get("previous") is None
             else f"was {format_value(kpi, row['previous'])}", style="grey70"),
        Text("" if target is None else f"→ {format_value(kpi, target)}")], doubtful)


def scorecard_period(card: Mapping[str, Any]) -> str:
    """``2026-11 · support · 1 Nov – 30 Nov``: the period a scorecard's figures cover, whose
    (a team's id, ``site`` or ``site:<name>``) and its first and last working days — the
    heading a wall shows above it, as its other pages name their scope and window."""
    scope = goal_scope(card) or ""
    owner = scope.removeprefix("team:") if scope.startswith("team:") else scope
    try:
        days = f"{_deadline(str(card['first']))} – {_deadline(str(card['last']))}"
    except (KeyError, ValueError):
        days = ""
    return " · ".join(part for part in (str(card.get("period") or ""), owner, days) if part)


def scorecard_table(card: Mapping[str, Any], symbols: Symbols = SYMBOLS, *,
                    columns: int = 2, stale: StaleRule = _never) -> RenderableType:
    """The four perspectives (``columns`` side by side), then the cause→effect links."""
    blocks: list[RenderableType] = []
    for perspective in PERSPECTIVES:
        rows = [r for r in card.get("rows", ()) if r.get("perspective") == perspective]
        block = Table(title=PERSPECTIVE_TITLES[perspective], title_justify="left",
                      title_style="bold", box=None, expand=True, show_header=False,
                      padding=(0, 1), show_edge=False)
        block.add_column("kpi", ratio=1, no_wrap=True, overflow="ellipsis")
        for name in ("role", "value", "previous", "target"):
            block.add_column(name, no_wrap=True, justify="left" if name == "role" else "right")
        for row in rows:
            block.add_row(*_row_cells(row, symbols, stale(row["kpi"], goal_scope(card))))
        if not rows:
            block.add_row(Text("—", style="grey50"), "", "", "", "")
        blocks.append(block)
    grid = Table.grid(expand=True, padding=(0, 2))
    for _ in range(columns):
        grid.add_column(ratio=1)
    for start in range(0, len(blocks), columns):
        grid.add_row(*blocks[start:start + columns])
    links = Table(title="Cause → effect", title_justify="left", title_style="bold", box=None,
                  expand=True, show_header=False, padding=(0, 1), show_edge=False)
    links.add_column("link", ratio=1, no_wrap=True, overflow="ellipsis")
    links.add_column("figures", no_wrap=True)
    for link in card.get("links", ()):
        cause, effect = link["cause"], link["effect"]
        figures = (f"{_figure(cause, link.get('cause_value'), symbols)} → "
                   f"{_figure(effect, link.get('effect_value'), symbols)}")
        text = Text(f"{short_label(cause)} → {short_label(effect)}")
        if link.get("warning"):
            text.append(f"  {symbols.warn} {link['warning']}", style="yellow")
        links.add_row(text, figures)
    return Group(grid, Text(""), links)


def pulse_line(value: Mapping[str, Any]) -> Text:
    """One line for a wall: ``Team pulse (anonymous) 3.6 / 5 from 12 answers · 2026-W48``."""
    line = Text("Team pulse (anonymous) ", style="bold")
    if value.get("answers") is None:
        line.append("too few answers yet", style="grey50")
    else:
        line.append(f"{value['mean']:.1f} / 5 from {value['answers']} answers")
    line.append(f" · {value.get('period', '')}", style="grey50")
    return line


def pulse_table(pulses: Iterable[tuple[str, Mapping[str, Any]]]) -> RenderableType:
    """The agents' satisfaction pulse per team: answers, mean, how many of each score, and the
    comments a manager's view carries (alphabetical, nothing beside them)."""
    pulses = list(pulses)
    if not pulses:
        return Text("No satisfaction pulse on this hub ([pulse] enabled = false).",
                    style="grey50")
    parts: list[RenderableType] = [Text(f"Question: {pulses[0][1].get('question', '')}"
                                        f"  ({pulses[0][1].get('period', '')})", style="italic")]
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for column in ("Team", "Answers", "Mean", "1-2-3-4-5"):
        table.add_column(column, justify="left" if column == "Team" else "right")
    waiting = []
    for team, value in pulses:
        if value.get("answers") is None:
            waiting.append(team)
            table.add_row(team, "—", "—", "—")
        else:
            table.add_row(team, str(value["answers"]), f"{value['mean']:.1f} / 5",
                          "-".join(str(n) for n in value.get("counts") or ()))
    parts.append(table)
    if waiting:
        parts.append(Text(f"— too few answers yet ({', '.join(waiting)}): a team's figures "
                          "show from kpi.small_n answers", style="grey50"))
    for team, value in pulses:
        comments = value.get("comments") or ()
        if comments:
            parts.append(Text(f"Comments · {team} (unattributed, alphabetical)", style="bold"))
            parts += [Text(f"  “{c}”") for c in comments]
    return Group(*parts)
