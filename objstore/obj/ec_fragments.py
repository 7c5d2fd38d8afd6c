"""What the object server does differently for erasure-coded policies.

An EC object server stores one *fragment archive* per object (not the
client's bytes) and must never serve it until the proxy says enough of
its siblings were written (the commit, phase two of the PUT). The server
does not check the client's ETag against a fragment (they differ by
design); it records the archive's own MD5, which the reader verifies.

Protocol (docs/internals.md, "Erasure coding"):

- PUT with ``X-Object-Sysmeta-Ec-Frag-Index: <i>`` stores
  ``<ts>#<i>.data`` (not durable). The proxy sends no container headers
  with it: the listing must not show an object nobody can read yet.
- ``POST`` with ``X-Backend-Ec-Commit: <ts>`` (plus the
  ``X-Object-Sysmeta-Ec-*`` only known once the body was read, such as
  the client ETag, the PUT's metadata footers (``objstore.common.footers``)
  and the usual ``X-Container-*`` update headers) adds that system
  metadata to the fragments of ``<ts>``, renames them to
  ``<ts>#<i>#d.data``, then sends the container update with the
  client's size and ETag: 202, or 404 when no fragment of ``<ts>`` is here.
- GET/HEAD with ``X-Backend-Ec-Frag-Index: <i>`` opens that index (a
  handoff may hold several); without it, the lowest one held.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from webob import Request, Response

from objstore.common import footers
from objstore.common.timestamp import Timestamp
from objstore.obj import updates

FRAG_INDEX = "X-Object-Sysmeta-Ec-Frag-Index"
COMMIT = "X-Backend-Ec-Commit"
WANT_FRAG = "X-Backend-Ec-Frag-Index"
EC_SYSMETA = "x-object-sysmeta-ec-"


class FragmentRequestError(ValueError):
    """A fragment request lacks what the EC protocol needs."""


def is_ec(policies: Any, policy_index: int) -> bool:
    policy = policies.get_by_index(policy_index)
    return bool(policy is not None and policy.is_ec)


def data_ext(req: Request, ec: bool) -> str:
    """The extension a new ``.data`` gets: ``#<frag>.data`` for EC (not
    durable until the commit), plain ``.data`` for replication."""
    if not ec:
        return ".data"
    raw = req.headers.get(FRAG_INDEX, "")
    if not raw.strip().isdigit():
        raise FragmentRequestError("an erasure coded PUT needs %s (got %r)" % (FRAG_INDEX, raw))
    return "#%d.data" % int(raw)


def wanted_frag(req: Request) -> Optional[int]:
    raw = req.headers.get(WANT_FRAG, "").strip()
    return int(raw) if raw.isdigit() else None


def commit(df: Any, req: Request, make_response: Any,
           send_update: Callable[[Dict[str, str]], None]) -> Response:
    """Phase two of an EC PUT on one node."""
    try:
        ts = Timestamp(req.headers[COMMIT])
    except (KeyError, ValueError):
        return make_response(400, b"Bad X-Backend-Ec-Commit timestamp")
    # The EC sysmeta known only after the body, and the PUT's footers
    # (system metadata only: the commit is a backend request).
    extra = footers.stored_footers({k.title(): v for k, v in req.headers.items()})
    extra.pop(FRAG_INDEX, None)  # each node keeps its own
    metadata = df.commit(ts, extra)
    if metadata is None:
        return make_response(404, b"No fragment of that timestamp here")
    send_update({"X-Timestamp": ts.internal,
                 "X-Size": updates.listed_size(metadata),
                 "X-Content-Type": metadata.get("Content-Type", "application/octet-stream"),
                 "X-Etag": updates.listed_etag(metadata)})
    return make_response(202, headers={"X-Backend-Timestamp": ts.internal})
