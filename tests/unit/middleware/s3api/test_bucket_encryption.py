"""Bucket default-encryption documents (bucket_encryption.py) and the
sub-resource's routing."""

from objstore.middleware.s3api.bucket_encryption import parse_configuration
from objstore.middleware.s3api.middleware import UNSUPPORTED
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


def test_encryption_sub_resource_of_a_key_is_not_a_put_object():
    assert "encryption" in UNSUPPORTED
