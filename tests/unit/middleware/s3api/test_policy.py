"""Bucket policy documents: what S3 refuses as MalformedPolicy, and how the
principals map onto objstore accounts and users."""

import json

import pytest

from objstore.middleware.s3api.errors import S3Error
from objstore.middleware.s3api.policy import MAX_POLICY_BYTES, parse

BUCKET = "b1"


def doc(*statements, version="2012-10-17", **top):
    out = {"Version": version, "Statement": list(statements)}
    out.update(top)
    return json.dumps(out)


def stmt(**fields):
    base = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b1/*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def refused(text):
    with pytest.raises(S3Error) as err:
        parse(text, BUCKET)
    assert err.value.code == "MalformedPolicy" and err.value.status == 400
    return err.value.message


def test_a_public_read_policy_parses_with_both_versions_and_keeps_its_text():
    for version in ("2012-10-17", "2008-10-17"):
        text = doc(stmt(Sid="PublicRead"), version=version)
        policy = parse(text, BUCKET)
        assert policy.version == version and policy.text == text
        assert policy.statements[0].principals == ("*",)
        assert policy.statements[0].actions == ("getobject",)


def test_a_policy_without_version_is_read_as_2008():
    assert parse(json.dumps({"Statement": [stmt()]}), BUCKET).version == "2008-10-17"


@pytest.mark.parametrize("principal,expected", [
    ("*", "*"), ({"AWS": "*"}, "*"), ({"AWS": "AUTH_test"}, "account:AUTH_test"),
    ({"AWS": "arn:aws:iam::AUTH_test:root"}, "account:AUTH_test"),
    ({"CanonicalUser": "AUTH_test2"}, "account:AUTH_test2"),
    ({"AWS": "arn:aws:iam::AUTH_test:user/tester3"}, "user:AUTH_test:tester3"),
    ({"AWS": "arn:aws:iam::AUTH_test:user/team/tester3"}, "user:AUTH_test:tester3"),
    ({"Service": "cloudfront.amazonaws.com"}, "never"),
])
def test_principals_map_onto_accounts_and_users(principal, expected):
    policy = parse(doc(stmt(Principal=principal)), BUCKET)
    assert policy.statements[0].principals == (expected,)


@pytest.mark.parametrize("principal", [
    {"AWS": "test:tester"}, {"AWS": "123456789012"}, {"AWS": "arn:aws:iam::AUTH_x:role/r"},
    {"AWS": ""}, {"AWS": []}, {"Bogus": "*"}, "AUTH_test", {}, ["*"]])
def test_a_principal_that_names_no_objstore_identity_is_invalid(principal):
    assert refused(doc(stmt(Principal=principal))) == "Invalid principal in policy"


@pytest.mark.parametrize("text,message", [
    ("", "Policies must be valid JSON and the first byte must be '{'"),
    ("[]", "Policies must be valid JSON and the first byte must be '{'"),
    ('{"Statement": [', None),
    ('{"Statement": [], "Statement": []}', None),
    ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ('{"Version": "2012-10-17", "Statement": []}', "Missing required field Statement"),
    ('{"Version": "2012-10-18", "Statement": []}',
     "The policy must contain a valid version string"),
])
def test_documents_that_are_not_policies_are_malformed(text, message):
    got = refused(text)
    if message is None:
        assert got.startswith("This policy contains invalid Json")
    else:
        assert got == message


@pytest.mark.parametrize("fields,message", [
    ({"Effect": None}, "Missing required field Effect"),
    ({"Effect": "Maybe"}, "Invalid effect: Maybe"),
    ({"Principal": None}, "Missing required field Principal"),
    ({"Action": None}, "Missing required field Action"),
    ({"Resource": None}, "Missing required field Resource"),
    ({"NotPrincipal": {"AWS": "AUTH_test"}}, "A statement cannot have both Principal and "
                                             "NotPrincipal"),
    ({"Action": "s3:GetObjekt"}, "Policy has invalid action"),
    ({"Action": "ec2:*"}, "Policy has invalid action"),
    ({"Action": "s3:Fly*"}, "Policy has invalid action"),
    ({"Resource": "arn:aws:s3:::other-bucket/*"}, "Policy has invalid resource"),
    ({"Resource": "b1/*"}, "Policy has invalid resource"),
    ({"Resource": "arn:aws:s3:::b1"}, "Action does not apply to any resource(s) in statement"),
    ({"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b1/*"},
     "Action does not apply to any resource(s) in statement"),
    ({"Condition": {"StringEqualz": {"s3:prefix": "a"}}}, "Invalid Condition type : "
                                                          "StringEqualz"),
    ({"Condition": {"Bogus:StringEquals": {"s3:prefix": "a"}}}, "Invalid Condition type : "
                                                                "Bogus:StringEquals"),
    ({"Condition": {"StringEquals": {"prefix": "a"}}}, "Policy has an invalid condition key"),
    ({"Condition": {"StringEquals": {"ec2:Region": "a"}}},
     "Policy has an invalid condition key"),
    ({"Flavour": "vanilla"}, "Unknown field Flavour"),
])
def test_statements_s3_refuses_answer_its_message(fields, message):
    assert refused(doc(stmt(**fields))) == message


def test_bad_condition_values_are_malformed():
    for op, value in (("IpAddress", "300.1.1.1/8"), ("NumericLessThan", "ten"),
                      ("DateGreaterThan", "yesterday"), ("Bool", "maybe")):
        assert refused(doc(stmt(Condition={op: {"aws:SourceIp": value}}))).startswith(
            "Invalid value")


def test_duplicate_sids_are_refused():
    assert refused(doc(stmt(Sid="a"), stmt(Sid="a"))) == \
        "Statement IDs (SID) in a single policy must be unique."


def test_the_20_kb_limit_counts_the_document_without_whitespace():
    resources = ["arn:aws:s3:::b1/p%05d/*" % n for n in range(900)]
    small = doc(stmt(Resource=resources[:500]))
    assert len(json.dumps(json.loads(small), separators=(",", ":"))) < MAX_POLICY_BYTES
    parse(json.dumps(json.loads(small), indent=8), BUCKET)  # indentation is not counted
    assert refused(doc(stmt(Resource=resources))) == \
        "Policy exceeds the maximum allowed document size."


def test_wildcards_and_variables_in_the_bucket_part_must_reach_the_bucket():
    parse(doc(stmt(Resource="arn:aws:s3:::b*/*")), BUCKET)
    parse(doc(stmt(Resource="arn:aws:s3:::*")), BUCKET)
    parse(doc(stmt(Resource="arn:aws:s3:::b1/home/${aws:username}/*")), BUCKET)
    assert refused(doc(stmt(Resource="arn:aws:s3:::c*/*"))) == "Policy has invalid resource"


def test_condition_keys_are_case_insensitive_but_tag_keys_keep_their_case():
    policy = parse(doc(stmt(Condition={"StringEquals": {
        "AWS:SourceIp": "1.2.3.4", "s3:ExistingObjectTag/Team": "x"},
        "ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "a*"},
        "StringLikeIfExists": {"s3:x-amz-acl": "private"}})), BUCKET)
    conds = {c.key: c for c in policy.statements[0].conditions}
    assert set(conds) == {"aws:sourceip", "s3:existingobjecttag/Team",
                          "s3:requestobjecttagkeys", "s3:x-amz-acl"}
    assert conds["s3:requestobjecttagkeys"].qualifier == "ForAnyValue"
    assert conds["s3:x-amz-acl"].if_exists and conds["s3:x-amz-acl"].operator == "StringLike"


def test_booleans_and_numbers_in_conditions_are_read_as_text():
    policy = parse(doc(stmt(Condition={"Bool": {"aws:SecureTransport": False},
                                       "NumericLessThan": {"s3:max-keys": 10}})), BUCKET)
    values = sorted(c.values for c in policy.statements[0].conditions)
    assert values == [("10",), ("false",)]
