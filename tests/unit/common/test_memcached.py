import os
import shutil
import socket
import subprocess
import time

import pytest

from objstore.common.memcached import (LocalCache, MemcacheConnectionError, MemcacheRing,
                                       cache_from_conf, parse_server)

MEMCACHED = "/usr/bin/memcached"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_memcached(port=None):
    """A real memcached on ``port`` (a free one by default)."""
    port = port or _free_port()
    cmd = [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "16"]
    if os.geteuid() == 0:
        cmd += ["-u", "root"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, "127.0.0.1:%d" % port
        except OSError:
            if proc.poll() is not None:
                raise AssertionError("memcached exited with %s" % proc.returncode)
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("memcached never listened on port %d" % port)


@pytest.fixture(scope="module")
def memcached_servers():
    """Two real memcached processes on free loopback ports."""
    if not (os.path.exists(MEMCACHED) or shutil.which("memcached")):
        pytest.skip("memcached binary is not installed")
    started = []
    try:
        for _ in range(2):
            started.append(_start_memcached())
        yield [addr for _proc, addr in started]
    finally:
        for proc, _addr in started:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def ring(memcached_servers):
    client = MemcacheRing(memcached_servers)
    yield client
    client.close()


def _dead_address():
    return "127.0.0.1:%d" % _free_port()  # nobody listens there


def test_values_round_trip_as_json_through_real_memcached(ring):
    assert ring.set("token/abc", {"groups": "test,test:tester", "expires": 12.5})
    assert ring.get("token/abc") == {"groups": "test,test:tester", "expires": 12.5}
    assert ring.set("tuple", (1, "two"))
    assert ring.get("tuple") == [1, "two"]
    assert ring.set("key with spaces and ünïcode " + "x" * 300, "long keys are fine")
    assert ring.get("key with spaces and ünïcode " + "x" * 300) == "long keys are fine"


def test_a_missing_key_reads_as_none(ring):
    assert ring.get("never-set") is None


def test_delete_forgets_a_key_and_tolerates_a_missing_one(ring):
    ring.set("k", 1)
    ring.delete("k")
    assert ring.get("k") is None
    ring.delete("k")


def test_add_only_stores_an_absent_key(ring):
    assert ring.add("once", "first")
    assert not ring.add("once", "second")
    assert ring.get("once") == "first"


@pytest.mark.parametrize("kind", ["memcached", "local"])
def test_replace_if_writes_or_forgets_only_an_expected_value(ring, kind):
    cache = ring if kind == "memcached" else LocalCache()
    assert not cache.replace_if("cas", "mine", "x", time=10)  # absent
    cache.set("cas", "theirs")
    assert not cache.replace_if("cas", "mine", "x", time=10)
    assert not cache.replace_if("cas", "mine", None, time=-1)
    assert cache.get("cas") == "theirs"
    assert cache.replace_if("cas", "theirs", "mine", time=10)
    assert cache.get("cas") == "mine"
    assert cache.replace_if("cas", "mine", None, time=-1)
    assert cache.get("cas") is None
    assert cache.add("cas", "next")
    cache.delete("cas")


def test_incr_creates_counts_and_never_goes_below_zero(ring):
    assert ring.incr("counter") == 1
    assert ring.incr("counter", delta=5) == 6
    assert ring.incr("counter", delta=-2) == 4
    assert ring.incr("counter", delta=-100) == 0
    assert ring.get("counter") == 0
    assert ring.incr("fresh-negative", delta=-3) == 0


def test_incr_of_a_non_number_raises(ring):
    ring.set("word", "hello")
    with pytest.raises(MemcacheConnectionError, match="incr"):
        ring.incr("word")


def test_values_expire_after_their_time(ring):
    ring.set("short", "lived", time=1)
    ring.incr("short-counter", time=1)
    assert ring.get("short") == "lived"
    deadline = time.time() + 30  # memcached counts whole seconds: 1 to 2 s
    while time.time() < deadline and (ring.get("short"), ring.get("short-counter")) != (None, None):
        time.sleep(0.1)
    assert ring.get("short") is None
    assert ring.get("short-counter") is None


def test_keys_spread_over_servers_and_each_client_agrees_where(memcached_servers, ring):
    owners = {ring.servers_for("key-%d" % i)[0] for i in range(100)}
    assert owners == set(memcached_servers)
    for i in range(50):
        ring.set("key-%d" % i, i)
    other = MemcacheRing(list(reversed(memcached_servers)))
    try:
        assert [other.get("key-%d" % i) for i in range(50)] == list(range(50))
    finally:
        other.close()


def test_a_dead_server_is_skipped_and_its_keys_go_to_the_next_one(memcached_servers):
    dead = _dead_address()
    client = MemcacheRing([dead] + memcached_servers, error_limit=1, error_interval=30)
    try:
        keys = ["k%d" % i for i in range(60)]
        dead_keys = [k for k in keys if client.servers_for(k)[0] == dead]
        assert dead_keys
        for k in keys:
            assert client.set(k, k)
        assert [client.get(k) for k in keys] == keys
        assert client.servers[dead].dead_until > time.time()
        assert client.incr(dead_keys[0] + "-n") == 1
    finally:
        client.close()


def test_reads_miss_and_writes_fail_quietly_when_every_server_is_dead():
    client = MemcacheRing([_dead_address()], error_limit=2, error_interval=30)
    assert client.get("k") is None
    assert client.set("k", 1) is False
    client.delete("k")
    with pytest.raises(MemcacheConnectionError):
        client.incr("k")
    assert client.servers_for("k") and client.servers[client.servers_for("k")[0]].dead_until


def test_a_silent_server_times_out_instead_of_hanging():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepts connections but never answers
    try:
        addr = "127.0.0.1:%d" % listener.getsockname()[1]
        client = MemcacheRing([addr], io_timeout=0.2)
        start = time.time()
        assert client.get("k") is None
        assert time.time() - start < 2
    finally:
        listener.close()


def test_server_addresses_parse_with_default_port_and_ipv6():
    assert parse_server("10.0.0.1:11311") == ("10.0.0.1", 11311)
    assert parse_server("cachehost") == ("cachehost", 11211)
    assert parse_server("[::1]:11212") == ("::1", 11212)
    with pytest.raises(ValueError, match="host:port"):
        parse_server("10.0.0.1:port")


def test_cache_from_conf_picks_local_cache_when_no_servers_are_configured():
    assert isinstance(cache_from_conf({"memcache_servers": ""}), LocalCache)
    assert isinstance(cache_from_conf({}), LocalCache)
    ring = cache_from_conf({"memcache_servers": "127.0.0.1:1, 127.0.0.1:2", "io_timeout": "1"})
    assert isinstance(ring, MemcacheRing)
    assert ring.io_timeout == 1.0 and len(ring.servers) == 2
    with pytest.raises(ValueError):
        cache_from_conf({"memcache_servers": "127.0.0.1:x"})


def test_local_cache_has_the_same_interface_and_json_semantics():
    cache = LocalCache()
    assert cache.get("k") is None
    assert cache.set("k", ("a", 1))
    assert cache.get("k") == ["a", 1]
    assert not cache.add("k", "other")
    cache.delete("k")
    assert cache.get("k") is None
    assert cache.incr("n") == 1
    assert cache.incr("n", delta=4) == 5
    assert cache.incr("n", delta=-9) == 0
    cache.set("word", "x")
    with pytest.raises(MemcacheConnectionError):
        cache.incr("word")


def test_local_cache_expires_entries(monkeypatch):
    cache = LocalCache()
    now = [1000.0]
    monkeypatch.setattr("objstore.common.memcached.time.time", lambda: now[0])
    cache.set("k", "v", time=10)
    cache.incr("n", time=10)
    now[0] += 9
    assert cache.get("k") == "v"
    assert cache.incr("n") == 2  # incr keeps the original expiry
    now[0] += 2
    assert cache.get("k") is None
    assert cache.get("n") is None


def test_a_fraction_of_a_second_rounds_up_and_never_becomes_forever(monkeypatch):
    """memcached counts whole seconds and reads 0 as "never expires": a
    0.5 s recheck_*_existence truncated to 0 would cache an answer for good."""
    cache = LocalCache()
    now = [1000.0]
    monkeypatch.setattr("objstore.common.memcached.time.time", lambda: now[0])
    cache.set("half", "v", time=0.5)
    cache.set("longer", "v", time=1.5)
    now[0] += 1.0
    assert cache.get("half") is None
    assert cache.get("longer") == "v"  # 2 s, not cut to 1
    now[0] += 1.0
    assert cache.get("longer") is None


def test_local_cache_evicts_the_least_recently_used_entry():
    cache = LocalCache(max_entries=2)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.get("a")
    cache.set("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1 and cache.get("c") == 3


def _server_stat(addr, name):
    host, port = parse_server(addr)
    with socket.create_connection((host, port), timeout=2) as sock:
        sock.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            data += sock.recv(65536)
    for line in data.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == name:
            return int(parts[2])
    raise AssertionError("memcached reported no %s" % name)


def test_a_burst_of_callers_shares_max_connections_sockets(memcached_servers):
    import threading

    addr = memcached_servers[0]
    client = MemcacheRing([addr], max_connections=2)
    before = _server_stat(addr, "total_connections")
    failures = []

    def worker(n):
        for i in range(20):
            key = "burst-%d-%d" % (n, i)
            if not client.set(key, i) or client.get(key) != i:
                failures.append(key)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # the stats call above made one connection of its own
        opened = _server_stat(addr, "total_connections") - before - 1
        assert failures == []
        assert 1 <= opened <= 2
        assert len(client.servers[addr].idle) == opened
        assert client.servers[addr].dead_until == 0
    finally:
        client.close()


def test_a_busy_pool_is_a_miss_not_an_error_against_the_server(memcached_servers):
    addr = memcached_servers[0]
    client = MemcacheRing([addr], max_connections=1, pool_timeout=0.1, error_limit=1)
    server = client.servers[addr]
    try:
        assert client.set("busy", 1)
        assert server.slots.acquire(timeout=1)  # another caller holds the only socket
        try:
            assert client.get("busy") is None
            with pytest.raises(MemcacheConnectionError):
                client.get("busy", raise_on_error=True)  # for callers to whom a miss means "none"
            with pytest.raises(MemcacheConnectionError):
                client.incr("busy-n")
        finally:
            server.slots.release()
        assert server.errors == [] and server.dead_until == 0
        assert client.get("busy") == 1  # the server was never skipped
    finally:
        client.close()


def test_get_multi_answers_the_keys_found_in_one_round_trip_per_server(memcached_servers):
    one = MemcacheRing(memcached_servers[:1])
    two = MemcacheRing(memcached_servers)
    try:
        keys = ["multi/%d" % i for i in range(12)]
        for i, key in enumerate(keys[:8]):
            assert two.set(key, {"n": i})
        both = two.get_multi(keys)
        assert both == {key: {"n": i} for i, key in enumerate(keys[:8])}
        for key in keys[:8]:
            assert one.set(key, key)
        import objstore.common.memcached as mc
        sends = []
        original = mc._Connection.send
        mc._Connection.send = lambda self, data: sends.append(data) or original(self, data)
        try:
            assert one.get_multi(keys) == {key: key for key in keys[:8]}
        finally:
            mc._Connection.send = original
        assert len(sends) == 1 and sends[0].count(b" ") == len(keys)
        assert one.get_multi([]) == {}
    finally:
        one.close()
        two.close()


def test_get_multi_of_a_server_that_cannot_answer_is_a_miss():
    ring_ = MemcacheRing([_dead_address()], connect_timeout=0.2)
    try:
        assert ring_.get_multi(["a", "b"]) == {}
    finally:
        ring_.close()
    local = LocalCache()
    local.set("a", [1])
    assert local.get_multi(["a", "b"]) == {"a": [1]}
