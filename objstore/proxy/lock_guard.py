"""The object lock's guard on a DELETE that may not reach the object.

Each object server refuses to delete a locked version it holds
(``common/object_lock.py``), but a node that holds nothing has nothing to
check: it writes a tombstone. When every primary is down the DELETE lands
on handoff nodes only, their tombstones are newer than the locked data, and
replication would carry them home and remove the locked version. So in a
container whose sysmeta asks for it (``object_lock.CONTAINER_GUARD``, which
s3api sets on a lock-enabled bucket and its versions and segments
containers) the proxy asks the nodes first, with a HEAD in node order:

* a locked copy on any node it asks is 403 before anything is written
  (the handoffs are asked as well while no node has shown the object, as
  a copy written during an outage may sit on one until replication);
* unless a primary answered (a copy or a real 404), nobody who could hold
  the object was asked: 503, and nothing is written.

Only then does the DELETE go out as usual (and each node checks again).
The cost is a HEAD per DELETE in guarded containers only.

A PUT replacing an object in such a container (one without the
``archived`` or ``governance`` bypass, which s3api and versioning send after
archiving the version) needs a primary node among the nodes that took its
connection: a PUT reaching only handoffs is 503 before any byte is sent
(``put_refusal``), so a newer copy cannot replicate home over a locked
one. No extra request: the nodes are the ones the PUT connected to.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

from objstore.common import object_lock
from objstore.proxy.getter import ObjectGetter
from objstore.proxy.quorum import is_server_error, is_success


def guarded(container_info: Dict[str, Any]) -> bool:
    """Whether the container asks for the guard (its cached info's sysmeta)."""
    sysmeta = container_info.get("sysmeta") or {}
    return bool(sysmeta.get(object_lock.CONTAINER_GUARD_KEY))


PUT_ENV = "objstore.lock_guard.put"  # set by the controller on a guarded PUT


def mark_put(env: Dict[str, Any], container_info: Dict[str, Any],
             headers: Dict[str, str]) -> None:
    """Ask ``put_refusal`` to judge this PUT (a guarded container, no bypass)."""
    if guarded(container_info) and not headers.get(object_lock.BYPASS):
        env[PUT_ENV] = True


def put_refusal(env: Dict[str, Any], nodes: Iterable[Dict[str, Any]]
                ) -> Optional[Tuple[int, str]]:
    """``(status, message)`` refusing a marked PUT whose connected ``nodes``
    are all handoffs, or ``None``."""
    if not env.pop(PUT_ENV, None) or any("handoff_index" not in node for node in nodes):
        return None
    return 503, ("Service Unavailable: no primary node took the write, so the object lock "
                 "there cannot be checked; nothing was written")


def delete_refusal(app: Any, ring: Any, part: int, path: str,
                   headers: Dict[str, str]) -> Optional[Tuple[int, str]]:
    """``(status, message)`` refusing a DELETE of ``path`` (``headers``: the
    DELETE's backend headers), or ``None`` to let it go out."""
    head_headers = {k: v for k, v in headers.items() if k.lower() != "x-timestamp"}
    bypass = headers.get(object_lock.BYPASS, "")
    getter = ObjectGetter(app, ring, part, path, "HEAD", head_headers)
    replicas, answered, primary_answered = len(getter.nodes.primaries), 0, False
    found = False
    for source in getter.each_answer():
        source.close()
        if is_server_error(source.status):
            continue
        if "handoff_index" not in source.node:
            primary_answered = True
        if is_success(source.status):
            found = True
            why = object_lock.refusal(source.headers, bypass)
            if why:
                return 403, "Forbidden: object lock: " + why
        answered += 1
        # Where no node showed the object yet, the handoffs are asked too: a
        # copy written during an outage may sit on one until replication.
        if found and answered >= replicas and primary_answered:
            break
    if not primary_answered:
        return 503, ("Service Unavailable: no primary node answered, so the object lock "
                     "of %s cannot be checked; nothing was deleted" % path)
    return None
