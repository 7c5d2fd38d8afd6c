"""Account and container listings as clients see them: query parameters,
format negotiation, the JSON items and the three renderings (json, xml,
plain), shaped byte for byte as Swift 2.38.3 sends them.

The container and account servers render with this module, and the proxy
(which always asks the servers for JSON) re-renders with it, so the two
cannot drift. Pure functions: text in, bytes out. Which rows a listing
returns (prefix, delimiter, markers, paging) is the storage layer's
``objstore.db.listing``; this module only parses what the client asked and
renders what the broker found.

Swift's shapes, measured against a real Swift:

* JSON items: ``bytes, hash, name, content_type, last_modified`` for
  objects (then any extra fields a row carries, e.g. ``slo_etag``),
  ``name, count, bytes, last_modified`` (then ``storage_policy``) for
  containers, ``{"subdir": ...}`` for pseudo-directories; ``last_modified``
  with microseconds.
* XML: a container listing is one line (``<container name="c" />`` when
  empty), objects carry only the five standard fields and a subdir carries
  a ``<name>`` child; an account listing puts each element on its own line
  and a subdir is an empty element.
* A plain listing is one name (or subdir) per line; empty, it is a 204.
* ``?format=`` wins over ``Accept`` (an unknown format means plain);
  without it the answer varies on Accept (``Vary: Accept``).
* ``limit`` that is not a non-negative integer is ignored; above the
  maximum it is a 412. A delimiter of any length is accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from objstore.common.http.accept import REPORT_OFFERS, InvalidAccept, best_offer
from objstore.common.timestamp import isoformat

JSON_TYPE = "application/json"
XML_TYPES = ("application/xml", "text/xml")
PLAIN_TYPE = "text/plain"
# Order matters: among equally acceptable types, the first wins (plain for */*).
_OFFERS = REPORT_OFFERS  # plain, JSON, XML (two types)
_FORMAT_TYPES = {"json": JSON_TYPE, "xml": "application/xml", "plain": PLAIN_TYPE}

#: Parameters whose values must be UTF-8 text (NUL is accepted, as by Swift).
TEXT_PARAMS = ("prefix", "delimiter", "marker", "end_marker", "path")
_TRUE = ("true", "1", "yes", "on", "t", "y")
_OBJECT_FIELDS = ("name", "hash", "bytes", "content_type", "last_modified")
_CONTAINER_FIELDS = ("name", "count", "bytes", "last_modified", "storage_policy")


@dataclass(frozen=True)
class ListingParams:
    """What a client asked for; validated by ``parse_listing_params``."""
    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    end_marker: str = ""
    limit: int = 10000
    reverse: bool = False
    path: Optional[str] = None


class ListingParamError(ValueError):
    """A listing query parameter is invalid; answer ``status`` with the message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def query_params(query_string: str) -> Dict[str, str]:
    """The query string as a dict (the last value of a repeated name wins,
    as in Swift); bytes that are not UTF-8 survive as surrogates so
    ``parse_listing_params`` refuses them."""
    return dict(parse_qsl(query_string or "", keep_blank_values=True,
                          encoding="utf-8", errors="surrogateescape"))


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_limit(raw: Optional[str], max_limit: int) -> Optional[int]:
    """The client's ``limit``: None when absent or not a non-negative
    integer (ignored, as Swift does: ``5000.0``, ``-1``, ``abc``);
    ``ListingParamError`` (412) above ``max_limit``."""
    if raw is None or not raw.strip().isdigit():
        return None
    limit = int(raw)
    if limit > max_limit:
        raise ListingParamError(412, "Maximum limit is %d" % max_limit)
    return limit


def parse_listing_params(query: Mapping[str, str], max_limit: int,
                         allow_path: bool = True) -> ListingParams:
    """Validate the listing parameters of a request's query (see
    ``query_params``): 400 for text that is not UTF-8, 412 for a limit
    above ``max_limit``."""
    for key in TEXT_PARAMS:
        value = query.get(key)
        if value is not None and not _valid_text(value):
            raise ListingParamError(400, '"%s" parameter not valid UTF-8' % key)
    limit = parse_limit(query.get("limit"), max_limit)
    return ListingParams(prefix=query.get("prefix") or "",
                         delimiter=query.get("delimiter") or "",
                         marker=query.get("marker") or "",
                         end_marker=query.get("end_marker") or "",
                         limit=max_limit if limit is None else limit,
                         reverse=str(query.get("reverse", "")).strip().lower() in _TRUE,
                         path=query.get("path") if allow_path else None)


# ------------------------------------------------------------ negotiation

def listing_media_type(format_param: Optional[str], accept: Optional[str]) -> Optional[str]:
    """The listing's media type, or None when the client accepts none (406);
    ``ListingParamError`` (400 "Invalid Accept header") for an ``Accept``
    that is not a media range list (see ``accept``).

    ``?format=`` wins over ``Accept``; an unknown format means plain text.
    """
    if format_param:
        return _FORMAT_TYPES.get(format_param.strip().lower(), PLAIN_TYPE)
    try:
        return best_offer(accept, _OFFERS)
    except InvalidAccept:
        raise ListingParamError(400, "Invalid Accept header") from None


def listing_headers(media_type: str, format_param: Optional[str]) -> Dict[str, str]:
    """Content-Type (with charset) and ``Vary: Accept`` when the query has
    no ``format`` at all (an empty ``format=`` lets Accept decide, yet
    Swift sends no Vary then)."""
    headers = {"Content-Type": media_type + "; charset=utf-8"}
    if format_param is None:
        headers["Vary"] = "Accept"
    return headers


# ------------------------------------------------------------------ items

def _split_params(content_type: str) -> List[str]:
    """``type;param;param`` split at the semicolons outside quoted strings."""
    parts, current, quoted = [], [], False
    for ch in content_type:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


#: object_versioning's parameter: the version id of an object written in a
#: versioned container, so its listing row carries it (as ``version_id``)
VERSION_ID_PARAM = "swift_versions_id"
#: s3api's: the ETag of an object a multipart upload completed
S3_ETAG_PARAM = "s3_etag"
_KEPT_PARAMS = ("swift_bytes", "slo_etag", S3_ETAG_PARAM, VERSION_ID_PARAM)


def split_content_type(content_type: str) -> Tuple[str, Dict[str, str]]:
    """A stored content type as listings show it, and the parameters
    middlewares keep in it (``swift_bytes``: the size of a large object;
    ``slo_etag``: its ETag; ``s3_etag``: its multipart ETag;
    ``swift_versions_id``: its version id), which
    it then no longer carries. As Swift
    lists them, the other parameters are joined by ``;`` without spaces
    (``image/png; charset=x`` is listed ``image/png;charset=x``)."""
    if ";" not in content_type:
        return content_type, {}
    main, *rest = _split_params(content_type)
    kept, params = [main], {}
    for part in rest:
        key, _sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not value.startswith('"'):
            value = (value.split() or [""])[0]  # "x=1 2" is listed "x=1"
        if key in _KEPT_PARAMS:
            params[key] = value
        elif key:  # each parameter is listed as key=value ("x" as "x=")
            kept.append("%s=%s" % (key, value))
    return ";".join(kept), params


#: headers of an object server's container update: when the row's content
#: type was set and when its metadata last changed (an object POST), next
#: to ``X-Timestamp``, the time of the data (absent: the data's time)
ROW_CTYPE_TIMESTAMP = "X-Content-Type-Timestamp"
ROW_META_TIMESTAMP = "X-Meta-Timestamp"


def listed_type_after_post(new_type: str, data_type: str) -> str:
    """The content type a container lists once a POST set an object's type
    to ``new_type``: the client's type and parameters, but not the ones
    middlewares keep (``swift_bytes``, ``slo_etag``, ``swift_versions_id``),
    which stay as the object's PUT (``data_type``) set them, so a client
    cannot change a listed size and a large object keeps its listed size,
    ETag and version id (as Swift 2.38.3 lists them)."""
    listed, _ignored = split_content_type(new_type)
    _data, kept = split_content_type(data_type)
    return listed + "".join(";%s=%s" % item for item in kept.items())


def object_item(name: str, created_at: str, size: int, content_type: str,
                etag: str) -> Dict[str, Any]:
    """The JSON form of one container listing row."""
    ctype, params = split_content_type(content_type)
    try:
        size = int(params.get("swift_bytes", size))
    except ValueError:
        pass
    item: Dict[str, Any] = {"bytes": size, "hash": etag, "name": name, "content_type": ctype,
                            "last_modified": isoformat(created_at)}
    if "slo_etag" in params:
        item["slo_etag"] = '"%s"' % params["slo_etag"].strip('"')
    if S3_ETAG_PARAM in params:
        item[S3_ETAG_PARAM] = '"%s"' % params[S3_ETAG_PARAM].strip('"')
    if VERSION_ID_PARAM in params:
        item["version_id"] = params[VERSION_ID_PARAM]
    return item


def container_item(name: str, count: int, bytes_used: int, put_timestamp: str,
                   storage_policy: Optional[str] = None) -> Dict[str, Any]:
    """The JSON form of one account listing row."""
    item: Dict[str, Any] = {"name": name, "count": count, "bytes": bytes_used,
                            "last_modified": isoformat(put_timestamp)}
    if storage_policy is not None:
        item["storage_policy"] = storage_policy
    return item


def subdir_item(name: str) -> Dict[str, Any]:
    return {"subdir": name}


# ---------------------------------------------------------------- render

def _attr(value: str) -> str:
    return '"%s"' % escape(value, {'"': "&quot;"})


def _elements(item: Mapping[str, Any], fields: Iterable[str]) -> str:
    return "".join("<%s>%s</%s>" % (f, escape(str(item[f])), f) for f in fields if f in item)


def _xml_container(items: Sequence[Mapping[str, Any]], name: str) -> str:
    if not items:
        return '<container name=%s />' % _attr(name)
    parts = ["<container name=%s>" % _attr(name)]
    for item in items:
        if "subdir" in item and "name" not in item:
            parts.append("<subdir name=%s><name>%s</name></subdir>"
                         % (_attr(str(item["subdir"])), escape(str(item["subdir"]))))
        else:
            parts.append("<object>%s</object>" % _elements(item, _OBJECT_FIELDS))
    parts.append("</container>")
    return "".join(parts)


def _xml_account(items: Sequence[Mapping[str, Any]], name: str) -> str:
    lines = ["<account name=%s>" % _attr(name)]
    for item in items:
        if "subdir" in item and "name" not in item:
            lines.append("<subdir name=%s />" % _attr(str(item["subdir"])))
        else:
            lines.append("<container>%s</container>" % _elements(item, _CONTAINER_FIELDS))
    lines.append("</account>")
    return "\n".join(lines)


def render_listing(items: Sequence[Mapping[str, Any]], media_type: str, kind: str,
                   name: str) -> bytes:
    """The body of a listing of ``kind`` (``account`` lists containers,
    ``container`` lists objects) named ``name``, as ``media_type``."""
    if media_type == JSON_TYPE:
        return json.dumps(list(items)).encode("utf-8")
    if media_type in XML_TYPES:
        body = _xml_account(items, name) if kind == "account" else _xml_container(items, name)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")
    return "".join("%s\n" % (item.get("name") if "name" in item else item.get("subdir"))
                   for item in items).encode("utf-8")


def items_from_json(body: bytes) -> List[Dict[str, Any]]:
    """A backend's JSON listing; ``ValueError`` when it is not a list of objects."""
    items = json.loads(body or b"[]")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("a listing must be a JSON list of objects")
    return items
