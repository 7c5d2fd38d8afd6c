"""tempauth: getting a token, and requests without a valid one."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Accounts, containers and ACLs"

_GOOD = dict(X_Auth_User="test:tester", X_Auth_Key="testing")

CASES = [
    case("auth-get-token", check("GET", "/auth/v1.0", user=None, **_GOOD)),
    case("auth-get-token-storage-headers",
         check("GET", "/auth/v1.0", user=None, X_Storage_User="test:tester", X_Storage_Pass="testing")),
    case("auth-head-token", check("HEAD", "/auth/v1.0", user=None, **_GOOD)),
    case("auth-bad-key", check("GET", "/auth/v1.0", user=None, X_Auth_User="test:tester",
                               X_Auth_Key="wrong")),
    case("auth-unknown-user", check("GET", "/auth/v1.0", user=None, X_Auth_User="nobody:x",
                                    X_Auth_Key="x")),
    case("auth-user-without-account", check("GET", "/auth/v1.0", user=None, X_Auth_User="tester",
                                            X_Auth_Key="testing")),
    case("auth-no-credentials", check("GET", "/auth/v1.0", user=None)),
    case("auth-v1-alias-path", check("GET", "/auth/v1.0/", user=None, **_GOOD)),
    # /auth/v1/<account>/auth takes only a user of that account
    case("auth-path-form-account-user", check("GET", "/auth/v1/test/auth", user=None, **_GOOD)),
    case("auth-path-form-bare-user", check("GET", "/auth/v1/test/auth", user=None,
                                           X_Auth_User="tester", X_Auth_Key="testing")),
    case("auth-path-form-other-account", check("GET", "/auth/v1/test/auth", user=None,
                                               X_Auth_User="test2:tester2",
                                               X_Auth_Key="testing2")),
    case("auth-path-form-trailing-slash", check("GET", "/auth/v1/test/auth/", user=None, **_GOOD)),
    case("auth-more-segments", check("GET", "/auth/v1.0/x/y", user=None, **_GOOD),
         check("GET", "/auth/auth", user=None, **_GOOD)),
    case("auth-empty-segment", check("GET", "/auth/", user=None, **_GOOD),
         check("GET", "/auth//v1.0", user=None, **_GOOD)),
    case("auth-v1-0-without-prefix", check("GET", "/v1.0", user=None, **_GOOD)),
    case("auth-post-token", check("POST", "/auth/v1.0", user=None, **_GOOD)),
    case("auth-account-no-token", check("GET", "{a}", user=None)),
    case("auth-account-head-no-token", check("HEAD", "{a}", user=None)),
    case("auth-account-bad-token", check("GET", "{a}", user=None, X_Auth_Token="AUTH_tkbogus")),
    # the realm names the path's account quoted (a quote or line feed in it
    # cannot break the header); with a bad token of ours, as received
    case("auth-realm-of-an-odd-account",
         check("GET", "/v1/AUTH_haxx%22%0AContent-Length%3A%2014%0A%0A%3Cb%3EHi", user=None),
         check("GET", "/v1/AUTH_%C3%A9/c", user=None),
         check("GET", "/v1/AUTH_%C3%A9/c", user=None, X_Auth_Token="AUTH_tkbogus")),
    case("auth-container-no-token", setup("PUT", "{a}/{c}"),
         check("GET", "{a}/{c}", user=None)),
    case("auth-object-no-token", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/o", b"x"),
         check("GET", "{a}/{c}/o", user=None), check("PUT", "{a}/{c}/o2", b"x", user=None),
         check("DELETE", "{a}/{c}/o", user=None)),
    case("auth-other-account-forbidden", check("GET", "{a2}")),
    case("auth-other-account-head-forbidden", check("HEAD", "{a2}")),
    case("auth-other-account-container-put-forbidden", check("PUT", "{a2}/{c}")),
    case("auth-unknown-reseller-prefix", check("GET", "/v1/NOPE_test")),
    case("auth-service-user-own-account", check("HEAD", "/v1/AUTH_test5", user="service")),
    case("auth-reseller-reads-other-account", check("GET", "{a}?prefix={base}", user="reseller")),
]
