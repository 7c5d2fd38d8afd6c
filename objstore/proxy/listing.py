"""Account and container listings in the three formats clients ask for.

The proxy always asks storage servers for JSON and renders the format the
client wants here, so every storage server version and every middleware
sees one shape. Pure functions: entries in, bytes out.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional
from xml.sax.saxutils import escape, quoteattr

JSON = "json"
XML = "xml"
PLAIN = "plain"
TEXT_XML = "text-xml"  # XML, but labelled text/xml because the client asked so
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "application/xml; charset=utf-8",
    TEXT_XML: "text/xml; charset=utf-8",
    PLAIN: "text/plain; charset=utf-8",
}
_FORMAT_ALIASES = {"json": JSON, "xml": XML, "plain": PLAIN, "text": PLAIN}
_ACCEPT_TYPES = [("application/json", JSON), ("application/xml", XML), ("text/xml", TEXT_XML),
                 ("text/plain", PLAIN)]


class ListingFormatError(ValueError):
    """The client asked for a format we cannot produce (406)."""


def _parse_accept(accept: str) -> List[tuple]:
    """Accept entries as ``(quality, position, media_type)``."""
    parsed = []
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        parsed.append((quality, position, media))
    return parsed


def listing_format(format_param: Optional[str], accept: Optional[str]) -> str:
    """The format for a listing: ``?format=`` wins, then ``Accept``, else plain.

    Raises ``ListingFormatError`` when ``Accept`` admits none of ours.
    """
    if format_param:
        fmt = _FORMAT_ALIASES.get(format_param.strip().lower())
        if fmt:
            return fmt
    if not accept:
        return PLAIN
    best: Optional[tuple] = None
    for quality, position, media in _parse_accept(accept):
        if quality <= 0:
            continue
        for candidate, fmt in _ACCEPT_TYPES:
            major, minor = candidate.split("/")
            if media in (candidate, "%s/*" % major, "*/*"):
                # exact matches beat wildcards at equal quality
                rank = (quality, 0 if media == candidate else -1, -position)
                if best is None or rank > best[0]:
                    best = (rank, PLAIN if media == "*/*" else fmt)
                break
    if best is None:
        raise ListingFormatError("none of the listing formats (json, xml, plain) is "
                                 "acceptable; send ?format=json or Accept: application/json")
    return best[1]


def _xml_children(entry: Dict[str, Any], keys: List[str]) -> str:
    return "".join("<%s>%s</%s>" % (k, escape(str(entry.get(k, ""))), k) for k in keys
                   if k in entry)


def render_listing(entries: List[Dict[str, Any]], fmt: str, kind: str, name: str) -> bytes:
    """The body of a listing of ``kind`` (``account`` lists containers,
    ``container`` lists objects) named ``name``."""
    if fmt == JSON:
        return json.dumps(entries).encode("utf-8")
    if fmt == PLAIN:
        return "".join((e.get("name") or e.get("subdir", "")) + "\n"
                       for e in entries).encode("utf-8")
    item_tag = "container" if kind == "account" else "object"
    keys = (["name", "count", "bytes", "last_modified"] if kind == "account" else
            ["name", "hash", "bytes", "content_type", "last_modified"])
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<%s name=%s>' % (kind, quoteattr(name))]
    for entry in entries:
        if "subdir" in entry and "name" not in entry:
            parts.append("<subdir name=%s><name>%s</name></subdir>"
                         % (quoteattr(entry["subdir"]), escape(entry["subdir"])))
            continue
        extra = [k for k in entry if k not in keys and not isinstance(entry[k], (dict, list))]
        parts.append("<%s>%s</%s>" % (item_tag, _xml_children(entry, keys + extra), item_tag))
    parts.append("</%s>" % kind)
    return "".join(parts).encode("utf-8")
