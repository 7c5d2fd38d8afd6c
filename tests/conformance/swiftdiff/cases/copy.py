"""Server-side copy: COPY and X-Copy-From, across containers and accounts,
with Range, metadata, and of large objects."""
from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Server-side copy"

_SRC = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
        setup("PUT", "{a}/{c}/src", b"0123456789", Content_Type="text/x-src",
              X_Object_Meta_Color="red")]


def copied(case_id, *steps):
    """A copy case; the copy ({c2}/dst) is read back afterwards."""
    return case(case_id, *_SRC, *steps, check("GET", "{a}/{c2}/dst"))


CASES = [
    copied("copy-verb", check("COPY", "{a}/{c}/src", Destination="{c2}/dst")),
    copied("copy-verb-leading-slash", check("COPY", "{a}/{c}/src", Destination="/{c2}/dst")),
    copied("copy-x-copy-from", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src")),
    copied("copy-x-copy-from-leading-slash", check("PUT", "{a}/{c2}/dst", b"",
                                                   X_Copy_From="/{c}/src")),
    copied("copy-x-copy-from-quoted", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/%73rc")),
    copied("copy-x-copy-from-range", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src",
                                           Range="bytes=2-5")),
    copied("copy-verb-range", check("COPY", "{a}/{c}/src", Destination="{c2}/dst",
                                    Range="bytes=-3")),
    copied("copy-x-copy-from-multi-range", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src",
                                                 Range="bytes=0-1,4-5")),
    copied("copy-x-copy-from-unsatisfiable-range",
           check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src", Range="bytes=50-60")),
    copied("copy-new-meta-merges", check("COPY", "{a}/{c}/src", Destination="{c2}/dst",
                                         X_Object_Meta_Size="big")),
    copied("copy-fresh-metadata", check("COPY", "{a}/{c}/src", Destination="{c2}/dst",
                                        X_Fresh_Metadata="true", X_Object_Meta_Size="big")),
    copied("copy-content-type-override", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src",
                                               Content_Type="text/x-new")),
    copied("copy-x-copy-from-account", check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src",
                                             X_Copy_From_Account="{acct}")),
    copied("copy-destination-account-same", check("COPY", "{a}/{c}/src", Destination="{c2}/dst",
                                                  Destination_Account="{acct}")),
    case("copy-destination-account-other-forbidden", *_SRC,
         check("COPY", "{a}/{c}/src", Destination="{c2}/dst", Destination_Account="{acct2}")),
    case("copy-x-copy-from-account-other-forbidden", *_SRC,
         check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src", X_Copy_From_Account="{acct2}")),
    case("copy-cross-account-with-acl", *_SRC, setup("PUT", "{a2}/{c}", user="other"),
         setup("POST", "{a}/{c}", X_Container_Read="test2:tester2"),
         check("PUT", "{a2}/{c}/dst", b"", user="other", X_Copy_From="{c}/src",
               X_Copy_From_Account="{acct}"),
         check("GET", "{a2}/{c}/dst", user="other")),
    case("copy-missing-source", *_SRC, check("COPY", "{a}/{c}/nothing", Destination="{c2}/dst")),
    case("copy-missing-destination-container", *_SRC,
         check("COPY", "{a}/{c}/src", Destination="{c3}/dst")),
    case("copy-destination-without-object", *_SRC, check("COPY", "{a}/{c}/src", Destination="{c2}")),
    case("copy-no-destination", *_SRC, check("COPY", "{a}/{c}/src")),
    case("copy-x-copy-from-without-object", *_SRC,
         check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}")),
    case("copy-x-copy-from-with-body", *_SRC,
         check("PUT", "{a}/{c2}/dst", b"body", X_Copy_From="{c}/src")),
    case("copy-onto-itself", *_SRC,
         check("COPY", "{a}/{c}/src", Destination="{c}/src", X_Object_Meta_Added="1"),
         check("HEAD", "{a}/{c}/src")),
    case("copy-utf8-names", *_SRC, setup("PUT", "{a}/{c}/%C3%A9", b"utf8 body"),
         check("COPY", "{a}/{c}/%C3%A9", Destination="{c2}/%E2%98%83"),
         check("PUT", "{a}/{c2}/\u00e9\u00e9", b"", X_Copy_From="{c}/\u00e9"),
         check("PUT", "{a}/{c2}/%C3%A9%C3%A9%C3%A9", b"", X_Copy_From="{c}/%C3%A9"),
         check("GET", "{a}/{c2}?format=json")),
    # U+5605 is E5 98 85 in UTF-8: the header's last byte 0x85 is a
    # "whitespace" character to Python's str.strip() but not to HTTP
    case("copy-utf8-name-ending-in-byte-85", *_SRC, setup("PUT", "{a}/{c}/a%E5%98%85", b"nel"),
         check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/a\u5605"),
         check("COPY", "{a}/{c}/a%E5%98%85", Destination="{c2}/b\u5605"),
         check("GET", "{a}/{c2}?format=json")),
    case("copy-ec-source", setup("PUT", "{a}/{c}", X_Storage_Policy="{ec}"), setup("PUT", "{a}/{c2}"),
         setup("PUT", "{a}/{c}/src", b"0123456789"),
         check("PUT", "{a}/{c2}/dst", b"", X_Copy_From="{c}/src", Range="bytes=5-"),
         check("GET", "{a}/{c2}/dst")),
    case("copy-nonadmin-without-acl", *_SRC,
         check("COPY", "{a}/{c}/src", user="nonadmin", Destination="{c2}/dst")),
    case("copy-preserves-delete-at", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         setup("PUT", "{a}/{c}/src", b"x", X_Delete_At="4000000000"),
         check("COPY", "{a}/{c}/src", Destination="{c2}/dst"), check("HEAD", "{a}/{c2}/dst")),
]
