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
        FIXING + ": etag 'bb653375acd42b3b41a1264a0e8d676c' (Swift 'c18ae99ac76007e6fd99afdb52fbf75e'); GET answers 200, Swift 500; extra accept-ranges; content-type 'multipart/byteranges;boundary=<boundary>' (Swift 'text/plain'); extra etag; extra last-mod...",
    # --- Static and dynamic large objects
    "slo-get-manifest":
        FIXING + ": etag '90baf541694d72fd7c1671422a072cd5' (Swift 'f5cabdc99d9dd714ca5022cad20bf731')",
    "slo-get-manifest-raw":
        FIXING + ": etag '434d18ff0cb3f18dff32624641507074' (Swift '4a1eab63a33429404dd09d351526e23a'); GET body differs",
    "slo-post-meta":
        FIXING + ": x-manifest-etag 'bb7896cd63f9b9347e0556861610262d' (Swift '5b9a25968d290251f519797c321604f1')",
    "slo-part-number-1":
        FIXING + ": x-manifest-etag 'bb1c978c68116c4c5fe949d186549681' (Swift '78f5de7d9b7f8c4c7d9548cdb1bc7d39')",
    "slo-part-number-3-head":
        FIXING + ": x-manifest-etag '8b22a1467331004606e48d5bd27b12d5' (Swift '50c013565c681f4d4eba4485bd9a2467')",
    "slo-delete-with-segments":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-delete-with-segments-json":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "slo-missing-segment-on-get":
        FIXING + ": GET body differs",
    "slo-overwrite-segment-with-referencing-manifest":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    "slo-copy-manifest":
        FIXING + ": x-manifest-etag '77767effe9004f717d83e7a7e69b79f8' (Swift '55c3f85b54f8d81801557d11f5415896'); etag '77767effe9004f717d83e7a7e69b79f8' (Swift '55c3f85b54f8d81801557d11f5415896')",
    "slo-put-bad-etag":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-bad-size":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-missing-segment":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-empty-list":
        FIXING + ": PUT answers 400, Swift 201; no etag; no last-modified; PUT body differs",
    "slo-put-not-a-list":
        FIXING + ": PUT body differs",
    "slo-put-bad-path":
        FIXING + ": content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-unknown-key":
        FIXING + ": content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-segment-bad-range":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-manifest-etag-header-wrong":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "slo-put-heartbeat":
        FIXING + ": PUT answers 201, Swift 202; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-put-data-segment":
        FIXING + ": x-manifest-etag '45b507c4cadf4063c9efebeb0d65ea59' (Swift 'e61c7bbaebe5521e9a57060fd347a552')",
    "slo-range-first-segment":
        FIXING + ": x-manifest-etag 'ff4d198b1291319e5d85d1033176af1e' (Swift 'a806fbdf7ed4eec7869356f7a0535fcc')",
    "slo-range-across-segments":
        FIXING + ": x-manifest-etag '3ba419b561dc88cefe725a5b58e3f311' (Swift 'ed6a508fa41bc717c5f6f246abc24a2d')",
    "slo-range-suffix":
        FIXING + ": x-manifest-etag 'e0cd90833cde3d1542626ca546ee01c5' (Swift 'a0b46ff143c7fae0f073f11c21d92a08')",
    "dlo-manifest-missing-container":
        FIXING + ": GET answers 409, Swift 404; content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    # --- versioned_writes
    "versions-slo-archived":
        FIXING + ": GET body differs; x-manifest-etag 'af4442ea939385ccb1ca1cf06a6ca0cb' (Swift '58af622810c1a3f15badf2c3a2784b3b')",
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
