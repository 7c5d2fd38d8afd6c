"""Bucket operations: a bucket is a Swift container in the caller's account.

The hidden ``<bucket>+segments`` container holding multipart parts and the
``<bucket>+versions`` archive of a versioned bucket are never shown as
buckets and are removed with their bucket.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from webob import Response

from objstore.middleware.s3api import acl, bucket_index, listing
from objstore.middleware.s3api.context import (SEGMENTS_SUFFIX, VERSIONS_SUFFIX, S3Context, iso8601,
                                                parse_swift_time)
from objstore.middleware.s3api.errors import S3Error
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
    """ListBuckets: the account listing without the hidden segment containers."""
    entries = _account_listing(ctx)
    owner = owner_id(ctx)
    nodes = [("Bucket", [("Name", e["name"]),
                         ("CreationDate", iso8601(parse_swift_time(e.get("last_modified", ""))))])
             for e in entries if not e["name"].endswith(HIDDEN_SUFFIXES)]
    body = render("ListAllMyBucketsResult", [
        ("Owner", [("ID", owner), ("DisplayName", owner)]), ("Buckets", nodes)])
    return xml_response(body)


def head_service(ctx: S3Context) -> Response:
    """HEAD on the service: S3 has no such operation and answers 405, once the
    request is known to come from a user (a bad signature is still 403)."""
    resp = ctx.swift.request("HEAD")
    resp.close()
    if resp.status not in (404,):
        ctx.raise_for(resp, "NoSuchBucket")
    raise S3Error("MethodNotAllowed", "The specified method is not allowed against this "
                  "resource.", Method="HEAD", ResourceType="SERVICE")


def _account_listing(ctx: S3Context) -> List[Dict[str, Any]]:
    entries: List[Dict[str, Any]] = []
    marker = ""
    while True:
        query = [("format", "json"), ("limit", str(LISTING_PAGE))]
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
        entries.extend(e for e in page if "name" in e)
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
