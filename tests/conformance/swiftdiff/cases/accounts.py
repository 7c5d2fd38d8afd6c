"""Account level: every verb, metadata and its limits, fresh accounts.

Account totals and metadata are compared on a fresh account ({na}) that the
reseller admin creates, as the shared AUTH_test also holds other tests'
containers; in AUTH_test listings are narrowed to the case's own prefix.
"""
from ..case import case, check, setup, wire_name

#: the section of docs/swift-differences.md these cases belong to
AREA = "Accounts, containers and ACLs"

_NEW = setup("PUT", "{na}", user="reseller")


def fresh(case_id, *steps):
    return case(case_id, _NEW, *steps, fresh_account=True)


CASES = [
    case("account-get-prefix-json", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         check("GET", "{a}?prefix={base}&format=json")),
    case("account-get-prefix-plain", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         check("GET", "{a}?prefix={base}")),
    case("account-get-prefix-xml", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         check("GET", "{a}?prefix={base}&format=xml")),
    case("account-get-prefix-no-match-plain", check("GET", "{a}?prefix={base}")),
    case("account-get-prefix-no-match-json", check("GET", "{a}?prefix={base}&format=json")),
    case("account-get-prefix-no-match-xml", check("GET", "{a}?prefix={base}&format=xml")),
    case("account-put-as-owner-not-reseller", check("PUT", "{a}")),
    case("account-delete-as-owner-not-reseller", check("DELETE", "{a}")),
    case("account-copy-not-allowed", check("COPY", "{a}", Destination="x/y")),
    case("account-options", check("OPTIONS", "{a}")),
    case("account-options-no-token", check("OPTIONS", "{a}", user=None)),
    case("account-post-no-token", check("POST", "{a}", user=None, X_Account_Meta_X="1")),
    case("account-post-as-nonadmin", check("POST", "{a}", user="nonadmin", X_Account_Meta_X="1")),
    case("account-head-as-nonadmin", check("HEAD", "{a}", user="nonadmin",
                                           ignore=("x-account-container-count",))),
    case("account-unknown-method", check("PATCH", "{a}")),
    # fresh accounts: exact totals and metadata
    # per-policy quotas (bytes and objects) are the reseller admin's alone
    case("account-quota-policy-as-owner",
         check("POST", "{a}", headers=[("X-Account-Quota-Count-Policy-{policy}", "0")]),
         check("POST", "{a}", headers=[("X-Remove-Account-Quota-Count-Policy-{policy}", "t")]),
         check("POST", "{a}", headers=[("X-Account-Quota-Bytes-Policy-{policy}", "0")]),
         check("POST", "{a}", headers=[("X-Remove-Account-Quota-Bytes-Policy-{policy}", "t")])),
    fresh("account-quota-policy-count-by-reseller",
          check("POST", "{na}", user="reseller",
                headers=[("X-Account-Quota-Count-Policy-{policy}", "many")]),
          check("POST", "{na}", user="reseller",
                headers=[("X-Account-Quota-Count-Policy-{policy}", "5")])),
    fresh("account-fresh-put-response", check("HEAD", "{na}", user="reseller")),
    # a deleted account takes no new containers (its account server answers
    # 404 to the container server's update) nor objects
    fresh("account-deleted-takes-nothing", setup("DELETE", "{na}", user="reseller"),
          check("PUT", "{na}/{c}", user="reseller"), check("HEAD", "{na}", user="reseller"),
          check("PUT", "{na}/{c}/o", b"x", user="reseller"),
          check("GET", "{na}/{c}", user="reseller")),
    case("account-fresh-put-by-reseller", check("PUT", "{na}", user="reseller"),
         fresh_account=True),
    fresh("account-fresh-put-again", check("PUT", "{na}", user="reseller")),
    fresh("account-fresh-get-empty-plain", check("GET", "{na}", user="reseller")),
    fresh("account-fresh-get-empty-json", check("GET", "{na}?format=json", user="reseller")),
    fresh("account-fresh-get-empty-xml", check("GET", "{na}?format=xml", user="reseller")),
    fresh("account-fresh-containers-listed", setup("PUT", "{na}/{c}", user="reseller"),
          setup("PUT", "{na}/{c2}", user="reseller"), setup("PUT", "{na}/{c}/o", b"12345", user="reseller"),
          check("HEAD", "{na}", user="reseller"), check("GET", "{na}?format=json", user="reseller"),
          check("GET", "{na}?format=xml", user="reseller"), check("GET", "{na}", user="reseller")),
    fresh("account-fresh-post-meta", check("POST", "{na}", user="reseller", X_Account_Meta_Color="blue",
                                           X_Account_Meta_Empty=""),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-post-meta-utf8-ending-in-nel",
          check("POST", "{na}", user="reseller", X_Account_Meta_A="x\u3705"),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-post-meta-utf8", check("POST", "{na}", user="reseller",
                                                X_Account_Meta_Snow="\u2603 snow"),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-post-meta-utf8-names",
          check("POST", "{na}", user="reseller",
                headers=[(wire_name("X-Account-Meta-\U0001f44d"), "\U0001f44d")]),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-remove-meta", setup("POST", "{na}", user="reseller", X_Account_Meta_Color="blue"),
          check("POST", "{na}", user="reseller", X_Remove_Account_Meta_Color="x"),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-meta-name-too-long",
          check("POST", "{na}", user="reseller", headers=[("X-Account-Meta-" + "n" * 129, "v")])),
    fresh("account-fresh-meta-name-at-limit",
          check("POST", "{na}", user="reseller", headers=[("X-Account-Meta-" + "n" * 128, "v")])),
    fresh("account-fresh-meta-value-too-long",
          check("POST", "{na}", user="reseller", X_Account_Meta_V="v" * 257)),
    fresh("account-fresh-meta-value-at-limit",
          check("POST", "{na}", user="reseller", X_Account_Meta_V="v" * 256),
          check("HEAD", "{na}", user="reseller")),
    fresh("account-fresh-meta-too-many",
          check("POST", "{na}", user="reseller",
                headers=[("X-Account-Meta-M%d" % i, "v") for i in range(91)])),
    fresh("account-fresh-meta-too-large-overall",
          check("POST", "{na}", user="reseller",
                headers=[("X-Account-Meta-M%02d" % i, "v" * 250) for i in range(17)])),
    fresh("account-fresh-delete-with-containers", setup("PUT", "{na}/{c}", user="reseller"),
          check("DELETE", "{na}", user="reseller")),
    fresh("account-fresh-delete-empty", check("DELETE", "{na}", user="reseller"),
          check("HEAD", "{na}", user="reseller"), check("GET", "{na}", user="reseller"),
          check("PUT", "{na}/{c}", user="reseller")),
    case("account-never-created-head", check("HEAD", "{na}", user="reseller"), fresh_account=True),
    case("account-never-created-get", check("GET", "{na}", user="reseller"), fresh_account=True),
    case("account-never-created-get-json", check("GET", "{na}?format=json", user="reseller"),
         fresh_account=True),
    case("account-never-created-post", check("POST", "{na}", user="reseller", X_Account_Meta_A="1"),
         fresh_account=True),
    case("account-never-created-container-autocreate", check("PUT", "{na}/{c}", user="reseller"),
         check("HEAD", "{na}", user="reseller"), fresh_account=True),
    case("account-name-too-long", check("HEAD", "/v1/AUTH_" + "a" * 252, user="reseller")),
]
