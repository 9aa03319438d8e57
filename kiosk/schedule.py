"""The screen schedule and the panel's clock: pure helpers around ``meta.schedule``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from panneau.hub.freshness import hub_speed

__all__ = ["as_of_text", "clock_label", "clock_text", "closed_text", "hub_speed", "is_on",
           "local", "night_shift", "seconds_to_next_minute", "zone"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(name: str | None) -> tzinfo:
    """The panel's timezone (``meta.timezone``); the machine's own when missing or unknown."""
    try:
        return ZoneInfo(name) if name and isinstance(name, str) else _machine_zone()
    except (ZoneInfoNotFoundError, ValueError):
        return _machine_zone()


def _machine_zone() -> tzinfo:
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


def local(epoch: float, tz: tzinfo) -> datetime:
    """Epoch seconds as an aware local datetime."""
    return datetime.fromtimestamp(epoch, tz)


def _minutes(text: str, default: int) -> int:
    try:
        hours, minutes = str(text).split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        return default


def is_on(schedule: Mapping[str, Any] | None, when: datetime) -> bool:
    """Whether the panel shows figures at ``when`` (local); no schedule means always.

    ``on``/``off`` are ``HH:MM`` (``off`` may be ``24:00``); ``off`` before ``on`` spans
    midnight, counted for the day the period started.
    """
    if not isinstance(schedule, Mapping) or not schedule:
        return True
    on = _minutes(schedule.get("on", "00:00"), 0)
    off = _minutes(schedule.get("off", "24:00"), 24 * 60)
    days = schedule.get("days") or _DAYS
    minute = when.hour * 60 + when.minute
    today = _DAYS[when.weekday()]
    if on <= off:
        return today in days and on <= minute < off
    yesterday = _DAYS[(when.weekday() - 1) % 7]
    return (today in days and minute >= on) or (yesterday in days and minute < off)


def seconds_to_next_minute(epoch: float, speed: float = 1.0) -> float:
    """Wall seconds until the next minute of a clock reading ``epoch`` and running ``speed``
    times faster than the wall clock starts (never less than a second)."""
    return max(1.0, (60.0 - (epoch % 60.0)) / speed)


def clock_text(when: datetime) -> tuple[str, str]:
    """``("14:03", "Sun 22 Nov")``."""
    return when.strftime("%H:%M"), when.strftime("%a %d %b")


def clock_label(meta: Mapping[str, Any]) -> str:
    """What goes before the time of day a screen shows: ``hub clock ×60 · `` when that time
    is a sped hub's (``meta.clock_speed``), so nobody takes it for the real one; else
    nothing."""
    speed = hub_speed(meta)
    return f"hub clock ×{speed:g} · " if speed != 1 else ""


def as_of_text(meta: Mapping[str, Any], tz: tzinfo) -> str:
    """The figures' time: ``as of 14:03:10`` (``as of —`` before any), on the hub's clock as
    the top bar's time of day (which says so, once, when it runs faster)."""
    as_of = meta.get("as_of")
    return (f"as of {local(as_of, tz).strftime('%H:%M:%S')}"
            if isinstance(as_of, int | float) and as_of > 0 else "as of —")


def _day_runs(days: list[str], dash: str) -> str:
    """``Mon–Fri``, ``Mon, Wed, Fri``, ``Mon–Wed, Sat``: runs of following days joined."""
    picked = [i for i, d in enumerate(_DAYS) if d in days]
    runs: list[list[int]] = []
    for i in picked:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    name = [d.title() for d in _DAYS]
    parts: list[str] = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{name[run[0]]}{dash}{name[run[-1]]}")
        else:
            parts.extend(name[i] for i in run)
    return ", ".join(parts)


def closed_text(schedule: Mapping[str, Any] | None, dash: str = "–") -> str:
    """What the night clock says: ``Outside opening hours (Mon–Fri 07:30–19:00)``.

    ``dash``: ``-`` where the font has no en dash (the Linux console)."""
    if not isinstance(schedule, Mapping) or not schedule:
        return "Outside opening hours"
    on, off = str(schedule.get("on", "00:00")), str(schedule.get("off", "24:00"))
    raw = schedule.get("days")
    days = [d for d in raw if d in _DAYS] if isinstance(raw, list) and raw else list(_DAYS)
    when = "every day" if len(days) == len(_DAYS) else _day_runs(days, dash)
    return f"Outside opening hours ({when} {on}{dash}{off})"


def night_shift(minute: int) -> tuple[int, int]:
    """Where the night clock stands at ``minute``, in steps across and down (0-3, 0-2), so
    that a TV does not burn in; the browser wall's ``nightShift`` moves its clock the same."""
    return minute % 4, minute % 3
