"""The hub server: supervised sources, journal, per-audience views, websockets and HTTP.

Start one from code with :class:`panneau.hub.server.app.Hub` (see its module docstring).
"""
