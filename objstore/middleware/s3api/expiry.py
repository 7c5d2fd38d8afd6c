"""Swift's expiring objects (``X-Delete-At`` / ``X-Delete-After``) over S3.

S3 has no such headers (its lifecycle rules expire objects, see
``lifecycle.py``), but Swift's s3api passes them through to Swift, so S3
clients of a Swift cluster use them. objstore does the same: the proxy
judges the values (one rule, ``proxy/obj_headers.py``) and a refusal is
answered as S3's ``InvalidArgument`` with the proxy's words; a stored
expiry is shown as ``x-amz-expiration`` with the rule id
``swift-object-expiration``.
"""

from __future__ import annotations

from email.utils import formatdate
from typing import Dict, Optional

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.subrequest import SwiftResponse

# request headers (lower case) that go to Swift as they are
HEADERS = ("x-delete-at", "x-delete-after")
RULE_ID = "swift-object-expiration"


def raise_for_refusal(resp: SwiftResponse, headers: Dict[str, str]) -> None:
    """``InvalidArgument`` ("X-Delete-At in past", "Non-integer
    X-Delete-After") when the proxy refused the write's expiry."""
    sent = [name for name in ("X-Delete-After", "X-Delete-At") if name in headers]
    if resp.status != 400 or not sent:
        return
    text = resp.body.decode("utf-8", "replace").strip()
    name = next((n for n in sent if n in text), None)
    if name is not None:
        raise S3Error("InvalidArgument", text, ArgumentName=name,
                      ArgumentValue=headers[name])


def expiration_header(resp: SwiftResponse) -> Optional[str]:
    """``x-amz-expiration`` for an object with an ``X-Delete-At``, else None."""
    value = resp.header("x-delete-at")
    try:
        when = int(value or "")
    except ValueError:
        return None
    return 'expiry-date="%s", rule-id="%s"' % (formatdate(when, usegmt=True), RULE_ID)
