"""The pure parts of applying bucket policies: how a policy is kept in
container sysmeta, and which S3 action each handler performs."""

import json

from objstore.middleware.s3api import access, bucket_policy, buckets, objects, post_object
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
    assert action_of(handler_name(objects.delete_object), {"versionId": "v"}) == \
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
