"""The kiosk's screens: the rotating figures panel and the off-hours clock."""

from kiosk.screens.clock import ClockScreen
from kiosk.screens.panel import PanelScreen

__all__ = ["ClockScreen", "PanelScreen"]
