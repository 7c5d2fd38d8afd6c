"""Conformance cases where objstore knowingly differs from Swift 2.38.3.

case id -> reason. Each entry is an expected failure (not strict: a fix
that makes the case pass is welcome, then the entry goes) and is mirrored,
with its reason, in docs/swift-differences.md. "being fixed (issue 11)"
marks differences another part of issue 11 is fixing now, "open (issue 11)"
ones nobody is fixing yet, "open (issue 13)" those of the middlewares. Regenerate after a run with update_known.py;
reasons written by hand (deliberate differences) are kept.
"""
from typing import Dict

FIXING = "being fixed (issue 11)"
OPEN = "open (issue 11)"
OPEN_MIDDLEWARES = "open (issue 13)"

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

KNOWN: Dict[str, str] = {
    # --- Accounts, containers and ACLs
    "auth-get-token":
        OPEN + ": no content-type; GET body differs",
    "auth-get-token-storage-headers":
        OPEN + ": no content-type; GET body differs",
    "auth-head-token":
        OPEN + ": HEAD answers 200, Swift 405; no content-type; extra x-auth-token; extra x-auth-token-expires; extra x-storage-token; extra x-storage-url",
    "auth-user-without-account":
        OPEN + ": www-authenticate 'Swift realm=\"tester\"' (Swift 'Swift realm=\"unknown\"')",
    "auth-v1-alias-path":
        OPEN + ": no content-type; GET body differs",
    "auth-reseller-reads-other-account":
        OPEN + ": extra last-modified",
    # --- /info
    "info-middlewares-and-settings":
        FIXING + ": GET body differs",
    "info-head":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "info-with-token":
        FIXING + ": GET body differs",
    "info-section-slo":
        FIXING + ": GET body differs",
    "info-section-versioned-writes":
        FIXING + ": GET body differs",
    "info-section-s3api":
        FIXING + ": GET body differs",
    "healthcheck-get":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    "healthcheck-head":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    "healthcheck-post":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    # --- Accounts, containers and ACLs
    "account-get-prefix-json":
        OPEN + ": extra last-modified",
    "account-get-prefix-plain":
        OPEN + ": extra last-modified",
    "account-get-prefix-xml":
        OPEN + ": extra last-modified",
    "account-get-prefix-no-match-plain":
        OPEN + ": extra last-modified",
    "account-get-prefix-no-match-json":
        OPEN + ": extra last-modified",
    "account-get-prefix-no-match-xml":
        OPEN + ": extra last-modified",
    "account-fresh-put-response":
        OPEN + ": extra last-modified",
    "account-fresh-get-empty-plain":
        OPEN + ": extra last-modified",
    "account-fresh-get-empty-json":
        OPEN + ": extra last-modified",
    "account-fresh-get-empty-xml":
        OPEN + ": extra last-modified",
    "account-fresh-containers-listed":
        OPEN + ": extra last-modified",
    "account-fresh-post-meta":
        OPEN + ": extra last-modified",
    "account-fresh-post-meta-utf8":
        OPEN + ": extra last-modified",
    "account-fresh-remove-meta":
        OPEN + ": extra last-modified",
    "account-fresh-meta-value-at-limit":
        OPEN + ": extra last-modified",
    "account-fresh-delete-with-containers":
        OPEN + ": no x-account-status",
    "account-fresh-delete-empty":
        OPEN + ": no x-account-status; GET body differs; PUT answers 403, Swift 503; content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "account-never-created-head":
        OPEN + ": HEAD answers 204, Swift 200; extra accept-ranges; no x-put-timestamp",
    "account-never-created-get":
        OPEN + ": extra accept-ranges; no x-put-timestamp",
    "account-never-created-get-json":
        OPEN + ": extra accept-ranges; no x-put-timestamp",
    "account-never-created-container-autocreate":
        OPEN + ": extra last-modified",
    "container-delete-missing":
        OPEN + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "container-name-at-limit":
        OPEN + ": HEAD answers 400, Swift 404",
    "container-policy-unknown":
        OPEN + ": PUT body differs",
    "container-policy-empty":
        OPEN + ": PUT answers 400, Swift 201; content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "container-policy-change-refused":
        OPEN + ": PUT body differs",
    # --- Names and paths
    "object-options-cors-preflight-no-cors-config":
        FIXING + ": allow 'HEAD, PUT, POST, DELETE, OPTIONS, GET, COPY' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "object-put-etag-mismatch":
        FIXING + ": no last-modified",
    "object-put-etag-mismatch-keeps-old-data":
        FIXING + ": no last-modified",
    "object-post-content-type":
        FIXING + ": content-type 'text/plain' (Swift 'application/x-new')",
    "object-delete-if-delete-at-mismatch":
        "deliberate: X-If-Delete-At is a backend header the gatekeeper removes from client requests (see docs: Names and paths)",
    "name-utf8-quoted-container":
        FIXING + ": extra last-modified",
    "name-utf8-raw-request-line-container":
        FIXING + ": extra last-modified",
    "path-unknown-top":
        FIXING + ": GET answers 403, Swift 400; content-type 'application/xml' (Swift 'text/html; charset=UTF-8'); extra x-amz-id-2; extra x-amz-request-id; GET body differs",
    "path-account-trailing-slash":
        FIXING + ": extra last-modified",
    "path-absolute-uri":
        FIXING + ": GET answers 404, Swift 200; no accept-ranges; content-type 'text/html; charset=UTF-8' (Swift 'application/octet-stream'); no etag; no last-modified; no x-timestamp; GET body differs",
    "path-query-only":
        FIXING + ": extra last-modified",
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
    # --- Listings
    "listing-container-content-types":
        FIXING + ": setup PUT answers 201, Swift 400; x-container-bytes-used '2' (Swift '1'); x-container-object-count '2' (Swift '1'); GET body differs",
    "listing-container-after-post":
        FIXING + ": GET body differs",
    "listing-account-json":
        FIXING + ": extra last-modified",
    "listing-account-xml":
        FIXING + ": extra last-modified",
    "listing-account-plain":
        FIXING + ": extra last-modified",
    "listing-account-delimiter":
        FIXING + ": extra last-modified",
    "listing-account-marker":
        FIXING + ": extra last-modified",
    "listing-account-end-marker":
        FIXING + ": extra last-modified",
    "listing-account-reverse":
        FIXING + ": extra last-modified",
    "listing-account-limit":
        FIXING + ": extra last-modified",
    "listing-account-limit-float":
        FIXING + ": extra last-modified",
    "listing-account-limit-text":
        FIXING + ": extra last-modified",
    "listing-account-format-bad":
        FIXING + ": extra last-modified",
    "listing-account-accept-json":
        FIXING + ": extra last-modified",
    "listing-account-accept-xml":
        FIXING + ": extra last-modified",
    # --- Server-side copy
    "copy-x-copy-from-multi-range":
        COPY_MULTI_RANGE,
    # --- Static and dynamic large objects
    "slo-put-manifest":
        MANIFEST_MD5,
    "slo-get":
        MANIFEST_MD5,
    "slo-head":
        MANIFEST_MD5,
    "slo-get-manifest":
        MANIFEST_MD5,
    "slo-head-manifest":
        MANIFEST_MD5,
    "slo-post-meta":
        MANIFEST_MD5,
    "slo-listing-slo-etag":
        MANIFEST_MD5,
    "slo-part-number-1":
        MANIFEST_MD5,
    "slo-part-number-3-head":
        MANIFEST_MD5,
    "slo-part-number-out-of-range":
        MANIFEST_MD5,
    "slo-missing-segment-on-get":
        SEGMENT_GONE,
    "slo-copy-manifest":
        MANIFEST_MD5,
    "slo-put-etag-null-size-null":
        MANIFEST_MD5,
    "slo-put-segment-range":
        MANIFEST_MD5,
    "slo-put-heartbeat":
        FIXING + ": PUT answers 201, Swift 202; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-put-data-segment":
        MANIFEST_MD5,
    "slo-nested":
        MANIFEST_MD5,
    "slo-ec-segments":
        MANIFEST_MD5,
    "slo-range-first-segment":
        MANIFEST_MD5,
    "slo-range-across-segments":
        MANIFEST_MD5,
    "slo-range-suffix":
        MANIFEST_MD5,
    "slo-range-open-ended":
        MANIFEST_MD5,
    "slo-range-unsatisfiable":
        MANIFEST_MD5,
    "slo-range-multi":
        MANIFEST_MD5,
    "slo-range-multi-across":
        MANIFEST_MD5,
    "slo-range-whole":
        MANIFEST_MD5,
    "slo-range-past-end":
        MANIFEST_MD5,
    # --- versioned_writes
    "versions-slo-archived":
        MANIFEST_MD5,
    # --- Accounts, containers and ACLs
    "acl-bad-referrer-syntax":
        FIXING + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-bad-referrer-unknown-dot":
        FIXING + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-account-read-only":
        FIXING + ": extra last-modified",
    "acl-account-admin":
        FIXING + ": extra last-modified",
    "acl-account-visible-to-reseller":
        FIXING + ": extra last-modified",
    # --- Middlewares (tempurl, formpost, staticweb, cors, symlink, bulk)
    "staticweb-index":
        OPEN_MIDDLEWARES + ": no vary",
    "staticweb-error-page":
        OPEN_MIDDLEWARES + ": no accept-ranges; no x-timestamp",
    "staticweb-listings":
        OPEN_MIDDLEWARES + ": no vary",
    "staticweb-web-mode-for-owner":
        OPEN_MIDDLEWARES + ": no vary",
    "cors-preflight-other-origin":
        OPEN_MIDDLEWARES + ": allow 'HEAD, PUT, POST, DELETE, OPTIONS, GET, COPY' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "cors-preflight-with-headers":
        OPEN_MIDDLEWARES + ": access-control-allow-headers 'content-type, x-object-meta-color' (Swift 'x-object-meta-color, content-type')",
    "cors-get-with-origin":
        OPEN_MIDDLEWARES + ": access-control-expose-headers 'cache-control, content-language, content-type, expires, last-modified, pragma, etag, x-timestamp, x-trans-id, x-openstack-request-id, x-object-meta-color' (Swift 'content-type, pragma, content-language, las...",
    "symlink-bad-target":
        OPEN_MIDDLEWARES + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8')",
}
