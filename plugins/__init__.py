"""Built-in plugins: sources, insight rules and the screens' commands, registered through the
same hooks as third-party plugins (the hub itself imports none of them)."""

__all__ = ["DEFAULT_PLUGINS", "STANDALONE_COMMANDS"]

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

#: Commands of built-in plugins that ``panneau`` runs without loading any plugin: the name, and
#: the module whose ``COMMAND`` (a :class:`panneau.hub.commands.CommandSpec`) the plugin above
#: registers. Built-in plugins' commands win over installed ones, so the command is the same
#: either way; a wall panel then pays neither for the sources nor for pluggy (about 10 MiB).
STANDALONE_COMMANDS: dict[str, str] = {
    "kiosk": "panneau.kiosk.cli",
}
