"""The kiosk's screens: the rotating figures panel and the off-hours clock."""

from panneau.kiosk.screens.clock import ClockScreen
from panneau.kiosk.screens.panel import PanelScreen

__all__ = ["ClockScreen", "PanelScreen"]
