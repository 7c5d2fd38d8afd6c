"""The traffic view's data: the proxy's StatsD metrics, per second.

The dashboard listens for StatsD datagrams (``statsd_port`` in
``[dashboard]``; the proxies send there with ``log_statsd_host`` and
``log_statsd_port``). Every proxy worker reports on its own, so a
receiver, not a stats endpoint of one worker, sees the whole cluster.
Of what arrives, only proxy-logging's ``proxy-server.<type>.<verb>.
<status>.timing`` (one per request) and ``.xfer`` (bytes) are kept.

Memory is bounded: one bucket per second for ``window`` seconds (older
buckets fall off), and at most :data:`MAX_SERIES` verb/status pairs per
bucket (more, e.g. a flood of odd statuses, count under ``other``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Tuple

from objstore.common.statsd import parse_line

DEFAULT_WINDOW = 600
MAX_SERIES = 64
MAX_DATAGRAM = 65535
TYPES = ("account", "container", "object")
OTHER = "other"


def request_metric(name: str) -> Optional[Tuple[str, str, str]]:
    """``[prefix.]proxy-server.<type>.<verb>.<status>.<timing|xfer>`` ->
    ``("GET 200", kind, type)``; None for any other metric."""
    parts = name.split(".")
    if len(parts) < 5 or parts[-1] not in ("timing", "xfer"):
        return None
    server, kind, verb, status, what = parts[-5:]
    if server != "proxy-server" or kind not in TYPES:
        return None
    if not (verb.isalpha() or verb == "BAD_METHOD") or len(verb) > 16:
        return None
    if not (len(status) == 3 and status.isdigit()):
        return None
    return "%s %s" % (verb, status), what, kind


class TrafficRecorder:
    """Per-second request and byte counts by ``"VERB STATUS"``."""

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        self.window = max(10, window)
        # (second, {series: [requests, bytes]})
        self._buckets: Deque[Tuple[int, Dict[str, List[float]]]] = deque(maxlen=self.window)
        self._lock = threading.Lock()
        self.received = 0

    def _bucket(self, second: int) -> Dict[str, List[float]]:
        if self._buckets and self._buckets[-1][0] == second:
            return self._buckets[-1][1]
        if self._buckets and self._buckets[-1][0] > second:  # the clock stepped back
            return self._buckets[-1][1]
        self._buckets.append((second, {}))
        return self._buckets[-1][1]

    def record_line(self, line: str, now: Optional[float] = None) -> bool:
        """Count one StatsD line; False when it is not a request metric."""
        parsed = parse_line(line)
        if parsed is None:
            return False
        name, value, _kind, rate = parsed
        metric = request_metric(name)
        if metric is None:
            return False
        series, what, _type = metric
        with self._lock:
            bucket = self._bucket(int(time.time() if now is None else now))
            if series not in bucket and len(bucket) >= MAX_SERIES - 1:
                series = OTHER
            counts = bucket.setdefault(series, [0.0, 0.0])
            if what == "timing":
                counts[0] += 1.0 / rate
            else:
                counts[1] += max(value, 0.0) / rate
            self.received += 1
        return True

    def record_datagram(self, data: bytes, now: Optional[float] = None) -> int:
        """Count every line of one datagram; how many were request metrics."""
        text = data.decode("utf-8", "replace")
        return sum(1 for line in text.splitlines() if self.record_line(line, now))

    def series(self, seconds: int, now: Optional[float] = None) -> Dict[str, Any]:
        """The last ``seconds`` (at most the window) as per-second arrays,
        oldest first, ending with the current second:
        ``{"end": epoch second, "seconds": n, "series": {"GET 200":
        {"requests": [...], "bytes": [...]}}}``."""
        seconds = max(1, min(int(seconds), self.window))
        end = int(time.time() if now is None else now)
        start = end - seconds + 1
        out: Dict[str, Dict[str, List[float]]] = {}
        with self._lock:
            buckets = [(s, dict(b)) for s, b in self._buckets if start <= s <= end]
        for second, bucket in buckets:
            for name, (reqs, nbytes) in bucket.items():
                row = out.setdefault(name, {"requests": [0.0] * seconds,
                                            "bytes": [0.0] * seconds})
                row["requests"][second - start] = reqs
                row["bytes"][second - start] = nbytes
        return {"end": end, "seconds": seconds, "series": out, "received": self.received}


class StatsdListener:
    """A daemon thread that feeds UDP datagrams to a :class:`TrafficRecorder`."""

    def __init__(self, recorder: TrafficRecorder, ip: str, port: int) -> None:
        self.recorder = recorder
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((ip, port))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="statsd", daemon=True)

    def start(self) -> "StatsdListener":
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                data = self.sock.recv(MAX_DATAGRAM)
            except OSError:
                return  # closed
            self.recorder.record_datagram(data)

    def close(self) -> None:
        self.sock.close()
