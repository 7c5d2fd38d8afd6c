"""HTTP byte ranges (RFC 7233) as pure functions: parse, then frame.

``parse_range`` decides which bytes a ``Range`` header asks for;
``multipart_body`` frames several ranges as ``multipart/byteranges``
around any function that reads a byte span, so it needs no socket or file
to be tested.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

#: More ranges than this is treated as no Range at all: a client asking
#: for thousands of tiny pieces is more likely abuse than a real need.
MAX_RANGES = 100
_SPEC = re.compile(r"^(\d*)-(\d*)$")

Span = Tuple[int, int]  # start, stop (exclusive)


class Unsatisfiable(Exception):
    """No requested range overlaps the object (answer 416)."""


def parse_range(header: Optional[str], length: int) -> Optional[List[Span]]:
    """The spans a ``Range`` header selects from ``length`` bytes.

    None means "ignore the header, send everything": no header, a unit other
    than bytes, bad syntax, too many ranges, or an empty object. Raises
    ``Unsatisfiable`` when the syntax is fine but no range fits.
    """
    if not header or length <= 0:
        return None
    unit, eq, specs = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    parsed = []
    for item in specs.split(","):
        item = item.strip()
        if not item:
            continue
        match = _SPEC.match(item)
        if not match or match.group(0) == "-":
            return None
        first, last = match.groups()
        if first and last and int(last) < int(first):
            return None
        parsed.append((first, last))
    if not parsed or len(parsed) > MAX_RANGES:
        return None
    spans: List[Span] = []
    for first, last in parsed:
        if first:
            start = int(first)
            if start >= length:
                continue
            stop = min(int(last) + 1, length) if last else length
            spans.append((start, stop))
        else:
            suffix = int(last)
            if suffix == 0:
                continue
            spans.append((max(0, length - suffix), length))
    if not spans:
        raise Unsatisfiable("no range of %r fits %d bytes" % (header, length))
    return spans


def content_range(span: Span, length: int) -> str:
    return "bytes %d-%d/%d" % (span[0], span[1] - 1, length)


def unsatisfiable_content_range(length: int) -> str:
    return "bytes */%d" % length


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
    """The ``multipart/byteranges`` body, reading each span lazily."""
    for i, span in enumerate(spans):
        yield _part_head(boundary, content_type, span, length, i == 0)
        for chunk in read_span(*span):
            yield chunk
    yield _tail(boundary)
