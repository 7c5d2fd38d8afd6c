"""Dynamic large objects: X-Object-Manifest reads, ranges, UTF-8 names,
the manifest itself, copies."""
import hashlib

from ..case import case, check, setup

#: the section of docs/swift-differences.md these cases belong to
AREA = "Static and dynamic large objects"

_SETUP = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
          setup("PUT", "{a}/{c2}/seg/1", b"aaaaa"), setup("PUT", "{a}/{c2}/seg/2", b"bbbbbbb"),
          setup("PUT", "{a}/{c2}/seg/3", b"ccc"),
          setup("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c2}/seg/", Content_Type="text/x-dlo",
                X_Object_Meta_Kind="dlo")]


def dlo(case_id, *steps):
    return case(case_id, *_SETUP, *steps)


_UTF8 = [setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}"),
         setup("PUT", "{a}/{c2}/s%C3%A9g/1", b"aaaaa"), setup("PUT", "{a}/{c2}/s%C3%A9g/2", b"bbb"),
         setup("PUT", "{a}/{c}/%C3%B6", b"", X_Object_Manifest="{c2}/s%C3%A9g/")]

CASES = [
    case("dlo-put-manifest", *_SETUP[:-1],
         check("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c2}/seg/")),
    dlo("dlo-get", check("GET", "{a}/{c}/m")),
    dlo("dlo-head", check("HEAD", "{a}/{c}/m")),
    dlo("dlo-get-manifest", check("GET", "{a}/{c}/m?multipart-manifest=get")),
    dlo("dlo-head-manifest", check("HEAD", "{a}/{c}/m?multipart-manifest=get")),
    dlo("dlo-range", check("GET", "{a}/{c}/m", Range="bytes=3-7")),
    dlo("dlo-range-suffix", check("GET", "{a}/{c}/m", Range="bytes=-4")),
    dlo("dlo-range-unsatisfiable", check("GET", "{a}/{c}/m", Range="bytes=100-")),
    dlo("dlo-range-multi", check("GET", "{a}/{c}/m", Range="bytes=0-1,6-8")),
    dlo("dlo-listing", check("GET", "{a}/{c}?format=json")),
    dlo("dlo-post-meta", check("POST", "{a}/{c}/m", X_Object_Meta_Added="1"),
        check("HEAD", "{a}/{c}/m")),
    dlo("dlo-post-changes-manifest", check("POST", "{a}/{c}/m", X_Object_Manifest="{c2}/seg/1"),
        check("GET", "{a}/{c}/m")),
    dlo("dlo-copy-assembled", check("COPY", "{a}/{c}/m", Destination="{c}/copy"),
        check("GET", "{a}/{c}/copy"), check("HEAD", "{a}/{c}/copy")),
    dlo("dlo-copy-manifest", check("COPY", "{a}/{c}/m?multipart-manifest=get", Destination="{c}/copy"),
        check("HEAD", "{a}/{c}/copy"), check("GET", "{a}/{c}/copy")),
    dlo("dlo-x-copy-from-assembled", check("PUT", "{a}/{c}/copy", b"", X_Copy_From="{c}/m"),
        check("GET", "{a}/{c}/copy")),
    dlo("dlo-segments-added-later", setup("PUT", "{a}/{c2}/seg/4", b"dd"), check("GET", "{a}/{c}/m")),
    case("dlo-no-segments", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c}/none/"),
         check("GET", "{a}/{c}/m"), check("HEAD", "{a}/{c}/m"),
         check("GET", "{a}/{c}/m", Range="bytes=0-1")),
    case("dlo-manifest-bad-header", setup("PUT", "{a}/{c}"),
         check("PUT", "{a}/{c}/m", b"", X_Object_Manifest="noslash")),
    case("dlo-manifest-missing-container", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c3}/seg/"), check("GET", "{a}/{c}/m")),
    case("dlo-manifest-with-body", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/seg1", b"xy"),
         check("PUT", "{a}/{c}/m", b"ignored?", X_Object_Manifest="{c}/seg"),
         check("GET", "{a}/{c}/m")),
    case("dlo-utf8-names", *_UTF8, check("GET", "{a}/{c}/%C3%B6"), check("HEAD", "{a}/{c}/%C3%B6"),
         check("GET", "{a}/{c}/%C3%B6", Range="bytes=4-5"),
         check("GET", "{a}/{c}/%C3%B6?multipart-manifest=get")),
    case("dlo-utf8-manifest-raw-header", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c}/%C3%A91", b"ab"),
         check("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c}/\u00e9"), check("GET", "{a}/{c}/m"),
         check("HEAD", "{a}/{c}/m")),
    # a raw UTF-8 prefix whose last byte is 0x85 (U+5605): not whitespace in HTTP
    case("dlo-utf8-manifest-raw-header-ending-in-byte-85", setup("PUT", "{a}/{c}"),
         setup("PUT", "{a}/{c}/a%E5%98%851", b"ab"),
         check("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c}/a\u5605"), check("GET", "{a}/{c}/m")),
    case("dlo-ec-segments", setup("PUT", "{a}/{c}"), setup("PUT", "{a}/{c2}", X_Storage_Policy="{ec}"),
         setup("PUT", "{a}/{c2}/seg/1", b"aaaaa"), setup("PUT", "{a}/{c2}/seg/2", b"bbbbbbb"),
         setup("PUT", "{a}/{c}/m", b"", X_Object_Manifest="{c2}/seg/"),
         check("GET", "{a}/{c}/m"), check("GET", "{a}/{c}/m", Range="bytes=4-6")),
]
_DLO_ETAG = '"%s"' % hashlib.md5("".join(hashlib.md5(d).hexdigest() for d in (
    b"aaaaa", b"bbbbbbb", b"ccc")).encode()).hexdigest()
CASES += [
    # the dates are judged by the object server on the manifest; its 304
    # and 412 still carry the DLO's ETag
    dlo("dlo-conditional-dates", check("GET", "{a}/{c}/m", If_Modified_Since="Sat, 01 Jan 2050 00:00:00 GMT"),
        check("GET", "{a}/{c}/m", If_Unmodified_Since="Sat, 01 Jan 2000 00:00:00 GMT"),
        check("HEAD", "{a}/{c}/m", If_Modified_Since="Sat, 01 Jan 2050 00:00:00 GMT")),
    dlo("dlo-conditional-etags", check("GET", "{a}/{c}/m", If_None_Match=_DLO_ETAG),
        check("GET", "{a}/{c}/m", If_Match='"nope"'), check("HEAD", "{a}/{c}/m", If_Match='"nope"'),
        check("GET", "{a}/{c}/m", Range="bytes=-3")),
    # a copy of the manifest keeps its X-Object-Manifest, fresh metadata or not
    dlo("dlo-copy-manifest-fresh-metadata",
        check("COPY", "{a}/{c}/m?multipart-manifest=get", Destination="{c}/m2",
              X_Fresh_Metadata="true"), check("HEAD", "{a}/{c}/m2"), check("GET", "{a}/{c}/m2")),
]

