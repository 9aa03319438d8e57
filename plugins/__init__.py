"""Built-in sources, registered through the same hooks as third-party plugins."""

__all__ = ["DEFAULT_PLUGINS"]

#: Modules registered as plugins on every plugin manager, in this order.
DEFAULT_PLUGINS: tuple[str, ...] = ("plugins.simulator", "plugins.zendesk", "plugins.asterisk", "plugins.freshdesk", "plugins.surveys", "plugins.generic")  # noqa: E501
