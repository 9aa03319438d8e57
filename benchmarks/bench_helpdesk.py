"""Throughput of the helpdesk and survey sources' pure parts, next to plain decoding.

    .venv/bin/python benchmarks/bench_helpdesk.py

Baselines (same run): ``json.loads`` of the same pages / bodies, and ``csv.DictReader`` over the
same file, i.e. what merely reading the input costs. Also the size and encode time of the
Zendesk checkpoint, which is journalled with every page.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from panneau.hub.toolkit.mapping import RowMapping
from panneau.hub.toolkit.rows import RowConsumer, read_rows
from panneau.hub.toolkit.tickets import TicketTracker
from panneau.plugins.surveys.options import TypeformForm
from panneau.plugins.surveys.parse import parse_typeform
from panneau.plugins.surveys.signatures import typeform_signature, typeform_signature_ok
from panneau.plugins.zendesk.mapping import page_snapshots

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["new", "open", "pending", "hold", "solved", "closed", "deleted"]


def zendesk_pages(pages: int, per_page: int) -> list[bytes]:
    """Export pages: every ticket appears twice (a later version on a later page)."""
    out = []
    for p in range(pages):
        tickets, metrics = [], []
        for i in range(per_page):
            tid = (p * per_page + i) // 2 + 1
            version = (p * per_page + i) % 2
            t = 1772409600 + tid * 7 + version * 3600
            tickets.append({
                "id": tid, "status": STATUSES[(tid + version * 4) % 7],
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1772409600 + tid)),
                "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
                "via": {"channel": "email"}, "group_id": 360001, "assignee_id": 500 + tid % 20,
                "priority": "normal", "generated_timestamp": t})
            metrics.append({"ticket_id": tid, "reopens": version, "replies": 1 + version,
                            "reply_time_in_minutes": {"calendar": 10 + tid % 50},
                            "solved_at": None})
        out.append(json.dumps({"tickets": tickets, "metric_sets": metrics,
                               "end_of_stream": p == pages - 1}).encode())
    return out


class _Ctx:
    name = "bench"

    def skipped(self, detail: str, count: int = 1) -> None:
        pass

    def now(self) -> float:
        return time.time()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_zendesk() -> None:
    pages = zendesk_pages(20, 1000)
    n = 20 * 1000
    base_s, _ = timed(lambda: [json.loads(p) for p in pages])
    tracker = TicketTracker(limit=20000)

    def run():
        events = 0
        for i, raw in enumerate(pages):
            snapshots, _ = page_snapshots(json.loads(raw))
            for snap in snapshots:
                events += len(tracker.apply(snap, "zd", f"p{i}"))
        return events

    run_s, events = timed(run)
    cp_s, cp = timed(lambda: json.dumps(tracker.to_checkpoint()))
    print(f"zendesk export: {n:,} ticket versions, {events:,} events")
    print(f"  json.loads only        {n / base_s:12,.0f} tickets/s")
    print(f"  loads + map + track    {n / run_s:12,.0f} tickets/s")
    print(f"  checkpoint ({len(tracker):,} tickets) {len(cp) / 1e6:.2f} MB, "
          f"encoded in {cp_s * 1000:.1f} ms (once per page)")


def bench_typeform() -> None:
    body = (ROOT / "tests" / "fixtures" / "typeform" / "form_response_nps.json").read_bytes()
    secret = "s3cret"
    header = typeform_signature(secret, body)
    forms = {"pNpS2026": TypeformForm(score_field="recommend", ticket_field="ticket_id")}
    n = 20000
    def decode_only():
        for _ in range(n):
            json.loads(body)

    base_s, _ = timed(decode_only)

    def run():
        for _ in range(n):
            assert typeform_signature_ok(secret, body, header)
            parse_typeform(json.loads(body), forms, "tf")

    run_s, _ = timed(run)
    print(f"typeform webhook bodies ({len(body)} B): {n:,}")
    print(f"  json.loads only        {n / base_s:12,.0f} bodies/s")
    print(f"  verify + parse         {n / run_s:12,.0f} bodies/s")


def bench_csv() -> None:
    n = 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Response ID", "Submitted", "Score", "Agent"])
            for i in range(n):
                w.writerow([f"r{i}", f"2026-03-02T{i % 24:02d}:00:00Z", i % 11, f"A{i % 30}"])
        base_s, _ = timed(lambda: sum(1 for _ in csv.DictReader(path.open(newline=""))))
        mapping = RowMapping(kind="survey", survey="nps", fields={
            "id": "Response ID", "time": "Submitted", "score": "Score", "agent": "Agent"})
        consumer = RowConsumer(_Ctx(), mapping, {}, remember_ids=n)  # type: ignore[arg-type]
        run_s, events = timed(lambda: sum(len(consumer.consume(w, r))
                                          for w, r in read_rows(path)))
    print(f"survey CSV: {n:,} rows, {events:,} responses")
    print(f"  csv.DictReader only    {n / base_s:12,.0f} rows/s")
    print(f"  read + map + dedupe    {n / run_s:12,.0f} rows/s")


if __name__ == "__main__":
    bench_zendesk()
    bench_typeform()
    bench_csv()
