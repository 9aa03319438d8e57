"""The browser wall page on the hub's HTTP port: ``/wall/#token=<kiosk token>``.

Static files shipped in the package (``hub/web``: HTML, CSS, four ES modules — the wall, the
charts' model, their SVG drawing, the goals pages — and the vendored ``@msgpack/msgpack``
bundle; no build step, no CDN). The page speaks protocol v1 to the websocket port itself, so a
wall costs the hub one websocket, like a Textual kiosk. ``/wall/config.json`` tells it that
port, whether it is TLS, and the KPI catalogue (labels, units, families, the short names of
scorecard rows) the page formats figures with. The token stays in the URL fragment, which
browsers never send to the server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib import resources
from typing import Any

from aiohttp import web

from panneau.hub.catalogue import KPIS
from panneau.hub.objectives import short_label

__all__ = ["WALL_FILES", "add_wall_routes", "wall_catalogue"]

#: The files the page is made of, and their content types.
WALL_FILES = {
    "wall.html": "text/html",
    "wall.css": "text/css",
    "wall.js": "text/javascript",
    "charts.js": "text/javascript",
    "chartview.js": "text/javascript",
    "goals.js": "text/javascript",
    "msgpack.min.js": "text/javascript",
}


def wall_catalogue() -> dict[str, dict[str, Any]]:
    """What the page needs of each KPI: label, unit, family, preferred direction, and the
    short name the goals pages use (:func:`panneau.hub.objectives.short_label`)."""
    return {kpi: {**{k: v for k, v in dataclasses.asdict(info).items() if k != "id"},
                  "short": short_label(kpi)}
            for kpi, info in KPIS.items()}


def add_wall_routes(app: web.Application, settings: Callable[[], dict[str, Any]]) -> None:
    """Serve the page; ``settings()`` gives ``{"ws_port": int, "tls": bool}`` when asked."""
    folder = resources.files("panneau.hub") / "web"
    bodies = {name: (folder / name).read_bytes() for name in WALL_FILES}

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/wall/")

    async def page(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "wall.html"
        if name not in bodies:
            raise web.HTTPNotFound(text=f"no file {name!r} in the wall page")
        return web.Response(body=bodies[name], content_type=WALL_FILES[name],
                            headers={"Cache-Control": "no-cache"})

    async def config(request: web.Request) -> web.Response:
        return web.json_response({**settings(), "catalogue": wall_catalogue()},
                                 headers={"Cache-Control": "no-store"})

    app.router.add_get("/wall", redirect)
    app.router.add_get("/wall/", page)
    app.router.add_get("/wall/config.json", config)
    app.router.add_get("/wall/{name}", page)
