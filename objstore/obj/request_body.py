"""Reading an object PUT's body, and the metadata footers after it.

The proxy may send the body inside a MIME footer document
(``X-Backend-Obj-Metadata-Footer: yes``) so that metadata only known once
the body has streamed (encryption's ETag, a checksum) is committed with
the data in one write; the object server then says in its ``100
Continue`` that it reads them. Every read from the client is bounded by
``client_timeout``: a timeout is 408, a malformed document 400, a client
gone 499, a body whose MD5 is not the ETag sent 422 -- nothing is
published then.

A replicated PUT's body may instead be followed by the proxy's MD5 and
CRC of it (``common/body_sums``): then this server takes no MD5 itself,
checks the CRC against its writer's and keeps the proxy's MD5 (400 when
the CRC differs or the trailer is malformed).

A body written past the page cache (``obj/direct_write``) is read from the
socket straight into the writer's aligned buffer (``writer.room``,
``common/wsgi.read_body_into``): no ``bytes`` per chunk, no copy into it.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, Optional, Tuple

from webob import Request

from objstore.common import body_sums, concurrency, constraints, footers
from objstore.common.http import errors
from objstore.common.storage_server import HTTPError
from objstore.common.utils import new_md5
from objstore.common.wsgi import continue_headers, read_body_into
from objstore.obj.diskfile import DiskFileNoSpace


class BodyReader:
    """How one object server reads request bodies."""

    def __init__(self, client_timeout: float, chunk_size: int) -> None:
        self.client_timeout = client_timeout
        self.chunk_size = chunk_size

    def open(self, req: Request) -> Tuple[Optional[int], Any, Optional[footers.FooterDocument]]:
        """The object's length (if known), where its bytes are read from,
        and the footer document they sit in when the proxy sends one."""
        if req.headers.get(footers.METADATA_FOOTER, "").lower() != "yes":
            if self.sums_trailed(req):
                length = req.headers.get(footers.OBJ_CONTENT_LENGTH, "")
                if not length.isdigit() or req.content_length != \
                        int(length) + body_sums.TRAILER_BYTES:
                    raise HTTPError(400, "Bad %s" % footers.OBJ_CONTENT_LENGTH)
                continue_headers(req.environ, {body_sums.TRAILER_ACK: "yes"})
                return int(length), req.environ["wsgi.input"], None
            return req.content_length, req.environ["wsgi.input"], None
        length = None
        raw = req.headers.get(footers.OBJ_CONTENT_LENGTH)
        if raw is not None:
            if not raw.isdigit():
                raise HTTPError(400, "Bad %s" % footers.OBJ_CONTENT_LENGTH)
            length = int(raw)
        continue_headers(req.environ, {footers.FOOTER_ACK: "yes"})  # "I read them"
        with self._reading("the request body", ""):
            document = footers.FooterDocument(req.environ["wsgi.input"],
                                              req.headers.get(footers.MIME_BOUNDARY, ""),
                                              self.chunk_size)
        return length, document.body, document

    @contextlib.contextmanager
    def _reading(self, what: str, when: str) -> Iterator[None]:
        """Read part of a footer document from the client: a timeout is
        408, a malformed document 400, a client gone 499."""
        try:
            with concurrency.ChunkReadTimeout(self.client_timeout):
                yield
        except concurrency.ChunkReadTimeout:
            raise HTTPError(408, "Timed out reading %s" % what) from None
        except footers.FooterError as err:
            raise HTTPError(400, "Bad footer document: %s" % err) from None
        except (OSError, ValueError):
            raise HTTPError(499, "Client disconnected" + when) from None

    def footer_metadata(self, document: footers.FooterDocument, etag: str) -> Dict[str, str]:
        """The footer metadata to store; the data part's MD5 checked
        against the proxy's."""
        with self._reading("the footer metadata", " before the footer metadata"):
            sent = document.footers()
        expected = sent.get("Etag", "").strip('"').lower()
        if expected and expected != etag:
            raise HTTPError(422, "ETag %s does not match the body's MD5 %s" % (expected, etag))
        return footers.stored_footers(sent)

    @staticmethod
    def sums_trailed(req: Request) -> bool:
        """Whether the body is followed by the proxy's sums (and read so)."""
        return req.headers.get(footers.METADATA_FOOTER, "").lower() != "yes" and \
            req.headers.get(body_sums.TRAILER, "").lower() == body_sums.TRAILER_KIND and \
            body_sums.trailer_possible()

    def receive(self, req: Request, stream: Any, writer: Any, length: Optional[int]) -> str:
        """Copy the body to ``writer``; the MD5 hex of it, or an HTTPError."""
        trailed = self.sums_trailed(req)
        md5 = None if trailed else new_md5()
        max_size = constraints.LIMITS["max_file_size"]
        while length is None or writer.bytes_written < length:
            want = self.chunk_size
            if length is not None:
                want = min(want, length - writer.bytes_written)
            try:
                room = writer.room(want)
            except DiskFileNoSpace:
                raise HTTPError(507, "Device is full") from None
            try:
                with concurrency.ChunkReadTimeout(self.client_timeout):
                    got = None if room is None else read_body_into(stream, room)
                    chunk = stream.read(want) if got is None else room[:got]
            except concurrency.ChunkReadTimeout:
                raise HTTPError(408, "Timed out reading the request body") from None
            except footers.FooterError as err:
                raise HTTPError(400, "Bad footer document: %s" % err) from None
            except (OSError, ValueError):
                raise HTTPError(499, "Client disconnected") from None
            if not chunk:
                break
            if md5 is not None:
                md5.update(chunk)
            try:
                if got is None:
                    writer.write(chunk)
                else:
                    writer.filled(chunk)  # read in place: no copy
            except DiskFileNoSpace:
                raise HTTPError(507, "Device is full") from None
            if writer.bytes_written > max_size:
                raise HTTPError(413, errors.TOO_LARGE)
        if length is not None and writer.bytes_written < length:
            raise HTTPError(499, "Client disconnected after %d of %d bytes"
                            % (writer.bytes_written, length))
        etag = self._trailer_md5(stream, writer) if md5 is None else md5.hexdigest()
        sent = req.headers.get("ETag", "").strip().strip('"').lower()
        if sent and sent != etag:
            raise HTTPError(422, "ETag %s does not match the body's MD5 %s" % (sent, etag))
        return etag

    def _trailer_md5(self, stream: Any, writer: Any) -> str:
        """The proxy's MD5 of the body, once its CRC is the writer's."""
        raw = b""
        try:
            while len(raw) < body_sums.TRAILER_BYTES:
                with concurrency.ChunkReadTimeout(self.client_timeout):
                    more = stream.read(body_sums.TRAILER_BYTES - len(raw))
                if not more:
                    break
                raw += more
        except concurrency.ChunkReadTimeout:
            raise HTTPError(408, "Timed out reading the request body") from None
        except (OSError, ValueError):
            raise HTTPError(499, "Client disconnected") from None
        sums = body_sums.parse_trailer(raw)
        if sums is None:
            raise HTTPError(400, "Bad %s trailer" % body_sums.TRAILER)
        if sums[1] != writer.crc.hexdigest():
            raise HTTPError(400, "The body's CRC-64/NVME %s is not the one sent, %s"
                            % (writer.crc.hexdigest(), sums[1]))
        return sums[0]
