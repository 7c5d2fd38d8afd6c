"""StatsD metrics: one UDP datagram per metric, fire and forget.

Swift's servers report to a StatsD daemon when ``log_statsd_host`` is
set, with the options below; objstore reads the same options so a Swift
operator's graphs and the study dashboard's traffic view work the same:

- ``log_statsd_host`` (unset: no metrics, and nothing is sent or opened)
- ``log_statsd_port`` (8125)
- ``log_statsd_metric_prefix`` (put before every name, then a dot)
- ``log_statsd_default_sample_rate`` (1.0: every event is sent)

A metric can never fail or slow the request that reports it: a socket
error is dropped, and UDP does not wait for a reader. The wire format is
StatsD's ``name:value|type[|@rate]``; :func:`parse_line` reads it back
(the dashboard is a StatsD receiver for its traffic view).
"""

from __future__ import annotations

import random
import socket
from typing import Any, Dict, Optional, Tuple

from objstore.common.config import config_float, config_int

DEFAULT_PORT = 8125
#: StatsD metric types objstore sends: counter, timer (milliseconds).
COUNTER, TIMER = "c", "ms"


class StatsdClient:
    """Sends ``<prefix>.<name>`` metrics to one StatsD host over UDP."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, prefix: str = "",
                 sample_rate: float = 1.0) -> None:
        self.address = (host, port)
        self.prefix = prefix.strip(".")
        self.sample_rate = sample_rate
        self._sock: Optional[socket.socket] = None

    def _name(self, metric: str) -> str:
        return "%s.%s" % (self.prefix, metric) if self.prefix else metric

    def _send(self, metric: str, value: Any, kind: str,
              sample_rate: Optional[float] = None) -> None:
        rate = self.sample_rate if sample_rate is None else sample_rate
        if rate < 1 and random.random() >= rate:
            return
        line = "%s:%s|%s" % (self._name(metric), value, kind)
        if rate < 1:
            line += "|@%s" % rate
        try:
            if self._sock is None:
                family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
                self._sock = socket.socket(family, socket.SOCK_DGRAM)
            self._sock.sendto(line.encode("utf-8"), self.address)
        except OSError:
            pass  # metrics are best effort: never fail the caller

    def update_stats(self, metric: str, value: int, sample_rate: Optional[float] = None
                     ) -> None:
        """Add ``value`` to a counter."""
        self._send(metric, value, COUNTER, sample_rate)

    def increment(self, metric: str, sample_rate: Optional[float] = None) -> None:
        self.update_stats(metric, 1, sample_rate)

    def timing(self, metric: str, milliseconds: float,
               sample_rate: Optional[float] = None) -> None:
        self._send(metric, "%.4f" % milliseconds, TIMER, sample_rate)


def client_from_conf(conf: Dict[str, str], tail_prefix: str) -> Optional[StatsdClient]:
    """The client the ``log_statsd_*`` options ask for, named
    ``[<metric_prefix>.]<tail_prefix>.<metric>``; None when no host is set."""
    host = conf.get("log_statsd_host", "").strip()
    if not host:
        return None
    prefix = ".".join(p for p in (conf.get("log_statsd_metric_prefix", "").strip("."),
                                  tail_prefix) if p)
    rate = config_float(conf, "log_statsd_default_sample_rate", 1.0)
    return StatsdClient(host, config_int(conf, "log_statsd_port", DEFAULT_PORT, 1), prefix,
                        min(max(rate, 0.0), 1.0))


def parse_line(line: str) -> Optional[Tuple[str, float, str, float]]:
    """``name:value|type[|@rate]`` -> ``(name, value, type, rate)``; None
    for anything else (a receiver drops what it cannot read)."""
    name, sep, rest = line.strip().partition(":")
    if not sep or not name:
        return None
    fields = rest.split("|")
    if len(fields) < 2:
        return None
    try:
        value = float(fields[0])
        rate = float(fields[2][1:]) if len(fields) > 2 and fields[2].startswith("@") else 1.0
    except ValueError:
        return None
    if not 0 < rate <= 1 or value != value:  # NaN
        return None
    return name, value, fields[1], rate
