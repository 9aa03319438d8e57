"""How current a screen's figures are: one model for the kiosk, the overlay and the console.

Pure: no Textual, no clock, no I/O. Two things make a figure doubtful:

- the screen's **link** to the hub (:class:`Link`): never connected yet, lost since a time, or
  refused (bad token, version);
- a **source** that feeds the figure reports ``stale`` or ``down`` in its ``source:<name>`` entry.
  ``feeds`` lists the KPI ids or catalogue families the source's events fed; a source that
  lists nothing is taken to feed every figure (better grey too much than show old data as live),
  unless it has never delivered an event (``last_event`` null): then it fed none (an
  unreachable survey endpoint greyed every call figure of the wall).
  On a group hub each site is a ``nats_site`` source named after the site: a site's own
  figures (``site:<name>``, ``team:<name>:…``, ``queue:<name>:…``) wait only on that one
  (:func:`scope_sources`); the total (``site``) on every site.

:func:`figure_stale` answers for one figure (the kiosk and the overlay grey figures one by one),
:func:`family_stale` for what a KPI family's events feed beside figures (the agents' states);
:func:`freshness` sums everything up in one level and a short text (the overlay's and the
console's status line). :func:`hub_time` is the hub's time every screen works its times out on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from panneau.hub.catalogue import KPIS
from panneau.hub.cluster.stream import SITE_PLUGIN
from panneau.hub.display import format_duration
from panneau.hub.view import ViewState

__all__ = [
    "HOLD_BACK_S",
    "HOLD_BACK_WALL_S",
    "NAMED",
    "SITE_PLUGIN",
    "STALE_STATUSES",
    "WRONG_ROLE",
    "Freshness",
    "Link",
    "Seen",
    "family_stale",
    "figure_stale",
    "freshness",
    "hub_speed",
    "hub_time",
    "scope_sources",
    "sources_said",
    "stale_sources",
    "wrong_role",
]

#: ``Link.rejected_code`` of a token the hub took for a role the screen is not made for (the
#: screen's refusal, not the hub's: no close code of the protocol).
WRONG_ROLE = -1

#: Source statuses under which the figures it feeds are greyed.
STALE_STATUSES = ("stale", "down")
#: How many stale or down sources of one status the status text names (then ``+N``): the
#: overlay's one line and tmux's status bar are short.
NAMED = 2


@dataclass(frozen=True, slots=True)
class Link:
    """The screen's connection to the hub.

    ``last_frame_at``: epoch of the last frame received; ``lost_at``: when the connection
    was lost (``None`` while connected or before the first connection); ``rejected``: why the
    hub refused this screen, if it did, and ``rejected_code`` its close code (when known).
    """

    connected: bool = False
    last_frame_at: float | None = None
    rejected: str | None = None
    lost_at: float | None = None
    rejected_code: int | None = None

    @property
    def ever_connected(self) -> bool:
        """Whether the hub was ever reached (else the screen is still connecting)."""
        return self.connected or self.lost_at is not None or self.last_frame_at is not None

    @property
    def down_since(self) -> float | None:
        """Since when the screen has no news: the loss, else the last frame."""
        return self.lost_at if self.lost_at is not None else self.last_frame_at


@dataclass(frozen=True, slots=True)
class Freshness:
    """``live``, ``stale`` (data old or a source stale) or ``offline`` (no connection)."""

    level: str
    text: str = ""


#: ``(meta.as_of, the wall clock when it came, the hub's time last given)``: what
#: :func:`hub_time` carries from one reading to the next.
Seen = tuple[float, float, float]
#: How far back a new ``as_of`` may put the hub's time before a screen follows it, in the
#: hub's seconds: :data:`HOLD_BACK_S` (its ``as_of`` steps of 10 s, ticks coalesced under
#: load) plus :data:`HOLD_BACK_WALL_S` wall seconds of its clock (a late frame: five minutes
#: at ×60). A step back within it is held (the time given stands until the hub's catches
#: up); a longer one is a new clock (a hub restarted with another), followed at once.
HOLD_BACK_S = 60.0
HOLD_BACK_WALL_S = 5.0


def hub_speed(meta: Mapping[str, Any]) -> float:
    """How many times faster than the wall clock the hub's runs (``meta.clock_speed``: a
    demo, a trial); 1 when it does not say."""
    speed = meta.get("clock_speed")
    return float(speed) if isinstance(speed, int | float) and speed > 0 else 1.0


def hub_time(meta: Any, wall: float, seen: Seen | None = None) -> tuple[float, Seen | None]:
    """The hub's time at the wall clock's ``wall``, and the ``seen`` to pass next time.

    ``wall`` itself, unless the hub's clock runs faster (``meta.clock_speed``: a demo, a
    trial): then the figures' time (``meta.as_of``) moved on at that speed since the wall
    clock's time it was first seen, renewed when ``as_of`` moves (behind the hub's by at most
    a step of ``as_of`` and a frame's way). Its times (an agent's state ``since``, a message's
    ``expires``) run ahead of the wall clock: worked out on the wall clock, "On call 0:00"
    stood still.

    Never back while the hub's clock goes on: the estimate runs ahead of a frame that comes
    late, and its new ``as_of`` put the time shown back (10:04:59, then 10:04:58). A step back
    of at most :data:`HOLD_BACK_S` plus :data:`HOLD_BACK_WALL_S` wall seconds of the hub's
    clock gives the last time again until the estimate passes it; a longer one is followed."""
    if not isinstance(meta, Mapping):  # a garbled view: the screen still draws
        return wall, seen
    speed, as_of = hub_speed(meta), meta.get("as_of")
    if speed == 1 or not isinstance(as_of, int | float):  # the hub says a speed only if not 1
        return wall, seen
    mark = seen[1] if seen is not None and seen[0] == as_of else wall
    time = as_of + (wall - mark) * speed
    if seen is not None and seen[2] - (HOLD_BACK_S + HOLD_BACK_WALL_S * speed) <= time < seen[2]:
        time = seen[2]
    return time, (as_of, mark, time)


def wrong_role(view: ViewState, roles: tuple[str, ...]) -> str | None:
    """Why a screen made for ``roles`` cannot show ``view``: the hub took its token, for
    another role (a manager's token in an agent's overlay showed "state unknown" and ``●
    live``, a kiosk's in the console a composer whose every message the hub refused); ``None``
    when the role is one of ``roles``, or not known yet (no snapshot)."""
    role = view.meta.get("role")
    if not isinstance(role, str) or role in roles:
        return None
    who = view.meta.get("identity")
    wanted = " or ".join(_a(r) for r in roles)
    return f"{_a(role)} token{f' ({who})' if who else ''}, not {wanted} token"


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def stale_sources(view: ViewState) -> dict[str, Mapping[str, Any]]:
    """Sources whose status is ``stale`` or ``down``, by name."""
    return {
        name: src for name, src in sorted(view.items("source:"))
        if isinstance(src, Mapping) and src.get("status") in STALE_STATUSES
    }


def scope_sources(sources: Mapping[str, Mapping[str, Any]], scope: str
                  ) -> list[Mapping[str, Any]]:
    """Of ``sources`` (by name), those that may feed ``scope``: a scope of one site (its
    name holds ``<site>:``, or ``site:<site>``) leaves out the other sites' sources."""
    kind, _, name = scope.partition(":")
    site = name if kind == "site" else name.partition(":")[0] if ":" in name else ""
    return [src for n, src in sources.items()
            if not site or n == site or src.get("plugin") != SITE_PLUGIN]


def _feeds(source: Mapping[str, Any], names: Iterable[str]) -> bool:
    feeds = source.get("feeds")
    if not feeds or not isinstance(feeds, list | tuple):
        # a source that never delivered an event (``last_event`` null) feeds no figure
        return not ("feeds" in source and "last_event" in source
                    and source["last_event"] is None)
    return any(name in feeds for name in names)


def figure_stale(kpi: str, sources: Iterable[Mapping[str, Any]], link: Link) -> bool:
    """Whether ``kpi`` is doubtful: no hub link, or one of the stale ``sources`` feeds it."""
    info = KPIS.get(kpi)
    names = (kpi, info.family) if info is not None else (kpi,)
    return not link.connected or any(_feeds(source, names) for source in sources)


def family_stale(family: str, sources: Iterable[Mapping[str, Any]], link: Link) -> bool:
    """Whether what the events of a KPI ``family`` feed is doubtful (e.g. ``agents``: the
    agents' states): no hub link, or one of the stale ``sources`` fed that family."""
    return not link.connected or any(_feeds(source, (family,)) for source in sources)


def sources_said(bad: Mapping[str, Mapping[str, Any]]) -> str:
    """The stale or down sources ``bad`` (by name) in a few words for a status line: each
    status once, after at most :data:`NAMED` names and how many more (``helpdesk, pbx down``;
    ``crm, helpdesk +2 down, survey stale``). It named only the first one: with the PBX and
    the helpdesk both cut, ``⚠ helpdesk down`` sent people to look at the helpdesk alone."""
    parts = []
    for status in ("down", "stale"):
        names = [name for name, src in bad.items() if src.get("status") == status]
        if names:
            more = f" +{len(names) - NAMED}" if len(names) > NAMED else ""
            parts.append(f"{', '.join(names[:NAMED])}{more} {status}")
    return ", ".join(parts)


def freshness(view: ViewState, link: Link, now: float, stale_after_s: float) -> Freshness:
    """Offline, stale or live; the text says since when or why: the stale or down sources
    (:func:`sources_said`) and the age of the data past ``stale_after_s`` both, when both hold
    (``pbx down, data 0:42 old``: a status line that said only the age stopped naming the
    source past 30 s).

    Ages are in wall-clock seconds: a screen reads the hub's clock, which may run
    ``meta.clock_speed`` times faster (``panneau demo --speed 60``), and the figures' time
    lagging one idle tick (a second: a minute of that clock) read "data 0:31 old"."""
    if link.rejected:
        why = link.rejected if link.rejected_code == WRONG_ROLE else f"refused: {link.rejected}"
        return Freshness("offline", why)
    speed = hub_speed(view.meta)
    if not link.connected:
        since = link.down_since
        age = f" {format_duration((now - since) / speed)}" if since is not None else ""
        return Freshness("offline", f"offline{age}")
    as_of = view.meta.get("as_of")
    times = [t for t in (as_of, link.last_frame_at) if isinstance(t, int | float)]
    if not times:
        return Freshness("stale", "waiting for data")
    why = []  # what is down, then how old the data is: either alone, or both
    bad = stale_sources(view)
    if bad:
        why.append(sources_said(bad))
    age = (now - max(times)) / speed
    if age > stale_after_s:
        why.append(f"data {format_duration(age)} old")
    return Freshness("stale", ", ".join(why)) if why else Freshness("live")
