"""Evaluating bucket policies: explicit deny wins, wildcards, conditions,
missing keys, variables; and S3's definition of a public policy."""

import json

import pytest

from objstore.middleware.s3api.policy import parse
from objstore.middleware.s3api.policy_eval import (ALLOW, DENY, Principal, Request, evaluate,
                                                   glob_match)
from objstore.middleware.s3api.public_access import (PublicAccessBlock, from_stored, from_xml,
                                                     policy_is_public)
from objstore.middleware.s3api.errors import S3Error

ANON = Principal()
OWNER = Principal("AUTH_test", "tester")
MEMBER = Principal("AUTH_test", "tester3")
STRANGER = Principal("AUTH_test2", "tester2")


def policy(*statements, version="2012-10-17"):
    return parse(json.dumps({"Version": version, "Statement": list(statements)}), "b1")


def allow(**fields):
    base = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b1/*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def deny(**fields):
    return allow(Effect="Deny", **fields)


def ask(pol, principal=ANON, action="GetObject", key="k", **keys):
    resource = "arn:aws:s3:::b1" + ("" if key is None else "/" + key)
    lowered = {k.lower(): v if isinstance(v, list) else [v] for k, v in keys.items()}
    return evaluate(pol, Request(principal, action, resource, lowered.get))


def test_explicit_deny_wins_over_allow_in_any_order():
    for statements in ((allow(), deny(Principal={"AWS": "AUTH_test"})),
                       (deny(Principal={"AWS": "AUTH_test"}), allow())):
        pol = policy(*statements)
        assert ask(pol, OWNER) == DENY
        assert ask(pol, MEMBER) == DENY
        assert ask(pol, STRANGER) == ALLOW
        assert ask(pol, ANON) == ALLOW


def test_a_policy_that_does_not_match_says_nothing():
    pol = policy(allow(Resource="arn:aws:s3:::b1/public/*"))
    assert ask(pol, key="public/x") == ALLOW
    assert ask(pol, key="private/x") is None
    assert ask(pol, action="PutObject", key="public/x") is None


def test_user_principals_match_one_user_and_account_principals_every_user():
    pol = policy(deny(Principal={"AWS": "arn:aws:iam::AUTH_test:user/tester3"}),
                 allow(Principal={"AWS": "arn:aws:iam::AUTH_test2:root"}))
    assert ask(pol, MEMBER) == DENY
    assert ask(pol, OWNER) is None
    assert ask(pol, STRANGER) == ALLOW
    assert ask(pol, Principal("AUTH_test2", "someone")) == ALLOW
    assert ask(pol, ANON) is None


def test_not_principal_not_action_and_not_resource_invert_their_match():
    pol = policy(deny(Principal=None, NotPrincipal={"AWS": "AUTH_test"}, Action=None,
                      NotAction=["s3:GetObject", "s3:ListBucket"], Resource=None,
                      NotResource="arn:aws:s3:::b1/open/*"))
    assert ask(pol, STRANGER, "PutObject", "secret") == DENY
    assert ask(pol, ANON, "DeleteObject", "secret") == DENY
    assert ask(pol, OWNER, "PutObject", "secret") is None       # NotPrincipal
    assert ask(pol, STRANGER, "GetObject", "secret") is None    # NotAction
    assert ask(pol, STRANGER, "PutObject", "open/x") is None    # NotResource


def test_action_wildcards_are_case_insensitive():
    pol = policy(allow(Action=["s3:get*", "s3:List?ucket"],
                       Resource=["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"]))
    assert ask(pol, action="GetObjectAcl") == ALLOW
    assert ask(pol, action="ListBucket", key=None) == ALLOW
    assert ask(pol, action="PutObject") is None
    assert ask(policy(allow(Action="*")), action="DeleteObject") == ALLOW


def test_resource_wildcards_are_case_sensitive_and_only_star_and_question_mark():
    pol = policy(allow(Resource="arn:aws:s3:::b1/a?c/[x]*"))
    assert ask(pol, key="abc/[x]yz") == ALLOW
    assert ask(pol, key="ABC/[x]yz") is None
    assert ask(pol, key="abc/xyz") is None
    assert glob_match("a*b", "a\nb")


def test_source_ip_conditions():
    pol = policy(allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::1/128"]},
                                  "NotIpAddress": {"aws:SourceIp": "10.9.9.9/32"}}))
    assert ask(pol, aws_sourceip="10.1.2.3".split()) is None  # wrong key name on purpose
    assert ask(pol, **{"aws:SourceIp": "10.1.2.3"}) == ALLOW
    assert ask(pol, **{"aws:SourceIp": "::1"}) == ALLOW
    assert ask(pol, **{"aws:SourceIp": "10.9.9.9"}) is None
    assert ask(pol, **{"aws:SourceIp": "192.168.1.1"}) is None


def test_a_missing_key_fails_positive_tests_and_passes_negated_ones():
    positive = policy(deny(Condition={"StringEquals": {"s3:x-amz-acl": "public-read"}}))
    negated = policy(deny(Condition={"StringNotEquals": {"s3:x-amz-acl": "private"}}))
    if_exists = policy(deny(Condition={"StringEqualsIfExists": {"s3:x-amz-acl": "public-read"}}))
    null = policy(deny(Condition={"Null": {"s3:x-amz-server-side-encryption": "true"}}))
    assert ask(positive) is None
    assert ask(negated) == DENY
    assert ask(negated, **{"s3:x-amz-acl": "private"}) is None
    assert ask(if_exists) == DENY  # absent: ...IfExists holds
    assert ask(if_exists, **{"s3:x-amz-acl": "private"}) is None
    assert ask(if_exists, **{"s3:x-amz-acl": "public-read"}) == DENY
    assert ask(null) == DENY
    assert ask(null, **{"s3:x-amz-server-side-encryption": "AES256"}) is None


def test_string_operators():
    def one(op, wanted, value):
        pol = policy(allow(Condition={op: {"s3:prefix": wanted}}))
        return ask(pol, **{"s3:prefix": value}) == ALLOW
    assert one("StringEquals", ["a", "b"], "b")
    assert not one("StringEquals", "A", "a")
    assert one("StringEqualsIgnoreCase", "A", "a")
    assert one("StringNotEqualsIgnoreCase", "A", "b")
    assert not one("StringNotEqualsIgnoreCase", "A", "a")
    assert one("StringLike", "home/*", "home/x/y")
    assert not one("StringLike", "home/*", "homes")
    assert one("StringNotLike", "home/*", "etc/x")


def test_numeric_date_and_bool_operators():
    def one(op, key, wanted, value):
        pol = policy(allow(Condition={op: {key: wanted}}))
        return ask(pol, **{key: value}) == ALLOW
    assert one("NumericLessThanEquals", "s3:max-keys", "10", "10")
    assert not one("NumericLessThan", "s3:max-keys", "10", "10")
    assert one("NumericGreaterThan", "s3:max-keys", 5, "6")
    assert not one("NumericEquals", "s3:max-keys", "5", "five")
    assert one("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z",
               "2026-12-05T10:00:00Z")
    assert not one("DateGreaterThan", "aws:CurrentTime", "2030-01-01T00:00:00Z",
                   "2026-12-05T10:00:00Z")
    assert one("Bool", "aws:SecureTransport", False, "false")
    assert not one("Bool", "aws:SecureTransport", "true", "false")


def test_set_qualifiers_on_multi_valued_keys():
    any_value = policy(deny(Condition={"ForAnyValue:StringEquals": {
        "s3:RequestObjectTagKeys": ["secret", "pii"]}}))
    all_values = policy(allow(Condition={"ForAllValues:StringLike": {
        "s3:RequestObjectTagKeys": ["team", "project*"]}}))
    assert ask(any_value, **{"s3:RequestObjectTagKeys": ["a", "pii"]}) == DENY
    assert ask(any_value, **{"s3:RequestObjectTagKeys": ["a", "b"]}) is None
    assert ask(any_value) is None
    assert ask(all_values, **{"s3:RequestObjectTagKeys": ["team", "projectX"]}) == ALLOW
    assert ask(all_values, **{"s3:RequestObjectTagKeys": ["team", "owner"]}) is None
    assert ask(all_values) == ALLOW  # no tags at all: every one of none matches


def test_existing_object_tag_keys_keep_the_tag_key_case():
    pol = policy(allow(Condition={"StringEquals": {"s3:ExistingObjectTag/Class": "open"}}))
    assert ask(pol, **{"s3:existingobjecttag/Class": "open"}) is None  # lowered key lookup
    request = Request(ANON, "GetObject", "arn:aws:s3:::b1/k",
                      {"s3:existingobjecttag/Class": ["open"]}.get)
    assert evaluate(pol, request) == ALLOW


def test_policy_variables_in_2012_documents_only():
    statement = allow(Principal={"AWS": "AUTH_test"},
                      Resource="arn:aws:s3:::b1/home/${aws:username}/*")
    new, old = policy(statement), policy(statement, version="2008-10-17")
    assert ask(new, MEMBER, key="home/tester3/x") == ALLOW
    assert ask(new, MEMBER, key="home/tester/x") is None
    assert ask(old, MEMBER, key="home/tester3/x") is None
    assert ask(old, MEMBER, key="home/${aws:username}/x") == ALLOW
    literal = policy(allow(Resource="arn:aws:s3:::b1/${*}/${?}"))
    assert ask(literal, key="*/?") == ALLOW
    assert ask(literal, key="a/b") is None
    unknown = policy(allow(Resource="arn:aws:s3:::b1/${aws:nothing}/*"))
    assert ask(unknown, key="/x") is None
    assert ask(new, ANON, key="home//x") is None  # anonymous has no user name


@pytest.mark.parametrize("statement,public", [
    (allow(), True),
    (allow(Principal={"AWS": "*"}, Action="s3:*"), True),
    (allow(Principal={"AWS": "AUTH_test2"}), False),
    (deny(), False),
    (allow(Action="s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
     False),
    (allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}}), True),
    (allow(Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),
    (allow(Condition={"StringEquals": {"aws:SourceAccount": "AUTH_test"}}), False),
    (allow(Condition={"StringLike": {"aws:SourceAccount": "AUTH_*"}}), True),
    (allow(Condition={"StringEquals": {"s3:prefix": "a"}}), True),
    (allow(Action="s3:CreateBucket", Resource="arn:aws:s3:::b1"), False),
    (allow(Principal=None, NotPrincipal={"AWS": "AUTH_test"}), True),
])
def test_policy_status_is_public_by_s3s_definition(statement, public):
    assert policy_is_public(policy(statement)) is public


def test_public_access_block_round_trips_through_sysmeta_and_xml():
    block = from_xml(b"<PublicAccessBlockConfiguration xmlns='http://s3.amazonaws.com/doc/"
                     b"2006-03-01/'><BlockPublicAcls>TRUE</BlockPublicAcls><RestrictPublic"
                     b"Buckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>")
    assert block == PublicAccessBlock(True, False, False, True)
    assert from_stored(block.stored()) == block
    assert from_stored("") is None
    assert b"<IgnorePublicAcls>false</IgnorePublicAcls>" in block.xml()
    for bad in (b"<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls>"
                b"</PublicAccessBlockConfiguration>",
                b"<PublicAccessBlockConfiguration><Bogus>true</Bogus>"
                b"</PublicAccessBlockConfiguration>",
                b"<Other/>", b"<PublicAccessBlockConfiguration>"):
        with pytest.raises(S3Error) as err:
            from_xml(bad)
        assert err.value.code == "MalformedXML"
