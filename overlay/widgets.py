"""The overlay's widgets: each draws one part of an :class:`~overlay.model.OverlayModel`.

They share the screen's ``model`` through ``data_bind`` and fit their text to their own
width, so the same widgets read at 40×10 and at 60×15. None of them takes focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from overlay.figures import figure_lines
from overlay.fmt import MARKS, fmt_duration, fmt_value, state_symbol
from overlay.model import OverlayModel, QueueNow

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
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ov--ok", "ov--warn", "ov--alert", "ov--ahead", "ov--behind", "ov--dim", "ov--strong",
    }

    model: reactive[OverlayModel] = reactive(OverlayModel, layout=True)

    def paint(self, name: str | None) -> Style:
        """The style of a state/mark name (``ok``, ``behind``, ``dim``...); plain for None."""
        if not name:
            return Style()
        return self.get_component_rich_style(f"ov--{name}")

    def state_text(self, text: str, state: str | None, prefix: str = "") -> Text:
        """``prefix`` then ``text`` coloured by its threshold state, after the state's symbol."""
        return Text(prefix).append(f"{state_symbol(state) if state else ''}{text}",
                                   style=self.paint(state))

    def queue_parts(self, q: QueueNow, words: int) -> list[Text]:
        """Calls waiting, longest wait and service level, each marked by its state; ``words``
        (0-2) says how many of the first two values get their word."""
        return [
            self.state_text(fmt_value("calls_waiting", q.waiting) + (" waiting" if words else ""),
                            q.waiting_state),
            self.state_text(fmt_duration(q.longest_s),
                            q.longest_state, "longest " if words > 1 else ""),
            self.state_text(fmt_value("service_level_pct", q.sl_pct), q.sl_state, "SL "),
        ]


def fit(parts: Sequence[tuple[int, Text]], width: int, sep: Text) -> Text:
    """Join ``(priority, text)`` parts in order, leaving out the highest priority numbers
    (least important) until the line fits ``width``."""
    kept = list(parts)

    def joined() -> Text:
        return sep.join(text for _, text in kept)

    while len(kept) > 1 and joined().cell_len > width:
        kept.remove(max(kept, key=lambda p: p[0]))
    line = joined()
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


class QueueBar(OverlayWidget):
    """The team queue now: calls waiting, longest wait, service level, each marked."""

    def render(self) -> Text:
        q = self.model.queue
        if q.waiting is None and q.longest_s is None and q.sl_pct is None:
            return Text("Queue: no data", style=self.paint("dim"))
        parts = [(0, Text("Queue", style=self.paint("strong")))]
        parts += [(1, part) for part in self.queue_parts(q, 2 if self.size.width >= 50 else 1)]
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
            left.append(me.label, style=self.paint("strong"))
            if me.reason:
                left.append(f": {me.reason}")
            if me.in_state:
                left.append(f" {me.in_state}")
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
        parts += [(i, Text(f"{f.label} {f.text}")) for i, f in enumerate(model.team, 1)]
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


class AlertBar(FlashBar):
    """The worst current alert (and how many more)."""

    def ids(self, model: OverlayModel) -> set[str]:
        return {a.id for a in model.alerts}

    def render(self) -> Text:
        alerts = self.model.alerts
        if not alerts:
            return Text()
        first = alerts[0]
        more = Text(f" +{len(alerts) - 1}" if len(alerts) > 1 else "", style=self.paint("dim"))
        text = self.state_text(f" {first.text}", first.state)
        text.truncate(max(1, self.size.width - more.cell_len), overflow="ellipsis")
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
            text.append(f" (+{len(messages) - 1})", style=self.paint("dim"))
        return text


class OneLine(OverlayWidget):
    """Everything that matters in one line (tmux status line, very small panes)."""

    DEFAULT_CSS = "OneLine { display: none; }"

    def render(self) -> Text:
        model = self.model
        parts: list[tuple[int, Text]] = []
        if model.fresh.level != "live":
            state = "alert" if model.fresh.level == "offline" else "warn"
            parts.append((0, Text(f"⚠ {model.fresh.text}", style=self.paint(state))))
        if model.me:
            parts.append((3, Text(f"{model.me.label} {model.me.in_state}".strip())))
        parts.append((0, Text("Q ").append(Text(" ").join(self.queue_parts(model.queue, 0)))))
        if model.alerts:
            count = len(model.alerts)
            parts.append((1, self.state_text(f" {count} alert{'s' if count > 1 else ''}",
                                             model.alerts[0].state)))
        unread = sum(1 for m in model.messages if not m.acked)
        if unread:
            parts.append((2, Text(f"✉ {unread} [a]", style=self.paint("warn"))))
        for rank, fig in enumerate(model.figures[:3], 4):
            if fig.value is not None:
                mark = Text(MARKS.get(fig.mark or "", ""), style=self.paint(fig.mark))
                parts.append((rank, Text(f"{fig.label} {fig.text}").append(mark)))
        return fit(parts, self.size.width, Text(" │ ", style=self.paint("dim")))
