"""Rich text builders the widgets and the tmux status line share: pure, given a ``paint``.

``paint`` maps a state or mark name (``ok``, ``warn``, ``alert``, ``ahead``, ``behind``,
``dim``, ``strong``) to a Rich style: component styles in the app, tmux colours outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.display import format_duration, format_value, state_symbol
from panneau.overlay.fmt import MARKS
from panneau.overlay.model import OverlayModel, QueueNow

__all__ = ["Paint", "fit", "one_line", "queue_parts", "state_text"]

Paint = Callable[[str | None], Style]


def state_text(paint: Paint, text: str, state: str | None, prefix: str = "") -> Text:
    """``prefix`` then ``text`` coloured by its threshold state, after the state's symbol."""
    return Text(prefix).append(f"{state_symbol(state) if state else ''}{text}", style=paint(state))


def queue_parts(paint: Paint, q: QueueNow, words: int) -> list[Text]:
    """Calls waiting, longest wait and service level, each marked by its state; ``words``
    (0-2) says how many of the first two values get their word."""
    return [
        state_text(paint, format_value("calls_waiting", q.waiting) + (" waiting" if words else ""),
                   q.waiting_state),
        state_text(paint, format_duration(q.longest_s), q.longest_state,
                   "longest " if words > 1 else ""),
        state_text(paint, format_value(SERVICE_LEVEL, q.sl_pct), q.sl_state, "SL "),
    ]


def fit(parts: Sequence[tuple[int, Text]], width: int, sep: Text) -> Text:
    """Join ``(priority, text)`` parts in order, leaving out the highest priority numbers
    (least important) until the line fits ``width``."""
    kept = list(parts)

    def joined() -> Text:  # not sep.join(): that would give every part the sep's style
        line = Text()
        for index, (_, text) in enumerate(kept):
            if index:
                line.append_text(sep)
            line.append_text(text)
        return line

    while len(kept) > 1 and joined().cell_len > width:
        kept.remove(max(kept, key=lambda p: p[0]))
    line = joined()
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


def one_line(model: OverlayModel, width: int, paint: Paint) -> Text:
    """Everything that matters in ``width`` cells: stale mark and queue first, then alerts,
    messages, the agent's state and their first figures."""
    parts: list[tuple[int, Text]] = []
    if model.fresh.level != "live":
        state = "alert" if model.fresh.level == "offline" else "warn"
        parts.append((0, Text(f"⚠ {model.fresh.text}", style=paint(state))))
    if model.me:
        parts.append((3, Text(f"{model.me.label} {model.me.in_state}".strip())))
    parts.append((0, Text("Q ").append(Text(" ").join(queue_parts(paint, model.queue, 0)))))
    if model.alerts:
        count = len(model.alerts)
        parts.append((1, state_text(paint, f"{count} alert{'s' if count > 1 else ''}",
                                    model.alerts[0].state)))
    unread = sum(1 for m in model.messages if not m.acked)
    if unread:
        parts.append((2, Text(f"✉{unread} [a]", style=paint("warn"))))
    for rank, fig in enumerate(model.figures[:3], 4):
        if fig.value is not None:
            mark = Text(MARKS.get(fig.mark or "", ""), style=paint(fig.mark))
            parts.append((rank, Text(f"{fig.label} {fig.text}").append(mark)))
    return fit(parts, width, Text(" │ ", style=paint("dim")))
