"""s3api's listings are read a page at a time (issue: bounded memory for
ListObjectVersions, ListMultipartUploads, ListParts): the paging helpers
ask the container for ``page`` rows at a time and only when the caller
wants more. The container below answers as a container server does
(prefix, marker, limit, reverse), counting what it is asked."""

import json
from types import SimpleNamespace
from urllib.parse import parse_qsl

from objstore.middleware.s3api.paging import Cursor, iter_listing


class _Resp:
    def __init__(self, status, rows):
        self.status, self.body = status, json.dumps(rows).encode()

    def close(self):
        pass


class _Container:
    def __init__(self, names):
        self.names = sorted(names)
        self.asked = []  # the limit of each listing request

    def request(self, method, container, query=(), extra_env=None):
        q = dict(query) if not isinstance(query, str) else dict(parse_qsl(query))
        limit = int(q["limit"])
        self.asked.append(limit)
        names = [n for n in self.names if n.startswith(q.get("prefix", ""))]
        if q.get("reverse") == "true":
            names = [n for n in reversed(names) if not q.get("marker") or n < q["marker"]]
        else:
            names = [n for n in names if n > q.get("marker", "")]
        return _Resp(200, [{"name": n} for n in names[:limit]])


def _ctx(container):
    return SimpleNamespace(swift=container, raise_for=lambda resp, code: None)


def test_iter_listing_reads_a_page_only_when_the_caller_wants_more():
    container = _Container(["k%04d" % i for i in range(25)])
    rows = iter_listing(_ctx(container), "bucket", page=10)
    first = [next(rows)["name"] for _ in range(3)]
    assert first == ["k0000", "k0001", "k0002"]
    assert container.asked == [10]  # one page, not the whole listing
    assert [r["name"] for r in rows][-1] == "k0024"
    assert container.asked == [10, 10, 10]


def test_iter_listing_stops_at_a_short_page():
    container = _Container(["a", "b", "c"])
    assert [r["name"] for r in iter_listing(_ctx(container), "bucket", page=3)] == ["a", "b", "c"]
    assert container.asked == [3, 3]  # the full page could have more; the empty one ends it
    container = _Container(["a", "b"])
    assert len(list(iter_listing(_ctx(container), "bucket", page=3))) == 2
    assert container.asked == [3]


def test_a_cursor_jumps_ahead_without_reading_the_rows_between():
    container = _Container(["k%04d" % i for i in range(1000)])
    cursor = Cursor(_ctx(container), "bucket", "", "", 5)
    assert cursor.pop()["name"] == "k0000"
    cursor.jump("k0004")
    cursor.jump("k0900")
    assert cursor.peek()["name"] == "k0901"
    assert container.asked == [5, 5]  # two pages of 5, not 1000 rows
