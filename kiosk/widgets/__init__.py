"""The kiosk's widgets: big numbers, KPI tile, banner, top and bottom bars, trend line."""

from kiosk.widgets.banner import Banner
from kiosk.widgets.bars import BottomBar, TopBar
from kiosk.widgets.bignum import BigNumber
from kiosk.widgets.tile import KpiTile
from kiosk.widgets.trend import TrendLine

__all__ = ["Banner", "BigNumber", "BottomBar", "KpiTile", "TopBar", "TrendLine"]
