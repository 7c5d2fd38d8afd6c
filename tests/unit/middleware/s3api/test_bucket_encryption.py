"""Bucket default-encryption documents (bucket_encryption.py) and the
sub-resource's routing."""

from types import SimpleNamespace

from objstore.middleware.s3api import bucket_encryption
from objstore.middleware.s3api.bucket_encryption import parse_configuration
from objstore.middleware.s3api.middleware import route
from tests.unit.middleware.s3api.test_sse import error_of


def test_bucket_encryption_documents():
    def doc(rule):
        return ("<ServerSideEncryptionConfiguration xmlns="
                "\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>%s</Rule>"
                "</ServerSideEncryptionConfiguration>" % rule).encode()
    aes = "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>%s</SSEAlgorithm>%s" \
          "</ApplyServerSideEncryptionByDefault>"
    assert parse_configuration(doc(aes % ("AES256", ""))) is False
    assert parse_configuration(doc(aes % ("AES256", "") +
                                   "<BucketKeyEnabled>true</BucketKeyEnabled>")) is True
    assert error_of(lambda: parse_configuration(doc(aes % ("aws:kms", ""))))[:2] == \
        ("NotImplemented", 501)
    assert error_of(lambda: parse_configuration(doc(aes % (
        "AES256", "<KMSMasterKeyID>k</KMSMasterKeyID>"))))[:2] == ("InvalidArgument", 400)
    for bad in (doc(""), doc(aes % ("DES", "")), doc(aes % ("AES256", "") + "<Other/>"),
                doc(aes % ("AES256", "")).replace(b"</Rule>", b"</Rule><Rule/>")):
        assert error_of(lambda: parse_configuration(bad))[:2] == ("MalformedXML", 400)



def _routed(method, key, query, headers=None):
    ctx = SimpleNamespace(method=method, query=query, headers=headers or {}, extra={},
                          target=SimpleNamespace(bucket="b", key=key))
    return route(ctx)


def test_the_encryption_sub_resource_is_the_buckets_only():
    assert _routed("PUT", None, {"encryption": ""}) is \
        bucket_encryption.put_bucket_encryption
    assert _routed("DELETE", None, {"encryption": ""}) is \
        bucket_encryption.delete_bucket_encryption
    # UpdateObjectEncryption is not a PutObject.
    assert _routed("PUT", "k", {"encryption": ""}) is None


def test_sub_resources_we_lack_win_over_the_ones_we_have():
    assert _routed("GET", "k", {"part": "", "uploadId": "0" * 32, "partNumber": "1"}) is None
    assert _routed("PUT", "k", {"annotation": "", "annotationName": "a"}) is None
    assert _routed("PUT", None, {"abac": ""}) is None
    assert _routed("PUT", None, {"default-storage-class": ""}) is None
    assert _routed("GET", "k", {"attributes": ""}) is not None
