"""The asterisk_queue_log source on real files: follow, partial lines, rotation, truncation,
resume from a checkpoint, repeats, a missing file."""

from __future__ import annotations

import os

import panneau.plugins.asterisk as asterisk
from panneau.hub.testing import RecordingContext, append_lines, make_source, run_source, running


def line(n: int, queue: str = "support") -> str:
    return f"{1795378600 + n}|call.{n}|{queue}|NONE|ENTERQUEUE||555{n:04d}|1"


def calls(ctx: RecordingContext) -> list[str]:
    return [e.call_id for e in ctx.events]


def source(path, **options):
    return make_source(asterisk, "asterisk_queue_log",
                       {"path": str(path), "poll_interval_s": 0.01, **options})


async def test_follows_appended_lines_and_waits_for_a_partial_line(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1), line(2)])
    ctx = RecordingContext("pbx")
    async with running(source(log), ctx):
        await ctx.wait_for(lambda c: len(c.events) == 2)
        assert ctx.status == "live"
        with log.open("a") as f:
            f.write(line(3) + "\n" + line(4)[:20])  # the writer is half-way through line 4
        await ctx.wait_for(lambda c: len(c.events) == 3)
        assert ctx.checkpoint["offset"] == log.stat().st_size - 20  # before the partial line
        with log.open("a") as f:
            f.write(line(4)[20:] + "\n")
        await ctx.wait_for(lambda c: len(c.events) == 4)
    assert calls(ctx) == ["call.1", "call.2", "call.3", "call.4"]
    assert ctx.checkpoint == {"inode": log.stat().st_ino, "offset": log.stat().st_size, "line": 4}
    assert ctx.events[1].source_pos == f"{log.stat().st_ino}:{len(line(1)) + 1}"
    assert ctx.events[0].source == "pbx"


async def test_rotation_reads_the_old_file_to_its_end_then_the_new_one(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1)])
    ctx = RecordingContext("pbx")
    async with running(source(log), ctx):
        await ctx.wait_for(lambda c: len(c.events) == 1)
        # Lines land in the old file right before it is renamed; a new file appears.
        await append_lines(log, [line(2), line(3)])
        os.rename(log, tmp_path / "queue_log.1")
        await append_lines(log, [line(4)])
        await ctx.wait_for(lambda c: len(c.events) == 4)
        await append_lines(log, [line(5)])
        await ctx.wait_for(lambda c: len(c.events) == 5)
    assert calls(ctx) == [f"call.{n}" for n in range(1, 6)]
    assert ctx.checkpoint["inode"] == log.stat().st_ino


async def test_truncation_starts_again_at_the_beginning(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1), line(2), line(3)])
    ctx = RecordingContext("pbx")
    async with running(source(log), ctx):
        await ctx.wait_for(lambda c: len(c.events) == 3)
        inode = log.stat().st_ino
        with log.open("w") as f:  # copytruncate
            f.write(line(4) + "\n")
        await ctx.wait_for(lambda c: len(c.events) == 4)
    assert log.stat().st_ino == inode
    assert calls(ctx)[-1] == "call.4"
    assert ctx.checkpoint["offset"] == log.stat().st_size


async def test_resume_from_checkpoint_neither_recounts_nor_misses(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1), line(2)])
    first = await run_source(source(log), RecordingContext("pbx"),
                             until=lambda c: len(c.events) == 2)
    await append_lines(log, [line(3)])  # written while the hub is down
    second = first.restarted()
    await run_source(source(log), second, until=lambda c: len(c.events) == 1)
    await append_lines(log, [line(4)])
    # Down again; the file is rotated meanwhile: the rest of the old inode comes first.
    third = second.restarted()
    await append_lines(log, [line(5)])
    os.rename(log, tmp_path / "queue_log.1")
    await append_lines(log, [line(6)])
    await run_source(source(log), third, until=lambda c: len(c.events) == 3)
    assert calls(first) + calls(second) + calls(third) == [f"call.{n}" for n in range(1, 7)]


async def test_truncated_while_down_and_from_start_false(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1), line(2)])
    first = await run_source(source(log), RecordingContext("pbx"),
                             until=lambda c: len(c.events) == 2)
    log.write_text(line(3) + "\n")  # same inode, shorter than the checkpoint
    second = await run_source(source(log), first.restarted(), until=lambda c: len(c.events) == 1)
    assert calls(second) == ["call.3"]
    # A first start with from_start=false ignores what is already there.
    fresh = RecordingContext("other")
    async with running(source(log, from_start=False), fresh):
        await fresh.wait_for(lambda c: c.status == "live")
        await append_lines(log, [line(4)])
        await fresh.wait_for(lambda c: len(c.events) == 1)
    assert calls(fresh) == ["call.4"]


async def test_repeats_are_dropped_and_bad_lines_reported(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1), line(1), "not a queue_log line", "", line(2), line(1)])
    ctx = await run_source(source(log), RecordingContext("pbx"),
                           until=lambda c: c.checkpoint and c.checkpoint["line"] == 6)
    assert calls(ctx) == ["call.1", "call.2"]
    assert ctx.skips == [("line 3: expected at least 5 '|'-separated fields, got 1", 1)]
    # Without de-duplication the repeats are events like any other line.
    plain = await run_source(source(log, dedupe_window=0), RecordingContext("pbx"),
                             until=lambda c: len(c.events) == 4)
    assert calls(plain) == ["call.1", "call.1", "call.2", "call.1"]


async def test_missing_file_is_down_until_it_appears(tmp_path):
    log = tmp_path / "queue_log"
    ctx = RecordingContext("pbx")
    async with running(source(log), ctx):
        await ctx.wait_for(lambda c: c.status == "down")
        assert "No such file" in ctx.statuses[-1][1]
        await append_lines(log, [line(1)])
        await ctx.wait_for(lambda c: len(c.events) == 1)
        assert ctx.status == "live"


async def test_a_damaged_checkpoint_is_not_trusted(tmp_path):
    log = tmp_path / "queue_log"
    await append_lines(log, [line(1)])
    ctx = RecordingContext("pbx", checkpoint={"inode": "x", "offset": -5})
    await run_source(source(log), ctx, until=lambda c: len(c.events) == 1)
    assert calls(ctx) == ["call.1"]


def test_a_truncation_rewritten_longer_before_the_next_poll_is_read_from_the_start(tmp_path):
    log = tmp_path / "queue_log"
    log.write_text("".join(line(n) + "\n" for n in (1, 2)))
    follower = asterisk.tailer.FileFollower(asterisk.tailer.QueueLogOptions(path=str(log)), "pbx")
    first = follower.poll()
    assert [e.call_id for e in first.events] == ["call.1", "call.2"]
    inode = log.stat().st_ino
    with log.open("w") as f:  # copytruncate, then a burst longer than what was read
        f.write("".join(line(n) + "\n" for n in (3, 4, 5)))
    assert log.stat().st_ino == inode and log.stat().st_size > follower.offset
    got: list[str] = []
    for _ in range(5):  # bounded: the restart and the read take two polls
        got += [e.call_id for e in follower.poll().events]
    follower.close()
    assert got == ["call.3", "call.4", "call.5"]
    assert follower.checkpoint == {"inode": inode, "offset": log.stat().st_size, "line": 3}
