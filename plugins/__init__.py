"""Built-in sources and insight rules, registered through the same hooks as third-party plugins."""

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
)
