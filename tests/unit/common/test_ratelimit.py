"""The shared rate counter, on the in-process cache and on a real memcached,
with the clock passed in (no sleeping)."""

import os
import shutil
import socket
import subprocess
import time

import pytest

from objstore.common.memcached import LocalCache, MemcacheRing
from objstore.common.ratelimit import (RateLimited, parse_size_rates, rate_for_size,
                                       wait_for_slot)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["local", "memcached"])
def cache(request):
    if request.param == "local":
        yield LocalCache()
        return
    exe = shutil.which("memcached") or "/usr/bin/memcached"
    if not os.path.exists(exe):
        pytest.skip("memcached is not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "8",
                             "-u", "root"] if os.getuid() == 0 else
                            [exe, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "8"])
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.time() < deadline, "memcached did not start"
            time.sleep(0.05)
    ring = MemcacheRing(["127.0.0.1:%d" % port])
    try:
        yield ring
    finally:
        ring.close()
        proc.terminate()
        proc.wait(5)


def test_requests_at_the_rate_never_wait(cache):
    now = 1_000_000.0
    for i in range(20):
        assert wait_for_slot(cache, "k", rate=10, max_sleep=60, now=now + i * 0.1) == 0


def test_a_burst_waits_one_step_per_request_past_the_first(cache):
    now = 1_000_000.0
    waits = [wait_for_slot(cache, "k", rate=10, max_sleep=60, rate_buffer=0, now=now)
             for _ in range(5)]
    assert waits == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_the_buffer_lets_a_client_that_was_quiet_catch_up_and_no_more(cache):
    now = 1_000_000.0
    # 1/s with 2 s of buffer: 3 go at once, then one per second.
    waits = [wait_for_slot(cache, "k", rate=1, max_sleep=60, rate_buffer=2, now=now)
             for _ in range(4)]
    assert waits == [0.0, 0.0, 0.0, 1.0]
    # A long quiet spell earns no more than the buffer.
    later = now + 100
    waits = [wait_for_slot(cache, "k", rate=1, max_sleep=60, rate_buffer=2, now=later)
             for _ in range(4)]
    assert waits == [0.0, 0.0, 0.0, 1.0]
    # The next free slot is later + 2: a client coming back then has no
    # credit yet.
    waits = [wait_for_slot(cache, "k", rate=1, max_sleep=60, rate_buffer=2, now=later + 2)
             for _ in range(2)]
    assert waits == [0.0, 1.0]


def test_past_max_sleep_the_request_is_refused_and_gives_its_slot_back(cache):
    now = 1_000_000.0
    for _ in range(3):
        wait_for_slot(cache, "k", rate=1, max_sleep=2, rate_buffer=0, now=now)
    with pytest.raises(RateLimited) as err:
        wait_for_slot(cache, "k", rate=1, max_sleep=2, rate_buffer=0, now=now)
    assert err.value.wait == 3.0
    # The refused request took no slot: a second later the next one waits 2 s.
    assert wait_for_slot(cache, "k", rate=1, max_sleep=2, rate_buffer=0, now=now + 1) == 2.0


def test_keys_are_counted_apart_and_a_zero_rate_is_no_limit(cache):
    now = 1_000_000.0
    assert wait_for_slot(cache, "a", rate=1, max_sleep=60, rate_buffer=0, now=now) == 0
    assert wait_for_slot(cache, "b", rate=1, max_sleep=60, rate_buffer=0, now=now) == 0
    assert wait_for_slot(cache, "a", rate=0, max_sleep=60, now=now) == 0


def test_size_rates_are_read_from_options_and_interpolated():
    rates = parse_size_rates({"container_ratelimit_100": "100", "container_ratelimit_10": "20",
                              "container_listing_ratelimit_5": "1", "other": "x"},
                             "container_ratelimit_")
    assert rates == [(10, 20.0), (100, 100.0)]
    assert rate_for_size(rates, 9) is None
    assert rate_for_size(rates, 10) == 20.0
    assert rate_for_size(rates, 55) == 60.0
    assert rate_for_size(rates, 10 ** 9) == 100.0
    assert rate_for_size([], 5) is None


@pytest.mark.parametrize("conf", [{"container_ratelimit_x": "1"},
                                  {"container_ratelimit_10": "fast"},
                                  {"container_ratelimit_10": "-1"}])
def test_a_bad_size_rate_option_names_itself(conf):
    with pytest.raises(ValueError) as err:
        parse_size_rates(conf, "container_ratelimit_")
    assert list(conf)[0] in str(err.value)
