"""Annotations: set with an end time, removed, expired, logged for exports."""

from __future__ import annotations

import time

from panneau.hub import wire

KEY = "team:support/today/service_level_pct"


async def test_a_note_shows_until_its_end_and_every_change_is_logged(start_hub, tools):
    clock = [time.time()]
    async with start_hub(hub_kwargs={"clock": lambda: clock[0]}) as hub:
        start = clock[0]
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        await tools.recv(kiosk)
        await manager.send(wire.encode({"type": "annotate", "key": KEY, "text": "outage",
                                        "until": start + 600, "ref": "a"}))
        [*_, ok] = await tools.recv_until(manager, lambda f: f.get("ref") == "a")
        assert ok == {"type": "ok", "ref": "a", "id": KEY}
        shown = await tools.recv_until(
            kiosk, lambda f: f["type"] == "delta" and f"annotation:{KEY}" in f["set"])
        assert shown[-1]["set"][f"annotation:{KEY}"] == {
            "text": "outage", "by": "boss", "ts": start, "until": start + 600}
        await manager.send(wire.encode({"type": "annotate", "key": KEY, "text": "late",
                                        "until": start - 1, "ref": "b"}))
        [*_, error] = await tools.recv_until(manager, lambda f: f.get("ref") == "b")
        assert error["reason"] == "annotation until is not in the future"
        clock[0] = start + 601
        hub.mark_dirty()
        gone = await tools.recv_until(
            kiosk, lambda f: f["type"] == "delta" and f"annotation:{KEY}" in f["unset"])
        assert gone
        await manager.send(wire.encode({"type": "annotate", "key": "site/today/answered",
                                        "text": "new phones", "ref": "c"}))
        await tools.recv_until(manager, lambda f: f.get("ref") == "c")
        await manager.send(wire.encode({"type": "annotate", "key": "site/today/answered",
                                        "text": "", "ref": "d"}))
        await tools.recv_until(manager, lambda f: f.get("ref") == "d")
        log = hub.journal.annotation_log(start - 1, start + 700)
        assert [(r["key"], r["text"], r["until"]) for r in log] == [
            (KEY, "outage", start + 600), ("site/today/answered", "new phones", None),
            ("site/today/answered", "", None)]
        assert hub.journal.annotations()[KEY]["until"] == start + 600  # stays in the table
        for ws in (manager, kiosk):
            await ws.close()
    async with start_hub(hub_kwargs={"clock": lambda: clock[0]}) as hub:
        assert hub.manager.annotations == {}  # expired before the restart: not loaded


async def test_a_figure_of_an_agent_named_with_a_slash_takes_a_note(start_hub, tools):
    """Asterisk names agents ``SIP/1001``: the key was refused as not <scope>/<window>/<kpi>."""
    async with start_hub() as hub:
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        key = "agent:SIP/1001/today/aht_s"
        await manager.send(wire.encode({"type": "annotate", "key": key, "text": "new headset",
                                        "ref": "a"}))
        [*_, ok] = await tools.recv_until(manager, lambda f: f.get("ref") == "a")
        assert ok == {"type": "ok", "ref": "a", "id": key}
        assert hub.journal.annotations()[key]["text"] == "new headset"
        await manager.close()


async def test_a_note_whose_end_is_no_time_is_refused(start_hub, tools):
    """``until`` infinite or NaN was stored (NaN: never over); then every ``panneau export``
    of the period ended in OverflowError on the note's time."""
    async with start_hub() as hub:
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        for ref, until in (("inf", float("inf")), ("nan", float("nan")),
                           ("far", time.time() + 400 * 86400)):
            await manager.send(wire.encode({"type": "annotate", "key": KEY, "text": "x",
                                            "until": until, "ref": ref}))
            [*_, error] = await tools.recv_until(manager, lambda f, r=ref: f.get("ref") == r)
            assert error["reason"] == "annotation until must be within 366 days"
        assert hub.journal.annotations() == {}
        await manager.close()


async def test_a_note_an_older_version_stored_with_an_endless_until_shows_open_ended(
        start_hub, tools, tmp_path):
    """Such a note was sent to screens with until inf (the console's notes table failed on
    it) and every export of its day failed."""
    from panneau.hub.server.journal import Journal

    journal = Journal(tmp_path / "hub.db")  # the database start_hub's hub opens
    try:
        journal.set_annotation(KEY, "outage", "boss", time.time(), until=float("inf"))
    finally:
        journal.close()
    async with start_hub() as hub:
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        [snapshot] = await tools.recv_until(kiosk, lambda f: f["type"] == "snapshot")
        note = snapshot["view"][f"annotation:{KEY}"]
        assert (note["text"], note["until"]) == ("outage", None)
        await kiosk.close()
