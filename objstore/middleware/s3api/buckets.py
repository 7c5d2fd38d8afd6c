"""Bucket operations: a bucket is a Swift container in the caller's account.

The hidden ``<bucket>+segments`` container holding multipart parts and the
``<bucket>+versions`` archive of a versioned bucket are never shown as
buckets and are removed with their bucket.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Optional

from webob import Response

from objstore.middleware.s3api import acl, bucket_index, listing
from objstore.middleware.s3api.context import (SEGMENTS_SUFFIX, VERSIONS_SUFFIX, S3Context, iso8601,
                                                parse_swift_time)
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.manifest import BUCKET_MANIFESTS_SYSMETA
from objstore.middleware.s3api.paging import iter_listing, list_page
from objstore.middleware.s3api.request import valid_bucket_name
from objstore.middleware.s3api.xml import parse, render, text_of

LISTING_PAGE = 10000
HIDDEN_SUFFIXES = (SEGMENTS_SUFFIX, VERSIONS_SUFFIX)


def xml_response(body: bytes, status: int = 200) -> Response:
    return Response(status=status, body=body, content_type="application/xml", charset=None)


def owner_id(ctx: S3Context) -> str:
    """Who S3 shows as the owner: the account (``AUTH_test``)."""
    return ctx.swift.account or ctx.swift.auth_details["access_key"]


def check_bucket(ctx: S3Context) -> None:
    """Hidden and unnamable containers are not buckets."""
    if ctx.bucket.endswith(HIDDEN_SUFFIXES) or "/" in ctx.bucket or not ctx.bucket:
        raise S3Error("NoSuchBucket", BucketName=ctx.bucket)


def list_buckets(ctx: S3Context) -> Response:
    """ListBuckets: the account listing without the hidden segment containers;
    ``prefix``, and pages of ``max-buckets`` followed by ``continuation-token``
    (a page that is not the last names the token of the next);
    ``bucket-region`` other than this store's location lists none. As S3,
    each bucket shows its ``BucketRegion`` once any of these is given."""
    prefix = ctx.query.get("prefix") or ""
    limit = _max_buckets(ctx.query)
    token = ctx.query.get("continuation-token")
    marker = _token_marker(token) if token else ""
    region = ctx.query.get("bucket-region")
    if region is not None and region != ctx.conf.location:
        entries: List[Dict[str, Any]] = []
    else:
        entries = _account_listing(ctx, prefix, marker, None if limit is None else limit + 1)
    more = limit is not None and len(entries) > limit
    entries = entries[:limit] if limit is not None else entries
    owner = owner_id(ctx)
    with_region = any(name in ctx.query for name in LIST_BUCKETS_PARAMS)
    nodes = [("Bucket", [("Name", e["name"]),
                         ("CreationDate", iso8601(parse_swift_time(e.get("last_modified", "")))),
                         ("BucketRegion", ctx.conf.location) if with_region else None])
             for e in entries]
    children: List[Any] = [("Owner", [("ID", owner), ("DisplayName", owner)]), ("Buckets", nodes)]
    if more:
        children.append(("ContinuationToken", _marker_token(entries[-1]["name"])))
    if prefix:
        children.append(("Prefix", prefix))
    return xml_response(render("ListAllMyBucketsResult", children))


#: the most buckets a ListBuckets page may ask for (``max-buckets``), as S3's
MAX_BUCKETS = 10000
#: ListBuckets' query parameters
LIST_BUCKETS_PARAMS = ("prefix", "max-buckets", "continuation-token", "bucket-region")


def _max_buckets(query: Dict[str, str]) -> Optional[int]:
    """The page size asked for: ``max-buckets`` (1 to 10,000), 10,000 when
    only a ``continuation-token`` is given, else ``None`` (every bucket)."""
    raw = query.get("max-buckets")
    if raw is None:
        return MAX_BUCKETS if query.get("continuation-token") else None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BUCKETS:
        raise S3Error("InvalidArgument", "Argument max-buckets must be an integer between "
                      "1 and %d" % MAX_BUCKETS, ArgumentName="max-buckets", ArgumentValue=raw)
    return value


def _marker_token(name: str) -> str:
    """The opaque ``ContinuationToken`` after bucket ``name``."""
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")


def _token_marker(token: str) -> str:
    """The bucket name a ``continuation-token`` stands for (400 if it is none)."""
    try:
        name = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError):
        name = ""
    if not name:  # (a container made with the Swift API may not be a valid S3 name)
        raise S3Error("InvalidArgument", "The continuation token provided is incorrect",
                      ArgumentName="continuation-token", ArgumentValue=token)
    return name


def head_service(ctx: S3Context) -> Response:
    """HEAD on the service: S3 has no such operation and answers 405, once the
    request is known to come from a user (a bad signature is still 403)."""
    resp = ctx.swift.request("HEAD")
    resp.close()
    if resp.status not in (404,):
        ctx.raise_for(resp, "NoSuchBucket")
    raise S3Error("MethodNotAllowed", "The specified method is not allowed against this "
                  "resource.", Method="HEAD", ResourceType="SERVICE")


def _account_listing(ctx: S3Context, prefix: str = "", marker: str = "",
                     want: Optional[int] = None) -> List[Dict[str, Any]]:
    """The buckets (hidden containers left out) after ``marker`` whose names
    start with ``prefix``: all of them, or the first ``want``."""
    entries: List[Dict[str, Any]] = []
    while True:
        query = [("format", "json"), ("limit", str(LISTING_PAGE))]
        if prefix:
            query.append(("prefix", prefix))
        if marker:
            query.append(("marker", marker))
        resp = ctx.swift.request("GET", query=query)
        if resp.status == 404:
            resp.close()
            return entries
        ctx.raise_for(resp, "NoSuchBucket")
        if resp.status == 204:
            resp.close()
            return entries
        page = json.loads(resp.body or b"[]")
        entries.extend(e for e in page
                       if "name" in e and not e["name"].endswith(HIDDEN_SUFFIXES))
        if want is not None and len(entries) >= want:
            return entries[:want]
        if len(page) < LISTING_PAGE:
            return entries
        marker = page[-1]["name"]


def create_bucket(ctx: S3Context) -> Response:
    """CreateBucket, with an optional ``LocationConstraint`` and canned ACL."""
    if not valid_bucket_name(ctx.bucket):
        raise S3Error("InvalidBucketName", BucketName=ctx.bucket)
    has_body = ctx.env.get("CONTENT_LENGTH") not in (None, "", "0") or \
        "x-amz-decoded-content-length" in ctx.headers
    if has_body:
        body = ctx.read_small_body()
        if body.strip():
            doc = parse(body, "CreateBucketConfiguration")
            location = text_of(doc, "LocationConstraint", "") or ""
            if location not in ("", ctx.conf.location):
                raise S3Error("InvalidLocationConstraint", "This store's location is %s; "
                              "the constraint %r cannot be met." % (ctx.conf.location, location))
    ctx.swift.authenticate()
    from objstore.middleware.s3api import ownership  # it builds on this module
    bucket_acl = acl.from_headers(ctx.headers, owner_id(ctx), bucket=True)
    headers = acl.container_headers(bucket_acl)
    headers.update(ownership.create_headers(ctx, bucket_acl))
    from objstore.middleware.s3api import locking  # it builds on this module
    headers.update(locking.create_headers(ctx))
    # no multipart object yet (objects.manifests_possible)
    headers[BUCKET_MANIFESTS_SYSMETA] = "0"
    # An existing bucket is left exactly as it is (no ACL rewrite).
    head = ctx.swift.request("HEAD", ctx.bucket)
    head.close()
    if head.ok:
        raise S3Error("BucketAlreadyOwnedByYou", BucketName=ctx.bucket)
    if head.status in (401, 403):
        raise S3Error("AccessDenied")
    account = ctx.swift.account or ""
    if ctx.conf.bucket_index_account:
        bucket_index.claim(ctx, ctx.bucket, account)
    resp = ctx.swift.request("PUT", ctx.bucket, headers=headers)
    resp.close()
    if resp.status == 202:  # made meanwhile by a concurrent CreateBucket
        raise S3Error("BucketAlreadyOwnedByYou", BucketName=ctx.bucket)
    if not resp.ok and ctx.conf.bucket_index_account:
        bucket_index.release(ctx, ctx.bucket, account)
    if resp.status in (401, 403):
        raise S3Error("AccessDenied")
    ctx.raise_for(resp, "NoSuchBucket")
    locking.after_create(ctx, headers)
    out = Response(status=200)
    out.headers["Location"] = "/" + ctx.bucket
    return out


def delete_bucket(ctx: S3Context) -> Response:
    """DeleteBucket: ``BucketNotEmpty`` while objects remain."""
    check_bucket(ctx)
    from objstore.middleware.s3api import versioning
    versions = versioning.history_container(ctx)
    if any("name" in e for e in list_page(ctx, versions, limit=1)):
        raise S3Error("BucketNotEmpty", "The bucket still holds object versions or delete "
                      "markers; delete them by version id first.", BucketName=ctx.bucket)
    resp = ctx.swift.request("DELETE", ctx.bucket)
    resp.close()
    if resp.status == 409:
        raise S3Error("BucketNotEmpty", BucketName=ctx.bucket)
    ctx.raise_for(resp, "NoSuchBucket")
    if ctx.conf.bucket_index_account:
        bucket_index.release(ctx, ctx.bucket, ctx.swift.account or "")
    ctx.swift.request("DELETE", versions).close()
    segments = ctx.bucket + SEGMENTS_SUFFIX
    for entry in iter_listing(ctx, segments):
        if "name" in entry:
            ctx.swift.request("DELETE", segments, entry["name"]).close()
    ctx.swift.request("DELETE", segments).close()
    return Response(status=204)


def head_bucket(ctx: S3Context) -> Response:
    check_bucket(ctx)
    ctx.container_head()
    out = Response(status=200)
    out.headers["x-amz-bucket-region"] = ctx.conf.location
    return out


def get_location(ctx: S3Context) -> Response:
    """GetBucketLocation: empty for us-east-1, as S3 answers."""
    check_bucket(ctx)
    ctx.container_head()
    location = "" if ctx.conf.location == "us-east-1" else ctx.conf.location
    return xml_response(render("LocationConstraint", []) if not location else
                        b'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns='
                        b'"http://s3.amazonaws.com/doc/2006-03-01/">'
                        + location.encode() + b"</LocationConstraint>")


def _swift_listing(ctx: S3Context, params: listing.ListParams) -> List[Dict[str, Any]]:
    if params.max_keys == 0:
        ctx.container_head()
        return []
    resp = ctx.swift.request("GET", ctx.bucket, query=listing.swift_query(params))
    ctx.raise_for(resp, "NoSuchBucket")
    if resp.status == 204:
        resp.close()
        return []
    return json.loads(resp.body or b"[]")


def list_objects(ctx: S3Context) -> Response:
    """ListObjects (v1) and ListObjectsV2 (``list-type=2``)."""
    check_bucket(ctx)
    params = listing.parse_params(ctx.query, ctx.conf.max_bucket_listing)
    entries = _swift_listing(ctx, params)
    return xml_response(listing.render_objects(ctx.bucket, params, entries, owner_id(ctx)))


def list_versions(ctx: S3Context) -> Response:
    """ListObjectVersions: current objects, archived versions and delete markers."""
    from objstore.middleware.s3api import versioning
    check_bucket(ctx)
    query = dict(ctx.query)
    query.pop("list-type", None)
    params = listing.parse_params(query, ctx.conf.max_bucket_listing)
    return xml_response(versioning.list_versions(ctx, params, ctx.query))
