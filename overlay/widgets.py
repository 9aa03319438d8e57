"""The overlay's widgets: each draws one part of an :class:`~panneau.overlay.model.OverlayModel`.

They share the screen's ``model`` through ``data_bind`` and fit their text to their own
width, so the same widgets read at 40×10 and at 60×15. None of them takes focus.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from panneau.overlay.figures import figure_lines
from panneau.overlay.lines import STALE_MARK, fit, greyed, one_line, queue_parts, state_text
from panneau.overlay.model import OverlayModel

__all__ = ["AlertBar", "FiguresPanel", "MessageBar", "OneLine", "QueueBar", "StateBar", "TeamLine"]

class OverlayWidget(Widget):
    """Base: the shared model, the component styles, and a text-building helper."""

    DEFAULT_CSS = """
    OverlayWidget { height: 1; }
    OverlayWidget > .ov--ok { color: $text-success; }
    OverlayWidget > .ov--warn { color: $text-warning; text-style: bold; }
    OverlayWidget > .ov--alert { color: $text-error; text-style: bold; }
    OverlayWidget > .ov--ahead { color: $text-success; }
    OverlayWidget > .ov--behind { color: $text-warning; }
    OverlayWidget > .ov--dim { color: $text-muted; }
    OverlayWidget > .ov--strong { text-style: bold; }
    OverlayWidget > .ov--stale { color: $text-disabled; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ov--ok", "ov--warn", "ov--alert", "ov--ahead", "ov--behind", "ov--dim", "ov--strong",
        "ov--stale",
    }

    model: reactive[OverlayModel] = reactive(OverlayModel, layout=True)

    def paint(self, name: str | None) -> Style:
        """The style of a state/mark name (``ok``, ``behind``, ``dim``...); plain for None."""
        if not name:
            return Style()
        return self.get_component_rich_style(f"ov--{name}")

    def state_text(self, text: str, state: str | None, prefix: str = "") -> Text:
        """``prefix`` then ``text`` coloured by its threshold state, after the state's symbol."""
        return state_text(self.paint, text, state, prefix)


class QueueBar(OverlayWidget):
    """The team queue now: calls waiting, longest wait, service level, each marked."""

    def render(self) -> Text:
        q = self.model.queue
        if q.waiting is None and q.longest_s is None and q.sl_pct is None:
            return Text("Queue: no data", style=self.paint("dim"))
        paint = greyed(self.paint, q.stale)
        parts = [(0, Text("Queue" + (f" {STALE_MARK}" if q.stale else ""),
                          style=paint("strong")))]
        words = 2 if self.size.width >= 50 else 1
        parts += [(1, part) for part in queue_parts(paint, q, words)]
        return fit(parts, self.size.width, Text("  "))


class StateBar(OverlayWidget):
    """The agent's state and time in it, and the freshness mark on the right."""

    def render(self) -> Text:
        model = self.model
        me = model.me
        left = Text()
        if me is None:
            left.append("state unknown", style=self.paint("dim"))
        else:
            paint = greyed(self.paint, me.stale)
            if me.stale:
                left.append(f"{STALE_MARK} ", style=paint(None))
            left.append(me.label, style=paint("strong"))
            if me.reason:
                left.append(f": {me.reason}", style=paint(None))
            if me.in_state:
                left.append(f" {me.in_state}", style=paint(None))
        fresh = model.fresh
        if fresh.level == "live":
            right = Text("● live", style=self.paint("dim"))
        else:
            state = "alert" if fresh.level == "offline" else "warn"
            right = Text(f"⚠ {fresh.text}", style=self.paint(state))
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        return left.append(" " * gap).append(right)


class FiguresPanel(OverlayWidget):
    """The agent's own figures against their targets and their own last week."""

    DEFAULT_CSS = "FiguresPanel { height: 1fr; min-height: 2; }"

    def render(self) -> Text:
        lines = figure_lines(self.model.figures, self.size.width, self.size.height, self.paint)
        if not lines:
            return Text("No figures yet today", style=self.paint("dim"))
        return Text("\n").join(lines)


class TeamLine(OverlayWidget):
    """The team's own figures, or a note that they are left out for a small team."""

    def render(self) -> Text:
        model = self.model
        if model.team_hidden:
            return Text("Team figures hidden: small team", style=self.paint("dim"))
        if not model.team:
            return Text()
        parts = [(0, Text(model.team_name or "Team", style=self.paint("strong")))]
        parts += [(i, Text(f"{f.label} {f.text}" + (STALE_MARK if f.stale else ""),
                           style=greyed(self.paint, f.stale)(None)))
                  for i, f in enumerate(model.team, 1)]
        return fit(parts, self.size.width, Text(" · "))


class FlashBar(OverlayWidget):
    """A bar hidden when empty that highlights items it has not shown before, once."""

    DEFAULT_CSS = """
    FlashBar { height: auto; max-height: 2; display: none; }
    FlashBar.-shown { display: block; }
    FlashBar.-fresh { text-style: reverse; }
    """
    #: Seconds a new alert or message stays highlighted before it calms down.
    flash_s: float = 6.0

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[str] = set()

    def ids(self, model: OverlayModel) -> set[str]:
        """Ids of the items this bar shows."""
        raise NotImplementedError

    def watch_model(self, model: OverlayModel) -> None:
        current = self.ids(model)
        self.set_class(bool(current), "-shown")
        if current - self._seen:
            self.add_class("-fresh")
            self.set_timer(self.flash_s, lambda: self.remove_class("-fresh"))
        self._seen |= current


def fit_alert(text: str, width: int) -> str:
    """``text`` in ``width`` cells, cut before its last two words (the window and the figure:
    ``billing: SL (all c… 15m 44%``), never through the figure (``15m 4…``)."""
    if len(text) <= width:
        return text
    head, _, tail = text.rpartition(" ")
    head, _, window = head.rpartition(" ")
    tail = f"{window} {tail}"
    room = width - len(tail) - 2
    return f"{head[:room].rstrip()}… {tail}" if head and room >= 4 else text


class AlertBar(FlashBar):
    """The worst current alert (and how many more)."""

    def ids(self, model: OverlayModel) -> set[str]:
        """Each alert by its id and raise: one raised anew (a new ``since``) flashes again."""
        return {f"{a.id}@{a.since}" for a in model.alerts}

    def render(self) -> Text:
        alerts = self.model.alerts
        if not alerts:
            return Text()
        first = alerts[0]
        width = self.size.width
        full = self.state_text(f" {first.text}", first.state).cell_len
        # "(+2 more)": after "SL 15m 38%" a bare "+11" read as a rise of 11 points. Shorter
        # forms only where the alert's own text would be cut for the words.
        others = len(alerts) - 1
        forms = [f" (+{others} more)", f" (+{others})", f" +{others}"] if others else [""]
        more = Text(next((f for f in forms if full + len(f) <= width), forms[-1]),
                    style=self.paint("dim"))
        fitted = fit_alert(first.text, width - more.cell_len - (full - len(first.text)))
        text = self.state_text(f" {fitted}", first.state)
        text.truncate(max(1, width - more.cell_len), overflow="ellipsis")
        return text.append(more)


class MessageBar(FlashBar):
    """The newest manager message not yet acknowledged, with the key to acknowledge it."""

    def ids(self, model: OverlayModel) -> set[str]:
        return {m.id for m in model.messages if not m.acked}

    def render(self) -> Text:
        messages = self.model.messages
        if not messages:
            return Text()
        first = messages[0]
        text = Text("✉ ", style=self.paint("strong"))
        if first.sender:
            text.append(f"{first.sender}: ", style=self.paint("strong"))
        text.append(first.text)
        if first.acked:
            text.append(" ✓ sent", style=self.paint("dim"))
        else:
            text.append(" [a] ok", style=self.paint("warn"))
        if len(messages) > 1:
            text.append(f" (+{len(messages) - 1} more)", style=self.paint("dim"))
        return text


class OneLine(OverlayWidget):
    """Everything that matters in one line (tmux status line, very small panes)."""

    DEFAULT_CSS = "OneLine { display: none; }"

    def render(self) -> Text:
        return one_line(self.model, self.size.width, self.paint)
