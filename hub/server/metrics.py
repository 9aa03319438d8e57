"""Counters the hub keeps and their Prometheus text rendering (``GET /metrics``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Metrics", "render_prometheus"]


@dataclass
class Metrics:
    """Plain counters; the hub is one process and one event loop, so no locks."""

    accepted: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    restarts: Counter[str] = field(default_factory=Counter)
    blocked: Counter[str] = field(default_factory=Counter)
    frames_sent: Counter[str] = field(default_factory=Counter)  # by frame type
    bytes_sent: int = 0
    clients_dropped: Counter[str] = field(default_factory=Counter)  # by close reason
    apply_seconds: float = 0.0
    apply_count: int = 0
    webhooks: Counter[str] = field(default_factory=Counter)  # by status code
    auth_failures: int = 0  # hellos with an unknown token
    auth_bans: int = 0  # addresses refused after too many of them
    auth_refused: int = 0  # connections refused because their address was banned
    publish_held: int = 0  # publish ticks the pacing held back (coalescing)
    publish_held_seconds: float = 0.0  # how long, in all


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(lines: list[str], name: str, kind: str, help_: str,
            samples: dict[str, float] | float, label: str = "") -> None:
    lines += [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]
    if isinstance(samples, dict):
        for key, value in sorted(samples.items()):
            lines.append(f'{name}{{{label}="{_escape(key)}"}} {value:g}')
    else:
        lines.append(f"{name} {samples:g}")


def render_prometheus(metrics: Metrics, clients: dict[str, int],
                      source_up: dict[str, int]) -> str:
    """The Prometheus text exposition (format 0.0.4) of the counters and gauges."""
    m, lines = metrics, []
    _family(lines, "panneau_events_accepted_total", "counter",
            "Events journalled and applied, per source.", dict(m.accepted), "source")
    _family(lines, "panneau_events_skipped_total", "counter",
            "Input a source could not turn into events, per source.", dict(m.skipped), "source")
    _family(lines, "panneau_source_restarts_total", "counter",
            "Restarts after a source failed, per source.", dict(m.restarts), "source")
    _family(lines, "panneau_source_loop_blocked_total", "counter",
            "Times a source blocked the event loop, per source.", dict(m.blocked), "source")
    _family(lines, "panneau_source_live", "gauge",
            "1 when the source is live, 0 otherwise.", dict(source_up), "source")
    _family(lines, "panneau_clients", "gauge", "Connected screens, per role.", clients, "role")
    _family(lines, "panneau_frames_sent_total", "counter",
            "Frames written to clients, per frame type.", dict(m.frames_sent), "type")
    _family(lines, "panneau_bytes_sent_total", "counter",
            "Frame bytes written to clients.", m.bytes_sent)
    _family(lines, "panneau_clients_dropped_total", "counter",
            "Connections closed by the hub, per reason.", dict(m.clients_dropped), "reason")
    _family(lines, "panneau_engine_apply_seconds_total", "counter",
            "Time spent in engine.apply.", m.apply_seconds)
    _family(lines, "panneau_engine_apply_total", "counter",
            "Events applied to the engine (including replay).", m.apply_count)
    _family(lines, "panneau_webhook_requests_total", "counter",
            "Webhook requests answered, per HTTP status.", dict(m.webhooks), "status")
    _family(lines, "panneau_auth_failures_total", "counter",
            "Hellos with an unknown token.", m.auth_failures)
    _family(lines, "panneau_auth_bans_total", "counter",
            "Addresses refused for a while after too many unknown tokens.", m.auth_bans)
    _family(lines, "panneau_auth_refused_total", "counter",
            "Connections refused (HTTP 429) because their address was banned.", m.auth_refused)
    _family(lines, "panneau_publish_held_total", "counter",
            "Publish ticks held back by max_frames_per_s (events coalescing).", m.publish_held)
    _family(lines, "panneau_publish_held_seconds_total", "counter",
            "Time publish ticks were held back by max_frames_per_s.", m.publish_held_seconds)
    return "\n".join(lines) + "\n"
