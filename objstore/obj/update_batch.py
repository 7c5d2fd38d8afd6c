"""Container updates for the same container replica, sent together.

Every object PUT and DELETE tells each container replica about itself
(``obj/updates.py``). Under load the updates of one object server for one
container replica come close together (the clients' writes into one
container), and each was an HTTP request of its own: the container server
spent 0.6-0.8 ms of CPU on a row when rows came 1-4 at a time against
0.23 ms when 16 came together (docs/performance.md, session 13), and the
object server about 0.14 ms on each request it sent. So, per (container
node, device, partition, account, container), as ``db/group_commit.py``
does for the pending file:

- the first update, finding nothing in flight for its key, goes at once as
  the ordinary one-row request (no wait when alone);
- updates arriving while one is in flight wait, and when it is answered
  go as one ``ROWS`` request carrying all their rows
  (``common/row_batch.py``), at most ``MAX_ROWS`` rows and ``MAX_BYTES``
  bytes in one (more wait for the next);
- each update's caller still gets the status of the request that carried
  its own row (0 for none: refused, timed out, cut off), and writes its
  async pending on a failure as before. A node that dies mid-batch fails
  every row of the batch. A caller waits for its row's answer at most
  ``conn_timeout + node_timeout`` once queued; past that it is a failure
  (an async pending), even if the row still goes later: a row sent twice
  is merged once, by its timestamp.
- a container server that does not know ``ROWS`` (405 or 501), or that
  refuses a batch whole (400: one bad row; 413: lower bounds than ours),
  gets the batch's rows one by one, so that each row gets its own answer.

Rows for the same object in one batch need no order: the container keeps
the newest timestamp whatever order rows are merged in.

Outside a server's green threads (a daemon or a test calling from OS
threads) every update goes on its own: the bookkeeping here belongs to one
hub.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from objstore.common import concurrency, row_batch
from objstore.common.http_client import request_status

#: (host, port, device, partition, account, container)
_Key = Tuple[str, int, str, str, str, str]
#: a batch's answers after which its rows go one by one: a peer that does
#: not know the method (405, 501), one with lower bounds (413), or one that
#: refused the whole batch (400) for a row that is bad, or in a form it does
#: not read: the other writes' rows must not fail with it
_ONE_BY_ONE = (400, 405, 413, 501)


class _Queued:
    """One update waiting for the request that will carry it."""
    __slots__ = ("op", "obj", "headers", "encoded", "conn_timeout", "node_timeout", "event")

    def __init__(self, op: str, obj: str, headers: Dict[str, str], conn_timeout: float,
                 node_timeout: float) -> None:
        self.op = op
        self.obj = obj
        self.headers = headers
        self.encoded = row_batch.encode_row(op, obj, headers)
        self.conn_timeout = conn_timeout
        self.node_timeout = node_timeout
        self.event = concurrency.Event()

    def answer(self, status: int) -> None:
        if not self.event.ready():
            self.event.send(status)


class UpdateBatcher:
    """Sends container updates, batching those bound for the same container
    replica (module docstring). ``send`` is ``http_client.request_status``
    (tests give their own); ``green`` says whether callers are green
    threads of one hub (by default: whether the process is
    monkey-patched)."""

    def __init__(self, send: Callable[..., int] = request_status,
                 green: Optional[Callable[[], bool]] = None,
                 max_rows: int = row_batch.MAX_ROWS,
                 max_bytes: int = row_batch.MAX_BYTES) -> None:
        self._send = send
        self._green = green or concurrency.green_threads
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._waiting: Dict[_Key, List[_Queued]] = {}
        self._busy: set = set()

    def status(self, host: str, port: int, device: str, partition: str, op: str, path: str,
               headers: Dict[str, str], conn_timeout: float, node_timeout: float) -> int:
        """The status of the request that carried this update (0 if none
        came). ``path`` is ``/<account>/<container>/<object>``."""
        parts = path[1:].split("/", 2)
        if len(parts) < 3 or not self._green():
            return self._send(host, port, device, partition, op, path, headers,
                              conn_timeout, node_timeout)
        key = (host, port, device, partition, parts[0], parts[1])
        if key not in self._busy:
            self._busy.add(key)
            try:
                return self._send(host, port, device, partition, op, path, headers,
                                  conn_timeout, node_timeout)
            finally:
                self._hand_on(key)
        queued = _Queued(op, parts[2], headers, conn_timeout, node_timeout)
        self._waiting.setdefault(key, []).append(queued)
        status = queued.event.wait(conn_timeout + node_timeout)
        if status is None:  # waited too long: a failure, and not sent if still queued
            waiting = self._waiting.get(key, [])
            if queued in waiting:
                waiting.remove(queued)
            return 0
        return int(status)

    def _hand_on(self, key: _Key) -> None:
        """After a request for ``key``: the updates that queued behind it go
        next, in a green thread of their own (the caller has its answer)."""
        if self._waiting.get(key):
            concurrency.spawn_n(self._send_while_waiting, key)
        else:
            self._waiting.pop(key, None)
            self._busy.discard(key)

    def _send_while_waiting(self, key: _Key) -> None:
        batch: List[_Queued] = []
        try:
            while True:
                batch = self._take(key)
                if not batch:
                    return
                status = self._send_batch(key, batch)
                for queued in batch:
                    queued.answer(status)
        finally:
            self._busy.discard(key)
            # only when this green thread was killed: nobody is left waiting
            for queued in batch + self._waiting.pop(key, []):
                queued.answer(0)

    def _take(self, key: _Key) -> List[_Queued]:
        """The next batch: the oldest waiting updates within the bounds."""
        waiting = self._waiting.get(key)
        if not waiting:
            self._waiting.pop(key, None)
            return []
        size = 2
        count = 0
        for queued in waiting:
            size += len(queued.encoded) + 1
            if count and (count >= self.max_rows or size > self.max_bytes):
                break
            count += 1
        batch, waiting[:count] = waiting[:count], []
        return batch

    def _send_batch(self, key: _Key, batch: List[_Queued]) -> int:
        host, port, device, partition, account, container = key
        first = batch[0]
        if len(batch) > 1:
            body = row_batch.join_rows([q.encoded for q in batch])
            headers = {"Content-Type": "application/json", "Content-Length": str(len(body)),
                       "X-Trans-Id": first.headers.get("X-Trans-Id", "-")}
            status = self._send(host, port, device, partition, row_batch.METHOD,
                                "/%s/%s" % (account, container), headers,
                                first.conn_timeout, first.node_timeout, body=body)
            if status not in _ONE_BY_ONE:
                return status
        for queued in batch:  # alone, or a peer without batches: one by one
            queued.answer(self._send(host, port, device, partition, queued.op,
                                     "/%s/%s/%s" % (account, container, queued.obj),
                                     queued.headers, queued.conn_timeout,
                                     queued.node_timeout))
        return 0  # every row has its own answer already


#: the object server's (one per process: rows of one worker gather)
BATCHER = UpdateBatcher()
