"""The wall panel app: draws the view and the hub link (:class:`panneau.hub.screenapp.HubApp`).

Timers, all one-shot and re-armed: the clock once a minute (on the minute of the hub's clock,
which it shows: every wall second at ``clock_speed`` 60), page rotation
after each page's dwell, a message's expiry, and a short alert flash. Nothing polls; a
data change redraws the current page once (bursts of deltas are coalesced): the first at once,
then, while the hub keeps sending, at most once per ``HUB_REDRAW_S`` — a hub allowed 20
frames a second would otherwise have the wall composite its screen 20 times a second, most of
its CPU (Textual's compositor), for figures nobody reads faster than that. A Trends page
asks the hub for its team's series (two ``history`` requests) when it comes up, then when
they can have changed, at most once per ``charts_every_s`` of the wall clock
(:mod:`panneau.hub.chart_asks`); the hub answers only for keys the kiosk's view may hold.

Once a new page is drawn, a full garbage collection: Textual and plotext leave reference
cycles (messages, timers, plot figures) that Python's collector would keep for a long while in
its oldest generation, each page's on top of the last; freed as the page goes, they leave a
wall 0.9 MiB smaller after a rotation (``bench_kiosk``: 44.3 -> 43.4 MiB). A wall that has its
process to itself (``panneau kiosk``: ``own_process``) freezes what start-up built once its
first page is drawn (``gc.freeze``: modules, classes, the stylesheet, the widgets — about 95 %
of the objects the collector tracks, all living as long as the process), so that collection,
and every one Python runs by itself, walks only what came after: a few hundred objects
instead of some 53,000, under a millisecond instead of about 25 (py-spy had a wall's page
changes at a sixth of its CPU at 10 deltas/s). Before each of those collections it empties
Textual's and Rich's memo caches (:mod:`panneau.kiosk.memo`: filled by a wall's ever-changing
text, they grew all day), after it gives the C heap's whole free pages back to the system
(:mod:`panneau.kiosk.heap`: glibc keeps them, and a wall drawing all day left ever more of
them behind). Not in a process shared with others (tests, the demo): freezing, emptying and
trimming are process-wide.

A redraw waiting for ``HUB_REDRAW_S`` is one call on the event loop, not a Textual timer (a
timer is a task and a repr of the app, four times a second).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from typing import Any, ClassVar, Literal

from textual.timer import Timer

from panneau.hub.chart_asks import charts_due
from panneau.hub.charts import chart_refs, history_frames, zone_of
from panneau.hub.display import ASCII_SYMBOLS, SYMBOLS
from panneau.hub.screenapp import HubApp, HubLike
from panneau.kiosk.heap import release_free_memory
from panneau.kiosk.memo import clear_memo_caches
from panneau.kiosk.model import (
    PageSpec,
    PageView,
    active_alerts,
    build_page,
    next_expiry,
    notices,
    page_specs,
    panel_title,
    scope_of,
)
from panneau.kiosk.schedule import (
    as_of_text,
    clock_label,
    clock_text,
    closed_text,
    hub_speed,
    is_on,
    local,
    seconds_to_next_minute,
    zone,
)
from panneau.kiosk.screens import ClockScreen, PanelScreen

__all__ = ["Colors", "KioskApp", "pick_colors"]

Colors = Literal["full", "16"]
_FLASH_TOGGLES = 6
_NO_PAGE = PageView(PageSpec(title="", kpis=()), ())  # a refused screen's: nothing to show


def pick_colors(requested: str = "auto", term: str | None = None) -> Colors:
    """``16`` on the Linux console (``TERM=linux``) or when asked, else ``full``."""
    if requested in ("16", "full"):
        return requested  # type: ignore[return-value]
    term = os.environ.get("TERM", "") if term is None else term
    return "16" if term in ("linux", "vt100", "vt220", "ansi") else "full"


class KioskApp(HubApp):
    """Full-screen team panel. Feed it with :meth:`set_view` or give it a ``client``."""

    CSS_PATH = "kiosk.tcss"
    ROLES = ("kiosk",)
    TITLE = "Panneau"
    #: Least seconds between two redraws caused by the hub's updates (the hub's default rate).
    HUB_REDRAW_S: ClassVar[float] = 0.25
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (36, "-tall")]

    def __init__(
        self,
        client: HubLike | None = None,
        *,
        colors: Colors = "full",
        flash_period_s: float = 0.5,
        charts_every_s: float = 60.0,
        own_process: bool = False,
        **options: Any,
    ) -> None:
        """``options``: ``view``, ``link``, ``clock`` of :class:`HubApp` (no tick: one-shot
        timers redraw). ``own_process``: the app is all its process runs (``panneau kiosk``):
        start-up's objects are frozen after the first page (see the module docstring)."""
        super().__init__(client, ansi_color=colors == "16", **options)
        self.own_process = own_process
        self.charts_every_s = charts_every_s
        #: The ``series`` answers of the Trends page's requests, by ref (tests may set them).
        self.chart_answers: dict[str, dict[str, Any]] = {}
        self._charts_asked_at: float | None = None  # on the wall clock
        self.flash_period_s = flash_period_s
        self.palette = colors
        self.symbols = ASCII_SYMBOLS if colors == "16" else SYMBOLS
        self.page_index = 0
        self.page_title: str | None = None
        self._seen_alerts: dict[str, float | None] = {}  # alert id -> since, as last seen
        self._pages_before_jump = 0  # other pages to show before a new alert may jump again
        self._flash_kpis: set[str] = set()
        self._flash_left = 0
        self._alarms: dict[str, Timer] = {}
        self._redraw_pending = False
        self._drawn_at = float("-inf")
        self._expiry_at: float | None = None
        self._collected_for: str | None = None
        self.panel = PanelScreen(self.symbols)
        self.night = ClockScreen(half_blocks=self.symbols.partial_blocks)
        if colors == "16":
            self.theme = "ansi-dark"

    # -- lifecycle -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        for screen in (self.panel, self.night):
            screen.set_class(self.palette == "16", "-ansi")
        await self.push_screen(self.panel)
        self.redraw()
        self._tick_minute(arm_only=True)

    def refresh_model(self) -> None:
        """New data or link state: redraw once, soon, however many calls arrive; fed by the
        hub, no sooner than ``HUB_REDRAW_S`` after the last redraw."""
        if self._redraw_pending:
            return
        self._redraw_pending = True
        wait = self._drawn_at + self.HUB_REDRAW_S - time.monotonic()
        if self.client is None or wait <= 0:
            self.call_later(self.redraw)
        else:
            asyncio.get_running_loop().call_later(wait, self.redraw)

    # -- drawing ---------------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, Any]:
        """The view's ``meta`` (empty when missing or malformed)."""
        meta = self.view.meta
        return meta if isinstance(meta, dict) else {}

    def _fmt_time(self, epoch: float) -> str:
        return local(epoch, zone(self.meta.get("timezone"))).strftime("%H:%M")

    def _current(self, specs: list[PageSpec]) -> PageSpec:
        titles = [s.title for s in specs]
        if self.page_title in titles:
            self.page_index = titles.index(self.page_title)
        self.page_index %= len(specs)
        self.page_title = specs[self.page_index].title
        return specs[self.page_index]

    def redraw(self) -> None:
        """Draw everything from ``view``, ``fresh`` and the clock (nothing while the app
        shuts down: a rotation timer may still fire once its screens are gone)."""
        self._redraw_pending = False
        if not self.is_running or not self.panel.is_mounted:
            return
        self._drawn_at = time.monotonic()
        now = self.clock()
        meta = self.meta
        # the time of day, for people: the hub's, as every other time the screen shows (the
        # figures' "as of", an alert's "since"), said to be when it runs faster
        when = local(now, zone(meta.get("timezone")))
        hhmm, date = clock_text(when)
        label = clock_label(meta)
        if not is_on(meta.get("schedule"), when):
            if self.screen is not self.night:
                self.push_screen(self.night)
            note = closed_text(meta.get("schedule"), self.symbols.dash)
            self.night.show_time(hhmm, f"{label}{date}", when.minute, note)
            self._cancel("rotate")
            return
        if self.screen is self.night:
            self.pop_screen()
        specs = page_specs(self.view, self.link)
        if not specs:  # refused: no figure, only the banner saying why and how to fix it
            self._cancel("rotate")
            self.panel.show_page(_NO_PAGE)
            self.panel.show_notices(notices(self.view, self.link, now, self._fmt_time))
            self.panel.show_bars(team=self.TITLE, title="",  # not even the token's team
                                 clock=f"{label}{date}  {hhmm}",
                                 as_of="", pages="")
            return
        self._note_alerts(specs)
        spec = self._current(specs)
        if spec.title != self._collected_for:  # a new page: the last one's garbage goes now
            self._collected_for = spec.title
            self.call_after_refresh(self._collect)
        if spec.kind == "trends":
            self._ask_charts(now)
        self.panel.show_page(build_page(self.view, spec, self.link, self.chart_answers),
                             capacity=max(len(s.kpis) for s in specs))
        self.panel.show_notices(notices(self.view, self.link, now, self._fmt_time))
        dots = "".join(self.symbols.page_on if i == self.page_index else self.symbols.page_off
                       for i in range(len(specs)))
        self.panel.show_bars(
            team=panel_title(meta) or self.TITLE,  # "Panneau" before the hub says whose
            title=spec.title,
            clock=f"{label}{date}  {hhmm}",
            as_of=as_of_text(meta, when.tzinfo),
            pages=f"{dots} {self.page_index + 1}/{len(specs)}",
        )
        if len(specs) > 1 and "rotate" not in self._alarms:
            self._alarms["rotate"] = self.set_timer(spec.dwell_s, self.next_page)
        elif len(specs) == 1:
            self._cancel("rotate")
        self._arm_expiry(now)

    def _collect(self) -> None:
        """A full collection once a new page is drawn; with the process to itself, Textual's
        and Rich's memo caches emptied before it, the first one freezes what survives it, and
        each gives the C heap's free pages back (see the module docstring)."""
        if self.own_process:
            clear_memo_caches()
        gc.collect()
        if self.own_process:
            if not gc.get_freeze_count():
                gc.freeze()
            release_free_memory()

    def _ask_charts(self, now: float) -> None:
        """Ask for the Trends page's series at the hub's ``now`` when they can have changed,
        at most once per ``charts_every_s`` of the wall clock (:func:`charts_due`)."""
        scope, tz, wall = scope_of(self.meta), zone_of(self.meta.get("timezone")), self.wall()
        if not charts_due(self.view, scope, self.chart_answers, now, tz,
                          asked_at=self._charts_asked_at, wall=wall, every_s=self.charts_every_s):
            return
        self._charts_asked_at = wall
        frames = history_frames(scope, now, tz)
        for frame in frames:
            self.run_worker(self.send_frame(frame), group="charts")

    def on_hub_app_frame_received(self, message: HubApp.FrameReceived) -> None:
        """Keep the answers to the Trends page's requests; an error leaves it empty."""
        ref = message.frame.get("ref")
        if message.kind == "series" and ref in chart_refs():
            self.chart_answers[ref] = message.frame
            self.refresh_model()

    def _note_alerts(self, specs: list[PageSpec]) -> None:
        """A new alert jumps to the Alert page and flashes, at most once per rotation (new:
        an id not seen, or a new ``since``, the hub's raise anew of an alert eased to warn that
        got worse again, as its ``alert`` frame; not the easing itself).

        Under flapping alerts the panel would otherwise never leave the Alert page: after a
        jump, the next one waits until the rotation has shown every other page once (counted
        in pages, not seconds: the dwells are what the rotation is made of, and a demo's
        simulated clock runs faster than they do). The banner names new alerts at once
        meanwhile, and the Alert page holds them when the rotation reaches it.
        """
        active = active_alerts(self.view)
        seen = self._seen_alerts  # a raise is new by its since: an alert eased to warn and
        fresh_ids = {a for a, alert in active.items()  # worse again is raised anew
                     if a not in seen or seen[a] != alert.since}
        self._seen_alerts = {a: alert.since for a, alert in active.items()}
        if not (fresh_ids and specs and specs[0].is_alert):
            return
        if self._pages_before_jump > 0:
            return
        self._pages_before_jump = len(specs) - 1
        self._show_page(0, specs[0].title)
        self._flash_kpis = {active[a].kpi for a in fresh_ids}
        self._flash_left = _FLASH_TOGGLES
        self._cancel("flash")
        self._alarms["flash"] = self.set_interval(self.flash_period_s, self._flash_step)

    def stop_flash(self) -> None:
        """End an alert flash now; the tiles stay marked by their alert state."""
        self._cancel("flash")
        self._flash_left = 0
        self.panel.flash(self._flash_kpis, on=False)

    def _flash_step(self) -> None:
        if self._flash_left <= 0:  # a tick already queued when the flash ended or stopped:
            return  # it would light the tiles again, and leave them lit
        self._flash_left -= 1
        self.panel.flash(self._flash_kpis, on=self._flash_left % 2 == 1)
        if self._flash_left <= 0:  # counted here: a late timer skips ticks under load
            self._cancel("flash")

    # -- timers ----------------------------------------------------------------------------

    def _cancel(self, name: str) -> None:
        timer = self._alarms.pop(name, None)
        if timer is not None:
            timer.stop()

    def _show_page(self, index: int, title: str | None) -> None:
        self.page_index, self.page_title = index, title
        self._cancel("rotate")

    def next_page(self) -> None:
        """Show the next page now (the rotation timer does this after each dwell)."""
        self._alarms.pop("rotate", None)
        specs = page_specs(self.view, self.link)
        if not specs:
            return
        index = (self.page_index + 1) % len(specs)
        if not specs[index].is_alert:
            self._pages_before_jump -= 1
        self._show_page(index, specs[index].title)
        self.redraw()

    def _tick_minute(self, arm_only: bool = False) -> None:
        if not arm_only:
            self.redraw()
        self._alarms["minute"] = self.set_timer(  # on the hub's clock, as the one shown
            seconds_to_next_minute(self.clock(), hub_speed(self.meta)), self._tick_minute)

    def _arm_expiry(self, now: float) -> None:
        expires = next_expiry(self.view, now)
        if expires == self._expiry_at:
            return
        self._cancel("expiry")
        self._expiry_at = expires
        if expires is not None:
            self._alarms["expiry"] = self.set_timer(max(0.05, expires - now), self._expired)

    def _expired(self) -> None:
        self._alarms.pop("expiry", None)
        self._expiry_at = None
        self.redraw()
