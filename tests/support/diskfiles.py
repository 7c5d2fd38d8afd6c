"""Objects written and read straight through a DiskFileManager (the
object server's disk layer) by the tests of that layer."""
from __future__ import annotations

from typing import Any, Optional, Tuple

from objstore.common.timestamp import Timestamp
from objstore.common.utils import md5_hex


def put_object(mgr: Any, body: bytes = b"hello", ts: Optional[Timestamp] = None,
               name: Tuple[str, str, str] = ("a", "c", "o"), policy: int = 0,
               extra: Optional[dict] = None, part: str = "7") -> Tuple[Any, Timestamp]:
    """Write ``body`` as an object; its diskfile and timestamp."""
    df = mgr.get_diskfile("sda1", part, *name, policy_index=policy)
    ts = ts or Timestamp.now()
    meta = {"name": "/%s/%s/%s" % name, "X-Timestamp": ts.internal,
            "Content-Length": str(len(body)), "ETag": md5_hex(body),
            "Content-Type": "text/plain"}
    meta.update(extra or {})
    with df.create(len(body)) as writer:
        writer.write(body)
        writer.put(meta)
    return df, ts


def read_object(mgr: Any, name: Tuple[str, str, str] = ("a", "c", "o"), policy: int = 0,
                part: str = "7") -> Tuple[Any, bytes]:
    """Open an object and read it whole."""
    df = mgr.get_diskfile("sda1", part, *name, policy_index=policy).open()
    return df, b"".join(df.reader())
