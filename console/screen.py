"""The console's main screen: tabs of tables, a status line and the composer.

Keys (the composer keeps letters): F3 next family of figures, F4 sorts the agents by the
column under the cursor (again: reversed), Enter on a team shows its agents (Escape: every
agent), Enter on an agent opens its day (:class:`AgentDayScreen`). The Charts tab (F5, again:
back to Figures) draws the site's charts, or the team's after Enter on a team
(:mod:`panneau.hub.charts`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from panneau.console.model import (
    FAMILIES,
    TARGET_ROW,
    Cell,
    ConsoleModel,
    Row,
    parse_line,
    sort_rows,
)
from panneau.hub.charts import Charts
from panneau.hub.chartview import ChartBoard

__all__ = ["AgentDayScreen", "ConsoleScreen", "overview_title"]

_STYLES = {"ok": "green", "warn": "bold yellow", "alert": "bold red"}
_FIXED = {"messages": ("Message", "To", "Expires in", "Read by"),
          "insights": ("Insight", "Compared", "Figures"),
          "notes": ("Figure", "Comment", "By", "Ends in")}


def _text(cell: Cell, key: str = "") -> Text:
    style = ("italic grey50" if key == TARGET_ROW else "grey42" if cell.stale
             else _STYLES.get(cell.state or "", ""))
    return Text(cell.marked, style=style)


def headings(columns: tuple[str, ...]) -> tuple[str, ...]:
    """Column labels of several lines bottom-aligned: each figure's window on the last line."""
    height = max((label.count("\n") for label in columns), default=0) + 1
    return tuple("\n" * (height - 1 - label.count("\n")) + label for label in columns)


def overview_title(family: str, day_start: str | None) -> str:
    """The Overview's border title: what it lists, the family shown, and when ``today``
    starts — the hub's ``day_start`` (a day from 06:00 is not "since midnight"); whole at 80
    columns with the longest family. The columns name their windows (``Answered today``)."""
    start = f" · today from {day_start}" if day_start else ""
    return f"Overview · site, teams, queues · {family} (F3: next){start}"


def fill(table: DataTable, columns: tuple[str, ...], rows: tuple[Row, ...]) -> None:
    """Replace a table's rows (and its columns when they changed), keeping the cursor."""
    columns = headings(columns)
    if tuple(str(c.label) for c in table.columns.values()) != columns:
        table.clear(columns=True)
        table.add_columns(*columns)
        table.header_height = columns[0].count("\n") + 1 if columns else 1
    cursor = table.cursor_coordinate
    table.clear()
    for key, cells in rows:
        table.add_row(*(_text(c, key) for c in cells), key=key)
    if rows:
        table.cursor_coordinate = table.validate_cursor_coordinate(cursor)


class ConsoleScreen(Screen[None]):
    """Every team's, queue's and agent's figures, insights, comments and messages."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f3", "family", "Next family"),
        Binding("f4", "sort", "Sort agents"),
        Binding("f5", "charts", "Charts"),
        Binding("escape", "all_agents", "All agents", show=False),
    ]

    class Send(Message):
        """The manager wrote a line: ``frame`` is its ``send_message`` or ``annotate``."""

        def __init__(self, frame: dict) -> None:
            super().__init__()
            self.frame = frame

    class Changed(Message):
        """The family or the team filter changed: the model must be rebuilt."""

    class ChartsShown(Message):
        """The Charts tab was opened: its series must be asked for."""

    class OpenAgent(Message):
        """Show one agent's day."""

        def __init__(self, agent: str) -> None:
            super().__init__()
            self.agent = agent

    model: reactive[ConsoleModel] = reactive(ConsoleModel)
    charts: reactive[Charts | None] = reactive(None)
    status: reactive[str] = reactive("")

    def __init__(self) -> None:
        super().__init__()
        self.family = FAMILIES[0]
        self.team: str | None = None
        self.sort: tuple[int, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with TabbedContent(id="tabs"):
            with TabPane("Figures", id="figures"):
                yield self._table("teams")
                yield self._table("agents")
            for name, title in (("insights", "Insights"), ("notes", "Comments"),
                                ("messages", "Messages")):
                with TabPane(title, id=f"tab-{name}"):
                    yield self._table(name)
            with TabPane("Charts", id="tab-charts"), VerticalScroll(id="charts-scroll"):
                yield ChartBoard(agents=True, id="charts")
        yield Input(id="compose", placeholder="@team text · @@agent text · text to everyone ·"
                    " !note KEY text · !unnote KEY — Enter sends")

    @staticmethod
    def _table(name: str) -> DataTable:
        table: DataTable = DataTable(id=name, cursor_type="row", zebra_stripes=True)
        table.add_columns(*_FIXED.get(name, ()))
        return table

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.watch_model(self.model)
        self.watch_status(self.status)

    def watch_status(self, status: str) -> None:
        for static in self.query("#status").results(Static):
            static.update(status)

    @property
    def chart_scope(self) -> str:
        """Whose charts the Charts tab draws: the team drilled into, else the site."""
        return f"team:{self.team}" if self.team else "site"

    def watch_charts(self, charts: Charts | None) -> None:
        if charts is not None:
            for board in self.query(ChartBoard).results(ChartBoard):
                board.show(charts)
                board.border_title = (f"Charts · {self.chart_scope}"
                                      " (Enter on a team in Figures: its charts)")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-charts":
            self.post_message(self.ChartsShown())

    @property
    def charts_shown(self) -> bool:
        """Whether the Charts tab is the one shown."""
        return any(t.active == "tab-charts" for t in self.query("#tabs").results(TabbedContent))

    def watch_model(self, model: ConsoleModel) -> None:
        tables = {t.id: t for t in self.query(DataTable).results(DataTable)}
        if "teams" not in tables:
            return
        family = model.family.capitalize()
        tables["teams"].border_title = overview_title(family, model.day_start)
        who = f"team {model.team_filter}" if model.team_filter else "every team"
        tables["agents"].border_title = (f"Agents of {who} · {family} (Enter: day,"
                                         " F4: sort, Esc: all)")
        fill(tables["teams"], ("Scope", *model.columns), model.teams)
        agents = model.agents
        if self.sort is not None:
            agents = sort_rows(agents, *self.sort)
        fill(tables["agents"], ("Agent", "State", "For", *model.agent_columns), agents)
        for name in ("insights", "notes", "messages"):
            fill(tables[name], _FIXED[name], getattr(model, name))

    def action_family(self) -> None:
        """Show the next family of figures."""
        self.family = FAMILIES[(FAMILIES.index(self.family) + 1) % len(FAMILIES)]
        self.sort = None
        self.post_message(self.Changed())

    def action_sort(self) -> None:
        """Sort the agents by the cursor's column; the same column again reverses."""
        column = self.query_one("#agents", DataTable).cursor_column
        reverse = self.sort is not None and self.sort == (column, False)
        self.sort = (column, reverse)
        self.watch_model(self.model)

    def action_charts(self) -> None:
        """Show the Charts tab; from it, the Figures tab."""
        tabs = self.query_one("#tabs", TabbedContent)
        # a focused table of the pane left would pull its pane back when the focus moves
        self.query_one(Input).focus()
        tabs.active = "figures" if tabs.active == "tab-charts" else "tab-charts"

    def action_all_agents(self) -> None:
        if self.team is not None:
            self.team = None
            self.post_message(self.Changed())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a team: its agents; on an agent: its day."""
        key = event.row_key.value or ""
        if event.data_table.id == "teams" and key.startswith("team:"):
            self.team = key.partition(":")[2]
            self.post_message(self.Changed())
            self.query_one("#agents", DataTable).focus()
        elif event.data_table.id == "agents" and key != TARGET_ROW:
            self.post_message(self.OpenAgent(key))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Post a well-formed line as :class:`Send` and clear it; keep a bad one, say why."""
        try:
            frame = parse_line(event.value)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        event.input.value = ""
        self.post_message(self.Send(frame))


class AgentDayScreen(Screen[None]):
    """One agent's figures today, every family, with the team's targets (Escape: back)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent

    def compose(self) -> ComposeResult:
        yield Static(f"{self.agent} · today (Escape: back)", id="status")
        table: DataTable = DataTable(id="day", cursor_type="row", zebra_stripes=True)
        table.add_columns("Family", "Figure", "Today", "Last hour", "Target")
        yield table

    def show(self, rows: tuple[Row, ...]) -> None:
        fill(self.query_one("#day", DataTable),
             ("Family", "Figure", "Today", "Last hour", "Target"), rows)
