"""A memcached client shared by every proxy worker, and a local stand-in.

Tokens, account/container existence and rate-limit counters must be seen by
all proxy workers (and proxies), so they live in memcached. The client
speaks memcached's text protocol over plain sockets (cooperative once the
server has monkey-patched them), spreads keys over several servers with a
consistent hash so adding a server moves only a slice of the keys, stores
values as JSON, and bounds every call with timeouts: a cache must never be
why a request hangs. A server that keeps failing is skipped for
``error_suppression_interval`` seconds; its keys go to the next server on
the hash ring meanwhile. Each server gets at most ``max_connections``
sockets from one process; a call finding them all busy waits up to
``pool_timeout`` for one instead of opening more (a burst of requests must
not become a burst of connects that time out and get a healthy server
skipped, which would turn every token into a 401 for a minute).

``LocalCache`` has the same interface and keeps values in this process
(an LRU with expiry): what a proxy uses when no memcached is configured.
Values are JSON-encoded there too, so both behave alike (tuples come back
as lists).
"""

from __future__ import annotations

import bisect
import collections
import functools
import hashlib
import json
import math
import socket
import threading
import time
from typing import Any, Deque, Dict, Iterator, List, Optional, Tuple

from objstore.common.config import config_float, config_int

DEFAULT_PORT = 11211
JSON_FLAG = 2
# memcached reads an expiry above 30 days as an absolute unix time.
MAX_RELATIVE_EXPIRY = 30 * 24 * 60 * 60
POINTS_PER_SERVER = 64
DEFAULT_CONNECT_TIMEOUT = 0.3
DEFAULT_IO_TIMEOUT = 2.0
DEFAULT_MAX_CONNECTIONS = 4
DEFAULT_POOL_TIMEOUT = 1.0
DEFAULT_ERROR_LIMIT = 10
DEFAULT_ERROR_INTERVAL = 60.0
DEFAULT_LOCAL_MAX_ENTRIES = 10000


class MemcacheConnectionError(Exception):
    """No memcached server could answer (only raised where a caller needs
    to know, e.g. ``incr`` for rate limiting; reads just miss)."""


@functools.lru_cache(maxsize=4096)
def _server_key(key: str) -> str:
    """What the key is called on the server: memcached keys may not hold
    spaces or control characters and are limited to 250 bytes. (The same
    few keys -- tokens, account and container info -- come back on every
    request, and each is placed and named: the digests are kept.)"""
    return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def _expiry(timeout: float) -> int:
    """A relative expiry as memcached wants it: whole seconds, a fraction
    rounded up (truncated, a 0.5 s ``recheck_*_existence`` would become 0,
    which memcached reads as "never expires"); absolute past 30 days."""
    timeout = math.ceil(timeout or 0)
    if timeout > MAX_RELATIVE_EXPIRY:
        timeout += int(time.time())
    return max(timeout, 0)


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def _decode(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return data.decode("utf-8", "replace")


def parse_server(server: str) -> Tuple[str, int]:
    """``host:port`` (``[v6]:port``, or a bare host) as ``(host, port)``."""
    server = server.strip()
    if server.startswith("["):
        host, _sep, rest = server[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif server.count(":") == 1:
        host, port = server.split(":")
    else:
        host, port = server, ""
    try:
        return host, int(port) if port else DEFAULT_PORT
    except ValueError:
        raise ValueError("bad memcache server %r: expected host:port" % server) from None


class _Connection:
    """One socket to one server, with a buffered reader for replies."""

    def __init__(self, addr: Tuple[str, int], connect_timeout: float, io_timeout: float) -> None:
        self.sock = socket.create_connection(addr, timeout=connect_timeout)
        self.sock.settimeout(io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def readline(self) -> bytes:
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise OSError("memcached closed the connection")
        return line[:-2]

    def read_exact(self, size: int) -> bytes:
        data = self.reader.read(size + 2)
        if len(data) != size + 2:
            raise OSError("memcached closed the connection mid-value")
        return data[:-2]

    def close(self) -> None:
        for closer in (self.reader.close, self.sock.close):
            try:
                closer()
            except OSError:
                pass


class _Server:
    """Idle connections and recent errors for one memcached server."""

    def __init__(self, name: str, max_connections: int) -> None:
        self.name = name
        self.addr = parse_server(name)
        self.idle: Deque[_Connection] = collections.deque()
        self.max_connections = max_connections
        # one slot per socket this process may hold to the server, idle or busy
        self.slots = threading.BoundedSemaphore(max_connections)
        self.errors: List[float] = []
        self.dead_until = 0.0


class MemcacheRing:
    """Client for several memcached servers; see the module docstring."""

    def __init__(self, servers: List[str], connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 io_timeout: float = DEFAULT_IO_TIMEOUT,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 error_limit: int = DEFAULT_ERROR_LIMIT,
                 error_interval: float = DEFAULT_ERROR_INTERVAL,
                 pool_timeout: float = DEFAULT_POOL_TIMEOUT) -> None:
        if not servers:
            raise ValueError("MemcacheRing needs at least one server")
        self.pool_timeout = pool_timeout
        self.connect_timeout = connect_timeout
        self.io_timeout = io_timeout
        self.error_limit = error_limit
        self.error_interval = error_interval
        self.servers = {name: _Server(name, max_connections) for name in servers}
        points = []
        for name in servers:
            for i in range(POINTS_PER_SERVER):
                digest = hashlib.md5(("%s-%d" % (name, i)).encode(),
                                     usedforsecurity=False).hexdigest()
                points.append((int(digest[:8], 16), name))
        points.sort()
        self._ring_hashes = [p[0] for p in points]
        self._ring_names = [p[1] for p in points]

    # -- placement and error limiting -------------------------------------

    def servers_for(self, key: str) -> List[str]:
        """Every server, in the order they are tried for ``key``."""
        if len(self.servers) == 1:
            return list(self.servers)
        point = int(_server_key(key)[:8], 16)
        start = bisect.bisect(self._ring_hashes, point)
        seen: List[str] = []
        count = len(self._ring_names)
        for i in range(count):
            name = self._ring_names[(start + i) % count]
            if name not in seen:
                seen.append(name)
                if len(seen) == len(self.servers):
                    break
        return seen

    def _record_error(self, server: _Server) -> None:
        now = time.time()
        server.errors = [t for t in server.errors if t > now - self.error_interval]
        server.errors.append(now)
        if len(server.errors) >= self.error_limit:
            server.dead_until = now + self.error_interval
            server.errors = []
            while server.idle:
                server.idle.popleft().close()

    def _live(self, key: str) -> Iterator[_Server]:
        now = time.time()
        for name in self.servers_for(key):
            server = self.servers[name]
            if server.dead_until <= now:
                yield server

    def _run(self, key: str, func: Any) -> Any:
        """``func(conn)`` on the first server for ``key`` that answers.

        Raises ``MemcacheConnectionError`` when none does. A connection that
        saw an error, or was interrupted by a timeout from outside, is closed
        rather than reused: its reply stream may be half read.
        """
        for server in self._live(key):
            if not server.slots.acquire(timeout=self.pool_timeout):
                # Busy, not broken: the key lives here, so neither skip the
                # server for the others nor count an error against it.
                raise MemcacheConnectionError(
                    "every connection to memcached %s stayed busy" % server.name)
            try:
                try:
                    conn = server.idle.popleft() if server.idle else _Connection(
                        server.addr, self.connect_timeout, self.io_timeout)
                except OSError:
                    self._record_error(server)
                    continue
                try:
                    result = func(conn)
                except OSError:
                    conn.close()
                    self._record_error(server)
                    continue
                except BaseException:
                    conn.close()
                    raise
                server.idle.append(conn)  # at most max_connections: one per slot
                return result
            finally:
                server.slots.release()
        raise MemcacheConnectionError("no memcached server answered for this key")

    # -- the cache interface ----------------------------------------------

    def get(self, key: str, raise_on_error: bool = False) -> Any:
        """The value stored under ``key``, or ``None`` (also when no server
        answers: a cache miss is always a safe answer). With
        ``raise_on_error`` a cache that could not answer (no server, or
        every connection busy past ``pool_timeout``) raises
        ``MemcacheConnectionError`` instead, for a caller to whom a miss
        means "no such thing" (a token) rather than "ask the source"."""
        skey = _server_key(key)

        def op(conn: _Connection) -> Any:
            conn.send(b"get " + skey.encode() + b"\r\n")
            value = None
            while True:
                line = conn.readline()
                if line == b"END":
                    return value
                parts = line.split()
                if len(parts) != 4 or parts[0] != b"VALUE":
                    raise OSError("unexpected memcached reply %r" % line[:60])
                data = conn.read_exact(int(parts[3]))
                value = _decode(data)
        try:
            return self._run(key, op)
        except MemcacheConnectionError:
            if raise_on_error:
                raise
            return None

    def get_multi(self, keys: List[str]) -> Dict[str, Any]:
        """The values stored under ``keys``, by key (a key not found, or
        whose server could not answer, is absent): one round trip when the
        keys share their servers (always, with one memcached), else one
        ``get`` each."""
        if not keys:
            return {}
        if len({tuple(self.servers_for(key)) for key in keys}) != 1:
            found = {key: self.get(key) for key in keys}
            return {key: value for key, value in found.items() if value is not None}
        names = {_server_key(key): key for key in keys}

        def op(conn: _Connection) -> Dict[str, Any]:
            conn.send(b"get " + " ".join(names).encode() + b"\r\n")
            found: Dict[str, Any] = {}
            while True:
                line = conn.readline()
                if line == b"END":
                    return found
                parts = line.split()
                if len(parts) != 4 or parts[0] != b"VALUE":
                    raise OSError("unexpected memcached reply %r" % line[:60])
                data = conn.read_exact(int(parts[3]))
                key = names.get(parts[1].decode("ascii", "replace"))
                if key is not None:
                    found[key] = _decode(data)
        try:
            return self._run(keys[0], op)
        except MemcacheConnectionError:
            return {}

    def set(self, key: str, value: Any, time: float = 0) -> bool:
        """Store ``value`` (JSON-serialisable) for ``time`` seconds (0 =
        until evicted). False if it was not stored."""
        return self._store(b"set", key, _encode(value), JSON_FLAG, time)

    def add(self, key: str, value: Any, time: float = 0) -> bool:
        """Store only if ``key`` is absent; False if it was already there."""
        return self._store(b"add", key, _encode(value), JSON_FLAG, time)

    def _store(self, cmd: bytes, key: str, data: bytes, flags: int, timeout: float) -> bool:
        skey = _server_key(key)
        header = b"%s %s %d %d %d\r\n" % (cmd, skey.encode(), flags, _expiry(timeout), len(data))

        def op(conn: _Connection) -> bool:
            conn.send(header + data + b"\r\n")
            return conn.readline() == b"STORED"
        try:
            return bool(self._run(key, op))
        except MemcacheConnectionError:
            return False

    def replace_if(self, key: str, expected: Any, value: Any, time: float = 0) -> bool:
        """Store ``value`` for ``time`` seconds only while ``key`` still holds
        ``expected``, as one step on the server (``gets`` then ``cas``, which
        fails if anyone wrote the key in between). A negative ``time`` forgets
        the key instead. False if the key held something else, or was gone."""
        skey = _server_key(key).encode()
        data = _encode(value)
        expiry = -1 if time < 0 else _expiry(time)

        def op(conn: _Connection) -> bool:
            conn.send(b"gets " + skey + b"\r\n")
            found, unique = None, b""
            while True:
                line = conn.readline()
                if line == b"END":
                    break
                parts = line.split()
                if len(parts) != 5 or parts[0] != b"VALUE":
                    raise OSError("unexpected memcached reply %r" % line[:60])
                found, unique = _decode(conn.read_exact(int(parts[3]))), parts[4]
            if not unique or found != expected:
                return False
            conn.send(b"cas %s %d %d %d %s\r\n%s\r\n" % (
                skey, JSON_FLAG, expiry, len(data), unique, data))
            return conn.readline() == b"STORED"
        try:
            return bool(self._run(key, op))
        except MemcacheConnectionError:
            return False

    def delete(self, key: str) -> None:
        """Forget ``key`` (no error if it was not there)."""
        skey = _server_key(key)

        def op(conn: _Connection) -> None:
            conn.send(b"delete " + skey.encode() + b"\r\n")
            conn.readline()
        try:
            self._run(key, op)
        except MemcacheConnectionError:
            pass

    def incr(self, key: str, delta: int = 1, time: float = 0) -> int:
        """Add ``delta`` (may be negative; never goes below 0) and return the
        new value. A missing key starts at ``max(delta, 0)`` with expiry
        ``time``. Raises ``MemcacheConnectionError`` if no server answers,
        since a counter that silently stops counting is worse than an error.
        """
        skey = _server_key(key).encode()
        cmd = b"incr" if delta >= 0 else b"decr"
        line = b"%s %s %d\r\n" % (cmd, skey, abs(int(delta)))
        start = str(max(int(delta), 0)).encode()
        add = b"add %s 0 %d %d\r\n%s\r\n" % (skey, _expiry(time), len(start), start)

        def op(conn: _Connection) -> int:
            for _attempt in range(3):
                conn.send(line)
                reply = conn.readline()
                if reply.isdigit():
                    return int(reply)
                if reply != b"NOT_FOUND":
                    raise MemcacheConnectionError(
                        "memcached refused %s: %s" % (cmd.decode(), reply.decode("utf-8", "replace")))
                conn.send(add)
                if conn.readline() == b"STORED":
                    return int(start)
                # someone else created it between our incr and add: retry
            raise MemcacheConnectionError("could not create counter")
        return int(self._run(key, op))

    def close(self) -> None:
        """Close idle connections (tests, and a worker shutting down)."""
        for server in self.servers.values():
            while server.idle:
                server.idle.popleft().close()


class LocalCache:
    """In-process LRU cache with the ``MemcacheRing`` interface.

    Only this process sees it, so with several workers each has its own
    tokens and counters; fine for one-worker setups and tests.
    """

    def __init__(self, max_entries: int = DEFAULT_LOCAL_MAX_ENTRIES) -> None:
        self.max_entries = max(1, max_entries)
        self._data: "collections.OrderedDict[str, Tuple[float, bytes]]" = collections.OrderedDict()
        self._lock = threading.Lock()

    def _expires_at(self, timeout: float) -> float:
        timeout = _expiry(timeout)
        if not timeout:
            return 0.0
        return float(timeout) if timeout > MAX_RELATIVE_EXPIRY else time.time() + timeout

    def _lookup(self, key: str) -> Optional[bytes]:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, data = entry
        if expires and expires <= time.time():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return data

    def _put(self, key: str, data: bytes, expires: float) -> None:
        self._data[key] = (expires, data)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def get(self, key: str, raise_on_error: bool = False) -> Any:
        """As ``MemcacheRing.get``; this cache always answers."""
        with self._lock:
            data = self._lookup(key)
        return None if data is None else _decode(data)

    def get_multi(self, keys: List[str]) -> Dict[str, Any]:
        """As ``MemcacheRing.get_multi``."""
        found = {key: self.get(key) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def set(self, key: str, value: Any, time: float = 0) -> bool:
        data = _encode(value)
        with self._lock:
            self._put(key, data, self._expires_at(time))
        return True

    def add(self, key: str, value: Any, time: float = 0) -> bool:
        data = _encode(value)
        with self._lock:
            if self._lookup(key) is not None:
                return False
            self._put(key, data, self._expires_at(time))
        return True

    def replace_if(self, key: str, expected: Any, value: Any, time: float = 0) -> bool:
        """As ``MemcacheRing.replace_if``."""
        data = _encode(value)
        with self._lock:
            current = self._lookup(key)
            if current is None or _decode(current) != expected:
                return False
            if time < 0:
                del self._data[key]
            else:
                self._put(key, data, self._expires_at(time))
        return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, delta: int = 1, time: float = 0) -> int:
        with self._lock:
            data = self._lookup(key)
            if data is None:
                value = max(int(delta), 0)
                self._put(key, str(value).encode(), self._expires_at(time))
                return value
            try:
                current = int(data)
            except ValueError:
                raise MemcacheConnectionError(
                    "cannot increment non-numeric value of %r" % key) from None
            value = max(current + int(delta), 0)
            expires = self._data[key][0]
            self._put(key, str(value).encode(), expires)
            return value

    def close(self) -> None:
        with self._lock:
            self._data.clear()


def cache_from_conf(conf: Dict[str, str]) -> Any:
    """A ``MemcacheRing`` for ``memcache_servers``, or a ``LocalCache`` if
    that option is empty."""
    servers = [s.strip() for s in conf.get("memcache_servers", "").split(",") if s.strip()]
    if not servers:
        return LocalCache(config_int(conf, "memcache_local_max_entries",
                                     DEFAULT_LOCAL_MAX_ENTRIES, 1))
    for server in servers:
        parse_server(server)  # a typo fails at startup, not per request
    return MemcacheRing(
        servers,
        connect_timeout=config_float(conf, "connect_timeout", DEFAULT_CONNECT_TIMEOUT),
        io_timeout=config_float(conf, "io_timeout", DEFAULT_IO_TIMEOUT),
        max_connections=config_int(conf, "memcache_max_connections", DEFAULT_MAX_CONNECTIONS, 1),
        error_limit=config_int(conf, "error_suppression_limit", DEFAULT_ERROR_LIMIT, 1),
        error_interval=config_float(conf, "error_suppression_interval", DEFAULT_ERROR_INTERVAL),
        pool_timeout=config_float(conf, "pool_timeout", DEFAULT_POOL_TIMEOUT))
