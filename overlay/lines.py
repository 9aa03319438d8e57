"""Rich text builders the widgets and the tmux status line share: pure, given a ``paint``.

``paint`` maps a state or mark name (``ok``, ``warn``, ``alert``, ``ahead``, ``behind``,
``dim``, ``strong``, ``stale``) to a Rich style: component styles in the app, tmux colours
outside it. A stale part (:mod:`panneau.hub.freshness`) is drawn with :func:`greyed`: every
style of it becomes ``stale``, and it carries the stale symbol, as the kiosk's tiles do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.display import SYMBOLS, format_duration, format_value, state_symbol
from panneau.overlay.fmt import MARKS
from panneau.overlay.model import OverlayModel, QueueNow

__all__ = ["STALE_MARK", "Paint", "fit", "greyed", "one_line", "queue_parts", "state_text"]

Paint = Callable[[str | None], Style]
#: What a stale part carries (the kiosk's stale symbol).
STALE_MARK = SYMBOLS.stale


def greyed(paint: Paint, stale: bool) -> Paint:
    """``paint`` for a part that is live; one that paints everything ``stale`` otherwise."""
    return (lambda _name: paint("stale")) if stale else paint


def state_text(paint: Paint, text: str, state: str | None, prefix: str = "") -> Text:
    """``prefix`` then ``text`` coloured by its threshold state, after the state's symbol."""
    return Text(prefix, style=paint(None)).append(f"{state_symbol(state) if state else ''}{text}",
                                                   style=paint(state))


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
    if model.fresh.level != "live":  # the last to go: a long one went before the queue
        state = "alert" if model.fresh.level == "offline" else "warn"
        parts.append((-1, Text(f"⚠ {model.fresh.text}", style=paint(state))))
    me = model.me
    if me:
        mark = f"{STALE_MARK} " if me.stale else ""
        parts.append((3, Text(f"{mark}{me.label} {me.in_state}".strip(),
                              style=greyed(paint, me.stale)(None))))
    q, q_paint = model.queue, greyed(paint, model.queue.stale)
    parts.append((0, Text("Q" + (STALE_MARK if q.stale else "") + " ", style=q_paint(None))
                  .append(Text(" ").join(queue_parts(q_paint, q, 0)))))
    if model.alerts:
        count = len(model.alerts)
        parts.append((1, state_text(paint, f"{count} alert{'s' if count > 1 else ''}",
                                    model.alerts[0].state)))
    unread = sum(1 for m in model.messages if not m.acked)
    if unread:
        parts.append((2, Text(f"✉{unread} [a]", style=paint("warn"))))
    for rank, fig in enumerate(model.figures[:3], 4):
        if fig.value is not None:
            fig_paint = greyed(paint, fig.stale)
            mark = Text(STALE_MARK if fig.stale else MARKS.get(fig.mark or "", ""),
                        style=fig_paint(fig.mark))
            parts.append((rank, Text(f"{fig.label} {fig.text}", style=fig_paint(None))
                          .append(mark)))
    return fit(parts, width, Text(" │ ", style=paint("dim")))
