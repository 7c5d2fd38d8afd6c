import pytest

from objstore.middleware.s3api import acl
from objstore.middleware.s3api.errors import S3Error

OWNER = "AUTH_test"
ALL, AUTH = acl.ALL_USERS, acl.AUTH_USERS


def policy(*grants):
    items = "".join('<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                    'xsi:type="%s"><%s>%s</%s></Grantee><Permission>%s</Permission></Grant>'
                    % (t, tag, v, tag, p) for t, tag, v, p in grants)
    return ('<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner>'
            '<ID>%s</ID></Owner><AccessControlList>%s</AccessControlList>'
            '</AccessControlPolicy>' % (OWNER, items)).encode()


ME = ("CanonicalUser", "ID", OWNER, "FULL_CONTROL")


@pytest.mark.parametrize("grants,canned", [
    ((ME,), "private"),
    ((), "private"),
    ((ME, ("Group", "URI", ALL, "READ")), "public-read"),
    ((ME, ("Group", "URI", ALL, "READ"), ("Group", "URI", ALL, "WRITE")), "public-read-write"),
    ((ME, ("Group", "URI", AUTH, "READ")), "authenticated-read"),
])
def test_policies_that_say_what_a_canned_acl_says_map_to_it(grants, canned):
    assert acl.canned_for_grants(acl.grants_from_policy(policy(*grants)), OWNER) == canned


def test_the_grants_of_each_canned_acl_read_back_as_that_acl():
    for canned in ("private", "public-read", "public-read-write", "authenticated-read"):
        assert acl.canned_for_grants(acl.grants_from_policy(acl.grants_xml(OWNER, canned)),
                                     OWNER) == canned


@pytest.mark.parametrize("grant", [("CanonicalUser", "ID", "AUTH_other", "READ"),
                                   ("AmazonCustomerByEmail", "EmailAddress", "a@b.c", "READ"),
                                   ("Group", "URI", ALL, "READ_ACP"),
                                   ("Group", "URI", ALL, "WRITE")])
def test_other_grants_are_not_implemented(grant):
    with pytest.raises(S3Error) as err:
        acl.canned_for_grants(acl.grants_from_policy(policy(ME, grant)), OWNER)
    assert err.value.code == "NotImplemented"


@pytest.mark.parametrize("body", [b"<x", b"<Other/>", b"<AccessControlPolicy/>",
                                  policy(("Group", "URI", ALL, "READ_EVERYTHING"))])
def test_malformed_policies(body):
    with pytest.raises(S3Error) as err:
        acl.grants_from_policy(body)
    assert err.value.code == "MalformedACLError"


def test_grant_headers():
    headers = {"x-amz-grant-read": 'uri="%s", id="%s"' % (ALL, OWNER),
               "x-amz-grant-full-control": 'id="%s"' % OWNER}
    assert acl.validate(None, headers, OWNER) == "public-read"
    with pytest.raises(S3Error) as err:
        acl.validate("private", headers, OWNER)
    assert err.value.code == "InvalidRequest"
    with pytest.raises(S3Error) as err:
        acl.validate(None, {"x-amz-grant-read": "everyone"}, OWNER)
    assert err.value.code == "InvalidArgument"
