"""HTTP byte ranges (RFC 7233) as Swift 2.38.3 answers them: parse, resolve, frame.

Every server and middleware that honours a ``Range`` header goes through
this module, so a replicated object, an erasure-coded one, a large object
and an S3 GET cannot disagree about which bytes a header selects.

Three steps, each a pure function:

* ``parse_range_specs`` reads the header's syntax. Whitespace anywhere is
  ignored (``bytes = 1 - 2`` is ``bytes=1-2``, as LWS-tolerant clients
  expect); any malformed item makes the whole header invalid, and an
  invalid header is ignored (the client gets the whole object, 200).
* ``resolve_spans`` turns the specs into byte spans of an object of a given
  length. Items that start past the end are dropped; if none is left the
  answer is 416 (``Unsatisfiable``). A suffix range on an empty object is
  ignored rather than refused, so ``bytes=-N`` on 0 bytes answers 200.
* ``multipart_body`` frames several spans as ``multipart/byteranges`` around
  any function that reads a span, so it needs no socket or file to test.

Abuse limits (RFC 7233 section 6.1 asks servers to refuse "egregious"
range sets): requests for more than ``MAX_RANGES`` satisfiable ranges, with
more than ``MAX_OVERLAPS`` overlapping pairs, or with ``MAX_NONASCENDING``
or more ranges out of ascending order are answered 416. Without these a
header of 100 copies of ``0-`` would make the server send the object 100
times for one request.
"""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

from objstore.common.http.errors import default_body

#: More satisfiable ranges than this in one request: 416.
MAX_RANGES = 50
#: More pairs of overlapping ranges than this: 416.
MAX_OVERLAPS = 2
#: This many ranges or more, not in ascending order: 416.
MAX_NONASCENDING = 8

#: The body of every 416 answer to a Swift object GET.
NOT_SATISFIABLE_BODY = default_body(416)

# The first position may be written as an integer literal (``+5``, ``1_0``),
# the last only as plain digits: that is what Swift accepts.
_FIRST = re.compile(r"^\+?[0-9]+(?:_[0-9]+)*$")
_LAST = re.compile(r"^[0-9]+$")
_CONTENT_RANGE = re.compile(r"^bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)$")

Spec = Tuple[Optional[int], Optional[int]]  # (first, last) inclusive; None = omitted
Span = Tuple[int, int]  # start, stop (exclusive)


class Unsatisfiable(ValueError):
    """No requested range can be served (answer 416 with ``bytes */N``)."""


def parse_range_specs(header: Optional[str]) -> Optional[List[Spec]]:
    """The ``(first, last)`` items of a ``Range`` header, or None to ignore it.

    None for: no header, a unit other than ``bytes``, an empty item
    (``bytes=1-2,``), a non-numeric position, ``last < first``.
    """
    if not header:
        return None
    text = "".join(header.split())
    unit, eq, items = text.partition("=")
    if not eq or unit.lower() != "bytes" or not items:
        return None
    specs: List[Spec] = []
    for item in items.split(","):
        first_text, dash, last_text = item.partition("-")
        if not dash or not (first_text or last_text):
            return None
        if first_text and not _FIRST.match(first_text):
            return None
        if last_text and not _LAST.match(last_text):
            return None
        first = int(first_text) if first_text else None
        last = int(last_text) if last_text else None
        if first is not None and last is not None and last < first:
            return None
        specs.append((first, last))
    return specs


def _overlap(a: Span, b: Span) -> bool:
    """Whether an end of one span lies strictly inside the other.

    Identical spans do not count: a client asking twice for the same bytes
    costs no more than the object's length per copy, which the count limit
    already bounds."""
    return (a[0] < b[0] < a[1] or a[0] < b[1] < a[1] or
            b[0] < a[0] < b[1] or b[0] < a[1] < b[1])


def resolve_spans(specs: Optional[List[Spec]], length: int) -> Optional[List[Span]]:
    """The spans of ``length`` bytes the specs select, in request order.

    None: send the whole object (no specs, or a suffix range on an empty
    object). Raises ``Unsatisfiable`` when nothing fits or the set is
    egregious (see the module docstring).
    """
    if specs is None:
        return None
    spans: List[Span] = []
    empty_suffix = False
    for first, last in specs:
        if first is None:
            suffix = int(last or 0)
            if suffix == 0:
                continue
            if length == 0:
                empty_suffix = True
                continue
            spans.append((max(0, length - suffix), length))
        elif first < length:
            stop = length if last is None else min(last + 1, length)
            spans.append((first, stop))
    if empty_suffix:
        return None
    if not spans:
        raise Unsatisfiable("no range fits an object of %d bytes" % length)
    if len(spans) > MAX_RANGES:
        raise Unsatisfiable("more than %d ranges" % MAX_RANGES)
    overlaps = sum(1 for a, b in itertools.combinations(spans, 2) if _overlap(a, b))
    if overlaps > MAX_OVERLAPS:
        raise Unsatisfiable("more than %d overlapping ranges" % MAX_OVERLAPS)
    if len(spans) >= MAX_NONASCENDING and spans != sorted(spans):
        raise Unsatisfiable("%d ranges out of order" % len(spans))
    return spans


def ranges_for_length(header: Optional[str], length: int) -> Optional[List[Span]]:
    """``resolve_spans(parse_range_specs(header), length)``."""
    return resolve_spans(parse_range_specs(header), length)


def single_span(header: Optional[str], length: int) -> Optional[Tuple[int, int]]:
    """``(first, last)`` inclusive when the header selects exactly one span.

    For servers that serve at most one span: None means send the whole
    object (no header, invalid, or several satisfiable spans, which RFC 7233
    lets a server answer with the whole representation). ``Unsatisfiable``
    as ``resolve_spans``.
    """
    spans = ranges_for_length(header, length)
    if spans is None or len(spans) != 1:
        return None
    return spans[0][0], spans[0][1] - 1


def content_range(span: Span, length: int) -> str:
    """``Content-Range`` of one span of a ``length``-byte object."""
    return "bytes %d-%d/%d" % (span[0], span[1] - 1, length)


def unsatisfiable_content_range(length: int) -> str:
    return "bytes */%d" % length


def parse_content_range(value: Optional[str]) -> Optional[Tuple[int, int, Optional[int]]]:
    """``(first, last, length)`` of a ``Content-Range: bytes a-b/N`` header
    (length None for ``*``); None when it is not one span."""
    match = _CONTENT_RANGE.match((value or "").strip())
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


def new_boundary() -> str:
    """A ``multipart/byteranges`` boundary: 32 hex digits, as Swift's."""
    return uuid.uuid4().hex


def multipart_content_type(boundary: str) -> str:
    return "multipart/byteranges;boundary=%s" % boundary


def _part_head(boundary: str, content_type: str, span: Span, length: int, first: bool) -> bytes:
    return (("" if first else "\r\n") + "--%s\r\nContent-Type: %s\r\nContent-Range: %s\r\n\r\n"
            % (boundary, content_type, content_range(span, length))).encode("latin-1")


def _tail(boundary: str) -> bytes:
    return ("\r\n--%s--" % boundary).encode("latin-1")


def multipart_length(spans: List[Span], length: int, content_type: str, boundary: str) -> int:
    """Exact size of ``multipart_body`` (so the response has Content-Length)."""
    total = len(_tail(boundary))
    for i, span in enumerate(spans):
        total += len(_part_head(boundary, content_type, span, length, i == 0))
        total += span[1] - span[0]
    return total


def multipart_body(read_span: Callable[[int, int], Iterable[bytes]], spans: List[Span],
                   length: int, content_type: str, boundary: str) -> Iterator[bytes]:
    """The ``multipart/byteranges`` body, reading each span lazily with
    ``read_span(start, stop)``: memory stays bounded by one chunk."""
    for i, span in enumerate(spans):
        yield _part_head(boundary, content_type, span, length, i == 0)
        for chunk in read_span(*span):
            yield chunk
    yield _tail(boundary)
