"""What one container row becomes on the other cluster.

A row is the latest state of one object name in the local container: a
PUT (``deleted = 0``) or a DELETE tombstone. Syncing it:

* a tombstone: ``DELETE`` with the tombstone's timestamp. 2xx, 404
  (nothing there: the remote keeps the tombstone anyway) and 409 (the
  remote has something newer) all mean the remote is at least as new;
* a PUT: the object is read from this cluster (through the daemon's
  in-process proxy, ``X-Newest``) and sent with its stored headers and its
  own ``X-Timestamp``. For a row another replica probably sent already the
  remote is asked first (``HEAD``): if it holds that timestamp or a newer
  one nothing is sent. A 202 to the PUT means the remote had that version
  or a newer one (Swift's answer to an older PUT) -- also done. If the object is
  gone here (404), a newer row of the same name says what happened to it
  and this one is done; if the local copy is *older* than the row, the
  local replicas have not caught up and the row is tried again later;
* a row a POST changed (its ``meta_timestamp`` is newer than its data):
  if the remote holds the same data (same ETag and length of the object
  as stored, and the same kind: the same SLO flag or symlink target) but
  older metadata, only a ``POST`` goes, with the local
  metadata and the POST's own ``X-Timestamp`` -- replayed, the remote
  answers 409 or the HEAD before it finds the time already there. A
  remote without that data gets the whole object, which carries the
  metadata anyway. The remote is asked about the object as stored
  (``?multipart-manifest=get&symlink=get``): a large object's manifest,
  a symlink itself, not what they point at.

Large objects go as they are stored: an SLO manifest as its stored
manifest (the receiving ``container_sync`` middleware lets it in), a DLO
manifest as its empty object with ``X-Object-Manifest``. Their segments
are synced by syncing their own container. A symlink goes as the
``X-Symlink-Target`` headers that make it; a static one with its target's
ETag and size, which the receiving side takes as sent (its target may not
have arrived yet), as Swift's sync does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, Optional

from webob import Response

from objstore.common.http.listing import listed_type_after_post
from objstore.common.subrequest import stored_metadata
from objstore.common.timestamp import Timestamp
from objstore.common.utils import close_if_possible
from objstore.container.sync_remote import LocalReadError, RemoteAnswer, SyncRemote
from objstore.common.internal_client import InternalClient

DONE_DELETE_STATUSES = frozenset((404, 409))
#: the remote object as it is stored: a manifest or a symlink, not its target
AS_STORED = "multipart-manifest=get&symlink=get"
SYMLINK_SYSMETA = "X-Object-Sysmeta-Symlink-"
#: what makes an object an SLO manifest or a link, which no POST changes
#: (equal on both sides for a metadata-only POST), in the form the remote's
#: HEAD answers them. A DLO's X-Object-Manifest is metadata a POST sets or
#: removes, as in Swift: the POST carries it.
_KIND_HEADERS = ("X-Static-Large-Object", "X-Symlink-Target", "X-Symlink-Target-Account",
                 "X-Symlink-Target-Etag")
DLO_HEADER = "X-Object-Manifest"


@dataclass
class RowOutcome:
    ok: bool
    action: str  # "put", "post", "delete", "skip" (the remote was as new), "gone"
    error: str = ""


def sync_row(row: Dict[str, Any], local: InternalClient, account: str, container: str,
             remote: SyncRemote, check_first: bool = True) -> RowOutcome:
    """Bring the remote object of ``row`` at least up to ``row``; never raises
    for a remote or local failure (the outcome says it). ``check_first``:
    HEAD the remote before a PUT (worth it for rows another replica
    probably sent already; a row sent for the first time goes straight to
    the PUT, whose 202 says just as well that the remote had it)."""
    name = row["name"]
    ts = Timestamp(row["created_at"])
    if row["deleted"]:
        answer = remote.request("DELETE", name, ts.internal)
        if answer.ok or answer.status in DONE_DELETE_STATUSES:
            return RowOutcome(True, "delete")
        return RowOutcome(False, "delete", answer.error)
    posted = Timestamp(row.get("meta_timestamp") or ts) > ts
    return _sync_put(name, ts, local, "/v1/%s/%s/%s" % (account, container, name), remote,
                     check_first or posted, posted)


def _local_get(local: InternalClient, path: str) -> Response:
    return local.request("GET", path, {"X-Newest": "true"})


def _sync_put(name: str, row_ts: Timestamp, local: InternalClient, path: str,
              remote: SyncRemote, check_first: bool, posted: bool = False) -> RowOutcome:
    resp = _local_get(local, path)
    if resp.status_int == 404:
        close_if_possible(resp.app_iter)
        return RowOutcome(True, "gone")
    if not 200 <= resp.status_int < 300:
        close_if_possible(resp.app_iter)
        return RowOutcome(False, "put", "local GET %s answered %s" % (path, resp.status))
    local_ts = _local_ts(resp, row_ts)
    if local_ts < row_ts:
        close_if_possible(resp.app_iter)
        return RowOutcome(False, "put", "local replicas of %s are older (%s) than its row (%s);"
                                        " trying again later" % (path, local_ts.internal,
                                                                 row_ts.internal))
    if check_first:
        head = remote.request("HEAD", name, local_ts.internal, query=AS_STORED)
        if head.ok and _remote_ts(head) >= local_ts:
            close_if_possible(resp.app_iter)
            return RowOutcome(True, "skip")
        if posted and head.ok and _same_data(head, resp):
            close_if_possible(resp.app_iter)
            return _sync_post(name, local_ts, resp.headers, remote)
    headers = stored_metadata(resp.headers, manifests=True)
    headers.update(_symlink_headers(resp.headers))
    headers["Content-Length"] = str(resp.content_length or 0)
    if resp.headers.get("Etag"):
        headers["ETag"] = resp.headers["Etag"].strip('"')
    body = _Bodies(local, path, resp, local_ts)
    answer = remote.request("PUT", name, local_ts.internal, headers, body)
    body.close()
    if answer.ok:  # 201 stored, 202 a newer version is there
        return RowOutcome(True, "put")
    return RowOutcome(False, "put", answer.error)


def _same_data(head: RemoteAnswer, resp: Response) -> bool:
    """True if the remote object is the local one's data: the same ETag and
    length as stored, and the same kind of object (an SLO manifest or not, a
    symlink to the same target or not)."""
    theirs = (head.headers.get("Etag") or "").strip('"')
    ours = (resp.headers.get("Etag") or "").strip('"')
    if not ours or theirs != ours or \
            str(head.headers.get("Content-Length")) != str(resp.content_length):
        return False
    local = dict(resp.headers)
    local.update(_symlink_headers(resp.headers))
    return all(_kind(head.headers.get(key)) == _kind(local.get(key)) for key in _KIND_HEADERS)


def _kind(value: Optional[str]) -> str:
    return (value or "").strip().lower()


def _sync_post(name: str, local_ts: Timestamp, local_headers: Any,
               remote: SyncRemote) -> RowOutcome:
    """The local metadata as a POST of its own time; 409 (the remote has
    newer metadata or data) is as done as 202, and so is a symlink's 307
    (the metadata is on the link; the answer points at its target)."""
    headers = stored_metadata(local_headers, manifests=False)
    if local_headers.get(DLO_HEADER):
        headers[DLO_HEADER] = local_headers[DLO_HEADER]
    if headers.get("Content-Type"):  # the client's type, not a middleware's parameters
        headers["Content-Type"] = listed_type_after_post(headers["Content-Type"], "")
    answer = remote.request("POST", name, local_ts.internal, headers)
    linked = bool(local_headers.get(SYMLINK_SYSMETA + "Target"))
    if answer.ok or answer.status == 409 or (linked and answer.status == 307):
        return RowOutcome(True, "post")
    return RowOutcome(False, "post", answer.error)


def _symlink_headers(headers: Any) -> Dict[str, str]:
    """A symlink's target as the client headers that make one (the
    receiving gatekeeper drops the system metadata it is stored as; the
    names are middleware/symlink.py's, which a daemon may not import). A
    static link sends its target's size too: the receiving side keeps a
    synced static link as sent, without looking for its target."""
    out = {}
    for part in ("Target", "Target-Account", "Target-Etag", "Target-Bytes"):
        value = headers.get(SYMLINK_SYSMETA + part)
        if value:
            out["X-Symlink-" + part] = value
    return out


def _local_ts(resp: Response, default: Timestamp) -> Timestamp:
    """The local object's time with its offset (``X-Backend-Timestamp``): a
    tiering move rewrites an object at its own time plus an offset, and its
    container row carries that offset, which ``X-Timestamp`` does not show."""
    return Timestamp(resp.headers.get("X-Backend-Timestamp") or resp.headers.get("X-Timestamp")
                     or default.internal)


def _remote_ts(answer: RemoteAnswer) -> Timestamp:
    try:
        return Timestamp(answer.headers.get("X-Timestamp") or 0)
    except ValueError:
        return Timestamp(0)


class _Bodies:
    """The local object's body once per try: the first try streams the GET
    already made, a retry reads the object again and refuses (so the try
    fails) if it changed in between."""

    def __init__(self, local: InternalClient, path: str, first: Response,
                 ts: Timestamp) -> None:
        self.local, self.path, self.ts = local, path, ts
        self._next: Optional[Response] = first
        self._current: Optional[Response] = None

    def __call__(self) -> Iterable[bytes]:
        if self._current is not None:
            close_if_possible(self._current.app_iter)
        resp, self._next = self._next, None
        if resp is None:
            resp = _local_get(self.local, self.path)
            if not 200 <= resp.status_int < 300 or \
                    _local_ts(resp, Timestamp(0)) != self.ts:
                close_if_possible(resp.app_iter)
                raise LocalReadError("%s changed or vanished while it was sent" % self.path)
        self._current = resp
        return _checked_iter(resp)

    def close(self) -> None:
        for resp in (self._current, self._next):
            if resp is not None:
                close_if_possible(resp.app_iter)
        self._current = self._next = None


def _checked_iter(resp: Response) -> Iterator[bytes]:
    sent = 0
    for chunk in resp.app_iter:
        sent += len(chunk)
        yield chunk
    if resp.content_length is not None and sent != resp.content_length:
        raise LocalReadError("read %d of %d bytes" % (sent, resp.content_length))
