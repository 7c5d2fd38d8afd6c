"""Conformance cases where objstore knowingly differs from Swift 2.38.3.

case id -> reason. Each entry is a strict expected failure: a fix that
makes the case pass fails the run (XPASS) until its entry goes, so this
list never names a difference that is gone. Each is mirrored,
with its reason, in docs/swift-differences.md. "being fixed (issue 11)"
marks differences another part of issue 11 is fixing now, "open (issue 11)"
ones nobody is fixing yet, "open (issue 13)" those of the middlewares.
Regenerate after a run with update_known.py; reasons written by hand
("deliberate: ..." and "not yet (issue 11): ...", what is known to be
missing and why) are kept.
"""
from typing import Dict

FIXING = "being fixed (issue 11)"
OPEN = "open (issue 11)"
OPEN_MIDDLEWARES = "open (issue 13)"
#: passed before a change on main broke it (see /work/wt/FINDINGS.md): to be fixed, not kept
REGRESSION = "regression on main, found 11:47"

IF_RANGE = ("deliberate: If-Range is honoured (RFC 7233 3.2: a validator that does not "
            "match, or a date that is not exactly Last-Modified, gets the whole object, 200); "
            "Swift 2.38.3 ignores If-Range and serves the range (see docs: Conditional and "
            "ranged requests)")

MANIFEST_MD5 = ("deliberate: an SLO's manifest MD5 (X-Manifest-Etag, the ETag of "
                "?multipart-manifest=get, the listing hash) covers its segments' last_modified, "
                "which differ between two clusters whenever the segments were uploaded in "
                "different seconds; the SLO ETag and bytes are the same (see docs: Static and "
                "dynamic large objects)")

COPY_MULTI_RANGE = ("deliberate: a copy with several ranges stores the multipart/byteranges "
                    "body the source GET answers; Swift 2.38.3 answers 201 too but stores an "
                    "object whose GET then fails with 500 (see docs: Server-side copy)")

SEGMENT_GONE = ("deliberate: a segment missing once the body has started ends the body "
                "short (the client's connection is dropped); Swift 2.38.3 writes a Python "
                "traceback into the object's body (see docs: Static and dynamic large objects)")

STATICWEB_500 = ("deliberate: Swift 2.38.3 answers 500 (\"An error occurred\") when staticweb "
                 "would send a HEAD the answer of a GET subrequest (a custom error page, a "
                 "refused listing) or a subdirectory's index page answers an error; objstore "
                 "answers the status and headers the GET gets, without the body (see docs: "
                 "Middlewares)")

FORM_BROKEN_OFF = ("deliberate: a FormPost body that ends inside its last part (no closing "
                   "boundary) is refused, 400 'FormPost: invalid multipart/form-data: ...', and "
                   "the file is not stored; Swift 2.38.3 stores what arrived and answers 201, "
                   "so a form cut off in transit leaves a truncated file (see docs: Middlewares)")

S3_PART_NUMBERS = ("deliberate: s3api takes part numbers 1 to 10,000 (max_upload_part_num = "
                   "10000), as AWS S3 does and as the AWS CLI and boto3 assume when they "
                   "size the parts of a large upload; Swift's s3api stops at 1,000 "
                   "(see docs: /info)")

KNOWN: Dict[str, str] = {
    # --- /info
    "info-section-s3api":
        S3_PART_NUMBERS,
    # --- Names and paths
    "object-put-length-and-chunked":
        "deliberate: a request with both Content-Length and Transfer-Encoding is refused 400 by "
        "objstore's HTTP server before anything is read (the framing a request smuggler "
        "uses); Swift 2.38.3 reads it as chunked and stores the chunked body (see docs: Names and paths)",
    # --- Accounts, containers and ACLs
    "container-meta-utf8-name-latin1-capital-byte":
        "deliberate: a container or account metadata name is stored as its UTF-8 bytes, as an "
        "object's is; Swift 2.38.3 refuses one whose UTF-8 holds a byte 0xC0-0xDE (U+00C0 to "
        "U+07BF, e.g. \"\u00e9\"), 400 \"Metadata must be valid UTF-8\", as its container and "
        "account servers change the name's case as latin-1 text (see docs: Accounts, containers "
        "and ACLs)",
    # --- Conditional and ranged requests
    "cond-get-if-range-etag-other":
        IF_RANGE,
    "cond-get-if-range-date-future":
        IF_RANGE,
    "cond-get-if-range-date-past":
        IF_RANGE,
    "cond-get-if-range-etag-other-ec":
        IF_RANGE,
    "cond-get-if-range-date-future-ec":
        IF_RANGE,
    "cond-get-if-range-date-past-ec":
        IF_RANGE,
    # --- Server-side copy
    "copy-x-copy-from-multi-range":
        COPY_MULTI_RANGE,
    # --- Static and dynamic large objects
    "slo-missing-segment-on-get":
        SEGMENT_GONE,
    # --- Middlewares (tempurl, formpost, staticweb, cors, symlink, bulk)
    "formpost-form-broken-off":
        FORM_BROKEN_OFF,
    "staticweb-head-of-an-error-page":
        STATICWEB_500,
    "staticweb-head-of-a-refused-listing":
        STATICWEB_500,
    "staticweb-subdirectory-index-error":
        STATICWEB_500,
}
