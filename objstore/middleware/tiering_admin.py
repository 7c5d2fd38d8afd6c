"""The tiering admin API on the proxy, for reseller admins only.

* ``POST /tiering/counts`` with a JSON list ``[{"path": "/v1/AUTH_a/c/o",
  "count": 664}, ...]``: read counts from outside (a CDN's log pipeline),
  handed over as the proxy's own counts are (journal or memcached). 202 with the
  number accepted; 400 naming the first bad item (nothing is taken then).
* ``GET /tiering/status?path=/v1/AUTH_a/c/o``: the object's tier, reads in
  the window, open move and its moves.
* ``GET /tiering/history[?since=<unix time>&limit=N]``: finished and open
  moves, newest first.
* ``GET /tiering/queue``: queued and moving rows.

The answers come from the tierer's database (``[tiering] state_dir``),
read-only; ``objstore-tier`` prints the same.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs

from objstore.common.tiering.config import TieringConfig
from objstore.common.tiering import memcached_counts
from objstore.common.tiering.journal import append, bucket_of
from objstore.common.tiering.queue import DB_NAME, NOT_MOVABLE, TierQueue
from objstore.common.utils import split_path

PREFIX = "/tiering/"
#: largest counts batch accepted, in bytes and items
MAX_BODY = 4 * 1024 * 1024
MAX_ITEMS = 10000
MAX_COUNT = 10 ** 9
StartResponse = Callable[..., Any]


def _json(start_response: StartResponse, status: str, data: Any) -> List[bytes]:
    body = json.dumps(data, sort_keys=True).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


def parse_counts(body: bytes) -> List[Tuple[str, int]]:
    """The ``(path, count)`` items of a counts batch; ``ValueError`` with
    the reason for anything but a list of objects with an object path and a
    count from 0 to 10^9."""
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the body is not JSON; send [{\"path\": ..., \"count\": ...}]") \
            from None
    if not isinstance(items, list):
        raise ValueError("the body must be a JSON list of {\"path\", \"count\"} objects")
    if len(items) > MAX_ITEMS:
        raise ValueError("at most %d items per batch, got %d" % (MAX_ITEMS, len(items)))
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"path", "count"}:
            raise ValueError("item %d must have exactly the keys path and count" % index)
        path, count = item["path"], item["count"]
        if not isinstance(count, int) or isinstance(count, bool) or \
                not 0 <= count <= MAX_COUNT:
            raise ValueError("item %d: count must be an integer from 0 to %d"
                             % (index, MAX_COUNT))
        if not isinstance(path, str) or not _is_object_path(path):
            raise ValueError("item %d: path must be /v1/<account>/<container>/<object>"
                             % index)
        out.append((path, count))
    return out


def _is_object_path(path: str, reserved: bool = False) -> bool:
    """``reserved``: a reserved name may be in it (the status of a kept
    version, which the tierer moves like any object)."""
    try:
        version, account, _container, _obj = split_path(path, 4, 4, True)
    except ValueError:
        return False
    return version == "v1" and not account.startswith(".") and \
        (reserved or "\x00" not in path)


class TieringAdmin:
    def __init__(self, conf: TieringConfig,
                 batches: Optional[memcached_counts.MemcachedCounts] = None,
                 watch: Optional[Callable[[], None]] = None) -> None:
        """``watch``: has the worker's flusher run, which sends again what
        memcached loses of the batches written here."""
        self.conf = conf
        #: where counts go with ``counts = memcached`` (None: the journal)
        self.batches = batches
        self._watch = watch

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not env.get("reseller_request"):
            status = "403 Forbidden" if env.get("REMOTE_USER") else "401 Unauthorized"
            return _json(start_response, status,
                         {"error": "the tiering API is for reseller admins; send a "
                                   "reseller admin's X-Auth-Token"})
        what = env.get("PATH_INFO", "")[len(PREFIX):]
        method = env.get("REQUEST_METHOD")
        if what == "counts" and method == "POST":
            return self._counts(env, start_response)
        if method == "GET" and what in ("status", "history", "queue"):
            query = parse_qs(env.get("QUERY_STRING", ""))
            try:
                answer = getattr(self, "_" + what)(query)
            except ValueError as err:
                return _json(start_response, "400 Bad Request", {"error": str(err)})
            return _json(start_response, "200 OK", answer)
        return _json(start_response, "404 Not Found",
                     {"error": "try POST /tiering/counts, GET /tiering/status?path=, "
                               "/tiering/history or /tiering/queue"})

    def _counts(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(env.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if length < 0:
            return _json(start_response, "411 Length Required",
                         {"error": "send the batch with a Content-Length"})
        if length > MAX_BODY:
            return _json(start_response, "413 Request Entity Too Large",
                         {"error": "a batch is at most %d bytes" % MAX_BODY})
        body = env["wsgi.input"].read(length)
        try:
            items = parse_counts(body)
        except ValueError as err:
            return _json(start_response, "400 Bad Request", {"error": str(err)})
        bucket = bucket_of(time.time(), self.conf.bucket)
        rows = [(p, bucket, n) for p, n in items]
        try:
            if self.batches is not None:
                self.batches.write(rows, hold=False)  # refused: the sender sends again
                if self._watch is not None:
                    self._watch()
            else:
                append(self.conf.journal_dir, rows, name="admin-%d" % os.getpid())
        except OSError as err:
            return _json(start_response, "503 Service Unavailable",
                         {"error": "cannot record the counts: %s" % (err.strerror or err)})
        return _json(start_response, "202 Accepted", {"accepted": len(items)})

    def _queue_db(self) -> Optional[TierQueue]:
        if not os.path.exists(os.path.join(self.conf.state_dir, DB_NAME)):
            return None
        return TierQueue(self.conf.state_dir, readonly=True)

    def _status(self, query: Dict[str, List[str]]) -> Dict[str, Any]:
        path = (query.get("path") or [""])[0]
        if not _is_object_path(path, reserved=True):
            raise ValueError("path must be /v1/<account>/<container>/<object>")
        db = self._queue_db()
        if db is None:
            return {"path": path, "tracked": False}
        try:
            return status_of(db, self.conf, path, time.time())
        finally:
            db.close()

    def _history(self, query: Dict[str, List[str]]) -> List[Dict[str, Any]]:
        since = float((query.get("since") or ["0"])[0])
        limit = int((query.get("limit") or ["1000"])[0])
        db = self._queue_db()
        if db is None:
            return []
        try:
            return [m.as_dict() for m in db.history(since, min(max(limit, 1), 10000))]
        finally:
            db.close()

    def _queue(self, _query: Dict[str, List[str]]) -> List[Dict[str, Any]]:
        db = self._queue_db()
        if db is None:
            return []
        try:
            return [m.as_dict() for m in db.queue()]
        finally:
            db.close()


def status_of(db: TierQueue, conf: TieringConfig, path: str, now: float) -> Dict[str, Any]:
    """What the tierer knows of one object (admin API and ``objstore-tier``)."""
    row = db.object_row(path)
    oldest = bucket_of(now - conf.window, conf.bucket)
    opened = db.open_move(path)
    return {"path": path, "tracked": row is not None,
            "tier": row[0] if row else None, "since": row[1] if row else None,
            "pinned": bool(row[2]) if row else False,
            "movable": row[2] != NOT_MOVABLE if row else True,
            "reads_in_window": db.count(path, oldest),
            "open_move": opened.as_dict() if opened else None,
            "moves": [m.as_dict() for m in db.history(0.0, 20, path=path)]}
