import socket

import pytest

from objstore.common.statsd import StatsdClient, client_from_conf, parse_line


@pytest.fixture
def receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_no_host_means_no_client():
    assert client_from_conf({}, "proxy-server") is None
    assert client_from_conf({"log_statsd_host": " "}, "proxy-server") is None


def test_metrics_arrive_with_the_prefixes_and_types(receiver):
    client = client_from_conf({"log_statsd_host": "127.0.0.1",
                               "log_statsd_port": str(receiver.getsockname()[1]),
                               "log_statsd_metric_prefix": "lab."}, "proxy-server")
    client.update_stats("object.GET.200.xfer", 1234)
    client.timing("object.GET.200.timing", 2.5)
    client.increment("errors")
    lines = [receiver.recv(1000).decode() for _ in range(3)]
    assert lines == ["lab.proxy-server.object.GET.200.xfer:1234|c",
                     "lab.proxy-server.object.GET.200.timing:2.5000|ms",
                     "lab.proxy-server.errors:1|c"]


def test_a_sampled_metric_says_its_rate_and_zero_sends_nothing(receiver):
    client = StatsdClient("127.0.0.1", receiver.getsockname()[1], "p", sample_rate=0.0)
    client.increment("never")
    client.update_stats("always", 3, sample_rate=0.999999999)
    assert receiver.recv(1000).decode() == "p.always:3|c|@0.999999999"


def test_an_unreachable_host_never_raises():
    client = StatsdClient("127.0.0.1", 9)  # discard port, nobody listens
    for _ in range(3):
        client.increment("x")
    StatsdClient("no-such-host.invalid", 8125).increment("x")


@pytest.mark.parametrize("line,expected", [
    ("a.b:3|c", ("a.b", 3.0, "c", 1.0)),
    ("a.b:2.5|ms|@0.5", ("a.b", 2.5, "ms", 0.5)),
    ("a.b:1|c|@0", None), ("a.b:1|c|@2", None), ("a.b:x|c", None), ("a.b|c", None),
    (":1|c", None), ("a.b:1", None), ("a.b:nan|c", None), ("", None)])
def test_parse_line_reads_statsd_and_refuses_the_rest(line, expected):
    assert parse_line(line) == expected
