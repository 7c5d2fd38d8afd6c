"""Object rows sent to a container server together: the batch format.

An object server tells a container replica about every object write with
one ``PUT``/``DELETE /<dev>/<part>/<a>/<c>/<o>`` per row (``obj/updates.py``),
which is what the updater, Swift-format peers and the tests still send.
When rows for the same container replica pile up behind one in flight,
the object server sends them as one request instead
(``obj/update_batch.py``), and the container server merges them into the
container's pending file with one append and one fsync, and answers once
for all of them. The request::

    ROWS /<dev>/<part>/<a>/<c>
    Content-Type: application/json
    [{"op": "PUT"|"DELETE", "obj": <object name>,
      "headers": {<the headers the row's own request would carry>}}, ...]

``ROWS`` is a method of objstore's own, so a server that does not know it
answers 405 and changes nothing (a Swift container server too, where a
``PUT`` or ``POST`` of the container path would create or touch the
container); the sender then sends the rows one by one. The object name is
the text of the name (as JSON text), the header values are the WSGI strings
the row's own request would have carried. The answer is one status for the
whole batch: 2xx when every row is in the pending file, 404 when the
container is not there (no row went in), 400 for a malformed batch
(nothing merged), 413 for one above the bounds below. After a 400 or 413
too the sender sends the rows one by one, so a bad row fails alone.
"""

from __future__ import annotations

import json
from typing import Dict, List, NamedTuple, Optional

#: the method of a batch of object rows
METHOD = "ROWS"
#: bounds of one batch: a sender splits, a container server refuses (413)
MAX_ROWS = 64
MAX_BYTES = 128 * 1024
OPS = ("PUT", "DELETE")


class RowHeaders(Dict[str, str]):
    """A row's headers, looked up without regard to case (as a request's)."""

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        return super().get(name.lower(), default)


class RowUpdate(NamedTuple):
    """One object row of a batch: what one row request would have said."""
    op: str
    obj: str
    headers: RowHeaders


def encode_row(op: str, obj: str, headers: Dict[str, str]) -> bytes:
    """One row's JSON, joined into a batch by :func:`join_rows`."""
    return json.dumps({"op": op, "obj": obj, "headers": headers},
                      separators=(",", ":")).encode("utf-8")


def join_rows(encoded: List[bytes]) -> bytes:
    """The batch body of rows made by :func:`encode_row`."""
    return b"[" + b",".join(encoded) + b"]"


def parse_rows(body: bytes) -> List[RowUpdate]:
    """The rows of a batch body; ``ValueError`` naming what is wrong if any
    row is malformed (the whole batch is refused then), or if it holds no
    row or more than ``MAX_ROWS``."""
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("A row batch must be a JSON list") from None
    if not isinstance(items, list) or not items:
        raise ValueError("A row batch must be a non-empty JSON list")
    if len(items) > MAX_ROWS:
        raise ValueError("A row batch holds at most %d rows" % MAX_ROWS)
    rows = []
    for number, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError("Row %d is not an object" % number)
        op, obj, headers = item.get("op"), item.get("obj"), item.get("headers")
        if op not in OPS:
            raise ValueError("Row %d: op must be PUT or DELETE" % number)
        if not isinstance(obj, str) or not obj:
            raise ValueError("Row %d: obj must be a non-empty name" % number)
        if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise ValueError("Row %d: headers must map names to strings" % number)
        rows.append(RowUpdate(op, obj, RowHeaders((k.lower(), v) for k, v in headers.items())))
    return rows
