"""The recorded files ``panneau replay`` reads for the ``asterisk_queue_log`` source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

from panneau.hub.sources import FileReader, ReadBatch
from panneau.plugins.asterisk.queue_log import ParseResult, parse_batches
from panneau.plugins.asterisk.realtime import read_export_batches

__all__ = ["QUEUE_LOG", "QUEUE_LOG_CSV"]


def _batches(results: Iterable[ParseResult]) -> Iterator[ReadBatch]:
    for result in results:
        yield ReadBatch(result.events, [s.describe() for s in result.skipped])


def _read_native(stream: TextIO, source: str, options: Mapping[str, str]) -> Iterator[ReadBatch]:
    return _batches(parse_batches(stream, source=source))


def _read_export(stream: TextIO, source: str, options: Mapping[str, str]) -> Iterator[ReadBatch]:
    return _batches(read_export_batches(stream, source=source,
                                        timezone=options.get("timezone", "UTC")))


QUEUE_LOG = FileReader("queue_log", _read_native, "Asterisk's native queue_log file")
QUEUE_LOG_CSV = FileReader(
    "queue_log_csv", _read_export,
    "a CSV export of the realtime queue_log table (data, data1..5 or PBXware layout)",
    {"timezone": "zone of the export's text times (default: UTC)"})
