"""tempauth with a memcached too slow for its connection pool: a valid
token is not 401 (a real memcached behind a real TCP relay that holds its
answers)."""
import shutil
import socket
import threading
import time

import pytest
from webob import Request

from objstore.common.memcached import MemcacheRing
from objstore.middleware.tempauth import filter_factory
from tests.unit.common.test_memcached import MEMCACHED, _start_memcached
from tests.unit.middleware.test_tempauth import SAIO_USERS, FakeProxy, get_token


class SlowRelay:
    """A real TCP relay in front of memcached that holds each of memcached's
    answers for ``delay`` seconds before passing it on."""

    def __init__(self, target):
        self.target = target
        self.delay = 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.sockets = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        host, port = self.target.rsplit(":", 1)
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection((host, int(port)))
            self.sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, src, dst, slow):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if slow and self.delay:
                    time.sleep(self.delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.close()
                except OSError:
                    pass

    def close(self):
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def slow_memcached():
    if not shutil.which(MEMCACHED):
        pytest.skip("memcached binary is not installed")
    proc, addr = _start_memcached()
    relay = SlowRelay(addr)
    try:
        yield relay
    finally:
        relay.close()
        proc.kill()
        proc.wait(10)


def _worker_on(ring):
    mw = filter_factory({}, **SAIO_USERS)(FakeProxy())

    def app(env, start_response):
        env["swift.cache"] = ring
        return mw(env, start_response)
    return app


def test_valid_tokens_get_no_401_while_memcached_is_too_slow_for_the_pool(slow_memcached):
    """One memcached connection per worker, a pool wait of 50 ms and a
    memcached that takes 0.4 s per answer: most look-ups of a burst cannot
    get the connection in time. The worker that issued the token (or saw
    the cache vouch for it) still knows it; a token it never saw is 401."""
    slow_memcached.delay = 0.0
    ring = MemcacheRing([slow_memcached.address], max_connections=1, pool_timeout=0.05,
                        io_timeout=10)
    other_ring = MemcacheRing([slow_memcached.address], max_connections=1)
    try:
        worker, other = _worker_on(ring), _worker_on(other_ring)
        issued = get_token(worker).headers["X-Auth-Token"]
        vouched = get_token(worker, "test2:tester2", "testing2").headers["X-Auth-Token"]
        assert Request.blank("/v1/AUTH_test2/c", headers={
            "X-Auth-Token": vouched}).get_response(other).status_int == 200
        slow_memcached.delay = 0.4
        tokens = [issued, vouched] * 3 + ["AUTH_tk" + "0" * 32]
        accounts = ["AUTH_test", "AUTH_test2"] * 3 + ["AUTH_test"]
        statuses = [None] * len(tokens)
        start = threading.Barrier(len(tokens))

        def ask(i, app):
            start.wait(10)
            statuses[i] = Request.blank("/v1/%s/c" % accounts[i], headers={
                "X-Auth-Token": tokens[i]}).get_response(app).status_int

        threads = [threading.Thread(target=ask, args=(i, other if i % 2 else worker))
                   for i in range(len(tokens))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert statuses == [200] * (len(tokens) - 1) + [401]
    finally:
        slow_memcached.delay = 0.0
        ring.close()
        other_ring.close()


def test_a_cache_that_cannot_answer_falls_back_only_to_tokens_this_worker_knows(slow_memcached):
    ring = MemcacheRing([slow_memcached.address], max_connections=1, pool_timeout=0.01)
    server = ring.servers[slow_memcached.address]
    try:
        worker, other = _worker_on(ring), _worker_on(ring)
        token = get_token(worker).headers["X-Auth-Token"]
        assert server.slots.acquire(timeout=5)  # the only connection stays busy
        try:
            for app, status in ((worker, 200), (other, 401)):
                assert Request.blank("/v1/AUTH_test/c", headers={
                    "X-Auth-Token": token}).get_response(app).status_int == status
        finally:
            server.slots.release()
        # the cache answers again: the other worker accepts the token too
        assert Request.blank("/v1/AUTH_test/c", headers={
            "X-Auth-Token": token}).get_response(other).status_int == 200
    finally:
        ring.close()
