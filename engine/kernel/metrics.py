"""Process metrics in the Prometheus text format (version 0.0.4).

Written by hand rather than with prometheus_client: three metric kinds and one text
format are a few dozen lines, and a private registry per process keeps tests (which build
many apps in one process) free of prometheus_client's global duplicate-name errors.

Counters and histograms live in ``METRICS`` and are updated where things happen (the
command tree, the dashboard middleware); database-derived gauges (outbox lag, pending
timers) are read at scrape time by ``MetricsService``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select

from engine.kernel.uow import ServiceContext
from storage.models import OutboxEvent, Timer

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return f"{{{body}}}" if body else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {sorted(labels)}")
        return tuple((name, str(labels[name])) for name in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(k)} {_number(v)}" for k, v in items]


@dataclass
class _Series:
    buckets: list[int]
    total: float = 0.0
    count: int = 0


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labelnames)
        self.bounds = tuple(sorted(buckets))
        self._series: dict[Labels, _Series] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            series = self._series.setdefault(key, _Series([0] * len(self.bounds)))
            for i, bound in enumerate(self.bounds):
                if value <= bound:
                    series.buckets[i] += 1
            series.total += value
            series.count += 1

    def count(self, **labels: str) -> int:
        series = self._series.get(self._key(labels))
        return series.count if series else 0

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(
                (k, _Series(list(s.buckets), s.total, s.count)) for k, s in self._series.items()
            )
        out = []
        for key, series in items:
            for bound, n in zip(self.bounds, series.buckets, strict=True):
                out.append(f"{self.name}_bucket{_labels((*key, ('le', _number(bound))))} {n}")
            out.append(f"{self.name}_bucket{_labels((*key, ('le', '+Inf')))} {series.count}")
            out.append(f"{self.name}_sum{_labels(key)} {_number(series.total)}")
            out.append(f"{self.name}_count{_labels(key)} {series.count}")
        return out


@dataclass(frozen=True)
class Gauge:
    """A value read at scrape time."""

    name: str
    help: str
    value: float

    def lines(self) -> list[str]:
        return [
            f"# HELP {self.name} {self.help}",
            f"# TYPE {self.name} gauge",
            f"{self.name} {_number(self.value)}",
        ]


M = TypeVar("M", Counter, Histogram)


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, Counter | Histogram] = {}

    def counter(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Counter:
        return self._add(Counter(name, help_text, labelnames))

    def histogram(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Histogram:
        return self._add(Histogram(name, help_text, labelnames))

    def _add(self, metric: M) -> M:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} is registered twice")
        self._metrics[metric.name] = metric
        return metric

    def exposition(self, gauges: Iterable[Gauge] = ()) -> str:
        lines: list[str] = []
        for metric in self._metrics.values():
            lines += metric.header() + metric.lines()
        for gauge in gauges:
            lines += gauge.lines()
        return "\n".join(lines) + "\n"


class ProcessMetrics:
    """The counters this process updates; one instance, ``METRICS``, per process."""

    def __init__(self) -> None:
        self.registry = Registry()
        self.commands = self.registry.counter(
            "deltacrown_commands_total", "Slash commands handled, by command.", ("command",)
        )
        self.command_errors = self.registry.counter(
            "deltacrown_command_errors_total",
            "Interactions that ended in an error, by kind (domain or bug).",
            ("kind",),
        )
        self.http_requests = self.registry.histogram(
            "deltacrown_http_request_duration_seconds",
            "Dashboard request latency, by route and status class.",
            ("route", "method", "status"),
        )


METRICS = ProcessMetrics()


class MetricsService:
    """Gauges read from the database when /metrics is scraped."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def gauges(self) -> list[Gauge]:
        now = self._ctx.clock.now()
        async with self._ctx.read() as session:
            pending, oldest = (
                await session.execute(
                    select(func.count(), func.min(OutboxEvent.created_at)).where(
                        OutboxEvent.delivered_at.is_(None)
                    )
                )
            ).one()
            timers = await session.scalar(
                select(func.count())
                .select_from(Timer)
                .where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None))
            )
            overdue = await session.scalar(
                select(func.count())
                .select_from(Timer)
                .where(Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.due_at <= now)
            )
        lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        return [
            Gauge("deltacrown_outbox_pending_events", "Outbox events not delivered yet.", pending),
            Gauge(
                "deltacrown_outbox_lag_seconds",
                "Age of the oldest undelivered outbox event (0 when none).",
                lag,
            ),
            Gauge("deltacrown_timers_pending", "Timers neither fired nor cancelled.", timers or 0),
            Gauge("deltacrown_timers_overdue", "Pending timers already due.", overdue or 0),
        ]
