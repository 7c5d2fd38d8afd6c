"""Object lookup: where a name lives and whether each copy is there.

``/account/container/object`` -> the container's policy (asked of the
container servers), the object's partition in that policy's ring, its
primaries and first handoffs, and for each a HEAD straight to the object
server: status, timestamp and ETag, so a student sees a missing or stale
copy and, after the replicator ran, the repair.
"""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote

from objstore.common.http_client import http_connect
from objstore.common.info import POLICY_INDEX_HEADER
from objstore.common.storage_policy import load_policies
from objstore.dashboard.rings import open_ring, partition_nodes
from objstore.obj.ec_fragments import FRAG_INDEX, WANT_FRAG
from objstore.proxy.ec_put import EC_ETAG
from ring.utils import hash_path, load_hash_settings



class LookupFailed(ValueError):
    """A lookup that cannot be answered; the message tells the user why."""


def split_object_path(path: str) -> Tuple[str, str, str]:
    """``/AUTH_test/c/o/with/slashes`` -> ``("AUTH_test", "c", "o/with/slashes")``.

    Percent-escapes are decoded once (a path pasted from a URL works).
    LookupFailed when a part is missing.
    """
    text = unquote(path.strip())
    if text.startswith("/v1/"):
        text = text[3:]
    parts = text.lstrip("/").split("/", 2)
    if len(parts) < 3 or not all(parts):
        raise LookupFailed("give a path /account/container/object (got %r)" % path)
    return parts[0], parts[1], parts[2]


def _head(node: Dict[str, Any], part: int, path: str, headers: Dict[str, str],
          timeout: float) -> Tuple[int, Dict[str, str], Optional[str]]:
    try:
        conn = http_connect(node["ip"], node["port"], node["device"], part, "HEAD", path,
                            headers=headers, timeout=timeout)
        resp = conn.getresponse()
        resp.read()
        got = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        return resp.status, got, None
    except (OSError, http.client.HTTPException) as err:
        return 0, {}, str(err) or type(err).__name__


def container_policy(swift_dir: str, account: str, container: str,
                     timeout: float = 2.0) -> int:
    """The container's storage policy index, from its container servers.

    LookupFailed when no container server knows the container.
    """
    ring = open_ring(swift_dir, "container")
    part, nodes = ring.get_nodes(account, container)
    answers = []
    for node in nodes:
        status, headers, _err = _head(node, part, "/%s/%s" % (account, container), {}, timeout)
        answers.append(status)
        if 200 <= status < 300 and POLICY_INDEX_HEADER.lower() in headers:
            return int(headers[POLICY_INDEX_HEADER.lower()])
    raise LookupFailed("container /%s/%s was not found on its container servers "
                       "(answers: %s)" % (account, container,
                                          ", ".join(str(s or "no answer") for s in answers)))


def copy_state(status: int, headers: Dict[str, str], error: Optional[str],
               is_ec: bool) -> Dict[str, Any]:
    """What one object server's HEAD says about its copy."""
    state = "present" if 200 <= status < 300 else (
        "deleted" if status == 404 and "x-backend-timestamp" in headers else
        "missing" if status == 404 else "unreachable" if status == 0 else
        "unmounted" if status == 507 else "error")
    etag = headers.get(EC_ETAG.lower()) if is_ec else None
    return {"status": status or None, "state": state, "error": error,
            "timestamp": headers.get("x-backend-timestamp") or headers.get("x-timestamp"),
            "etag": etag or headers.get("etag"),
            "frag_index": headers.get(FRAG_INDEX.lower())}


def lookup_object(swift_dir: str, path: str, timeout: float = 2.0) -> Dict[str, Any]:
    """Partition, nodes and the state of each node's copy of ``path``."""
    account, container, obj = split_object_path(path)
    policy_index = container_policy(swift_dir, account, container, timeout)
    policy = load_policies(swift_dir).get_by_index(policy_index)
    if policy is None:
        raise LookupFailed("the container uses policy %d, which this cluster's "
                           "objstore.conf does not declare" % policy_index)
    ring = open_ring(swift_dir, policy.ring_name)
    part = ring.get_part(account, container, obj)
    nodes = partition_nodes(ring, part)
    prefix, suffix = load_hash_settings(swift_dir)
    obj_path = "/%s/%s/%s" % (account, container, obj)

    def ask(node: Dict[str, Any]) -> Dict[str, Any]:
        headers = {POLICY_INDEX_HEADER: str(policy_index)}
        if policy.is_ec and node["role"] == "primary":
            headers[WANT_FRAG] = str(node["index"])
        node = dict(node)
        node.update(copy_state(*_head(node, part, obj_path, headers, timeout),
                               is_ec=policy.is_ec))
        return node

    with ThreadPoolExecutor(max_workers=max(1, len(nodes))) as pool:
        copies: List[Dict[str, Any]] = list(pool.map(ask, nodes))
    return {"account": account, "container": container, "object": obj,
            "policy": policy_index, "policy_name": policy.name, "ring": policy.ring_name,
            "partition": part, "hash": hash_path(account, container, obj,
                                                 prefix=prefix, suffix=suffix),
            "nodes": copies}
