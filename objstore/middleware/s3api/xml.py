"""S3 XML documents: building responses and reading request bodies.

Responses are built as small trees of ``(tag, children)`` so the shape of
each document is visible where it is made; request bodies are parsed
namespace-blind (clients differ in whether they send the S3 namespace) and
any failure is ``MalformedXML``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable, List, Optional, Tuple, Union

from objstore.middleware.s3api.errors import S3Error

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"

# The most each XML request body may hold (bytes); a larger one is refused
# with MaxMessageLengthExceeded before it is read. Listed in docs/s3.md.
# Configuration documents (CreateBucketConfiguration, VersioningConfiguration,
# Tagging, CORSConfiguration, AccessControlPolicy) are small.
MAX_CONFIG_BODY = 64 * 1024
# A key is up to 1024 UTF-8 bytes, and XML escaping can make each byte six
# (``&quot;``): 8 KiB per <Object> lets every valid 1,000-key DeleteObjects in.
MAX_DELETE_OBJECT_BYTES = 8 * 1024
# A <Part>: number, quoted ETag and a checksum element, with room to spare.
MAX_COMPLETE_PART_BYTES = 512

Node = Tuple[str, Any]  # (tag, text | list of nodes | None)


def _write(out: List[str], nodes: Iterable[Optional[Node]]) -> None:
    """Append the nodes' markup to ``out``, as ElementTree writes it (an
    element with neither text nor children is ``<Tag />``; text escapes
    ``&``, ``<`` and ``>``). Written directly: a listing's hundreds of
    elements through ElementTree cost most of a ListObjects' CPU."""
    for node in nodes:
        if node is None:
            continue
        tag, value = node
        if isinstance(value, list):
            if any(child is not None for child in value):
                out.append("<%s>" % tag)
                _write(out, value)
                out.append("</%s>" % tag)
                continue
            text = ""
        elif value is None:
            text = ""
        else:
            text = value if isinstance(value, str) else _text(value)
        if text:
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out.append("<%s>%s</%s>" % (tag, text, tag))
        else:
            out.append("<%s />" % tag)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Control characters a key may hold that text cannot carry as they are: a
# parser reads a bare CR as LF (so "a\rb" would be listed as "a\nb"), and
# XML 1.0 has no place for the others. S3 sends each as a character
# reference (``&#xd;``, ``&#x1;``); clients that cannot read the latter ask
# for ``encoding-type=url``. TAB and LF pass as they are.
_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f]")


def _reference(match: "re.Match[bytes]") -> bytes:
    return b"&#x%x;" % match.group()[0]


def render(root: str, children: List[Optional[Node]], namespace: bool = True) -> bytes:
    """A UTF-8 XML document ``<root xmlns=S3>children</root>``.

    A character UTF-8 cannot carry (a lone surrogate) becomes a character
    reference, and the control characters below as S3 sends them."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<%s xmlns="%s">' % (root, S3_NS) if namespace else "<%s>" % root]
    if any(child is not None for child in children):
        _write(out, children)
        out.append("</%s>" % root)
    else:
        out[1] = out[1][:-1] + " />"
    body = "".join(out).encode("utf-8", "xmlcharrefreplace")
    if _CONTROL.search(body):
        body = _CONTROL.sub(_reference, body)
    return body


def _strip_ns(elem: ET.Element) -> None:
    for node in elem.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]


def parse(body: Union[bytes, str], root: str) -> ET.Element:
    """The parsed document, namespaces removed; ``MalformedXML`` unless its root is
    ``root``. Callers bound ``body`` (``S3Context.read_small_body``)."""
    try:
        elem = ET.fromstring(body)
    except ET.ParseError as err:
        raise S3Error("MalformedXML", "The XML body does not parse: %s." % err) from None
    _strip_ns(elem)
    if elem.tag != root:
        raise S3Error("MalformedXML", "Expected a <%s> document, got <%s>." % (root, elem.tag))
    return elem


def delete_body_limit(max_objects: int) -> int:
    """The largest DeleteObjects body for ``max_objects`` keys."""
    return max_objects * MAX_DELETE_OBJECT_BYTES + 4096


def complete_body_limit(max_parts: int) -> int:
    """The largest CompleteMultipartUpload body for ``max_parts`` parts."""
    return max_parts * MAX_COMPLETE_PART_BYTES + 4096


def text_of(elem: ET.Element, tag: str, default: Optional[str] = None) -> Optional[str]:
    """Text of the first child ``tag`` (``""`` if empty), else ``default``."""
    child = elem.find(tag)
    if child is None:
        return default
    return child.text or ""
