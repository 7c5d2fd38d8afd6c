"""versioned_writes: X-Versions-Location (stack) and X-History-Location."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "versioned_writes"

_STACK = [setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c}", X_Versions_Location="{c2}")]
_HISTORY = [setup("PUT", "{a}/{c2}"), setup("PUT", "{a}/{c}", X_History_Location="{c2}")]
_THREE = [setup("PUT", "{a}/{c}/o", b"v1"), setup("PUT", "{a}/{c}/o", b"v2"),
          setup("PUT", "{a}/{c}/o", b"v3")]
_ARCHIVE = check("GET", "{a}/{c2}?format=json")

CASES = [
    case("versions-head-container", *_STACK, check("HEAD", "{a}/{c}"), check("GET", "{a}/{c}")),
    case("versions-first-put-archives-nothing", *_STACK, check("PUT", "{a}/{c}/o", b"v1"), _ARCHIVE),
    case("versions-overwrites-archive", *_STACK, *_THREE, _ARCHIVE, check("GET", "{a}/{c}/o")),
    case("versions-delete-restores-previous", *_STACK, *_THREE, check("DELETE", "{a}/{c}/o"),
         check("GET", "{a}/{c}/o"), _ARCHIVE),
    case("versions-delete-all", *_STACK, *_THREE, setup("DELETE", "{a}/{c}/o"),
         setup("DELETE", "{a}/{c}/o"), check("DELETE", "{a}/{c}/o"), check("GET", "{a}/{c}/o"),
         check("DELETE", "{a}/{c}/o"), _ARCHIVE),
    # a DELETE is versioned whatever its query (version-id=null too: the
    # object versioning of X-Versions-Enabled lets it through)
    case("versions-delete-with-a-query-restores-previous", *_STACK, *_THREE,
         check("DELETE", "{a}/{c}/o?version-id=null"), check("GET", "{a}/{c}/o"),
         check("DELETE", "{a}/{c}/o?foo=bar"), check("GET", "{a}/{c}/o"), _ARCHIVE),
    case("versions-history-delete-with-a-query", *_HISTORY, *_THREE,
         check("DELETE", "{a}/{c}/o?version-id=null"), check("GET", "{a}/{c}/o"), _ARCHIVE),
    case("versions-post-does-not-archive", *_STACK, setup("PUT", "{a}/{c}/o", b"v1"),
         check("POST", "{a}/{c}/o", X_Object_Meta_A="1"), _ARCHIVE),
    case("versions-copy-archives", *_STACK, setup("PUT", "{a}/{c}/o", b"v1"),
         setup("PUT", "{a}/{c}/src", b"copied"),
         check("COPY", "{a}/{c}/src", Destination="{c}/o"), _ARCHIVE, check("GET", "{a}/{c}/o")),
    case("versions-location-missing-container", setup("PUT", "{a}/{c}", X_Versions_Location="{c2}"),
         setup("PUT", "{a}/{c}/o", b"v1"), check("PUT", "{a}/{c}/o", b"v2")),
    case("versions-location-utf8", setup("PUT", "{a}/{c2}%C3%A9"),
         check("PUT", "{a}/{c}", X_Versions_Location="{c2}%C3%A9"), check("HEAD", "{a}/{c}"),
         setup("PUT", "{a}/{c}/o", b"v1"), setup("PUT", "{a}/{c}/o", b"v2"),
         check("GET", "{a}/{c2}%C3%A9?format=json")),
    # the location sent as raw UTF-8 bytes rather than quoted
    case("versions-location-raw-utf8", setup("PUT", "{a}/{c2}%C3%A9"),
         setup("PUT", "{a}/{c}", X_Versions_Location=lambda n: (n["c2"] + "\u00e9").encode()),
         setup("PUT", "{a}/{c}/o", b"v1"), check("PUT", "{a}/{c}/o", b"v2"),
         check("GET", "{a}/{c2}%C3%A9?format=json")),
    case("versions-location-bad-value", check("PUT", "{a}/{c}", X_Versions_Location="a/b")),
    case("versions-location-empty-value", check("PUT", "{a}/{c}", X_Versions_Location="")),
    case("versions-remove-location", *_STACK, check("POST", "{a}/{c}", X_Remove_Versions_Location="x"),
         check("HEAD", "{a}/{c}")),
    case("versions-history-both-on-post", *_STACK, check("POST", "{a}/{c}", X_History_Location="{c3}")),
    case("versions-history-overwrites", *_HISTORY, *_THREE, _ARCHIVE, check("GET", "{a}/{c}/o")),
    case("versions-history-delete", *_HISTORY, *_THREE, check("DELETE", "{a}/{c}/o"),
         check("GET", "{a}/{c}/o"), _ARCHIVE, check("GET", "{a}/{c2}")),
    case("versions-history-head-container", *_HISTORY, check("HEAD", "{a}/{c}")),
    case("versions-archive-forbidden-to-nonadmin", setup("PUT", "{a}/{c2}"),
         setup("PUT", "{a}/{c}", X_Versions_Location="{c2}", X_Container_Write="test:tester3",
               X_Container_Read="test:tester3"),
         setup("PUT", "{a}/{c}/o", b"v1"),
         check("PUT", "{a}/{c}/o", b"v2", user="nonadmin"), check("DELETE", "{a}/{c}/o", user="nonadmin"),
         check("GET", "{a}/{c}/o")),
    case("versions-slo-archived", *_STACK, setup("PUT", "{a}/{c3}"),
         setup("PUT", "{a}/{c3}/s1", b"aaaa"),
         setup("PUT", "{a}/{c}/o?multipart-manifest=put",
               b'[{"path": "/{c3}/s1", "etag": null, "size_bytes": null}]'),
         setup("PUT", "{a}/{c}/o", b"plain"), _ARCHIVE, check("DELETE", "{a}/{c}/o"),
         check("GET", "{a}/{c}/o")),
    case("versions-dlo-archived", *_STACK, setup("PUT", "{a}/{c3}"),
         setup("PUT", "{a}/{c3}/seg1", b"dlo-data"),
         setup("PUT", "{a}/{c}/o", b"", X_Object_Manifest="{c3}/seg"),
         setup("PUT", "{a}/{c}/o", b"plain"), _ARCHIVE, check("DELETE", "{a}/{c}/o"),
         check("GET", "{a}/{c}/o"), check("HEAD", "{a}/{c}/o")),
    # a PUT that still writes the object archives it: an SLO manifest's
    # (multipart-manifest=put) and a link's copy of itself (symlink=get)
    case("versions-slo-manifest-put-archives", *_STACK, setup("PUT", "{a}/{c}/s", b"seg"),
         setup("PUT", "{a}/{c}/o", b"v1"),
         check("PUT", "{a}/{c}/o?multipart-manifest=put", b'[{"path": "{c}/s"}]'),
         check("GET", "{a}/{c2}?format=json")),
    case("versions-symlink-copy-archives", *_STACK, setup("PUT", "{a}/{c}/t", b"t"),
         setup("PUT", "{a}/{c}/l", b"", X_Symlink_Target="{c}/t"),
         setup("PUT", "{a}/{c}/o", b"v1"),
         check("PUT", "{a}/{c}/o?symlink=get", b"", X_Copy_From="{c}/l"),
         check("GET", "{a}/{c2}?format=json"), check("GET", "{a}/{c}/o")),
    # history mode: every DELETE leaves a marker, of nothing too (404)
    case("history-delete-nothing-leaves-markers", *_HISTORY, setup("PUT", "{a}/{c}/o", b"v1"),
         check("DELETE", "{a}/{c}/o"), check("DELETE", "{a}/{c}/o"),
         check("DELETE", "{a}/{c}/never"), check("GET", "{a}/{c2}?format=json")),
    # a delete marker on top when the container switched to stack mode:
    # the version under it comes back and the DELETE takes the marker away
    case("versions-stack-delete-under-a-history-marker", *_HISTORY,
         setup("PUT", "{a}/{c}/o", b"v1"), setup("PUT", "{a}/{c}/o", b"v2"),
         setup("DELETE", "{a}/{c}/o"), setup("POST", "{a}/{c}", X_Versions_Location="{c2}"),
         check("DELETE", "{a}/{c}/o"), check("GET", "{a}/{c}/o"), _ARCHIVE,
         setup("PUT", "{a}/{c}/o", b"v3"), setup("POST", "{a}/{c}", X_History_Location="{c2}"),
         setup("DELETE", "{a}/{c}/o"), setup("PUT", "{a}/{c}/o", b"v4"),
         setup("POST", "{a}/{c}", X_Versions_Location="{c2}"),
         check("DELETE", "{a}/{c}/o"), check("GET", "{a}/{c}/o"), _ARCHIVE),
]
