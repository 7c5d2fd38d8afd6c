"""The table of meaning-changing request headers (header_audit.py)."""

import importlib
import os
import re

import pytest

from objstore.middleware.s3api import header_audit
from objstore.middleware.s3api.header_audit import (OPERATIONS, RULES, operation_of,
                                                    refusal)

DOC = os.path.join(os.path.dirname(__file__), *[os.pardir] * 4, "docs", "s3.md")
KEY = "a2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtZm9yLXNzZWM="


def code(operation, headers):
    err = refusal(operation, headers)
    return None if err is None else (err.status, err.code)


def test_every_operation_names_a_real_handler():
    for dotted, operation in OPERATIONS.items():
        module, name = dotted.split(".")
        handler = getattr(importlib.import_module("objstore.middleware.s3api." + module), name)
        assert operation_of(handler) == operation


def test_handlers_outside_the_table_are_not_audited():
    from objstore.middleware.s3api import buckets
    assert operation_of(buckets.list_objects) is None
    assert refusal(None, {"x-amz-server-side-encryption-customer-key": KEY}) is None


@pytest.mark.parametrize("operation", ["PutObject", "CopyObject", "CreateMultipartUpload",
                                       "UploadPart", "UploadPartCopy", "GetObject",
                                       "HeadObject", "CompleteMultipartUpload"])
def test_sse_c_refused_on_every_object_operation(operation):
    for header in ("x-amz-server-side-encryption-customer-algorithm",
                   "x-amz-server-side-encryption-customer-key",
                   "x-amz-server-side-encryption-customer-key-md5"):
        assert code(operation, {header: "AES256"}) == (501, "NotImplemented")


def test_copy_source_sse_c_refused_on_copies_only():
    headers = {"x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256"}
    assert code("CopyObject", headers) == (501, "NotImplemented")
    assert code("UploadPartCopy", headers) == (501, "NotImplemented")
    assert code("PutObject", headers) is None


def test_server_side_encryption_values():
    sse = "x-amz-server-side-encryption"
    assert code("PutObject", {sse: "AES256"}) == (501, "NotImplemented")
    err = refusal("PutObject", {sse: "aws:kms"})
    assert (err.status, err.code) == (501, "NotImplemented") and "KMS" in err.message
    assert code("CreateMultipartUpload", {sse: "aws:kms:dsse"}) == (501, "NotImplemented")
    err = refusal("CopyObject", {sse: "rot13"})
    assert (err.status, err.code) == (400, "InvalidArgument")
    assert err.extra == {"ArgumentName": sse, "ArgumentValue": "rot13"}


def test_kms_details_refused_bucket_key_false_accepted():
    kms = {"x-amz-server-side-encryption": "aws:kms"}
    assert code("PutObject", dict(kms, **{"x-amz-server-side-encryption-aws-kms-key-id": "k"})) \
        == (501, "NotImplemented")
    assert code("PutObject", dict(kms, **{"x-amz-server-side-encryption-context": "e30="})) == \
        (501, "NotImplemented")
    bucket_key = "x-amz-server-side-encryption-bucket-key-enabled"
    assert code("PutObject", {bucket_key: "true"}) == (501, "NotImplemented")
    assert code("PutObject", {bucket_key: "false"}) is None


def test_bucket_key_accepted_with_encryption_at_rest_and_bad_values_refused():
    bucket_key = "x-amz-server-side-encryption-bucket-key-enabled"
    for value in ("true", "TRUE", "false", "False"):
        assert refusal("PutObject", {bucket_key: value}, at_rest=True) is None
    for at_rest in (True, False):
        err = refusal("CopyObject", {bucket_key: "yes"}, at_rest=at_rest)
        assert (err.status, err.code) == (400, "InvalidArgument")
        assert err.extra["ArgumentName"] == bucket_key


@pytest.mark.parametrize("header,value", [
    ("x-amz-object-lock-mode", "GOVERNANCE"), ("x-amz-object-lock-mode", "COMPLIANCE"),
    ("x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z"),
    ("x-amz-object-lock-legal-hold", "ON"), ("x-amz-object-lock-legal-hold", "OFF")])
def test_object_lock_headers_left_to_locking(header, value):
    # Implemented (locking.write_headers validates them against the bucket).
    for operation in ("PutObject", "CopyObject", "CreateMultipartUpload", "GetObject"):
        assert code(operation, {header: value}) is None
    assert header in header_audit.IMPLEMENTED


def test_bucket_object_lock_and_ownership():
    lock = "x-amz-bucket-object-lock-enabled"
    assert code("CreateBucket", {lock: "true"}) is None  # locking.create_headers
    assert lock in header_audit.IMPLEMENTED
    # x-amz-object-ownership is implemented (ownership.py, test_ownership.py)
    assert code("CreateBucket", {"x-amz-object-ownership": "BucketOwnerEnforced"}) is None


def test_redirect_and_append_refused():
    assert code("PutObject", {"x-amz-website-redirect-location": "/x"}) == \
        (501, "NotImplemented")
    assert code("CreateMultipartUpload", {"x-amz-website-redirect-location": "/x"}) == \
        (501, "NotImplemented")
    assert code("PutObject", {"x-amz-write-offset-bytes": "0"}) == (501, "NotImplemented")


def test_benign_headers_pass():
    headers = {"x-amz-date": "20261205T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
               "x-amz-user-agent": "x", "x-amz-sdk-checksum-algorithm": "CRC32",
               "x-amz-checksum-crc32": "AAAAAA==", "x-amz-request-payer": "requester",
               "x-amz-storage-class": "STANDARD", "x-amz-acl": "private",
               "x-amz-meta-a": "b", "x-amz-tagging": "a=b", "content-type": "text/plain",
               "x-amz-bypass-governance-retention": "true"}
    for operation in set(OPERATIONS.values()):
        assert refusal(operation, headers) is None


def test_table_is_consistent():
    names = [rule.header for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.header == rule.header.lower()
        assert rule.operations <= set(OPERATIONS.values())
        assert not rule.operations & header_audit.IMPLEMENTED_ON.get(rule.header, frozenset())
        assert rule.header not in header_audit.IMPLEMENTED
        assert rule.header not in header_audit.BENIGN


def test_docs_list_every_refused_header():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Request headers objstore refuses")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end != -1 else len(text)]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.M))
    assert listed == {rule.header for rule in RULES}
    for rule in RULES:
        row = "| `%s` | %s | %s |" % (rule.header, ", ".join(sorted(rule.operations)),
                                    rule.why)
        assert row in section


def test_tagging_directive():
    tagging = "x-amz-tagging-directive"
    assert code("CopyObject", {tagging: "COPY"}) is None
    assert code("CopyObject", {tagging: "REPLACE", "x-amz-metadata-directive": "REPLACE"}) \
        is None
    # Implemented apart from the metadata directive (copying.py).
    assert code("CopyObject", {tagging: "REPLACE"}) is None
    assert code("CopyObject", {tagging: "REPLACE", "x-amz-metadata-directive": "COPY"}) is None
    err = refusal("CopyObject", {tagging: "replace"})
    assert (err.status, err.code, err.extra["ArgumentName"]) == (400, "InvalidArgument", tagging)
    assert code("PutObject", {tagging: "BOGUS"}) is None


def test_aes256_is_accepted_only_with_encryption_at_rest():
    sse = "x-amz-server-side-encryption"
    for operation in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        assert refusal(operation, {sse: "AES256"}, at_rest=True) is None
        assert code(operation, {sse: "AES256"}) == (501, "NotImplemented")
        err = refusal(operation, {sse: "aws:kms"}, at_rest=True)
        assert (err.status, err.code) == (501, "NotImplemented")
    err = refusal("PutObject", {sse: "aes256"}, at_rest=True)
    assert (err.status, err.code) == (400, "InvalidArgument")
    ssec = {"x-amz-server-side-encryption-customer-algorithm": "AES256"}
    assert code("PutObject", ssec) == (501, "NotImplemented")
    assert refusal("PutObject", ssec, at_rest=True) is None  # sse.py checks it


class _Wrapper:
    def __init__(self, app):
        self.app = app


def test_encryption_found_down_the_pipeline():
    from objstore.middleware.encryption import Encryption
    proxy = object()
    on = Encryption(proxy, {})
    assert header_audit.encrypts_at_rest(_Wrapper(_Wrapper(on)))
    assert header_audit.encrypts_at_rest(on)
    off = Encryption(proxy, {"disable_encryption": "true"})
    assert not header_audit.encrypts_at_rest(_Wrapper(off))
    assert not header_audit.encrypts_at_rest(_Wrapper(_Wrapper(proxy)))


def _classified(operation, header):
    if any(rule.header == header and operation in rule.operations for rule in RULES):
        return True
    if header in header_audit.BENIGN:
        return True
    if operation in header_audit.IMPLEMENTED_ON.get(header, ()):
        return True
    return any(header == name or (name.endswith("*") and header.startswith(name[:-1]))
               for name in header_audit.IMPLEMENTED)


def test_every_request_header_of_a_supported_operation_is_implemented_or_refused():
    """Every x-amz-*, If-* and Range request header botocore's model knows for
    the operations docs/s3.md marks supported is in the table, implemented,
    or benign: a new header in a newer model fails here until it is judged."""
    from tests.support.s3_operations import model, table
    spec = model()
    unjudged = []
    for name, _method, _uri, answer in table():
        if answer != "supported":
            continue
        op = spec["operations"][name]
        members = spec["shapes"][op["input"]["shape"]]["members"] if "input" in op else {}
        for member_name, member in members.items():
            header = member.get("locationName", member_name).lower()
            if member.get("location") != "header" or not (
                    header.startswith(("x-amz-", "if-")) or header == "range"):
                continue
            if not _classified(name, header):
                unjudged.append((name, header))
    assert unjudged == []


@pytest.mark.parametrize("operation,headers,expected", [
    ("CopyObject", {"if-match": '"e"'}, None),
    ("CopyObject", {"if-none-match": "*"}, None),
    ("DeleteObject", {"if-match": '"e"'}, None),  # conditions.check_delete
    ("DeleteObject", {"x-amz-if-match-size": "3"}, None),
    ("DeleteObject", {"x-amz-if-match-last-modified-time": "x"}, None),
    ("DeleteObject", {"if-none-match": "*"}, (501, "NotImplemented")),
    ("AbortMultipartUpload", {"x-amz-if-match-initiated-time": "x"}, (501, "NotImplemented")),
    ("PutObject", {"x-amz-object-lock-event-hold": "ON"}, (501, "NotImplemented")),
    ("CopyObject", {"x-amz-object-annotation-directive": "REPLACE"}, (501, "NotImplemented")),
    ("CopyObject", {"x-amz-object-annotation-directive": "COPY"}, None),
    ("CopyObject", {"x-amz-object-annotation-directive": "bogus"}, (400, "InvalidArgument")),
    ("CreateBucket", {"x-amz-bucket-namespace": "account-regional"}, (501, "NotImplemented")),
    ("CreateBucket", {"x-amz-bucket-namespace": "global"}, None),
    ("GetObject", {"if-match": '"e"'}, None),
    ("PutObject", {"if-match": '"e"'}, None),
])
def test_conditions_and_newer_headers(operation, headers, expected):
    assert code(operation, headers) == expected


@pytest.mark.parametrize("at_rest", [False, True])
def test_encryption_headers_that_never_go_together_are_400_before_any_501(at_rest):
    sse, key_id = "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"
    ssec = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
            "x-amz-server-side-encryption-customer-key": KEY}

    def answer(operation, headers):
        err = refusal(operation, headers, at_rest=at_rest)
        return None if err is None else (err.status, err.code, err.extra.get("ArgumentName"))

    # a KMS key without aws:kms: alone, or with AES256
    for operation in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        assert answer(operation, {key_id: "k"}) == (400, "InvalidArgument", key_id)
        assert answer(operation, {sse: "AES256", key_id: "k"}) == \
            (400, "InvalidArgument", key_id)
    # a method beside an SSE-C key, KMS or not
    assert answer("PutObject", dict(ssec, **{sse: "aws:kms", key_id: "k"})) == \
        (400, "InvalidArgument", sse)
    assert answer("PutObject", dict(ssec, **{sse: "AES256"})) == (400, "InvalidArgument", sse)
    # no method, nor KMS detail, on a read
    for operation in ("GetObject", "HeadObject"):
        assert answer(operation, {sse: "aws:kms", key_id: "k"}) == (400, "InvalidArgument", sse)
        assert answer(operation, {sse: "AES256"}) == (400, "InvalidArgument", sse)
        assert answer(operation, {key_id: "k"}) == (400, "InvalidArgument", key_id)
    # what does go together is judged as before
    assert answer("PutObject", {sse: "aws:kms", key_id: "k"}) == \
        (501, "NotImplemented", None)
