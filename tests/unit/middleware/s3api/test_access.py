"""The pure parts of applying bucket policies: how a policy is kept in
container sysmeta, and which S3 action each handler performs."""

import json

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
