"""The real object server sending container updates together: rows for one
container replica that queue behind one in flight go as one ROWS request,
and each object write whose row failed leaves its own async pending."""

import hashlib
import http.server
import json
import os
import threading
import time
import uuid

import pytest

from objstore.common.timestamp import Timestamp


class HoldingContainer:
    """A container server stand-in that holds the first row until released,
    then answers ROWS as told: ``"ok"`` (204) or ``"die"`` (the connection
    closed without an answer, as a node dying mid-batch)."""

    def __init__(self, rows_answer: str) -> None:
        self.requests = []
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_PUT(self):
                outer.requests.append(("PUT", self.path, self._body()))
                if len(outer.requests) == 1:
                    outer.release.wait(30)
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_ROWS(self):
                outer.requests.append(("ROWS", self.path, json.loads(self._body())))
                if rows_answer == "die":
                    self.close_connection = True
                    return
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _pendings(server, stamps):
    root = os.path.join(server.devices, "sda1", "async_pending")
    names = [f for _r, _d, fs in os.walk(root) for f in fs]
    return sorted(s for s in stamps if any(n.endswith("-" + s) for n in names))


def _put_five(server, fake, helpers):
    """Five object PUTs into one container: the first's row is held by the
    container, the other four are written (and their rows queue) meanwhile."""
    prefix = "/sda1/7/a/c/o-%s-" % uuid.uuid4().hex[:8]
    stamps = [Timestamp(time.time() + i * 0.001).internal for i in range(5)]
    statuses = {}

    def put(i):
        statuses[i] = server.request("PUT", prefix + str(i), {
            "X-Timestamp": stamps[i], "Content-Type": "text/plain",
            "X-Container-Host": fake.host, "X-Container-Device": "sdc",
            "X-Container-Partition": "3"}, b"abc")[0]

    threads = [threading.Thread(target=put, args=(0,))]
    threads[0].start()
    assert helpers.poll(lambda: len(fake.requests) == 1)
    threads += [threading.Thread(target=put, args=(i,)) for i in range(1, 5)]
    for t in threads[1:]:
        t.start()
    from objstore.obj.diskfile import DiskFileManager
    manager = DiskFileManager(server.conf)

    def written(i):
        df = manager.get_diskfile("sda1", "7", "a", "c", prefix.rsplit("/", 1)[1] + str(i))
        return os.path.isdir(df.datadir) and os.listdir(df.datadir)

    assert helpers.poll(lambda: all(written(i) for i in range(1, 5)))
    time.sleep(0.3)  # from the rename to the update's queueing: a few calls, no I/O
    fake.release.set()
    for t in threads:
        t.join(30)
    assert statuses == {i: 201 for i in range(5)}
    return prefix, stamps


@pytest.mark.parametrize("answer", ["ok", "die"])
def test_rows_queued_behind_one_in_flight_go_as_one_batch_and_failures_leave_pendings(
        shared_server, helpers, answer):
    fake = HoldingContainer(answer)
    try:
        prefix, stamps = _put_five(shared_server, fake, helpers)
    finally:
        fake.close()
    name = prefix.rsplit("/", 1)[1]
    assert fake.requests[0][:2] == ("PUT", "/sdc/3/a/c/" + name + "0")
    batches = [rows for method, _path, rows in fake.requests[1:] if method == "ROWS"]
    assert all(path == "/sdc/3/a/c" for method, path, _b in fake.requests[1:]
               if method == "ROWS")
    batched = [row["obj"] for rows in batches for row in rows]
    alone = [path.rsplit("/", 1)[1] for method, path, _b in fake.requests[1:]
             if method == "PUT"]  # a write slower than the wait above went alone
    assert sorted(batched + alone) == [name + str(i) for i in range(1, 5)]
    assert max(len(rows) for rows in batches) >= 2
    for row in (row for rows in batches for row in rows):
        assert row["op"] == "PUT"
        assert row["headers"]["X-Size"] == "3"
        assert row["headers"]["X-Etag"] == hashlib.md5(b"abc").hexdigest()
        assert row["headers"]["X-Content-Type"] == "text/plain"
    # every write whose row the dead node took leaves its own async pending
    expected = [] if answer == "ok" else [stamps[i] for i in range(1, 5)
                                          if name + str(i) in batched]
    assert _pendings(shared_server, stamps) == expected
