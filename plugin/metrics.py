"""Prometheus metrics; multi-process aware when PROMETHEUS_MULTIPROC_DIR is set (serve)."""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

EVENTS_RECEIVED = Counter(
    "followthrough_events_received_total", "Webhook deliveries acknowledged", ["vendor", "type"]
)
EVENTS_FINISHED = Counter(
    "followthrough_events_finished_total",
    "Events finished by outcome (done, ignored, skipped, failed)",
    ["vendor", "type", "outcome"],
)
API_CALLS = Counter(
    "followthrough_api_calls_total", "Vendor API calls by HTTP status", ["vendor", "status"]
)
PROCESSING_SECONDS = Histogram(
    "followthrough_processing_seconds",
    "Seconds from receiving an event to finishing it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


class _InboxDepth:
    """Collects inbox depth by status at scrape time from the store."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self):
        family = GaugeMetricFamily(
            "followthrough_inbox_events", "Inbox rows by status", labels=["status"]
        )
        for status, count in sorted(self.counts().items()):
            family.add_metric([status], count)
        yield family


def render(inbox_counts: Callable[[], dict[str, int]]) -> tuple[bytes, str]:
    """The exposition text for one scrape."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    depth = _InboxDepth(inbox_counts)
    registry.register(depth)
    try:
        return generate_latest(registry), CONTENT_TYPE_LATEST
    finally:
        registry.unregister(depth)
