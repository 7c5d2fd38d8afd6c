"""ssync: object replication over the object servers' own HTTP.

rsync needs a daemon, a module per device and matching uids on every
node, and it copies files blindly. ssync needs nothing but the object
servers already running, and replays each object as the request that made
it (PUT, POST, DELETE), so the receiving server applies its usual rules:
last write wins by timestamp, the body must match its ETag, metadata goes
through the one ``DiskFile`` writer. Selected per replicator with
``sync_method = ssync``.

Two requests per peer and partition (``SSYNC /<device>/<partition>``,
``X-Backend-Storage-Policy-Index``), told apart by ``X-Ssync-Phase``:

1. ``missing-check``: the sender posts JSON ``{"objects": {<hash>:
   [<ts_data>, <ts_meta or null>]}}`` for the differing suffixes; the
   receiver answers ``{"wanted": {<hash>: "d" | "m" | "dm"}}`` (``d``: my
   data/tombstone is older or absent; ``m``: my metadata is older).
2. ``updates``: a chunked body of frames, one per subrequest::

       SSYNC-FRAME <n>\\n
       <n bytes of JSON: {"method": "PUT"|"POST"|"DELETE",
                          "name": "/a/c/o", "headers": {...}}>
       <exactly Content-Length body bytes, PUT only>
       ...
       SSYNC-END\\n

   and the receiver answers ``{"applied": n, "failed": [{"name", "method",
   "status"}]}``. A frame losing to a newer write there (409) or deleting
   what is absent (404) counts as applied: the peer already holds
   something at least as new.

Why two requests and not one full-duplex exchange: each phase is a plain
request/response that any HTTP stack and proxy handles, and a receiver
never has to answer while still reading; the price is one extra round
trip per partition and peer, small beside the data moved.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common import concurrency
from objstore.common.http.wsgi_str import str_to_wsgi
from objstore.common.http_client import http_connect
from objstore.common.timestamp import Timestamp
from objstore.obj.diskfile import (DiskFile, DiskFileDeleted, DiskFileDeviceUnavailable,
                                   DiskFileManager, DiskFileNotExist)
from objstore.obj.reader import DamagedObject

#: WSGI environ key set on the receiver's subrequests: the object server
#: then accepts what only a replica may carry (an X-Delete-At in the past).
REPLICATED = "objstore.ssync"
PHASE = "X-Ssync-Phase"
FRAME = b"SSYNC-FRAME"
END = b"SSYNC-END"
#: a missing-check lists ~90 bytes per object: this allows ~700k objects
MAX_MISSING_CHECK_BYTES = 64 * 1024 * 1024
MAX_FRAME_HEADER = 256 * 1024
SEND_BUFFER = 64 * 1024
_HASH = re.compile(r"^[0-9a-f]{32}$")
_NOT_SENT = ("name", "X-Data-Timestamp")


class SsyncError(Exception):
    """The exchange with a peer failed; the message says how."""


# ------------------------------------------------------------------ receiver

def _json_response(status: int, payload: Any) -> Response:
    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    return Response(status=status, body=body, headerlist=[
        ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])


def _text_response(status: int, text: str) -> Response:
    body = text.encode("utf-8")
    return Response(status=status, body=body, headerlist=[
        ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Length", str(len(body)))])


def receive(controller: Any, req: Request) -> Response:
    """Answer one ``SSYNC`` request on the object server ``controller``."""
    device, partition = (str(s) for s in controller._path(req, 2, 2))
    policy_index = controller._policy_index(req)
    mgr: DiskFileManager = controller.mgr
    if mgr.get_dev_path(device) is None:
        return _text_response(507, "Device %s is not mounted" % device)
    phase = req.headers.get(PHASE, "")
    if phase == "missing-check":
        return _missing_check(mgr, req, device, partition, policy_index)
    if phase == "updates":
        return _Updates(controller, req, device, partition, policy_index).run()
    return _text_response(400, "SSYNC needs %s: missing-check or updates, got %r"
                          % (PHASE, phase))


def wanted_parts(local: Optional[Dict[str, Timestamp]], ts_data: Timestamp,
                 ts_meta: Optional[Timestamp]) -> str:
    """What a receiver holding ``local`` wants of an offered object:
    ``d`` if its data (or tombstone) is older or absent, ``m`` if the
    offered metadata is newer than anything it has."""
    local = local or {}
    mine_data = local.get("ts_data")
    want = "d" if mine_data is None or mine_data < ts_data else ""
    if ts_meta is not None:
        newest = max([t for t in (mine_data, local.get("ts_meta")) if t is not None],
                     default=None)
        if newest is None or newest < ts_meta:
            want += "m"
    return want


def _missing_check(mgr: DiskFileManager, req: Request, device: str, partition: str,
                   policy_index: int) -> Response:
    length = req.content_length
    if length is None or length > MAX_MISSING_CHECK_BYTES:
        return _text_response(413 if length else 411, "missing-check needs a JSON body of "
                              "at most %d bytes with Content-Length" % MAX_MISSING_CHECK_BYTES)
    try:
        offered = json.loads(req.body)["objects"]
        parsed = {h: (Timestamp(v[0]), Timestamp(v[1]) if v[1] else None)
                  for h, v in offered.items() if _HASH.match(h)}
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return _text_response(400, 'missing-check body must be {"objects": {<hash>: '
                              '[<ts_data>, <ts_meta or null>]}}')
    suffixes = sorted({h[-3:] for h in parsed})
    local = dict(mgr.yield_hashes(device, partition, policy_index, suffixes))
    wanted = {}
    for object_hash, (ts_data, ts_meta) in parsed.items():
        want = wanted_parts(local.get(object_hash), ts_data, ts_meta)
        if want:
            wanted[object_hash] = want
    return _json_response(200, {"wanted": wanted})


class _FrameBody:
    """The next ``length`` bytes of the updates stream, as a subrequest's
    ``wsgi.input``; ``drain`` skips what the handler did not read (a PUT
    refused with 409 before its body) so the next frame lines up."""

    def __init__(self, stream: Any, length: int) -> None:
        self.stream = stream
        self.left = length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        want = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(want)
        self.left -= len(data)
        return data

    def drain(self) -> bool:
        while self.left > 0:
            if not self.read(65536):
                return False
        return True


class _Updates:
    """Applies the frames of an ``updates`` request through the object
    server's own handlers."""

    def __init__(self, controller: Any, req: Request, device: str, partition: str,
                 policy_index: int) -> None:
        self.controller = controller
        self.req = req
        self.stream = req.environ["wsgi.input"]
        self.prefix = "/%s/%s" % (device, partition)
        self.policy_index = policy_index
        self.timeout = getattr(controller, "client_timeout", 60.0)
        self.applied = 0
        self.failed: List[Dict[str, Any]] = []

    def _read(self, fn: Any, *args: Any) -> bytes:
        try:
            with concurrency.ChunkReadTimeout(self.timeout):
                return fn(*args)
        except concurrency.ChunkReadTimeout:
            raise SsyncError("timed out reading the updates stream") from None

    def run(self) -> Response:
        try:
            while True:
                line = self._read(self.stream.readline, 128).rstrip(b"\r\n")
                if line == END:
                    break
                tag, _sp, size = line.partition(b" ")
                if tag != FRAME or not size.isdigit() or int(size) > MAX_FRAME_HEADER:
                    raise SsyncError("bad frame line %r (stream ended early?)" % line[:60])
                header = json.loads(self._read(self.stream.read, int(size)))
                self.apply(header)
        except (SsyncError, ValueError, KeyError, TypeError) as err:
            self.controller.logger.error("SSYNC updates to %s aborted after %d applied: %s",
                                         self.prefix, self.applied, err)
            return _json_response(400, {"applied": self.applied, "failed": self.failed,
                                        "error": str(err)})
        return _json_response(200, {"applied": self.applied, "failed": self.failed})

    def apply(self, header: Dict[str, Any]) -> None:
        method, name = str(header["method"]), str(header["name"])
        headers = {str(k): str(v) for k, v in dict(header["headers"]).items()}
        if method not in ("PUT", "POST", "DELETE") or not name.startswith("/"):
            raise SsyncError("bad frame %s %r" % (method, name))
        length = int(headers.get("Content-Length", "0")) if method == "PUT" else 0
        body = _FrameBody(self.stream, length)
        headers["X-Backend-Storage-Policy-Index"] = str(self.policy_index)
        headers.setdefault("X-Trans-Id", self.req.headers.get("X-Trans-Id", "-"))
        env = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "PATH_INFO": str_to_wsgi(self.prefix + name),
               "SERVER_NAME": "ssync", "SERVER_PORT": "0", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.input": body, "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
               REPLICATED: True}
        for key, value in headers.items():
            wsgi_key = key.upper().replace("-", "_")
            if wsgi_key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                wsgi_key = "HTTP_" + wsgi_key
            env[wsgi_key] = value
        try:
            status = self.controller.dispatch(Request(env)).status_int
        except Exception as err:  # the server's HTTPError carries a response
            response = getattr(err, "response", None)
            if response is None:
                self.controller.logger.exception("SSYNC %s %s failed", method, name)
            status = response.status_int if response is not None else 500
        if not body.drain():
            raise SsyncError("stream ended inside the body of %s" % name)
        if 200 <= status < 300 or status == 409 or (method == "DELETE" and status == 404):
            self.applied += 1
        else:
            self.failed.append({"method": method, "name": name, "status": status})


# -------------------------------------------------------------------- sender

class Sender:
    """Brings one peer's copy of some suffixes of a partition up to date."""

    def __init__(self, mgr: DiskFileManager, device: str, partition: str, policy_index: int,
                 node: Dict[str, Any], timeout: float = 60.0,
                 logger: Optional[logging.Logger] = None) -> None:
        self.mgr = mgr
        self.device = device
        self.partition = partition
        self.policy_index = policy_index
        self.node = node
        self.timeout = timeout
        self.logger = logger or logging.getLogger("objstore.ssync")
        #: objects (PUT/DELETE/POST frames) the peer took this time
        self.sent = 0

    @property
    def peer(self) -> str:
        return "%s:%s/%s" % (self.node.get("replication_ip") or self.node["ip"],
                             self.node.get("replication_port") or self.node["port"],
                             self.node["device"])

    def sync(self, suffixes: List[str]) -> bool:
        """True when the peer holds everything we hold of ``suffixes``."""
        offered = dict(self.mgr.yield_hashes(self.device, self.partition, self.policy_index,
                                             suffixes))
        if not offered:
            return True
        try:
            wanted = self.missing_check(offered)
            if not wanted:
                return True
            return self.send_updates(wanted)
        except (OSError, http.client.HTTPException, SsyncError) as err:
            self.logger.error("ERROR ssync of partition %s to %s failed: %s",
                              self.partition, self.peer, err)
            return False

    def _connect(self, headers: Dict[str, str]) -> Any:
        headers = dict(headers, **{"X-Backend-Storage-Policy-Index": str(self.policy_index)})
        return http_connect(self.node.get("replication_ip") or self.node["ip"],
                            self.node.get("replication_port") or self.node["port"],
                            self.node["device"], self.partition, "SSYNC", "",
                            headers=headers, timeout=self.timeout)

    def _answer(self, conn: Any, phase: str) -> Dict[str, Any]:
        try:
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        try:
            answer = json.loads(body) if resp.status in (200, 400) else None
        except ValueError:
            answer = None
        if resp.status != 200 or not isinstance(answer, dict):
            detail = (answer or {}).get("error") if isinstance(answer, dict) else body[:200]
            raise SsyncError("%s answered %s with %d: %s" % (self.peer, phase, resp.status,
                                                              detail))
        return answer

    def missing_check(self, offered: Dict[str, Dict[str, Timestamp]]) -> Dict[str, str]:
        """``{hash: "d"|"m"|"dm"}``: what the peer lacks of ``offered``."""
        body = json.dumps({"objects": {
            h: [s["ts_data"].internal if "ts_data" in s else Timestamp(0).internal,
                s["ts_meta"].internal if "ts_meta" in s else None]
            for h, s in offered.items()}}).encode("utf-8")
        conn = self._connect({PHASE: "missing-check", "Content-Length": str(len(body)),
                              "Content-Type": "application/json"})
        conn.send(body)
        wanted = self._answer(conn, "missing-check").get("wanted")
        if not isinstance(wanted, dict):
            raise SsyncError("%s answered missing-check without 'wanted'" % self.peer)
        return {str(h): str(w) for h, w in wanted.items() if h in offered}

    def send_updates(self, wanted: Dict[str, str]) -> bool:
        conn = self._connect({PHASE: "updates", "Transfer-Encoding": "chunked"})
        buffered: List[bytes] = []
        size = 0
        frames = 0
        for chunk, is_frame_end in self.frames(wanted):
            buffered.append(chunk)
            size += len(chunk)
            frames += is_frame_end
            if size >= SEND_BUFFER:
                conn.send_chunk(b"".join(buffered))
                buffered, size = [], 0
        buffered.append(END + b"\n")
        conn.send_chunk(b"".join(buffered))
        conn.end_chunks()
        answer = self._answer(conn, "updates")
        self.sent += int(answer.get("applied", 0))
        failed = answer.get("failed") or []
        for failure in failed[:5]:
            self.logger.error("ERROR ssync %s of %s to %s answered %s", failure.get("method"),
                              failure.get("name"), self.peer, failure.get("status"))
        return not failed

    def frames(self, wanted: Dict[str, str]) -> Iterator[Tuple[bytes, int]]:
        """``(bytes, 1 at the end of a frame else 0)`` for every wanted
        object: DELETE for a tombstone, else PUT with the body and/or POST
        with the newer metadata."""
        for object_hash in sorted(wanted):
            try:
                df = self.mgr.get_diskfile_from_hash(self.device, self.partition, object_hash,
                                                     self.policy_index)
                df.open(now=0)  # expired objects are replicated too: the peer decides
            except DiskFileDeleted:
                tomb = df.tombstone_metadata()
                if tomb and tomb.get("name") and "d" in wanted[object_hash]:
                    yield _frame_header("DELETE", str(tomb["name"]), {
                        "X-Timestamp": str(tomb["X-Timestamp"])}), 1
                continue
            except (DiskFileNotExist, DiskFileDeviceUnavailable):
                continue  # gone or quarantined since it was listed: next pass sees why
            try:
                yield from self._object_frames(df, wanted[object_hash])
            finally:
                df.close()

    def _object_frames(self, df: DiskFile, want: str) -> Iterator[Tuple[bytes, int]]:
        data_meta = df.get_datafile_metadata()
        name = str(data_meta.get("name", ""))
        if not name:
            return
        if "d" in want:
            headers = {k: str(v) for k, v in data_meta.items() if k not in _NOT_SENT}
            length = int(headers["Content-Length"])
            yield _frame_header("PUT", name, headers), 0
            sent = 0
            reader = df.reader(verify=False)
            try:
                for chunk in reader:
                    chunk = chunk[:length - sent]
                    sent += len(chunk)
                    yield chunk, 0
            except (DamagedObject, OSError) as err:
                # keep the framing; the peer's ETag check refuses these bytes
                self.logger.error("ERROR reading %s for ssync: %s", name, err)
            finally:
                reader.close()
            if sent < length:
                yield b"\0" * (length - sent), 0
            yield b"", 1
        merged = df.get_metadata()
        if "m" in want and merged.get("X-Timestamp") != data_meta.get("X-Timestamp"):
            headers = {k: str(v) for k, v in merged.items()
                       if k not in _NOT_SENT and k not in ("Content-Length", "ETag")}
            yield _frame_header("POST", name, headers), 1


def _frame_header(method: str, name: str, headers: Dict[str, str]) -> bytes:
    payload = json.dumps({"method": method, "name": name, "headers": headers}).encode("utf-8")
    return b"%s %d\n%s" % (FRAME, len(payload), payload)


def send_suffixes(replicator: Any, job: Any, node: Dict[str, Any],
                  suffixes: List[str]) -> bool:
    """The object replicator's ssync transport (``sync_method = ssync``):
    push ``suffixes`` of ``job``'s partition to ``node``."""
    sender = Sender(replicator.mgr, job.device["device"], job.partition, job.policy.index,
                    node, replicator.http_timeout, replicator.logger)
    ok = sender.sync(suffixes)
    replicator.count("files_pushed", sender.sent)
    return ok
