"""Metadata footers: object metadata known only once a PUT's body has
passed, sent after the body in the same request and stored with the data.

A middleware that learns metadata from the body (encryption: the
plaintext ETag) registers a callback with ``add_footer_callback``; the
proxy calls every callback once the whole body was read (client ETag
checks passed) and sends what they add:

* replicated PUT: the body to each object server is a MIME document
  (``X-Backend-Obj-Metadata-Footer: yes``, boundary in
  ``X-Backend-Obj-Multipart-Mime-Boundary``, sent chunked): a part with
  the object's bytes, then a part with the footer metadata as JSON and its
  ``Content-MD5``. The object server refuses the whole PUT (nothing is
  published) unless both parts arrive whole, and stores the footer
  metadata in the same ``.data`` xattrs, written and fsynced before the
  rename that publishes the object;
  The object server says it reads footer documents in its ``100
  Continue`` (``X-Obj-Metadata-Footer: yes``); the proxy writes to no node
  that does not (one that did not know them would store the whole
  document as the object's bytes);
* EC PUT: the footers travel with the commit (phase two) and are written
  into each fragment archive's metadata before it is made durable; for a
  one-segment body read before the nodes are asked, also in each archive's
  PUT headers, so the commit finds them stored (``proxy/ec_put``).

Only system metadata may come as a footer (``FOOTER_PREFIXES``), plus
``Etag``: the MD5 of the data part as the proxy sent it, which the object
server checks (422 on mismatch). ``LISTING_ETAG`` in a footer is the ETag
the object server sends to the container listing instead of the data's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from objstore.common.form_data import FormDataError, FormDataReader, Part

#: env key: the callbacks a proxy PUT calls after the body
FOOTERS_CALLBACKS = "objstore.put_footers"
METADATA_FOOTER = "X-Backend-Obj-Metadata-Footer"
MIME_BOUNDARY = "X-Backend-Obj-Multipart-Mime-Boundary"
#: an object server's ``100 Continue`` carries it (``yes``) to say it
#: reads footer documents; the proxy sends one to no other (a server that
#: did not know them would store the whole document as the object)
FOOTER_ACK = "X-Obj-Metadata-Footer"
#: the length of the object's data when the request body is longer (MIME)
OBJ_CONTENT_LENGTH = "X-Backend-Obj-Content-Length"
#: sent to the container listing instead of the data's ETag (encryption
#: keeps the plaintext ETag there, encrypted under the container key)
LISTING_ETAG = "X-Object-Transient-Sysmeta-Container-Update-Override-Etag"
#: encryption's footers: the plaintext's ETag, encrypted, and its MAC
CRYPTO_ETAG = "X-Object-Transient-Sysmeta-Crypto-Etag"
CRYPTO_ETAG_MAC = "X-Object-Transient-Sysmeta-Crypto-Etag-Mac"
#: Footer metadata learnt from the body. A POST changes metadata, never the
#: body, so what was learnt from it stays true: a reader sees these from the
#: ``.data`` when a later ``.meta`` does not carry them
#: (``obj/diskfile.merge_metadata``), and a POST need not repeat them (the
#: encrypter used to HEAD the object first to copy them into its POST).
KEPT_BY_POST = (LISTING_ETAG, CRYPTO_ETAG, CRYPTO_ETAG_MAC)
FOOTER_PREFIXES = ("x-object-sysmeta-", "x-object-transient-sysmeta-")
MAX_FOOTER_BYTES = 65536
_BODY_PART = b"X-Document: object body\r\n\r\n"
_META_PART = "X-Document: object metadata\r\nContent-MD5: %s\r\n\r\n"

Footers = Dict[str, str]


class FooterError(ValueError):
    """A footer document that is malformed, cut short or forged."""


def add_footer_callback(env: Dict[str, Any], callback: Callable[[Footers], None]) -> None:
    """Have the proxy call ``callback(footers)`` after the PUT's body; it
    adds the metadata it wants stored to ``footers``."""
    env.setdefault(FOOTERS_CALLBACKS, []).append(callback)


def wants_footers(env: Dict[str, Any]) -> bool:
    return bool(env.get(FOOTERS_CALLBACKS))


def collect_footers(env: Dict[str, Any]) -> Footers:
    """Every registered callback's footers (called once the body ended)."""
    footers: Footers = {}
    for callback in env.get(FOOTERS_CALLBACKS, []):
        callback(footers)
    return footers


def footer_headers(length: Optional[int]) -> Tuple[str, Dict[str, str]]:
    """A new boundary and the backend PUT headers announcing a footer
    document (the request is sent chunked: the footers' size is unknown)."""
    boundary = uuid.uuid4().hex
    headers = {METADATA_FOOTER: "yes", MIME_BOUNDARY: boundary,
               "Transfer-Encoding": "chunked"}
    if length is not None:
        headers[OBJ_CONTENT_LENGTH] = str(length)
    return boundary, headers


def body_head(boundary: str) -> bytes:
    """What precedes the object's bytes."""
    return b"--" + boundary.encode("ascii") + b"\r\n" + _BODY_PART


def footer_tail(boundary: str, footers: Footers) -> bytes:
    """What follows the object's bytes: the footer part and the end."""
    doc = json.dumps(footers, sort_keys=True).encode("utf-8")
    md5 = base64.b64encode(hashlib.md5(doc).digest()).decode("ascii")
    delim = b"\r\n--" + boundary.encode("ascii")
    return (delim + b"\r\n" + (_META_PART % md5).encode("ascii") + doc + delim + b"--\r\n")


class FooterDocument:
    """The object server's side: ``body`` reads the object's bytes, then
    ``footers()`` reads, checks and returns the footer metadata."""

    def __init__(self, stream: Any, boundary: str, chunk_size: int = 65536) -> None:
        if not boundary or len(boundary) > 200:
            raise FooterError("bad %s" % MIME_BOUNDARY)
        self._parts: Iterator[Part] = FormDataReader(stream, boundary, chunk_size).parts()
        first = self._next()
        if first is None or first.headers.get("x-document") != "object body":
            raise FooterError("the document does not start with the object body")
        self.body = _PartStream(first)

    def _next(self) -> Optional[Part]:
        try:
            return next(self._parts, None)
        except FormDataError as err:
            raise FooterError(str(err)) from None

    def footers(self) -> Footers:
        part = self._next()
        if part is None or part.headers.get("x-document") != "object metadata":
            raise FooterError("no footer metadata after the object body")
        try:
            raw = _read_bounded(part, MAX_FOOTER_BYTES)
        except FormDataError as err:
            raise FooterError(str(err)) from None
        sent_md5 = part.headers.get("content-md5", "")
        if base64.b64encode(hashlib.md5(raw).digest()).decode("ascii") != sent_md5:
            raise FooterError("footer metadata does not match its Content-MD5")
        try:
            doc = json.loads(raw)
        except ValueError:
            raise FooterError("footer metadata is not JSON") from None
        if not isinstance(doc, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in doc.items()):
            raise FooterError("footer metadata must be an object of strings")
        if self._next() is not None:
            raise FooterError("unexpected part after the footer metadata")
        return {k.title(): v for k, v in doc.items()}


def _read_bounded(part: Part, limit: int) -> bytes:
    chunks: List[bytes] = []
    size = 0
    while True:
        data = part.read()
        if not data:
            return b"".join(chunks)
        size += len(data)
        if size > limit:
            raise FooterError("footer metadata longer than %d bytes" % limit)
        chunks.append(data)


class _PartStream:
    """``read(n)`` over one part, malformed input as ``FooterError``."""

    def __init__(self, part: Part) -> None:
        self._part = part

    def read(self, size: int = 65536) -> bytes:
        try:
            return self._part.read(size)
        except FormDataError as err:
            raise FooterError(str(err)) from None


def stored_footers(footers: Footers) -> Footers:
    """The footer entries an object server stores (system metadata only)."""
    return {k: v for k, v in footers.items() if k.lower().startswith(FOOTER_PREFIXES)}
