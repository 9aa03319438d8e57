"""Built-in plugins: sources, insight rules and the screens' commands, registered through the
same hooks as third-party plugins (the hub itself imports none of them)."""

__all__ = ["DEFAULT_PLUGINS"]

#: Modules registered as plugins on every plugin manager, in this order.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "panneau.plugins.simulator",
    "panneau.plugins.zendesk",
    "panneau.plugins.asterisk",
    "panneau.plugins.freshdesk",
    "panneau.plugins.surveys",
    "panneau.plugins.generic",
    "panneau.plugins.insights",
    "panneau.plugins.cluster",
    "panneau.kiosk.commands",
    "panneau.overlay.commands",
    "panneau.console.commands",
)
