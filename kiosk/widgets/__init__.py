"""The kiosk's widgets: big numbers, KPI tile, banner, top and bottom bars, trend line."""

from panneau.kiosk.widgets.banner import Banner
from panneau.kiosk.widgets.bars import BottomBar, TopBar
from panneau.kiosk.widgets.bignum import BigNumber
from panneau.kiosk.widgets.tile import KpiTile
from panneau.kiosk.widgets.trend import TrendLine

__all__ = ["Banner", "BigNumber", "BottomBar", "KpiTile", "TopBar", "TrendLine"]
