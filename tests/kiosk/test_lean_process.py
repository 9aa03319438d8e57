"""What ``panneau kiosk`` does in a process of its own and nowhere else: it freezes what
start-up built once its first page is drawn (so the collection at each page change walks only
what came after), it lets plotext skip building its functions' help text, and its strips make
their caches' dicts on first write (:mod:`panneau.hub.lightstrips`). All are process-wide, so
each test runs a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent

FREEZE = """
import asyncio, gc, json, sys
sys.path[:0] = [{tests!r}, {tests!r} + "/kiosk"]
from helpers import wait_for
from kiosk_data import fixed_clock, normal_values, view_of
from panneau.kiosk.app import KioskApp

async def main(own_process):
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock, own_process=own_process)
    before = gc.get_freeze_count()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(app.panel.tiles()) == 5)
        await wait_for(pilot, lambda: own_process is False or gc.get_freeze_count() > 0)
        await pilot.pause()
        after_first = gc.get_freeze_count()
        app.next_page()
        await wait_for(pilot, lambda: app.page_title == "Today" and len(app.panel.tiles()) == 4)
        await pilot.pause()
        return {{"before": before, "first": after_first, "second": gc.get_freeze_count(),
                 "tracked": len(gc.get_objects())}}

print(json.dumps(asyncio.run(main({own_process}))))
"""


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_wall_with_its_process_freezes_start_up_once_after_its_first_page():
    own = run(FREEZE.format(tests=str(TESTS), own_process=True))
    assert own["before"] == 0
    # start-up frozen after the first page (most of what the collector tracks), once: the
    # next page freezes nothing more (frozen objects freed since leave the count)
    assert own["first"] > 5 * own["tracked"] and own["second"] <= own["first"]


def test_a_wall_sharing_its_process_freezes_nothing():
    """Tests and the demo run the kiosk beside other things: freezing is process-wide."""
    shared = run(FREEZE.format(tests=str(TESTS), own_process=False))
    assert shared["before"] == shared["first"] == shared["second"] == 0


PLOT = """
import json, sys
if {skip}:
    from panneau.hub.leanimports import skip_plotext_docs
    skip_plotext_docs()
from textual_plotext.plot import Plot
import plotext
plt = Plot()
plt.plot_size(60, 14)
plt.title("Service level")
plt.plot([1, 2, 3, 4], [70.0, 83.5, 94.0, 88.0], marker="braille", color="green")
plt.plot([1, 4], [80.0, 80.0], marker="─", color="red")
plt.stacked_bar([1, 2, 3], [[3, 5, 2], [1, 0, 2]], color=["green", "red"], width=0.6)
plt.xticks([1, 2, 3, 4], ["09:00", "09:30", "10:00", "10:30"])
print(json.dumps({{"plot": plt.build(), "help": bool(plotext.plot.__doc__)}}))
"""

#: ``panneau kiosk`` up to where the app starts drawing (Textual's ``App.run`` replaced to
#: note what is imported by then; the kiosk's own modules are left for the command to import).
KIOSK_START = """
import json, sys
import textual.app
from panneau.hub.cli.main import main
seen = {}
def run(self):
    seen["app"] = type(self).__name__
    seen["own_process"] = self.own_process
    seen["help_built"] = hasattr(sys.modules["plotext._doc"], "method")
    seen["strip_caches"] = sys.modules["textual.strip"].FIFOCache.__name__
textual.app.App.run = run
code = main(["--log-level", "warning", "kiosk", "--hub", "ws://127.0.0.1:9", "--token", "t"])
print(json.dumps({"code": code, **seen}))
"""


def test_plotext_draws_the_same_without_its_help_text():
    plain = run(PLOT.format(skip=False))
    lean = run(PLOT.format(skip=True))
    assert plain["help"] and not lean["help"]
    assert lean["plot"] == plain["plot"] and "Service level" in plain["plot"]


def test_panneau_kiosk_runs_its_app_alone_without_plotext_help():
    started = run(KIOSK_START)
    assert started == {"code": 0, "app": "KioskApp", "own_process": True, "help_built": False,
                       "strip_caches": "FirstWriteFIFOCache"}


#: Holes in the C heap: 8 KiB blocks (from ``malloc``, past Python's small-object pools)
#: freed between small ones that stay, so glibc cannot give them back from the heap's top.
HOLES = """
from pathlib import Path

def rss_mib():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

def make_holes(count=5000):
    kept, freed = [], []
    for _ in range(count):
        freed.append(bytearray(8192))
        kept.append(bytearray(600))
    del freed
    return kept
"""

TRIM = HOLES + """
import json
from panneau.kiosk.heap import release_free_memory
kept = make_holes()
before = rss_mib()
done = release_free_memory()
print(json.dumps({"done": done, "freed_mib": before - rss_mib(), "kept": len(kept)}))
"""

TRIM_AT_PAGE_CHANGE = HOLES + """
import asyncio, gc, json, sys
sys.path[:0] = [{tests!r}, {tests!r} + "/kiosk"]
from helpers import wait_for
from kiosk_data import fixed_clock, normal_values, view_of
from panneau.kiosk.app import KioskApp

async def main(own_process):
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock, own_process=own_process)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(app.panel.tiles()) == 5)
        await pilot.pause()
        kept = make_holes()
        holed, full = rss_mib(), gc.get_stats()[2]["collections"]
        app.next_page()
        await wait_for(pilot, lambda: app.page_title == "Today" and len(app.panel.tiles()) == 4)
        if own_process:  # the collection after the new page is drawn gives the pages back
            await wait_for(pilot, lambda: rss_mib() < holed - 15)
        else:  # that collection done, nothing given back
            await wait_for(pilot, lambda: gc.get_stats()[2]["collections"] > full)
        return {{"freed_mib": holed - rss_mib(), "kept": len(kept)}}

print(json.dumps(asyncio.run(main({own_process}))))
"""


def test_free_pages_of_the_c_heap_go_back_to_the_system():
    """5,000 freed 8 KiB blocks between kept ones: ~40 MiB of holes glibc keeps; trimmed,
    their whole pages leave the process (at least one page of each)."""
    trimmed = run(TRIM)
    assert trimmed["done"] is (sys.platform == "linux")
    assert trimmed["freed_mib"] > 15 and trimmed["kept"] == 5000


def test_a_wall_with_its_process_gives_free_heap_pages_back_at_a_page_change():
    own = run(TRIM_AT_PAGE_CHANGE.format(tests=str(TESTS), own_process=True))
    assert own["freed_mib"] > 15
    shared = run(TRIM_AT_PAGE_CHANGE.format(tests=str(TESTS), own_process=False))
    assert shared["freed_mib"] < 5  # not in a process shared with others


MEMO = """
import asyncio, gc, json, sys
sys.path[:0] = [{tests!r}, {tests!r} + "/kiosk"]
from helpers import wait_for
from kiosk_data import T0, fixed_clock, kpis, normal_values, view_of
from panneau.kiosk.app import KioskApp
from panneau.kiosk.memo import memo_caches

def held():
    return sum(function.cache_info().currsize for function in memo_caches())

def values(n):
    out = normal_values()
    out["meta"]["as_of"] = T0 + n
    out.update(kpis("now", calls_waiting=n % 40, longest_wait_s=30 + 7 * n,
                    agents_available=n % 9, agents_on_call=3 + n % 7, agents_paused=n % 4))
    out.update(kpis("today", service_level_offered_pct=60 + n / 3, abandon_rate_pct=n / 7,
                    asa_s=10 + n, answered=400 + n))
    return out

async def main(own_process):
    app = KioskApp(view=view_of(values(0)), clock=fixed_clock, own_process=own_process)
    seen = []
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(app.panel.tiles()) == 5)
        for n in range(1, 25):  # 12 rotations of the two pages, new figures each page
            app.set_view(view_of(values(n)))
            full, title = gc.get_stats()[2]["collections"], app.page_title
            app.next_page()
            # the new page drawn, and the collection that follows it done
            await wait_for(pilot, lambda: app.page_title != title
                           and gc.get_stats()[2]["collections"] > full)
            if n in (4, 24):
                seen.append(held())
    return {{"after_2": seen[0], "after_12": seen[1]}}

print(json.dumps(asyncio.run(main({own_process}))))
"""


def test_a_wall_with_its_process_empties_textual_and_rich_memo_caches_at_each_page():
    """New figures and times at every page: in a process shared with others Textual's and
    Rich's memo caches keep what each page drew, on top of the last; a wall with its process
    to itself holds no more after twelve rotations than after two."""
    shared = run(MEMO.format(tests=str(TESTS), own_process=False))
    assert shared["after_12"] > shared["after_2"] + 50  # grew with what was drawn
    own = run(MEMO.format(tests=str(TESTS), own_process=True))
    assert own["after_12"] <= own["after_2"] and own["after_12"] < shared["after_2"]
