"""A page change goes from one finished page to the next: no frame in between.

Every frame the app hands to its driver is recorded as text (the whole screen, as the
compositor holds it once the frame is drawn). After :meth:`KioskApp.next_page` each frame must
be either the old page or the finished new page: never the new tiles with their figures as
small one-line text, nor a mix of both pages.
"""

from __future__ import annotations

from pathlib import Path

from helpers import wait_for
from kiosk_data import PAGES, base_values, fixed_clock, held, normal_values, view_of

from panneau.kiosk import app as app_module
from panneau.kiosk.app import KioskApp

SIZE = (160, 45)


class RecordingKiosk(KioskApp):
    """The real kiosk, noting the screen's text after every frame it displays."""

    CSS_PATH = str(Path(app_module.__file__).with_name("kiosk.tcss"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[tuple[str, ...]] = []

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            strips = screen._compositor.render_strips()
            self.frames.append(tuple(strip.text for strip in strips))


def _figures_big(app: KioskApp) -> bool:
    tiles = app.panel.tiles()
    return bool(tiles) and all(t.region.height and t.natural_scale() > 0 for t in tiles)


async def _settled(pilot, app: RecordingKiosk) -> tuple[str, ...]:
    """Wait until frames stop changing; returns the last one."""
    await wait_for(pilot, lambda: _figures_big(app))
    last: tuple[str, ...] | None = None
    for _ in range(50):
        await pilot.pause(0.05)
        if app.frames and app.frames[-1] == last:
            return last
        last = app.frames[-1] if app.frames else None
    raise AssertionError("the screen never settled")


def _block_rows(frame: tuple[str, ...]) -> int:
    return sum(1 for row in frame if any(ch in row for ch in "█▀▄"))


async def test_page_change_has_no_intermediate_frame():
    values = {**normal_values(), **base_values(pages=held(PAGES))}  # turned by the test only
    app = RecordingKiosk(view=view_of(values), clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        old = await _settled(pilot, app)
        assert app.page_title == "Queue now"
        for _ in range(2):  # Queue now → Today → Queue now
            mark = len(app.frames)
            app.next_page()
            new = await _settled(pilot, app)
            assert new != old and _block_rows(new) >= 10  # the new page, figures drawn big
            between = [f for f in app.frames[mark:] if f not in (old, new)]
            assert not between, "intermediate frame:\n" + "\n".join(between[0])
            old = new
