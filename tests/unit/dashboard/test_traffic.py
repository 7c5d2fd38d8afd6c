import socket
import time

import pytest

from objstore.dashboard.traffic import (MAX_SERIES, OTHER, StatsdListener, TrafficRecorder,
                                        request_metric)


@pytest.mark.parametrize("name,expected", [
    ("proxy-server.object.GET.200.timing", ("GET 200", "timing", "object")),
    ("lab.proxy-server.container.PUT.201.xfer", ("PUT 201", "xfer", "container")),
    ("proxy-server.account.BAD_METHOD.405.timing", ("BAD_METHOD 405", "timing", "account")),
    ("proxy-server.object.GET.200.first-byte.timing", None),
    ("object-server.object.GET.200.timing", None),
    ("proxy-server.SOS.GET.200.timing", None),
    ("proxy-server.object.GET.2000.timing", None),
    ("proxy-server.object.G<b>.200.timing", None),
    ("proxy-server.errors", None)])
def test_only_proxy_logging_request_metrics_are_read(name, expected):
    assert request_metric(name) == expected


def test_counts_land_in_their_second_by_verb_and_status():
    rec = TrafficRecorder(window=60)
    now = 1_000_000
    assert rec.record_datagram(b"proxy-server.object.PUT.201.timing:3|ms\n"
                               b"proxy-server.object.PUT.201.xfer:1000|c\n"
                               b"garbage\nproxy-server.errors:1|c", now) == 2
    rec.record_line("proxy-server.object.GET.200.timing:1|ms|@0.5", now + 2)
    rec.record_line("proxy-server.object.GET.200.xfer:10|c|@0.5", now + 2)
    doc = rec.series(5, now + 2)
    assert doc["end"] == now + 2 and doc["seconds"] == 5
    assert doc["series"]["PUT 201"] == {"requests": [0, 0, 1, 0, 0], "bytes": [0, 0, 1000, 0, 0]}
    assert doc["series"]["GET 200"] == {"requests": [0, 0, 0, 0, 2], "bytes": [0, 0, 0, 0, 20]}


def test_memory_is_bounded_by_the_window_and_the_series_cap():
    rec = TrafficRecorder(window=10)
    for second in range(100):
        rec.record_line("proxy-server.object.GET.200.timing:1|ms", 5000 + second)
    assert len(rec._buckets) == 10
    assert rec.series(1000, 5099)["seconds"] == 10
    assert rec.series(10, 5099)["series"]["GET 200"]["requests"] == [1] * 10
    for status in range(100, 100 + MAX_SERIES + 20):
        rec.record_line("proxy-server.object.GET.%d.timing:1|ms" % status, 6000)
    series = rec.series(1, 6000)["series"]
    assert len(series) == MAX_SERIES and series[OTHER]["requests"] == [21]


def test_the_listener_counts_what_arrives_over_udp():
    rec = TrafficRecorder()
    listener = StatsdListener(rec, "127.0.0.1", 0).start()
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.sendto(b"proxy-server.container.GET.204.timing:1|ms", ("127.0.0.1", listener.port))
        sock.close()
        deadline = time.time() + 30
        while rec.received == 0 and time.time() < deadline:
            time.sleep(0.01)
        assert sum(rec.series(60)["series"]["GET 204"]["requests"]) == 1
    finally:
        listener.close()
