"""s3api/versioning.py: what a ListObjectVersions costs below s3api, and
which layout a bucket's versions are read from, decided from the proxy's
cached container info."""

import json
from types import SimpleNamespace

import pytest

from objstore.common.versions import BYPASS_ENV, reserved_versions_container
from objstore.common.versions_listing import version_name
from objstore.middleware.s3api import versioning
from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.listing import parse_params

ACCOUNT, BUCKET = "AUTH_a", "b"
V1, V2 = "1700000001.00000", "1700000002.00000"


class _Resp:
    def __init__(self, status, rows=()):
        self.status, self.body = status, json.dumps(list(rows)).encode()
        self.ok = 200 <= status < 300
        self.headers = {}

    def header(self, name):
        return self.headers.get(name)

    def close(self):
        pass


class _Swift:
    """The subrequests s3api sends, recorded; a versioned bucket holding
    ``k`` (current V2, V1 kept)."""

    def __init__(self):
        self.account, self.app, self.sent = None, None, []

    def authenticate(self):
        self.sent.append(("OPTIONS", None, {}))
        self.account = ACCOUNT

    def request(self, method, container=None, obj=None, headers=None, query=(),
                extra_env=None, **_kw):
        self.sent.append((method, container, dict(extra_env or {})))
        q = dict(query)
        if method != "GET":
            return _Resp(404)
        if container == BUCKET:
            rows = [{"name": "k", "bytes": 2, "hash": "h2", "content_type": "text/plain",
                     "last_modified": "2026-01-01T00:00:02.000000", "version_id": V2}]
        else:
            rows = [{"name": version_name("k", V1), "bytes": 1, "hash": "h1",
                     "content_type": "text/plain", "version_id": V1,
                     "last_modified": "2026-01-01T00:00:01.000000"}]
        return _Resp(200, [r for r in rows if r["name"] > q.get("marker", "")])


def _ctx(sysmeta, status=204):
    info = {"status": status, "sysmeta": sysmeta}
    env = {"swift.infocache": {"container/%s/%s" % (ACCOUNT, BUCKET): info}}
    swift = _Swift()

    def raise_for(resp, code):
        if not resp.ok:
            raise S3Error(code)
    return SimpleNamespace(env=env, swift=swift, bucket=BUCKET, extra={}, method="GET",
                           raise_for=raise_for, container_head=lambda bucket=None: (
                               swift.request("HEAD", bucket or BUCKET),
                               raise_for(_Resp(404), "NoSuchBucket")))


def test_list_object_versions_sends_one_listing_per_container_and_no_head():
    """The layout comes from the cached container info (the bucket was
    HEADed twice per ListObjectVersions before), and the bucket's listing
    passes object_versioning by (which would HEAD the versions container
    for headers nobody reads here)."""
    ctx = _ctx({"versions-enabled": "True", "s3api-versioning": "Enabled"})
    body = versioning.list_versions(ctx, parse_params({}, 1000), {}).decode()
    assert body.count("<Version>") == 2 and V1 in body and V2 in body
    assert [(m, c) for m, c, _ in ctx.swift.sent] == [
        ("OPTIONS", None), ("GET", BUCKET), ("GET", reserved_versions_container(BUCKET))]
    assert ctx.swift.sent[1][2].get(BYPASS_ENV) is True
    assert BYPASS_ENV not in ctx.swift.sent[2][2]


def test_the_layout_is_read_from_the_cached_info():
    assert versioning.uses_object_versioning(_ctx({}))  # never versioned
    assert versioning.uses_object_versioning(_ctx({"versions-enabled": "False",
                                                   "s3api-versioning": "Suspended"}))
    legacy = _ctx({"s3api-versioning": "Enabled"})
    assert not versioning.uses_object_versioning(legacy)
    assert [m for m, _c, _e in legacy.swift.sent] == ["OPTIONS"]


def test_a_bucket_the_info_does_not_know_is_asked_for_and_is_no_such_bucket():
    ctx = _ctx({}, status=404)
    with pytest.raises(S3Error) as err:
        versioning.list_versions(ctx, parse_params({}, 1000), {})
    assert err.value.code == "NoSuchBucket"
    assert [m for m, _c, _e in ctx.swift.sent] == ["OPTIONS", "HEAD"]



def test_the_bucket_status_of_every_write_comes_from_the_cached_info():
    """PutObject, CopyObject, DeleteObject... ask for the status first; it
    cost a HEAD of the bucket each (and through object_versioning one of
    its versions container)."""
    ctx = _ctx({"versions-enabled": "False", "s3api-versioning": "Suspended",
                "s3api-manifests": "1"})
    assert versioning.bucket_status(ctx) == "Suspended"
    assert versioning.uses_object_versioning(ctx) and ctx.extra["has_manifests"]
    assert versioning.bucket_status(_ctx({})) is None
    assert [m for m, _c, _e in ctx.swift.sent] == ["OPTIONS"]
