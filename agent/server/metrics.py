"""Prometheus metrics of one server/worker process (served at /metrics).

Counters and histograms are per process (Prometheus sums them across processes); queue depths are
read from the shared database at scrape time, so every process reports the same, true depth.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from agent.store.alerts import AlertStore
from agent.store.db import Database
from agent.store.inbox import Inbox
from agent.store.review import ReviewQueue

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_REVIEW_BUCKETS = (30, 60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600)


class _QueueDepth(Collector):
    def __init__(self, db: Database):
        self.db = db

    def collect(self):
        inbox = GaugeMetricFamily("practice_inbox_events", "Inbox events by status",
                                  labels=["status"])
        for status, count in Inbox(self.db).counts().items():
            inbox.add_metric([status], count)
        review = GaugeMetricFamily("practice_review_queue_depth", "Items awaiting review",
                                   labels=["source"])
        for source, count in ReviewQueue(self.db).depth().items():
            review.add_metric([source], count)
        alerts = GaugeMetricFamily("practice_open_alerts", "Crisis alerts not yet acknowledged")
        alerts.add_metric([], AlertStore(self.db).count_open())
        yield from (inbox, review, alerts)


class Metrics:
    def __init__(self, db: Database | None = None):
        self.registry = CollectorRegistry()
        self.webhooks = Counter("practice_webhooks", "Webhook deliveries by result",
                                ["result"], registry=self.registry)
        self.alerts = Counter("practice_alerts_raised", "Crisis alerts raised at ingress",
                              ["severity"], registry=self.registry)
        self.alert_latency = Histogram(
            "practice_alert_latency_seconds", "Webhook request start to committed alert row",
            buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.turns = Counter("practice_turns", "Graph turns finished by route and status",
                             ["route", "status"], registry=self.registry)
        self.event_failures = Counter("practice_event_failures", "Failed event tries by result",
                                      ["result"], registry=self.registry)
        self.decisions = Counter("practice_review_decisions", "Review decisions",
                                 ["route", "decision"], registry=self.registry)
        self.time_to_review = Histogram(
            "practice_time_to_first_review_seconds", "Queued draft to reviewer decision",
            buckets=_REVIEW_BUCKETS, registry=self.registry)
        if db is not None:
            self.registry.register(_QueueDepth(db))
