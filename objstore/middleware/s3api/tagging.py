"""Object and bucket tags: the ``Tagging`` XML and the ``x-amz-tagging``
query form.

Tags are kept in object (or container) sysmeta as a URL-encoded query
string (the form ``x-amz-tagging`` already uses), validated against S3's
limits: at most 10 tags on an object and 50 on a bucket, keys up to 128 and
values up to 256 characters, keys unique.
"""

from __future__ import annotations

from typing import List, Tuple
from urllib.parse import parse_qsl, urlencode, quote

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.xml import parse, render, text_of

MAX_TAGS = 10
MAX_BUCKET_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def validate(tags: List[Tuple[str, str]], limit: int = MAX_TAGS) -> List[Tuple[str, str]]:
    if len(tags) > limit:
        raise S3Error("InvalidTag", "%s tags cannot be greater than %d." % (
            "Object" if limit == MAX_TAGS else "Bucket", limit))
    keys = set()
    for key, value in tags:
        if not key or len(key) > MAX_KEY or len(value) > MAX_VALUE:
            raise S3Error("InvalidTag", "Tag keys must be 1-%d and values 0-%d characters."
                          % (MAX_KEY, MAX_VALUE))
        if key in keys:
            raise S3Error("InvalidTag", "Cannot provide multiple tags with the same key.")
        keys.add(key)
    return tags


def encode(tags: List[Tuple[str, str]]) -> str:
    return urlencode(tags, quote_via=quote)


def decode(text: str) -> List[Tuple[str, str]]:
    return parse_qsl(text or "", keep_blank_values=True)


def parse_query_tags(text: str) -> str:
    """Validate an ``x-amz-tagging`` header; its stored form."""
    return encode(validate(decode(text)))


def parse_xml(body: bytes, limit: int = MAX_TAGS) -> str:
    """Validate a ``Tagging`` document (of at most ``limit`` tags); its
    stored form."""
    doc = parse(body, "Tagging")
    tag_set = doc.find("TagSet")
    if tag_set is None:
        raise S3Error("MalformedXML", "The Tagging document has no TagSet.")
    tags = [(text_of(t, "Key", "") or "", text_of(t, "Value", "") or "")
            for t in tag_set.findall("Tag")]
    return encode(validate(tags, limit))


def render_xml(stored: str) -> bytes:
    """A ``Tagging`` document of the stored tags, sorted by key: S3 defines
    no order for a tag set, and ceph's s3-tests (as RGW answers) expect this
    one."""
    return render("Tagging", [("TagSet", [("Tag", [("Key", k), ("Value", v)])
                                          for k, v in sorted(decode(stored))])])
