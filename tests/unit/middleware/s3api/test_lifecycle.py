"""PutBucketLifecycleConfiguration documents: parsed as S3 judges them,
rendered back by GetBucketLifecycleConfiguration."""

import pytest

from objstore.common.tiering.config import S3_STORAGE_CLASS
from objstore.middleware.s3api import lifecycle, objects
from objstore.middleware.s3api.errors import S3Error

CLASSES = ("STANDARD_IA", "GLACIER_IR")


def _doc(*rules):
    return ("<LifecycleConfiguration>%s</LifecycleConfiguration>" % "".join(
        "<Rule>%s</Rule>" % r for r in rules)).encode()


def _code(body):
    with pytest.raises(S3Error) as err:
        lifecycle.parse_configuration(body, CLASSES)
    return err.value.code


def test_rules_with_filters_transitions_and_expiration_are_parsed():
    rules = lifecycle.parse_configuration(_doc(
        "<ID>a</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>t</Key><Value>v</Value></Tag>"
        "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled"
        "</Status><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass>"
        "</Transition><Transition><Days>90</Days><StorageClass>GLACIER_IR</StorageClass>"
        "</Transition><Expiration><Days>365</Days></Expiration>",
        "<ID>b</ID><Prefix>tmp/</Prefix><Status>Disabled</Status>"
        "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>"), CLASSES)
    a, b = rules
    assert (a.prefix, a.tags, a.size_greater_than, a.and_filter) == ("logs/", {"t": "v"}, 10,
                                                                     True)
    assert [(t.days, t.storage_class) for t in a.transitions] == [(30, "STANDARD_IA"),
                                                                  (90, "GLACIER_IR")]
    assert a.expiration_days == 365 and a.enabled
    assert b.legacy_prefix and b.prefix == "tmp/" and not b.enabled
    assert b.expiration_date == 1893456000.0
    again = lifecycle.parse_configuration(lifecycle.render_configuration(rules), CLASSES)
    assert again == rules


@pytest.mark.parametrize("rule, code", [
    ("<ID>a</ID><Status>Enabled</Status>", "MalformedXML"),  # no action
    ("<ID>a</ID><Status>On</Status><Expiration><Days>1</Days></Expiration>", "MalformedXML"),
    ("<ID>a</ID><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>",
     "InvalidArgument"),
    ("<ID>a</ID><Status>Enabled</Status><Expiration><Days>x</Days></Expiration>",
     "MalformedXML"),
    ("<ID>a</ID><Status>Enabled</Status><Expiration><Date>2030-01-01T05:00:00Z</Date>"
     "</Expiration>", "InvalidArgument"),
    ("<ID>a</ID><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>"
     "DEEP_ARCHIVE</StorageClass></Transition>", "InvalidStorageClass"),
    ("<ID>a</ID><Status>Enabled</Status><Transition><Days>1</Days><Date>2030-01-01"
     "</Date><StorageClass>GLACIER_IR</StorageClass></Transition>", "MalformedXML"),
    ("<ID>a</ID><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>"
     "GLACIER_IR</StorageClass></Transition><Transition><Date>2030-01-01T00:00:00Z</Date>"
     "<StorageClass>STANDARD_IA</StorageClass></Transition>", "InvalidRequest"),
    ("<ID>a</ID><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
     "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration>", "MalformedXML"),
    ("<ID>%s</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>"
     % ("x" * 256), "InvalidArgument"),
    ("<ID>a</ID><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>1"
     "</NoncurrentDays><StorageClass>DEEP_ARCHIVE</StorageClass>"
     "</NoncurrentVersionTransition>", "InvalidStorageClass"),
    ("<ID>a</ID><Status>Enabled</Status><NoncurrentVersionTransition><StorageClass>"
     "GLACIER_IR</StorageClass></NoncurrentVersionTransition>", "MalformedXML"),
    ("<ID>a</ID><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>0"
     "</NoncurrentDays><StorageClass>GLACIER_IR</StorageClass>"
     "</NoncurrentVersionTransition>", "InvalidArgument"),
    ("<ID>a</ID><Status>Enabled</Status>" + "<NoncurrentVersionTransition><NoncurrentDays>%d"
     "</NoncurrentDays><StorageClass>GLACIER_IR</StorageClass></NoncurrentVersionTransition>"
     * 2 % (1, 2), "InvalidArgument"),
    ("<ID>a</ID><Status>Enabled</Status><Bogus/>", "MalformedXML"),
])
def test_bad_rules_are_refused_with_s3_s_codes(rule, code):
    assert _code(_doc(rule)) == code


def test_duplicate_ids_and_empty_documents_are_refused():
    rule = "<ID>same</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>"
    assert _code(_doc(rule, rule)) == "InvalidArgument"
    assert _code(_doc()) == "MalformedXML"
    assert _code(b"<NotLifecycle/>") == "MalformedXML"
    assert _code(b"<LifecycleConfiguration><Rule>") == "MalformedXML"


def test_the_tiering_middleware_sets_the_sysmeta_s3api_answers_storage_class_from():
    assert S3_STORAGE_CLASS.lower() == objects.STORAGE_CLASS_SYSMETA


def test_noncurrent_expiration_keeps_newer_noncurrent_versions_and_renders_them_back():
    body = _doc("<ID>n</ID><Filter><Prefix>v/</Prefix></Filter><Status>Enabled</Status>"
                "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
                "<NewerNoncurrentVersions>3</NewerNoncurrentVersions>"
                "</NoncurrentVersionExpiration>")
    rule, = lifecycle.parse_configuration(body, CLASSES)
    assert (rule.noncurrent_expiration_days, rule.noncurrent_newer_versions) == (7, 3)
    assert b"<NewerNoncurrentVersions>3</NewerNoncurrentVersions>" in \
        lifecycle.render_configuration([rule])


@pytest.mark.parametrize("newer, code", [("0", "InvalidArgument"), ("101", "InvalidArgument"),
                                         ("x", "MalformedXML")])
def test_newer_noncurrent_versions_out_of_range_is_refused(newer, code):
    assert _code(_doc("<ID>n</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>"
                      "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
                      "<NewerNoncurrentVersions>%s</NewerNoncurrentVersions>"
                      "</NoncurrentVersionExpiration>" % newer)) == code


@pytest.mark.parametrize("action", [
    "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
    "</AbortIncompleteMultipartUpload>",
    "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"])
def test_upload_aborts_and_delete_marker_expiry_take_no_tag_filter(action):
    assert _code(_doc("<ID>t</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                      "<Status>Enabled</Status>" + action)) == "InvalidRequest"


def test_noncurrent_version_transitions_are_parsed_and_rendered_back():
    body = _doc("<ID>nt</ID><Filter><Prefix>v/</Prefix></Filter><Status>Enabled</Status>"
                "<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays>"
                "<StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>"
                "<NoncurrentVersionTransition><NoncurrentDays>90</NoncurrentDays>"
                "<StorageClass>GLACIER_IR</StorageClass>"
                "<NewerNoncurrentVersions>2</NewerNoncurrentVersions>"
                "</NoncurrentVersionTransition>")
    rule, = lifecycle.parse_configuration(body, CLASSES)
    assert [(t.storage_class, t.days, t.newer_versions) for t in
            rule.noncurrent_transitions] == [("STANDARD_IA", 30, None), ("GLACIER_IR", 90, 2)]
    assert lifecycle.parse_configuration(lifecycle.render_configuration([rule]),
                                         CLASSES) == [rule]
