"""Conformance cases where objstore knowingly differs from Swift 2.38.3.

case id -> reason. Each entry is an expected failure (not strict: a fix
that makes the case pass is welcome, then the entry goes) and is mirrored,
with its reason, in docs/swift-differences.md. "being fixed (issue 11)"
marks differences another part of issue 11 is fixing now, "open (issue 11)"
ones nobody is fixing yet. Regenerate after a run with update_known.py;
reasons written by hand (deliberate differences) are kept.
"""
from typing import Dict

FIXING = "being fixed (issue 11)"
OPEN = "open (issue 11)"

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
    "info-section-bulk-upload":
        FIXING + ": GET body differs",
    "info-section-bulk-delete":
        FIXING + ": GET body differs",
    "info-section-s3api":
        FIXING + ": GET body differs",
    "info-section-container-quotas":
        FIXING + ": GET body differs",
    "info-section-account-quotas":
        FIXING + ": GET body differs",
    "info-section-ratelimit":
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
    "account-copy-not-allowed":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "account-options":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "account-options-no-token":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "account-unknown-method":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "account-fresh-put-response":
        OPEN + ": extra last-modified",
    "account-fresh-put-again":
        OPEN + ": PUT body differs",
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
    "account-fresh-meta-name-at-limit":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
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
    "account-never-created-post":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "account-never-created-container-autocreate":
        OPEN + ": extra last-modified",
    "account-name-too-long":
        OPEN + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8')",
    "container-put-existing":
        OPEN + ": PUT body differs",
    "container-delete-missing":
        OPEN + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "container-delete-empty":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "container-copy-not-allowed":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "container-options":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "container-unknown-method":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "container-post-meta":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "container-remove-meta":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "container-empty-meta-value-removes":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "container-name-at-limit":
        OPEN + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); HEAD answers 400, Swift 404",
    "container-name-too-long":
        OPEN + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8')",
    "container-policy-unknown":
        OPEN + ": PUT body differs",
    "container-policy-empty":
        OPEN + ": PUT answers 400, Swift 201; content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "container-policy-change-refused":
        OPEN + ": PUT body differs",
    "container-policy-same-again":
        OPEN + ": PUT body differs",
    "container-policy-post-ignored":
        OPEN + ": differs only in Content-Length/Transfer-Encoding",
    "container-quota-bytes-bad":
        OPEN + ": PUT answers 201, Swift 400; PUT body differs",
    "container-quota-count-bad":
        OPEN + ": PUT answers 201, Swift 400; PUT body differs",
    "container-quota-bytes-enforced":
        OPEN + ": PUT answers 201, Swift 413; extra etag; extra last-modified; PUT body differs",
    "container-versions-and-history-both":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    # --- Names and paths
    "object-delete":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "object-options":
        FIXING + ": allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET, COPY'); no content-type",
    "object-options-cors-preflight-no-cors-config":
        FIXING + ": allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "object-unknown-method":
        FIXING + ": allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET')",
    "object-post-missing":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "object-put-etag-mismatch":
        FIXING + ": no last-modified",
    "object-put-etag-mismatch-keeps-old-data":
        FIXING + ": no last-modified",
    "object-post-replaces-meta":
        FIXING + ": POST body differs",
    "object-post-content-type":
        FIXING + ": POST body differs; content-type 'text/plain' (Swift 'application/x-new')",
    "object-post-meta-utf8":
        FIXING + ": POST body differs",
    "object-post-body-ignored":
        FIXING + ": POST body differs",
    "object-post-delete-after-ok":
        FIXING + ": POST body differs",
    "object-post-remove-delete-at":
        FIXING + ": POST body differs",
    "object-delete-if-delete-at-mismatch":
        "deliberate: X-If-Delete-At is a backend header the gatekeeper removes from client requests (see docs: Names and paths)",
    "name-utf8-quoted-container":
        FIXING + ": extra last-modified",
    "name-utf8-raw-request-line-container":
        FIXING + ": extra last-modified",
    "name-nul-in-query":
        FIXING + ": GET answers 400, Swift 204; no accept-ranges; content-type 'text/plain' (Swift 'text/plain; charset=utf-8'); no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body...",
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
    "cond-get-if-match-star-missing-object":
        FIXING + ": GET answers 404, Swift 412; GET body differs",
    "cond-delete-if-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "cond-post-if-match-other":
        FIXING + ": POST body differs",
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
    "copy-verb":
        FIXING + ": no x-object-meta-color",
    "copy-verb-leading-slash":
        FIXING + ": no x-object-meta-color",
    "copy-x-copy-from":
        FIXING + ": no x-object-meta-color",
    "copy-x-copy-from-leading-slash":
        FIXING + ": no x-object-meta-color",
    "copy-x-copy-from-quoted":
        FIXING + ": no x-object-meta-color",
    "copy-x-copy-from-range":
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift '81b073de9370ea873f548e31b8adc081'); no x-object-meta-color; GET body differs",
    "copy-verb-range":
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift '68053af2923e00204c3ca7c6a3150cf7'); no x-object-meta-color; GET body differs",
    "copy-x-copy-from-multi-range":
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift '6add78e352b1be6f6b05dc019f00c914'); no x-object-meta-color; GET answers 200, Swift 500; extra accept-ranges; content-type 'text/x-src' (Swift 'text/plain'); extra etag; extra last-modified;...",
    "copy-x-copy-from-unsatisfiable-range":
        FIXING + ": PUT answers 201, Swift 416; no accept-ranges; no content-range; content-type 'text/html; charset=UTF-8' (Swift 'text/x-src'); extra x-copied-from; extra x-copied-from-account; extra x-copied-from-last-modified; no x-object-meta-color; no...",
    "copy-new-meta-merges":
        FIXING + ": no x-object-meta-color; no x-object-meta-size",
    "copy-fresh-metadata":
        FIXING + ": no x-object-meta-size",
    "copy-content-type-override":
        FIXING + ": no x-object-meta-color",
    "copy-x-copy-from-account":
        FIXING + ": no x-object-meta-color",
    "copy-destination-account-same":
        FIXING + ": no x-object-meta-color",
    "copy-cross-account-with-acl":
        FIXING + ": no x-object-meta-color",
    "copy-destination-without-object":
        FIXING + ": COPY body differs",
    "copy-no-destination":
        FIXING + ": COPY body differs",
    "copy-x-copy-from-without-object":
        FIXING + ": PUT body differs",
    "copy-x-copy-from-with-body":
        FIXING + ": PUT body differs",
    "copy-onto-itself":
        FIXING + ": no x-object-meta-added; no x-object-meta-color",
    "copy-ec-source":
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift '099ebea48ea9666a7da2177267983138'); GET body differs",
    "copy-preserves-delete-at":
        FIXING + ": no x-delete-at",
    # --- Static and dynamic large objects
    "slo-put-manifest":
        FIXING + ": no x-manifest-etag",
    "slo-get":
        FIXING + ": no x-manifest-etag",
    "slo-head":
        FIXING + ": no x-manifest-etag",
    "slo-get-manifest":
        FIXING + ": etag '2408ad91d4238d988f197521fd5e98c1' (Swift '84d7dcfb87647762994b8d2ff7590b70')",
    "slo-get-manifest-raw":
        FIXING + ": content-type 'application/json; charset=utf-8' (Swift 'text/x-slo'); etag '163c93e44ae3c4851c82cef1393c4798' (Swift 'e541ffe5c91228db73c01b7f2bbf57cc'); GET body differs",
    "slo-head-manifest":
        FIXING + ": content-type 'text/x-slo;swift_bytes=15' (Swift 'application/json; charset=utf-8'); etag '319894b88c3ec01b30f5a6b64b535c4c' (Swift '0b04fbd66f3bd9a4770fcbb4a35c3b03')",
    "slo-post-meta":
        FIXING + ": POST body differs; no x-manifest-etag",
    "slo-listing-slo-etag":
        FIXING + ": GET body differs",
    "slo-part-number-1":
        FIXING + ": GET answers 200, Swift 206; no content-range; no x-manifest-etag; no x-parts-count; GET body differs",
    "slo-part-number-3-head":
        FIXING + ": HEAD answers 200, Swift 206; no content-range; no x-manifest-etag; no x-parts-count",
    "slo-part-number-out-of-range":
        FIXING + ": GET answers 200, Swift 416; no content-range; no x-manifest-etag; no x-parts-count; GET body differs",
    "slo-part-number-bad":
        FIXING + ": GET answers 200, Swift 400; extra accept-ranges; content-type 'text/x-slo' (Swift 'text/html; charset=UTF-8'); extra etag; extra last-modified; extra x-object-meta-kind; extra x-static-large-object; extra x-timestamp; GET body differs",
    "slo-delete-manifest-only":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "slo-delete-with-segments":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-delete-with-segments-json":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "slo-missing-segment-on-get":
        FIXING + ": GET body differs",
    "slo-overwrite-segment-with-referencing-manifest":
        FIXING + ": PUT answers 201, Swift 400; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-copy-assembled":
        FIXING + ": etag '53d51f203df2148bd5e51ea39475f5c7' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift 'c87e2cea2210bdead6d...",
    "slo-copy-manifest":
        FIXING + ": etag '45325af022fd6a37c8c3a806547383ec' (Swift '\"d368588c8bd2d46dc829514586b41f25\"'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift '\"d368588c8bd2d46d...",
    "slo-x-copy-from-assembled":
        FIXING + ": etag 'f639db3475cb9d0270876b2a224c838f' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift 'c87e2cea2210bdead6d...",
    "slo-x-copy-from-range":
        FIXING + ": etag 'db8438c1f934929df608d88999c12df0' (Swift '0f2a253fe246561ec34311d0a9e68512'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift '0f2a253fe246561ec34...",
    "slo-put-bad-etag":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-bad-size":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-missing-segment":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain')",
    "slo-put-not-json":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "slo-put-empty-list":
        FIXING + ": PUT answers 400, Swift 201; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; PUT body differs",
    "slo-put-not-a-list":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "slo-put-bad-path":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-unknown-key":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-etag-null-size-null":
        FIXING + ": no x-manifest-etag",
    "slo-put-segment-range":
        FIXING + ": no x-manifest-etag; etag '934db2f12e92182159ca8b01686c2149' (Swift 'ff52c2253daea59a53c552d11a9d0a68')",
    "slo-put-segment-bad-range":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-manifest-etag-header-wrong":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "slo-put-heartbeat":
        FIXING + ": PUT answers 201, Swift 202; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-put-data-segment":
        FIXING + ": no x-manifest-etag",
    "slo-nested":
        FIXING + ": no x-manifest-etag; etag 'b5f87c8f26b4a29cd5b66bd28b2671b7' (Swift '6b7815cc8872a96e705cba0743c665b0')",
    "slo-ec-segments":
        FIXING + ": no x-manifest-etag",
    "slo-range-first-segment":
        FIXING + ": no x-manifest-etag",
    "slo-range-across-segments":
        FIXING + ": no x-manifest-etag",
    "slo-range-suffix":
        FIXING + ": no x-manifest-etag",
    "slo-range-open-ended":
        FIXING + ": no x-manifest-etag",
    "slo-range-unsatisfiable":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-slo'); no last-modified; no x-manifest-etag; no x-object-meta-kind; no x-static-large-object; no x-timestamp; GET body differs",
    "slo-range-multi":
        FIXING + ": GET answers 200, Swift 206; content-type 'text/x-slo' (Swift 'multipart/byteranges;boundary=<boundary>'); no x-manifest-etag; GET body differs",
    "slo-range-multi-across":
        FIXING + ": GET answers 200, Swift 206; content-type 'text/x-slo' (Swift 'multipart/byteranges;boundary=<boundary>'); no x-manifest-etag; GET body differs",
    "slo-range-whole":
        FIXING + ": no x-manifest-etag",
    "slo-range-past-end":
        FIXING + ": no x-manifest-etag",
    "dlo-range-unsatisfiable":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); extra etag; GET body differs",
    "dlo-post-meta":
        FIXING + ": POST body differs",
    "dlo-post-changes-manifest":
        FIXING + ": POST body differs",
    "dlo-copy-assembled":
        FIXING + ": etag 'd41d8cd98f00b204e9800998ecf8427e' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; GET body differs",
    "dlo-copy-manifest":
        FIXING + ": no x-object-meta-kind; etag 'd41d8cd98f00b204e9800998ecf8427e' (Swift '\"d368588c8bd2d46dc829514586b41f25\"'); no x-object-manifest; GET body differs",
    "dlo-x-copy-from-assembled":
        FIXING + ": etag 'd41d8cd98f00b204e9800998ecf8427e' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; GET body differs",
    "dlo-no-segments":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); extra etag; GET body differs",
    "dlo-manifest-bad-header":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "dlo-manifest-missing-container":
        FIXING + ": GET answers 409, Swift 404; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    # --- versioned_writes
    "versions-delete-restores-previous":
        FIXING + ": no content-type",
    "versions-delete-all":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "versions-post-does-not-archive":
        FIXING + ": POST body differs",
    "versions-copy-archives":
        FIXING + ": x-container-bytes-used '0' (Swift '2'); x-container-object-count '0' (Swift '1'); GET body differs",
    "versions-location-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "versions-location-bad-value":
        FIXING + ": PUT answers 400, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "versions-remove-location":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "versions-history-both-on-post":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "versions-history-delete":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "versions-archive-forbidden-to-nonadmin":
        FIXING + ": PUT answers 403, Swift 201; no etag; no last-modified; PUT body differs; content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET answers 404, Swift 200; no accept-ranges; content-type 'text/html; charset=UTF-8' (...",
    "versions-slo-archived":
        FIXING + ": GET body differs; no content-type; content-type 'application/octet-stream;swift_bytes=4' (Swift 'application/octet-stream'); etag '12949e83a49a0989aa46ab7e249ca34d' (Swift '\"12949e83a49a0989aa46ab7e249ca34d\"'); no x-manifest-etag; no x-s...",
    "versions-dlo-archived":
        FIXING + ": no content-type; etag 'd41d8cd98f00b204e9800998ecf8427e' (Swift '\"d021d15b7db485eab1ef997681e52a36\"'); no x-object-manifest; GET body differs",
    # --- Accounts, containers and ACLs
    "acl-write-user":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "acl-bad-referrer-syntax":
        FIXING + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-bad-referrer-unknown-dot":
        FIXING + ": content-type 'text/plain' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-remove-read":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "acl-account-read-only":
        FIXING + ": extra last-modified",
    "acl-account-admin":
        FIXING + ": extra last-modified",
    "acl-account-visible-to-reseller":
        FIXING + ": extra last-modified",
    "acl-account-invalid-json":
        FIXING + ": POST body differs",
    "acl-account-unknown-key":
        FIXING + ": POST body differs",
    "acl-account-not-a-list":
        FIXING + ": POST body differs",
}
