"""Container and account ACLs as owner, as a non-admin user of the account,
as another account and anonymously; who sees ACL and sync-key values."""
import json

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Accounts, containers and ACLs"

_C = setup("PUT", "{a}/{c}")
_O = setup("PUT", "{a}/{c}/o", b"secret", Content_Type="text/x-acl")


def acl(case_id, *steps, **acl_headers):
    """Container {c} (with ACL headers) holding object o."""
    return case(case_id, setup("PUT", "{a}/{c}", **acl_headers), _O, *steps)


_NA = setup("PUT", "{na}", user="reseller")


def account_acl(case_id, value, *steps):
    """A fresh account with container {c}/o and X-Account-Access-Control ``value``."""
    return case(case_id, _NA, setup("PUT", "{na}/{c}", user="reseller"),
                setup("PUT", "{na}/{c}/o", b"data", user="reseller"),
                setup("POST", "{na}", user="reseller", X_Account_Access_Control=value),
                *steps, fresh_account=True)


def _long_acl(users):
    """An account ACL naming ``users`` admins of 1 KiB names each."""
    return json.dumps({"admin": [c * 1024 for c in "abcdefgh"[:users]]}, separators=(",", ":"))


CASES = [
    acl("acl-none-nonadmin-get", check("GET", "{a}/{c}/o", user="nonadmin")),
    acl("acl-none-nonadmin-list", check("GET", "{a}/{c}", user="nonadmin")),
    acl("acl-none-nonadmin-head-container", check("HEAD", "{a}/{c}", user="nonadmin")),
    acl("acl-none-other-account-get", check("GET", "{a}/{c}/o", user="other")),
    acl("acl-none-anonymous-get", check("GET", "{a}/{c}/o", user=None)),
    acl("acl-read-user-get", check("GET", "{a}/{c}/o", user="nonadmin"),
        check("HEAD", "{a}/{c}", user="nonadmin"), check("GET", "{a}/{c}", user="nonadmin"),
        X_Container_Read="test:tester3"),
    acl("acl-read-user-cannot-write", check("PUT", "{a}/{c}/new", b"x", user="nonadmin"),
        check("POST", "{a}/{c}", user="nonadmin", X_Container_Meta_A="1"),
        X_Container_Read="test:tester3"),
    acl("acl-read-other-account", check("GET", "{a}/{c}/o", user="other"),
        check("GET", "{a}/{c}", user="other"), check("HEAD", "{a}/{c}", user="other"),
        X_Container_Read="test2:tester2"),
    acl("acl-read-other-account-wildcard-user", check("GET", "{a}/{c}/o", user="other"),
        X_Container_Read="test2:*"),
    acl("acl-referrer-any", check("GET", "{a}/{c}/o", user=None), check("GET", "{a}/{c}", user=None),
        check("HEAD", "{a}/{c}", user=None), X_Container_Read=".r:*"),
    acl("acl-referrer-any-with-listings", check("GET", "{a}/{c}", user=None),
        check("GET", "{a}/{c}?format=json", user=None), check("HEAD", "{a}/{c}", user=None),
        X_Container_Read=".r:*,.rlistings"),
    acl("acl-referrer-host", check("GET", "{a}/{c}/o", user=None, Referer="http://good.example.com/x"),
        check("GET", "{a}/{c}/o", user=None, Referer="http://bad.example.org/x"),
        X_Container_Read=".r:.example.com"),
    acl("acl-referrer-denied", check("GET", "{a}/{c}/o", user=None, Referer="http://bad.example.org/"),
        X_Container_Read=".r:*,.r:-bad.example.org"),
    acl("acl-write-user", check("PUT", "{a}/{c}/new", b"x", user="nonadmin"),
        check("DELETE", "{a}/{c}/o", user="nonadmin"), check("GET", "{a}/{c}/new", user="nonadmin"),
        X_Container_Write="test:tester3"),
    acl("acl-write-other-account", check("PUT", "{a}/{c}/new", b"x", user="other"),
        check("GET", "{a}/{c}/new", user="other"), X_Container_Write="test2:tester2"),
    acl("acl-visible-to-owner", check("HEAD", "{a}/{c}"), check("GET", "{a}/{c}"),
        X_Container_Read="test:tester3", X_Container_Write="test2:tester2"),
    acl("acl-hidden-from-reader", check("HEAD", "{a}/{c}", user="nonadmin"),
        check("GET", "{a}/{c}", user="nonadmin"),
        X_Container_Read="test:tester3", X_Container_Write="test2:tester2",
        X_Container_Sync_Key="sync-secret"),
    acl("acl-hidden-from-other-account", check("HEAD", "{a}/{c}", user="other"),
        X_Container_Read="test2:tester2", X_Container_Write="test2:tester2",
        X_Container_Sync_Key="sync-secret"),
    acl("acl-nonadmin-cannot-set", check("POST", "{a}/{c}", user="nonadmin",
                                         X_Container_Read=".r:*"),
        X_Container_Write="test:tester3"),
    acl("acl-other-cannot-set", check("POST", "{a}/{c}", user="other", X_Container_Read=".r:*"),
        X_Container_Write="test2:tester2"),
    acl("acl-writer-cannot-create-container", check("PUT", "{a}/{c2}", user="nonadmin"),
        X_Container_Write="test:tester3"),
    case("acl-bad-referrer-syntax", check("PUT", "{a}/{c}", X_Container_Read=".r:")),
    case("acl-bad-referrer-unknown-dot", check("PUT", "{a}/{c}", X_Container_Read=".bogus:x")),
    case("acl-remove-read", setup("PUT", "{a}/{c}", X_Container_Read=".r:*"), _O,
         check("POST", "{a}/{c}", X_Remove_Container_Read="x"), check("GET", "{a}/{c}/o", user=None)),
    # account ACLs (tempauth) on a fresh account
    account_acl("acl-account-read-only", json.dumps({"read-only": ["test:tester3"]}),
                check("GET", "{na}/{c}/o", user="nonadmin"),
                check("PUT", "{na}/{c}/new", b"x", user="nonadmin"),
                check("HEAD", "{na}", user="nonadmin")),
    account_acl("acl-account-read-write", json.dumps({"read-write": ["test:tester3"]}),
                check("PUT", "{na}/{c}/new", b"x", user="nonadmin"),
                check("PUT", "{na}/{c2}", user="nonadmin"),
                check("POST", "{na}", user="nonadmin", X_Account_Meta_A="1")),
    account_acl("acl-account-admin", json.dumps({"admin": ["test:tester3"]}),
                check("PUT", "{na}/{c2}", user="nonadmin"),
                check("HEAD", "{na}", user="nonadmin"),
                check("POST", "{na}", user="nonadmin", X_Account_Meta_B="1")),
    # who sees the account ACL and temp URL key on a GET (a listing), where
    # object_versioning passes the request on as a copy of the environ
    account_acl("acl-account-admin-get", json.dumps({"admin": ["test:tester3"]}),
                setup("POST", "{na}", user="reseller", X_Account_Meta_Temp_URL_Key="sek"),
                check("GET", "{na}", user="nonadmin"),
                check("GET", "{na}?format=json", user="nonadmin"),
                check("GET", "{na}", user="reseller")),
    account_acl("acl-account-read-write-get", json.dumps({"read-write": ["test:tester3"]}),
                setup("POST", "{na}", user="reseller", X_Account_Meta_Temp_URL_Key="sek"),
                check("GET", "{na}", user="nonadmin"), check("HEAD", "{na}", user="nonadmin")),
    account_acl("acl-account-visible-to-reseller", json.dumps({"read-only": ["test2:tester2"]}),
                check("HEAD", "{na}", user="reseller")),
    # a request header line of max_header_size (8192) bytes or more is a 400
    # from the proxy's HTTP server; one a little shorter is taken
    case("acl-account-header-line-limit", _NA,
         check("POST", "{na}", user="reseller", X_Account_Access_Control=_long_acl(8)),
         check("POST", "{na}", user="reseller", X_Account_Access_Control=_long_acl(7)),
         check("HEAD", "{na}", user="reseller"),
         check("HEAD", "{na}", user="reseller", X_Long="a" * (8192 - len("X-Long: \r\n"))),
         check("HEAD", "{na}", user="reseller", X_Long="a" * (8191 - len("X-Long: \r\n"))),
         fresh_account=True),
    case("acl-account-invalid-json", _NA,
         check("POST", "{na}", user="reseller", X_Account_Access_Control="{not json"),
         fresh_account=True),
    case("acl-account-unknown-key", _NA,
         check("POST", "{na}", user="reseller",
               X_Account_Access_Control=json.dumps({"superuser": ["x"]})),
         fresh_account=True),
    case("acl-account-not-a-list", _NA,
         check("POST", "{na}", user="reseller",
               X_Account_Access_Control=json.dumps({"admin": "test:tester3"})),
         fresh_account=True),
]
