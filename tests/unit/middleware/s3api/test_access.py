"""The pure parts of applying bucket policies: how a policy is kept in
container sysmeta, and which S3 action each handler performs."""

import json

import pytest

from objstore.middleware.s3api import access, bucket_policy, buckets, deletes, objects, post_object
from objstore.middleware.s3api.access import action_of, handler_name, policy_headers, \
    stored_policy_text
from objstore.middleware.s3api.policy import MAX_POLICY_BYTES

PREFIX = "X-Container-Sysmeta-"


def as_info(headers):
    """Container info's ``sysmeta`` view of the headers a POST stored."""
    return {k[len(PREFIX):].lower(): v for k, v in headers.items() if v}


def test_a_20_kb_utf8_policy_round_trips_through_short_sysmeta_values():
    statement = {"Sid": "Ünïcode", "Effect": "Allow", "Principal": "*",
                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b1/é/*"}
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)
    text += " " * (MAX_POLICY_BYTES - len(text.encode()))
    headers = policy_headers(text)
    assert all(len(v) <= access.POLICY_CHUNK for v in headers.values())
    assert all("\n" not in v for v in headers.values())
    assert stored_policy_text(as_info(headers)) == text


def test_an_empty_policy_clears_every_piece():
    headers = policy_headers("")
    assert len(headers) == access.POLICY_CHUNKS and set(headers.values()) == {""}
    assert stored_policy_text(as_info(headers)) == ""


def test_handlers_map_to_s3_actions_with_version_variants():
    assert action_of(handler_name(objects.get_object), {}) == "GetObject"
    assert action_of(handler_name(objects.head_object), {"versionId": "v"}) == \
        "GetObjectVersion"
    assert action_of(handler_name(deletes.delete_object), {"versionId": "v"}) == \
        "DeleteObjectVersion"
    assert action_of(handler_name(buckets.head_bucket), {}) == "ListBucket"
    assert action_of(handler_name(bucket_policy.delete_public_access_block), {}) == \
        "PutBucketPublicAccessBlock"
    assert action_of(handler_name(post_object.post_object), {}) == "PutObject"
    # A handler added later is named after its function until it is listed.
    assert action_of("encryption.get_bucket_encryption", {}) == "GetBucketEncryption"


def test_every_listed_action_is_one_a_policy_may_name():
    from objstore.middleware.s3api.policy import ALL_ACTIONS
    names = set(ALL_ACTIONS)
    for action in list(access.ACTIONS.values()) + list(access.VERSIONED.values()):
        assert action in names, action


# -- what an Allow opens (Swift.grant) ----------------------------------------

def _recording_app(seen):
    def app(env, start_response):
        seen.append(env)
        start_response("204 No Content", [])
        return [b""]
    return app


def _gate(seen, key=None):
    from objstore.middleware.s3api.access import BucketState, Gate
    from objstore.middleware.s3api.auth import AuthState
    from objstore.middleware.s3api.context import S3Config, S3Context
    from objstore.middleware.s3api.policy_eval import Principal
    from objstore.middleware.s3api.request import S3Target
    from objstore.middleware.s3api.subrequest import Swift
    swift = Swift(_recording_app(seen), {}, {"access_key": "test:tester"}, AuthState())
    swift.account = "AUTH_test"
    ctx = S3Context({"REQUEST_METHOD": "GET"}, S3Target("b1", key), {}, swift, None,
                    S3Config(), "tx")
    state = BucketState("AUTH_test", "b1", {"sysmeta": {}})
    return ctx, Gate(ctx, state, Principal("AUTH_test2", "tester2"), False, True)


def test_an_object_allow_opens_that_key_its_parts_and_versions_only():
    from objstore.middleware.versioned_writes import archive_prefix
    ctx, gate = _gate([], key="a/b")
    gate._grant("a/b", bucket_level=False)
    grant = ctx.swift.grant
    assert grant("b1", "a/b") and grant("b1", None)
    assert not grant("b1", "a/c") and not grant("b1", "a/b/c") and not grant("b2", "a/b")
    assert grant("b1+segments", "a/b/0123/000001")
    assert not grant("b1+segments", "a/bc/0123/000001")
    assert grant("b1+versions", archive_prefix("a/b") + "1700000000.00000")
    assert not grant("b1+versions", archive_prefix("a/c") + "1700000000.00000")


def test_a_bucket_allow_opens_the_bucket_not_its_objects():
    ctx, gate = _gate([])
    gate._grant(None, bucket_level=True)
    grant = ctx.swift.grant
    assert grant("b1", None) and grant("b1+versions", None)
    assert not grant("b1", "any-object") and not grant("b2", None)


def test_the_grant_reaches_only_subrequests_to_the_buckets_account():
    seen = []
    ctx, gate = _gate(seen, key="k")
    gate._grant("k", bucket_level=False)
    ctx.swift.request("GET", "b1", "k").close()
    ctx.swift.request("GET", "b1", "other").close()
    ctx.swift.request("GET", "b1", "k", account="AUTH_other").close()
    overridden = [env.get("swift.authorize_override", False) for env in seen]
    assert overridden == [True, False, False]


# -- the bucket's owner and infos, in one cache round trip ---------------------

class _RecordingCache:
    def __init__(self, values):
        self.values = values
        self.calls = []

    def get(self, key, raise_on_error=False):
        self.calls.append(("get", [key]))
        return self.values.get(key)

    def get_multi(self, keys):
        self.calls.append(("get_multi", list(keys)))
        return {k: self.values[k] for k in keys if k in self.values}

    def set(self, key, value, time=0):
        self.calls.append(("set", [key]))
        self.values[key] = value
        return True


def _owner_ctx(cache, hint=None):
    from objstore.middleware.s3api import subrequest
    from objstore.middleware.s3api.auth import AuthState
    from objstore.middleware.s3api.context import S3Config, S3Context
    from objstore.middleware.s3api.request import S3Target

    def no_app(env, start_response):
        raise AssertionError("no backend request expected: %s" % env["PATH_INFO"])

    key = "hint%d:user" % id(cache)
    if hint:
        subrequest._ACCOUNT_HINTS[key] = hint
    swift = subrequest.Swift(no_app, {}, {"access_key": key}, AuthState())
    env = {"REQUEST_METHOD": "GET", "swift.cache": cache}
    return S3Context(env, S3Target("b1", "k"), {}, swift, None, S3Config(), "tx")


def test_the_owner_lookup_brings_the_callers_bucket_info_in_the_same_round_trip():
    from objstore.common.info import get_container_info
    container = {"status": 204, "sysmeta": {}, "storage_policy": "0"}
    account = {"status": 204, "sysmeta": {}}
    cache = _RecordingCache({access.OWNER_CACHE_PREFIX + "b1": "AUTH_test",
                             "container/AUTH_test/b1": container,
                             "account/AUTH_test": account})
    ctx = _owner_ctx(cache, hint="AUTH_test")
    assert access.bucket_owner(ctx, "b1") == "AUTH_test"
    assert cache.calls == [("get_multi", [access.OWNER_CACHE_PREFIX + "b1",
                                          "container/AUTH_test/b1", "account/AUTH_test"])]
    assert get_container_info(ctx.env, None, "AUTH_test", "b1") == container
    assert cache.calls[1:] == []  # answered by the request's own info cache


def test_without_a_hint_the_owner_is_one_get_and_a_missing_info_is_not_invented():
    cache = _RecordingCache({access.OWNER_CACHE_PREFIX + "b1": "AUTH_test"})
    ctx = _owner_ctx(cache)
    assert access.bucket_owner(ctx, "b1") == "AUTH_test"
    assert cache.calls == [("get", [access.OWNER_CACHE_PREFIX + "b1"])]
    cache2 = _RecordingCache({access.OWNER_CACHE_PREFIX + "b1": ""})
    ctx2 = _owner_ctx(cache2, hint="AUTH_other")
    assert access.bucket_owner(ctx2, "b1") is None  # "" cached: nobody claimed it
    assert "swift.infocache" in ctx2.env and ctx2.env["swift.infocache"] == {}


def test_a_hint_is_learned_only_from_an_accepted_signature():
    from objstore.middleware.s3api import subrequest
    from objstore.middleware.s3api.auth import AuthState
    from objstore.middleware.s3api.errors import S3Error

    def auth_app(verdict):
        def app(env, start_response):
            details = env.pop("s3api.auth_details")
            if details["check_signature"]("secret"):
                env["PATH_INFO"] = env["PATH_INFO"].replace("/v1/hinted:u/", "/v1/AUTH_h/")
                env["REMOTE_USER"] = "hinted:u"
            start_response("200 OK" if verdict else "401 Unauthorized", [])
            return [b""]
        return app

    subrequest._ACCOUNT_HINTS.pop("hinted:u", None)
    state = AuthState()
    refused = subrequest.Swift(auth_app(False), {}, {
        "access_key": "hinted:u", "signature": "x", "string_to_sign": "s",
        "check_signature": lambda s: setattr(state, "called", True) or False}, state)
    with pytest.raises(S3Error) as err:
        refused.request("HEAD", "b1")
    assert err.value.code == "SignatureDoesNotMatch"
    assert refused.account_hint() is None
    state = AuthState()

    def accept(secret):
        state.called = state.verified = True
        return True
    accepted = subrequest.Swift(auth_app(True), {}, {"access_key": "hinted:u",
                                                      "check_signature": accept}, state)
    accepted.request("HEAD", "b1").close()
    fresh = subrequest.Swift(auth_app(True), {}, {"access_key": "hinted:u"}, AuthState())
    assert fresh.account is None and fresh.account_hint() == "AUTH_h"
