import xml.etree.ElementTree as ET

import pytest

from objstore.middleware.s3api import acl
from objstore.middleware.s3api.errors import S3Error

OWNER = "AUTH_test"
ALL, AUTH, LOG = acl.ALL_USERS, acl.AUTH_USERS, acl.LOG_DELIVERY
XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def policy(*grants):
    items = "".join('<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                    'xsi:type="%s"><%s>%s</%s></Grantee><Permission>%s</Permission></Grant>'
                    % (t, tag, v, tag, p) for t, tag, v, p in grants)
    return ('<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner>'
            '<ID>%s</ID></Owner><AccessControlList>%s</AccessControlList>'
            '</AccessControlPolicy>' % (OWNER, items)).encode()


ME = ("CanonicalUser", "ID", OWNER, "FULL_CONTROL")


def of_policy(*grants):
    return acl.from_grants(acl.grants_from_policy(policy(*grants)), OWNER)


@pytest.mark.parametrize("grants,canned", [
    ((ME,), "private"),
    ((), "private"),
    ((ME, ("Group", "URI", ALL, "READ")), "public-read"),
    ((ME, ("Group", "URI", ALL, "READ"), ("Group", "URI", ALL, "WRITE")), "public-read-write"),
    ((ME, ("Group", "URI", AUTH, "READ")), "authenticated-read"),
])
def test_policies_that_say_what_a_canned_acl_says_are_kept_as_it(grants, canned):
    assert of_policy(*grants).encode() == canned


def test_every_canned_acl_reads_back_through_its_xml_as_the_same_grants():
    for canned in acl.CANNED:
        made = acl.canned_acl(canned, bucket=True)
        again = acl.from_grants(acl.grants_from_policy(acl.grants_xml(OWNER, made)), OWNER)
        assert again.grants == made.grants


def grantees(body):
    """[(xsi:type, {field: text}, permission)] of an AccessControlPolicy."""
    doc = ET.fromstring(body)
    out = []
    for grant in doc.iter(NS + "Grant"):
        grantee = grant.find(NS + "Grantee")
        fields = {child.tag[len(NS):]: child.text for child in grantee}
        out.append((grantee.get(XSI), fields, grant.find(NS + "Permission").text))
    return out


@pytest.mark.parametrize("canned,expected", [
    ("private", []),
    ("public-read", [("Group", {"URI": ALL}, "READ")]),
    ("public-read-write", [("Group", {"URI": ALL}, "READ"), ("Group", {"URI": ALL}, "WRITE")]),
    ("authenticated-read", [("Group", {"URI": AUTH}, "READ")]),
    ("bucket-owner-read", []),
    ("bucket-owner-full-control", []),
    ("log-delivery-write", [("Group", {"URI": LOG}, "WRITE"),
                            ("Group", {"URI": LOG}, "READ_ACP")]),
])
def test_each_canned_acl_shows_the_owner_then_its_grants_with_full_grantee_fields(
        canned, expected):
    body = acl.grants_xml(OWNER, acl.canned_acl(canned, bucket=True))
    owner = ("CanonicalUser", {"ID": OWNER, "DisplayName": OWNER}, "FULL_CONTROL")
    assert grantees(body) == [owner] + expected
    doc = ET.fromstring(body)
    assert doc.find(NS + "Owner/" + NS + "ID").text == OWNER


def test_log_delivery_write_is_for_buckets_only():
    with pytest.raises(S3Error) as err:
        acl.canned_acl("log-delivery-write", bucket=False)
    assert err.value.code == "InvalidArgument"
    with pytest.raises(S3Error) as err:
        acl.canned_acl("public-everything", bucket=True)
    assert err.value.code == "InvalidArgument"


def test_grants_to_users_and_accounts_are_kept_and_shown():
    made = of_policy(ME, ("CanonicalUser", "ID", "test:tester3", "READ"),
                     ("CanonicalUser", "ID", "AUTH_test2", "WRITE_ACP"),
                     ("Group", "URI", AUTH, "FULL_CONTROL"))
    assert made.canned is None
    assert acl.decode(made.encode()) == made
    shown = grantees(acl.grants_xml(OWNER, made))
    assert ("CanonicalUser", {"ID": "test:tester3", "DisplayName": "test:tester3"},
            "READ") in shown
    assert ("CanonicalUser", {"ID": "AUTH_test2", "DisplayName": "AUTH_test2"},
            "WRITE_ACP") in shown
    assert ("Group", {"URI": AUTH}, "FULL_CONTROL") in shown
    assert len(shown) == 4


def test_what_a_grant_allows():
    made = of_policy(ME, ("CanonicalUser", "ID", "test:tester3", "READ"),
                     ("CanonicalUser", "ID", "AUTH_test2", "FULL_CONTROL"))
    assert made.allows("READ", ["test:tester3", "test"], True)
    assert not made.allows("WRITE", ["test:tester3", "test"], True)
    assert not made.allows("READ", ["test2:tester2", "test2"], True)
    assert made.allows("WRITE_ACP", ["test2:tester2", "test2", "AUTH_test2"], True)
    assert not made.allows("READ", [], False)
    public = acl.canned_acl("public-read", bucket=False)
    assert public.allows("READ", [], False) and not public.allows("READ_ACP", [], False)
    members = acl.canned_acl("authenticated-read", bucket=False)
    assert members.allows("READ", ["x:y"], True) and not members.allows("READ", [], False)


def test_swift_container_acls_of_grants():
    made = of_policy(ME, ("Group", "URI", ALL, "READ"),
                     ("CanonicalUser", "ID", "test:tester3", "FULL_CONTROL"),
                     ("Group", "URI", AUTH, "WRITE"), ("Group", "URI", LOG, "WRITE"))
    headers = acl.container_headers(made)
    assert headers["X-Container-Read"] == "test:tester3,.r:*,.rlistings"
    assert headers["X-Container-Write"] == "test:tester3,*:*"
    assert headers[acl.CONTAINER_SYSMETA].startswith(acl.GRANTS_PREFIX)
    assert acl.container_headers(acl.canned_acl("public-read-write", True)) == {
        acl.CONTAINER_SYSMETA: "public-read-write", "X-Container-Read": ".r:*,.rlistings",
        "X-Container-Write": ""}


@pytest.mark.parametrize("grant,code", [
    (("AmazonCustomerByEmail", "EmailAddress", "a@b.c", "READ"),
     "UnresolvableGrantByEmailAddress"),
    (("CanonicalUser", "ID", "nobody here", "READ"), "InvalidArgument"),
    (("CanonicalUser", "ID", ".r:*", "READ"), "InvalidArgument"),
    (("CanonicalUser", "ID", "*:*", "READ"), "InvalidArgument"),
    (("CanonicalUser", "ID", "a,b:c", "READ"), "InvalidArgument"),
    (("Group", "URI", "http://example.com/everyone", "READ"), "InvalidArgument"),
])
def test_grants_that_cannot_be_resolved_are_refused(grant, code):
    with pytest.raises(S3Error) as err:
        of_policy(ME, grant)
    assert err.value.code == code


def test_at_most_100_grants():
    many = [("CanonicalUser", "ID", "test:user%d" % i, "READ") for i in range(101)]
    with pytest.raises(S3Error) as err:
        of_policy(ME, *many)
    assert err.value.code == "MalformedACLError"
    assert len(of_policy(ME, *many[:100]).grants) == 100


@pytest.mark.parametrize("body", [b"<x", b"<Other/>", b"<AccessControlPolicy/>",
                                  policy(("Group", "URI", ALL, "READ_EVERYTHING"))])
def test_malformed_policies(body):
    with pytest.raises(S3Error) as err:
        acl.grants_from_policy(body)
    assert err.value.code == "MalformedACLError"


def test_grant_headers():
    headers = {"x-amz-grant-read": 'uri="%s", id="%s"' % (ALL, OWNER),
               "x-amz-grant-full-control": 'id="%s"' % OWNER}
    assert acl.from_headers(headers, OWNER).encode() == "public-read"
    headers = {"x-amz-grant-read": 'id="test:tester3"',
               "x-amz-grant-write-acp": 'id="AUTH_test2"'}
    assert acl.from_headers(headers, OWNER).grants == {
        ("id", "test:tester3", "READ"), ("id", "AUTH_test2", "WRITE_ACP")}
    with pytest.raises(S3Error) as err:
        acl.from_headers(dict(headers, **{"x-amz-acl": "private"}), OWNER)
    assert err.value.code == "InvalidRequest"
    with pytest.raises(S3Error) as err:
        acl.from_headers({"x-amz-grant-read": "everyone"}, OWNER)
    assert err.value.code == "InvalidArgument"
    with pytest.raises(S3Error) as err:
        acl.from_headers({"x-amz-grant-read": 'emailAddress="a@b.c"'}, OWNER)
    assert err.value.code == "UnresolvableGrantByEmailAddress"


def test_stored_values_decode():
    assert acl.decode(None) is None and acl.decode("") is None
    assert acl.decode("public-read").allows("READ", [], False)
    # anything unreadable grants nothing
    assert acl.decode("grants:{not json").grants == frozenset()
    assert acl.decode("something-else").grants == frozenset()
