"""object_versioning (X-Versions-Enabled): the ?versions listing and its
parameters, delete markers, reads and deletes by version id."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "versioned_writes"

#: a and b/2 written twice, c and obj deleted (a delete marker on top)
_FILLED = [setup("PUT", "{a}/{c}", X_Versions_Enabled="true")] + [
    setup("PUT", "{a}/{c}/" + n, b"v%d" % i) for i, n in enumerate(
        ["obj", "obj", "a", "a", "b/1", "b/2", "b/2", "c", "d"])] + [
    setup("DELETE", "{a}/{c}/c"), setup("DELETE", "{a}/{c}/obj")]

_QUERIES = [
    ("all", ""), ("reverse", "reverse=true"), ("delimiter", "delimiter=/"),
    ("delimiter-reverse", "delimiter=/&reverse=true"), ("delimiter-multichar", "delimiter=b"),
    ("prefix", "prefix=b/"), ("prefix-delimiter", "prefix=b&delimiter=/"),
    ("limit", "limit=3"), ("limit-zero", "limit=0"), ("limit-over-max", "limit=10001"),
    ("marker", "marker=b/2"), ("marker-limit", "marker=a&limit=3"),
    ("marker-delimiter", "marker=b/1&delimiter=/"),
    ("marker-version-null", "marker=b/2&version_marker=null"),
    ("version-marker-alone", "version_marker=null"),
    ("version-marker-bad", "marker=a&version_marker=abc"),
    ("end-marker", "end_marker=b/2"), ("marker-end-marker", "marker=a&end_marker=c"),
    ("reverse-marker", "reverse=true&marker=c"),
    ("reverse-end-marker", "reverse=true&end_marker=b/2"),
    ("reverse-both-markers", "reverse=true&marker=obj&end_marker=b/1"),
    ("marker-not-utf8", "marker=%FF"),
    ("format-json", "format=json"), ("format-xml", "format=xml"), ("format-plain", "format=plain"),
]

CASES = [case("object-versioning-list-%s" % n, *_FILLED,
              check("GET", "{a}/{c}?versions" + ("&" + q if q else "")))
         for n, q in _QUERIES]
CASES += [
    case("object-versioning-list-accept-plain", *_FILLED,
         check("GET", "{a}/{c}?versions", Accept="text/plain")),
    case("object-versioning-list-accept-any", *_FILLED,
         check("GET", "{a}/{c}?versions", Accept="*/*")),
    case("object-versioning-list-head", *_FILLED, check("HEAD", "{a}/{c}?versions&format=xml")),
    case("object-versioning-list-unversioned", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/o", b"x"), check("GET", "{a}/{c}?versions")),
    # version_marker=null stands before every version with an id: forward
    # all of the marker object's versions but a null one follow it, in
    # reverse none does (swift list --versions pages this way)
    case("object-versioning-list-unversioned-version-marker-null", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/a", b"x"), setup("PUT", "{a}/{c}/b", b"y"),
         check("GET", "{a}/{c}?versions&marker=a&version_marker=null"),
         check("GET", "{a}/{c}?versions&marker=b&version_marker=null"),
         check("GET", "{a}/{c}?versions&marker=b&version_marker=null&reverse=true")),
    case("object-versioning-list-version-marker-null-mixed", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/a", b"a0"), setup("PUT", "{a}/{c}/o", b"null0"),
         setup("POST", "{a}/{c}", X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/o", b"v1"), setup("PUT", "{a}/{c}/o", b"v2"),
         setup("PUT", "{a}/{c}/p", b"p1"),
         check("GET", "{a}/{c}?versions&marker=a&version_marker=null"),
         check("GET", "{a}/{c}?versions&marker=o&version_marker=null"),
         check("GET", "{a}/{c}?versions&marker=o&version_marker=null&reverse=true"),
         check("GET", "{a}/{c}?versions&marker=p&version_marker=null&reverse=true")),
    # a version-id on a container never versioned: only null names the
    # object (a PUT may not name it); any other is refused, nothing written
    case("object-versioning-version-id-on-unversioned", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/o", b"data"),
         check("GET", "{a}/{c}/o?version-id=null"), check("HEAD", "{a}/{c}/o?version-id=null"),
         check("GET", "{a}/{c}/o?version-id=1796512690.37909"),
         check("GET", "{a}/{c}/o?version-id=abc"),
         check("PUT", "{a}/{c}/o?version-id=1796512690.37909", b""),
         check("PUT", "{a}/{c}/o?version-id=null", b""),
         check("PUT", "{a}/{c}/o?version-id=null", b"xyz"),
         check("DELETE", "{a}/{c}/o?version-id=abc"), check("GET", "{a}/{c}/o"),
         check("DELETE", "{a}/{c}/o?version-id=null"),
         check("GET", "{a}/{c}/o?version-id=null"), check("GET", "{a}/{c}?format=json")),
    case("object-versioning-deleted-object", *_FILLED, check("GET", "{a}/{c}/c"),
         check("HEAD", "{a}/{c}/c")),
    case("object-versioning-container-delete-refused", *_FILLED, check("DELETE", "{a}/{c}")),
    case("object-versioning-null-version-id", *_FILLED,
         check("GET", "{a}/{c}/d?version-id=null"), check("DELETE", "{a}/{c}/x?version-id=null")),
    # null names what is at the object's name: a current version with an id
    # is kept (listed, not latest) and taken off the name
    case("object-versioning-delete-null-of-a-versioned-object", *_FILLED,
         check("DELETE", "{a}/{c}/d?version-id=null"), check("GET", "{a}/{c}/d"),
         check("GET", "{a}/{c}?versions&prefix=d"),
         check("DELETE", "{a}/{c}/d?version-id=null")),
    case("object-versioning-delete-null-of-a-suspended-write",
         setup("PUT", "{a}/{c}", X_Versions_Enabled="true"), setup("PUT", "{a}/{c}/o", b"v1"),
         setup("POST", "{a}/{c}", X_Versions_Enabled="false"),
         setup("PUT", "{a}/{c}/o", b"v2"),
         check("DELETE", "{a}/{c}/o?version-id=null"), check("GET", "{a}/{c}/o"),
         check("GET", "{a}/{c}?versions")),
    # a versioned write is listed as Swift lists its version symlink; a null one plainly
    case("object-versioning-plain-listing", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/before", b"n", Content_Type="text/plain"),
         setup("POST", "{a}/{c}", X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/o%20x", b"v", Content_Type="text/plain"),
         check("GET", "{a}/{c}?format=json"), check("GET", "{a}/{c}?format=xml"),
         check("GET", "{a}/{c}")),
    case("object-versioning-bad-version-id", *_FILLED,
         check("GET", "{a}/{c}/d?version-id=abc")),
]
CASES += [
    # PUT ?version-id= (no body) restores a kept version; one that cannot
    # be named or does not exist is refused and nothing is written
    case("object-versioning-put-version-id-refused", *_FILLED,
         check("PUT", "{a}/{c}/a?version-id=null", b""),
         check("PUT", "{a}/{c}/a?version-id=abc", b""),
         check("PUT", "{a}/{c}/a?version-id=1234567890.12345", b""),
         check("GET", "{a}/{c}/a"), check("GET", "{a}/{c}?versions&prefix=a")),
    # a reader by the container's read ACL reads the object, not its versions
    case("object-versioning-version-id-read-acl", *_FILLED,
         setup("POST", "{a}/{c}", X_Container_Read="test:tester3"),
         check("GET", "{a}/{c}/a", user="nonadmin"),
         check("GET", "{a}/{c}/a?version-id=1234567890.12345", user="nonadmin"),
         check("HEAD", "{a}/{c}/a?version-id=1234567890.12345", user="nonadmin"),
         check("GET", "{a}/{c}/a?version-id=null", user="nonadmin")),
    # a container's bytes quota counts its kept versions: two versions of
    # five bytes fill ten, so a third write is refused and nothing replaced.
    # (Swift judges by the bytes its container HEAD last cached, which sum
    # the versions; without that HEAD it may still judge by older ones.)
    case("object-versioning-quota-bytes-counts-kept-versions",
         setup("PUT", "{a}/{c}", X_Versions_Enabled="true"),
         setup("PUT", "{a}/{c}/o", b"aaaaa"), setup("PUT", "{a}/{c}/o", b"bbbbb"),
         setup("POST", "{a}/{c}", X_Container_Meta_Quota_Bytes="10"),
         check("HEAD", "{a}/{c}"), check("PUT", "{a}/{c}/o", b"ccccc"), check("GET", "{a}/{c}/o"),
         check("HEAD", "{a}/{c}")),
]
