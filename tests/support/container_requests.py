"""Helpers of the container server's unit tests (test_server*.py)."""

import itertools
import time
import uuid

_clock = itertools.count()


def ts() -> str:
    """Strictly increasing timestamps, so every write is newer."""
    return "%016.5f" % (time.time() + next(_clock) * 0.001)


def cname() -> str:
    return "c-" + uuid.uuid4().hex[:8]


def put_container(server, account, container, extra=None):
    headers = {"X-Timestamp": ts()}
    headers.update(extra or {})
    return server.request("PUT", "/sda/1/%s/%s" % (account, container), headers)


def put_object(server, account, container, obj, size=1, ctype="text/plain", etag="e",
               timestamp=None, extra=None):
    headers = {"X-Timestamp": timestamp or ts(), "X-Size": str(size), "X-Content-Type": ctype,
               "X-Etag": etag}
    headers.update(extra or {})
    return server.request("PUT", "/sda/1/%s/%s/%s" % (account, container, obj), headers)
