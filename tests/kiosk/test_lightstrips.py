"""Strips whose caches make their dicts on first write (``panneau kiosk`` only): the same
caching, the same strips, less memory."""

from __future__ import annotations

import json
import subprocess
import sys

from textual.cache import FIFOCache

from panneau.hub.lightstrips import FirstWriteFIFOCache


def test_a_first_write_cache_caches_as_textual_s_does():
    """Same answers, hits, misses and first-in-first-out eviction as Textual's cache."""
    plain, lazy = FIFOCache(3), FirstWriteFIFOCache(3)
    seen = []
    for cache in (plain, lazy):
        steps = [len(cache), bool(cache), cache.get("a"), "a" in cache]
        for key in "abcdb":
            cache[key] = key.upper()
        steps += [cache.get("a"), cache.get("b"), cache.get("e", "-"), sorted(cache.keys()),
                  len(cache), cache.hits, cache.misses]
        cache.clear()
        cache.set("z", 1)
        steps += [len(cache), cache.get("z"), sorted(cache.keys())]
        seen.append(steps)
    assert seen[0] == seen[1]
    assert seen[0][4:6] == [None, "B"]  # "a" went first when "d" came


def test_an_empty_first_write_cache_holds_no_dict_of_its_own():
    a, b = FirstWriteFIFOCache(4), FirstWriteFIFOCache(4)
    assert a._cache is b._cache and not a._cache
    a["k"] = 1
    assert a._cache is not b._cache and not b._cache and b.get("k") is None
    a.clear()
    assert a._cache is b._cache and a.get("k") is None


STRIPS = """
import json, sys
from rich.segment import Segment
from rich.style import Style
if {lazy}:
    from panneau.hub.lightstrips import lazy_strip_caches
    lazy_strip_caches()
from textual.strip import Strip
red, bold = Style(color="red"), Style(bold=True)
line = Strip([Segment("hello ", red), Segment("wall", bold), Segment(" panel")])
out = []
for _ in range(2):  # the second time from the caches
    out += [[s.text for s in line.divide([3, 8, 16])], line.crop(2, 9).text,
            line.crop_extend(1, 20, red).text, line.adjust_cell_length(20, bold).text,
            str(line.apply_style(bold)), str(line.crop(0, 5).apply_style(red))]
empty = Strip([Segment("x")])
print(json.dumps({{"out": out, "caches": type(empty._crop_cache).__name__,
                   "shared": empty._crop_cache._cache is empty._style_cache._cache}}))
"""


def strips_drawn(lazy: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", STRIPS.format(lazy=lazy)], capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def test_strips_are_cut_and_styled_the_same_with_first_write_caches():
    plain, lazy = strips_drawn(False), strips_drawn(True)
    assert lazy["out"] == plain["out"]
    assert plain["caches"] == "FIFOCache" and not plain["shared"]
    assert lazy["caches"] == "FirstWriteFIFOCache" and lazy["shared"]
