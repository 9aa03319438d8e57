"""Fixed data for the kiosk tests: a team view at a fixed instant (imported by the tests)."""

from __future__ import annotations

from panneau.hub.view import ViewState

#: Saturday 2026-11-28 11:00:00 Europe/Paris, a fixed instant for every kiosk test.
T0 = 1795860000.0
SCOPE = "team:support"

PAGES = [
    {"title": "Queue now", "window": "now", "dwell_s": 15,
     "kpis": ["calls_waiting", "longest_wait_s", "agents_available", "agents_on_call",
              "agents_paused"]},
    {"title": "Today", "window": "today", "trend": "service_level_offered_pct",
     "kpis": ["service_level_offered_pct", "abandon_rate_pct", "asa_s", "answered"]},
]


#: A dwell no test lasts: pages that stay until the test turns them (under load the
#: rotation's own timer turned a page between two of a test's steps).
HELD_S = 86400.0


def held(pages: list[dict]) -> list[dict]:
    """``pages`` with the rotation's timer out of the way (:data:`HELD_S`)."""
    return [{**page, "dwell_s": HELD_S} for page in pages]


def kpis(window: str, **values) -> dict:
    """``kpi:`` keys for the team scope; a value ``(v, state)`` also sets ``state:``."""
    out = {}
    for kpi, value in values.items():
        value, state = value if isinstance(value, tuple) else (value, None)
        out[f"kpi:{SCOPE}/{window}/{kpi}"] = value
        if state:
            out[f"state:{SCOPE}/{window}/{kpi}"] = state
    return out


def base_values(pages=PAGES, **meta) -> dict:
    """The meta entry every view carries."""
    return {"meta": {"role": "kiosk", "team": "support", "team_name": "Support desk",
                     "as_of": T0 - 5, "timezone": "Europe/Paris", "dwell_s": 15,
                     "pages": pages, **meta}}


def normal_values() -> dict:
    """Everything ok, with history and comparisons."""
    return {
        **base_values(),
        **kpis("now", calls_waiting=(1, "ok"), longest_wait_s=(35, "ok"),
               agents_available=(4, "ok"), agents_on_call=6, agents_paused=(1, "ok")),
        **kpis("today", service_level_offered_pct=(86.4, "ok"), abandon_rate_pct=(3.2, "ok"),
               asa_s=(18, "ok"), answered=412),
        f"ref:{SCOPE}/now/calls_waiting": {"yesterday": 3, "last_week": 1},
        f"ref:{SCOPE}/today/service_level_offered_pct": {"yesterday": 81.0, "last_week": 88.0},
        f"trend:{SCOPE}/today/service_level_offered_pct":
            [[T0 - 3600 + 60 * i, 70 + (i * 7) % 25] for i in range(60)],
        "source:asterisk": {"status": "live", "since": T0 - 7200, "last_event": T0 - 2,
                            "detail": "", "feeds": ["voice", "agents"]},
    }


def alert_values() -> dict:
    """Calls piling up: warn and alert states, an active alert."""
    values = normal_values()
    values.update(kpis("now", calls_waiting=(9, "alert"), longest_wait_s=(312, "alert"),
                       agents_available=(0, "warn"), agents_paused=(3, "warn")))
    values["alert:a1"] = {"key": f"{SCOPE}/now/calls_waiting", "state": "alert", "value": 9,
                          "since": T0 - 120, "text": "Calls waiting 9 (alert above 6)"}
    return values


#: A view with a wrong type in every place the hub could get wrong.
GARBAGE = {
    "meta": {"team": "support", "timezone": 42, "as_of": "soon", "dwell_s": "long",
             "schedule": "weekdays", "pages": [{"title": "ok", "kpis": ["calls_waiting"],
                                                "trend": "calls_waiting"},
                                               {"title": "bad", "kpis": "calls_waiting"}, 7]},
    "kpi:team:support/today/calls_waiting": "many",
    "trend:team:support/today/calls_waiting": [[1, 2], "x", [3], [4, "y"], [5, 6.5]],
    "ref:team:support/today/calls_waiting": ["not", "a", "map"],
    "source:pbx": {"status": "stale", "since": "yesterday", "last_event": [1]},
    "source:other": "down",
    "message:m1": {"id": "m1", "text": "hello", "sent": "now", "expires": "later"},
    "message:m2": {"id": "m2", "text": "bye", "sent": T0, "expires": T0 + 5},
    "alert:a": "burning",
    "alert:b": {"key": "nonsense", "state": "alert", "since": "then"},
}


def view_of(values: dict) -> ViewState:
    view = ViewState()
    view.apply_snapshot("e1", 0, values)
    return view


def fixed_clock() -> float:
    """A clock stopped at :data:`T0`."""
    return T0


def trends_values() -> dict:
    """The normal view with a Trends page first and the team's chart figures."""
    from chart_data import scope_figures

    values = normal_values()
    values["meta"]["pages"] = [{"title": "Trends", "kind": "trends"}, *PAGES]
    return values | scope_figures(SCOPE)


GROUP_PAGES = [{"title": "Sites", "window": "today", "by_site": True,
                "kpis": ["offered", "service_level_pct"]},
               {"title": "Now", "window": "now", "kpis": ["calls_waiting"]}]


def group_values(**sources) -> dict:
    """A group wall's view (docs/scale-out.md): the total and two sites; ``sources`` gives
    each site's ``nats_site`` source status."""
    values = {"meta": {"role": "kiosk", "team": None, "team_name": None, "scope": "site",
                       "as_of": T0 - 5, "timezone": "Europe/Paris", "dwell_s": 15,
                       "pages": GROUP_PAGES}}
    for scope, offered, sl in (("site", 30, 80.0), ("site:paris", 20, 90.0),
                               ("site:lyon", 10, 60.0)):
        values[f"kpi:{scope}/today/offered"] = offered
        values[f"kpi:{scope}/today/service_level_pct"] = sl
    values["kpi:site/now/calls_waiting"] = 3
    for name, status in sources.items():
        values[f"source:{name}"] = {"status": status, "since": T0 - 60, "last_event": T0 - 61,
                                    "plugin": "nats_site", "feeds": []}
    return values


#: The insight a live wall wrapped as "(the last 60 min and the last 15" over "min)".
OCCUPANCY = ("billing: occupancy 79 % over the last hour (88 % in the last 15 min): turnover "
             "risk when above ~70 % is sustained (the last 60 min and the last 15 min)")


def many_alerts() -> dict:
    """Six figures in alert across the team and its queues: a banner line longer than a
    narrow screen."""
    values = normal_values()
    figures = [("queue:support/15m/abandon_rate_pct", 31.0), ("queue:support/15m/asa_s", 95.0),
               ("queue:support/15m/service_level_offered_pct", 41.0),
               (f"{SCOPE}/now/calls_waiting", 9), (f"{SCOPE}/now/longest_wait_s", 400),
               ("queue:billing/15m/abandon_rate_pct", 35.0)]
    for n, (key, value) in enumerate(figures):
        values[f"kpi:{key}"], values[f"state:{key}"] = value, "alert"
        values[f"alert:f{n}"] = {"key": key, "state": "alert", "value": value, "since": T0 - 60}
    return values
