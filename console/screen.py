"""The console's screen: three tables, a status line and the message composer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from panneau.console.model import AGENT_COLUMNS, TEAM_COLUMNS, Cell, ConsoleModel, parse_send

__all__ = ["ConsoleScreen"]

_STYLES = {"ok": "green", "warn": "bold yellow", "alert": "bold red"}
_COLUMNS = {
    "teams": ("Team", *(label for _, _, label in TEAM_COLUMNS)),
    "agents": ("Agent", "State", "For", *(label for _, _, label in AGENT_COLUMNS)),
    "messages": ("Message", "To", "Expires in", "Read by"),
}


def _text(cell: Cell) -> Text:
    return Text(cell.marked, style=_STYLES.get(cell.state or "", ""))


class ConsoleScreen(Screen[None]):
    """Every team's figures, every agent's state, messages; type a message and press Enter."""

    class Send(Message):
        """The manager wrote a message: ``frame`` is its ``send_message`` frame."""

        def __init__(self, frame: dict) -> None:
            super().__init__()
            self.frame = frame

    model: reactive[ConsoleModel] = reactive(ConsoleModel)
    status: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Vertical(id="tables"):
            for name, columns in _COLUMNS.items():
                table: DataTable = DataTable(id=name, cursor_type="row", zebra_stripes=True)
                table.border_title = name.capitalize()
                table.add_columns(*columns)
                yield table
        yield Input(id="compose", placeholder="@team text · @@agent text · text to everyone"
                    " — Enter sends")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.watch_model(self.model)
        self.watch_status(self.status)

    def watch_status(self, status: str) -> None:
        for static in self.query("#status").results(Static):
            static.update(status)

    def watch_model(self, model: ConsoleModel) -> None:
        tables = {t.id: t for t in self.query(DataTable).results(DataTable)}
        for name, rows in (("teams", model.teams), ("agents", model.agents),
                           ("messages", model.messages)):
            table = tables.get(name)
            if table is None:
                continue
            cursor = table.cursor_coordinate
            table.clear()
            for key, cells in rows:
                table.add_row(*(_text(c) for c in cells), key=key)
            if rows:
                table.cursor_coordinate = table.validate_cursor_coordinate(cursor)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Post a well-formed line as :class:`Send` and clear it; keep a bad one, say why."""
        try:
            frame = parse_send(event.value)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        event.input.value = ""
        self.post_message(self.Send(frame))
