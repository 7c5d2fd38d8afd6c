"""The result document of a long request (bulk delete, archive extraction,
SLO manifest PUT and delete), in the format the client's ``Accept`` picks.

JSON is the fields in the caller's order plus ``"Errors": [[name, status],
...]``. XML is ``<root>`` with one lower_case element per field (sorted by
field name, as Swift lists them), then ``<errors>`` with one ``<object>``
per error. Plain text is ``Key: value`` lines (sorted), then ``Errors:``
and one ``name, status`` line per error. An ``Accept`` naming none of
these (or not a media range list at all) gets plain text under the
caller's fallback Content-Type, as Swift answers; a bulk delete, an
archive extraction or an SLO delete then does nothing and reports
``406 Not Acceptable`` (``NOT_ACCEPTABLE``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

from objstore.common.http.accept import InvalidAccept, best_offer

Fields = Sequence[Tuple[str, Any]]
Errors = Sequence[Sequence[str]]


NOT_ACCEPTABLE = "406 Not Acceptable"


def accepted_type(accept: Optional[str]) -> Optional[str]:
    """The report format this ``Accept`` picks; None if it names none."""
    try:
        return best_offer(accept)
    except InvalidAccept:
        return None


def report_type(accept: Optional[str], fallback: str) -> str:
    """The Content-Type of the report for this ``Accept``."""
    return accepted_type(accept) or fallback


def render(content_type: str, root: str, fields: Fields, errors: Errors) -> bytes:
    """The report as ``content_type`` (from ``report_type``) says."""
    if content_type == "application/json":
        doc: Dict[str, Any] = dict(fields)
        doc["Errors"] = [list(e) for e in errors]
        return json.dumps(doc).encode("utf-8")
    ordered = sorted(fields)
    if content_type in ("application/xml", "text/xml"):
        out = ["<%s>\n" % root]
        for key, value in ordered:
            tag = key.lower().replace(" ", "_")
            out.append("<%s>%s</%s>\n" % (tag, escape(str(value)), tag))
        out.append("<errors>\n")
        for name, status in errors:
            out.append("<object><name>%s</name><status>%s</status></object>\n"
                       % (escape(name), escape(status)))
        out.append("</errors>\n</%s>\n" % root)
        return "".join(out).encode("utf-8")
    lines: List[str] = ["%s: %s\n" % (key, value) for key, value in ordered] + ["Errors:\n"]
    lines += ["%s, %s\n" % (name, status) for name, status in errors]
    return "".join(lines).encode("utf-8")
