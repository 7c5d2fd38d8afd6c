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

KNOWN: Dict[str, str] = {
    # --- Accounts, containers and ACLs
    "auth-get-token":
        OPEN + ": no content-type; GET body differs",
    "auth-get-token-storage-headers":
        OPEN + ": no content-type; GET body differs",
    "auth-head-token":
        OPEN + ": HEAD answers 200, Swift 405; no content-type; extra x-auth-token; extra x-auth-token-expires; extra x-storage-token; extra x-storage-url",
    "auth-bad-key":
        OPEN + ": no content-type; www-authenticate 'Swift realm=\"unknown\"' (Swift 'Swift realm=\"test\"'); GET body differs",
    "auth-unknown-user":
        OPEN + ": no content-type; www-authenticate 'Swift realm=\"unknown\"' (Swift 'Swift realm=\"nobody\"'); GET body differs",
    "auth-user-without-account":
        OPEN + ": no content-type; GET body differs",
    "auth-no-credentials":
        OPEN + ": no content-type; GET body differs",
    "auth-v1-alias-path":
        OPEN + ": no content-type; GET body differs",
    "auth-post-token":
        OPEN + ": extra allow; no content-type; POST body differs",
    "auth-account-no-token":
        OPEN + ": no content-type; GET body differs",
    "auth-account-head-no-token":
        OPEN + ": no content-type",
    "auth-account-bad-token":
        OPEN + ": no content-type; GET body differs",
    "auth-container-no-token":
        OPEN + ": no content-type; GET body differs",
    "auth-object-no-token":
        OPEN + ": no content-type; GET body differs; PUT body differs; DELETE body differs",
    "auth-other-account-forbidden":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "auth-other-account-head-forbidden":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "auth-other-account-container-put-forbidden":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "auth-unknown-reseller-prefix":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "auth-service-user-own-account":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "auth-reseller-reads-other-account":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    # --- /info
    "info-middlewares-and-settings":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-swift-constraints":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-policy-fields":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8')",
    "info-head":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8')",
    "info-post-not-allowed":
        FIXING + ": allow 'GET, HEAD, OPTIONS' (Swift 'HEAD, GET, OPTIONS'); no content-type; POST body differs",
    "info-options":
        FIXING + ": allow 'GET, HEAD, OPTIONS' (Swift 'HEAD, GET, OPTIONS'); no content-type",
    "info-with-token":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-slo":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-symlink":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-versioned-writes":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-tempurl":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-formpost":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-staticweb":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-bulk-upload":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-bulk-delete":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-tempauth":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8')",
    "info-section-s3api":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-container-quotas":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-account-quotas":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "info-section-ratelimit":
        FIXING + ": content-type 'application/json' (Swift 'application/json; charset=UTF-8'); GET body differs",
    "healthcheck-get":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    "healthcheck-head":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    "healthcheck-post":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/plain')",
    # --- Accounts, containers and ACLs
    "account-get-prefix-json":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "account-get-prefix-plain":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-get-prefix-xml":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "account-get-prefix-no-match-plain":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-get-prefix-no-match-json":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp",
    "account-get-prefix-no-match-xml":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "account-put-as-owner-not-reseller":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "account-delete-as-owner-not-reseller":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "account-copy-not-allowed":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "account-options":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "account-options-no-token":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "account-post-no-token":
        OPEN + ": no content-type; POST body differs",
    "account-post-as-nonadmin":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "account-head-as-nonadmin":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "account-unknown-method":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PATCH body differs",
    "account-fresh-put-response":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-put-again":
        OPEN + ": PUT body differs",
    "account-fresh-get-empty-plain":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-get-empty-json":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp",
    "account-fresh-get-empty-xml":
        OPEN + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "account-fresh-containers-listed":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp; GET body differs",
    "account-fresh-post-meta":
        OPEN + ": no content-type; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-post-meta-utf8":
        OPEN + ": no content-type; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-remove-meta":
        OPEN + ": no content-type; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-meta-name-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "account-fresh-meta-name-at-limit":
        OPEN + ": no content-type",
    "account-fresh-meta-value-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "account-fresh-meta-value-at-limit":
        OPEN + ": no content-type; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-fresh-meta-too-many":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "account-fresh-meta-too-large-overall":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "account-fresh-delete-with-containers":
        OPEN + ": no content-type; no x-account-status",
    "account-fresh-delete-empty":
        OPEN + ": no content-type; no x-account-status; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs; PUT answers 403, Swift 503; PUT body differs",
    "account-never-created-head":
        OPEN + ": HEAD answers 204, Swift 200; no vary",
    "account-never-created-get":
        OPEN + ": no vary",
    "account-never-created-post":
        OPEN + ": no content-type",
    "account-never-created-container-autocreate":
        OPEN + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "account-name-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "container-put-existing":
        OPEN + ": PUT body differs",
    "container-head-empty":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-get-empty-plain":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-get-empty-json":
        OPEN + ": no accept-ranges; extra x-put-timestamp",
    "container-get-empty-xml":
        OPEN + ": no accept-ranges; extra x-put-timestamp; GET body differs",
    "container-head-counts":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-get-missing":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "container-get-missing-json":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "container-post-missing":
        OPEN + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "container-delete-missing":
        OPEN + ": DELETE body differs",
    "container-delete-empty":
        OPEN + ": no content-type",
    "container-delete-not-empty":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "container-copy-not-allowed":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "container-options":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type",
    "container-unknown-method":
        OPEN + ": allow 'DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PATCH body differs",
    "container-put-with-meta":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-post-meta":
        OPEN + ": no content-type; no accept-ranges; no vary; extra x-put-timestamp",
    "container-post-meta-keeps-other-meta":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-remove-meta":
        OPEN + ": no content-type; no accept-ranges; no vary; extra x-put-timestamp",
    "container-empty-meta-value-removes":
        OPEN + ": no content-type; no accept-ranges; no vary; extra x-put-timestamp",
    "container-meta-name-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-meta-value-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-meta-too-many":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-meta-too-large-overall":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-post-meta-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "container-name-at-limit":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs; HEAD answers 400, Swift 404",
    "container-name-too-long":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "container-policy-default-by-name":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-policy-unknown":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-policy-empty":
        OPEN + ": PUT answers 400, Swift 201; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "container-policy-change-refused":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-policy-same-again":
        OPEN + ": PUT body differs",
    "container-policy-post-ignored":
        OPEN + ": no content-type; no accept-ranges; no vary; extra x-put-timestamp",
    "container-quota-bytes-bad":
        OPEN + ": PUT answers 201, Swift 400; PUT body differs",
    "container-quota-count-bad":
        OPEN + ": PUT answers 201, Swift 400; PUT body differs",
    "container-quota-bytes-enforced":
        OPEN + ": PUT answers 201, Swift 413; extra etag; extra last-modified; PUT body differs",
    "container-sync-key-visible-to-owner":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-versions-and-history-both":
        OPEN + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "container-trailing-slash":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    "container-get-content-type-ignored":
        OPEN + ": no accept-ranges; no vary; extra x-put-timestamp",
    # --- Names and paths
    "object-delete":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "object-options":
        FIXING + ": allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET, COPY'); no content-type",
    "object-options-cors-preflight-no-cors-config":
        FIXING + ": OPTIONS answers 200, Swift 401; allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); no content-type; OPTIONS body differs",
    "object-unknown-method":
        FIXING + ": allow 'COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT' (Swift 'HEAD, PUT, POST, DELETE, OPTIONS, GET'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PATCH body differs",
    "object-get-missing":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "object-head-missing":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "object-delete-missing":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "object-post-missing":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "object-put-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "object-get-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "object-head-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "object-post-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "object-delete-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "object-put-etag-mismatch":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no last-modified; PUT body differs",
    "object-put-etag-mismatch-keeps-old-data":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no last-modified; PUT body differs",
    "object-put-no-length":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-put-too-large":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-post-replaces-meta":
        FIXING + ": POST body differs",
    "object-post-content-type":
        FIXING + ": POST body differs; content-type 'text/plain' (Swift 'application/x-new')",
    "object-post-meta-utf8":
        FIXING + ": POST body differs",
    "object-post-body-ignored":
        FIXING + ": POST body differs",
    "object-post-meta-too-long":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "object-meta-name-too-long":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-meta-value-too-long":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-meta-too-many":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-meta-at-limits":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "object-meta-too-large-overall":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-name-too-long":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-name-trailing-slash":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "object-name-leading-slash":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "object-name-plus-and-space":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "object-put-if-none-match-star-existing":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "object-put-if-none-match-etag":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-after-bad":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-after-negative":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-after-zero":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-after-float":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-at-past":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-at-bad":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "object-delete-at-with-fraction":
        FIXING + ": PUT answers 201, Swift 400; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs; HEAD answers 200, Swift 404; extra accept-ranges; content-type 'application/octet-stream' (Swift...",
    "object-post-delete-after-bad":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "object-post-delete-at-past":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); POST body differs",
    "object-post-delete-after-ok":
        FIXING + ": POST body differs",
    "object-post-remove-delete-at":
        FIXING + ": POST body differs",
    "object-delete-if-delete-at-mismatch":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); DELETE body differs",
    "object-ec-put-get-head":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "name-utf8-quoted-object":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "name-utf8-quoted-container":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp; extra last-modified; GET body differs",
    "name-utf8-raw-request-line-object":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "name-utf8-raw-request-line-container":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "name-utf8-prefix-query":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "name-invalid-utf8-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs; GET body differs; DELETE body differs",
    "name-invalid-utf8-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs; GET body differs",
    "name-invalid-utf8-raw-request-line":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "name-invalid-utf8-in-query":
        FIXING + ": GET answers 500, Swift 400; content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); GET body differs",
    "name-invalid-utf8-in-marker":
        FIXING + ": GET answers 500, Swift 400; content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); GET body differs",
    "name-nul-quoted-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "name-nul-quoted-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "name-nul-raw-request-line":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "name-nul-in-query":
        FIXING + ": GET answers 400, Swift 204; no accept-ranges; no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body differs",
    "path-v1-alone":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-v1-slash":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-v1-alone-no-token":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-root":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-unknown-version":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-unknown-version-no-token":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-unknown-top":
        FIXING + ": GET answers 403, Swift 400; content-type 'application/xml' (Swift 'text/html; charset=UTF-8'); extra x-amz-id-2; extra x-amz-request-id; GET body differs",
    "path-account-trailing-slash":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "path-empty-container-with-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "path-double-slash-before-account":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-options-star":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); OPTIONS body differs",
    "path-absolute-uri":
        FIXING + ": GET answers 404, Swift 200; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'application/octet-stream'); no etag; no last-modified; no x-timestamp; GET body differs",
    "path-query-only":
        FIXING + ": GET answers 204, Swift 200; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "path-percent-bad-escape":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-percent-truncated":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "path-dot-segments":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    # --- Conditional and ranged requests
    "cond-get-if-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp; GET body differs",
    "cond-head-if-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-same":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-none-match-same-quoted":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-quoted":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-none-match-star":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-star":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-none-match-weak":
        FIXING + ": GET answers 304, Swift 200; no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind; GET body differs",
    "cond-head-if-none-match-weak":
        FIXING + ": HEAD answers 304, Swift 200; no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-modified-since-future":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-modified-since-future":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-unmodified-since-past":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp; GET body differs",
    "cond-head-if-unmodified-since-past":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-match-other-and-if-none-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp; GET body differs",
    "cond-head-if-match-other-and-if-none-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-same-and-if-modified-since-past":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-and-if-modified-since-past":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-match-same-and-if-unmodified-since-past":
        FIXING + ": GET answers 200, Swift 412; extra accept-ranges; content-type 'text/x-cond' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "cond-head-if-match-same-and-if-unmodified-since-past":
        FIXING + ": HEAD answers 200, Swift 412; extra accept-ranges; content-type 'text/x-cond' (Swift 'text/html; charset=UTF-8')",
    "cond-get-if-none-match-same-with-range":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-with-range":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-get-if-range-etag-other":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "cond-get-if-range-date-future":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "cond-get-if-range-date-past":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "cond-get-if-match-other-ec":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-head-if-match-other-ec":
        FIXING + ": HEAD answers 404, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-same-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-same-quoted-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-quoted-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-star-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-star-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-weak-ec":
        FIXING + ": GET answers 304, Swift 200; no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind; GET body differs",
    "cond-head-if-none-match-weak-ec":
        FIXING + ": HEAD answers 404, Swift 200; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-modified-since-future-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-modified-since-future-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-unmodified-since-past-ec":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-head-if-unmodified-since-past-ec":
        FIXING + ": HEAD answers 404, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-match-other-and-if-none-match-other-ec":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-head-if-match-other-and-if-none-match-other-ec":
        FIXING + ": HEAD answers 404, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-none-match-same-and-if-modified-since-past-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'text/x-cond'); no x-object-meta-kind",
    "cond-head-if-none-match-same-and-if-modified-since-past-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-match-same-and-if-unmodified-since-past-ec":
        FIXING + ": GET answers 200, Swift 412; extra accept-ranges; content-type 'text/x-cond' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "cond-head-if-match-same-and-if-unmodified-since-past-ec":
        FIXING + ": HEAD answers 200, Swift 412; extra accept-ranges; content-type 'text/x-cond' (Swift 'text/html; charset=UTF-8')",
    "cond-get-if-none-match-same-with-range-ec":
        FIXING + ": GET answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp; GET body differs",
    "cond-head-if-none-match-same-with-range-ec":
        FIXING + ": HEAD answers 404, Swift 304; no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'text/x-cond'); no etag; no last-modified; no x-object-meta-kind; no x-timestamp",
    "cond-get-if-match-star-missing-object":
        FIXING + ": GET answers 404, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "cond-get-if-none-match-star-missing-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "cond-delete-if-match-other":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "cond-post-if-match-other":
        FIXING + ": POST body differs",
    "cond-container-get-if-none-match":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "range-10b-start-at-size":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-beyond":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-suffix-zero":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-multi-all-unsatisfiable":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-lws-around-dash":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "range-5b-start-at-size":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=UTF-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-0b-first-byte":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-0b-open-ended":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-0b-multi":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-10b-start-at-size-ec":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-10b-beyond-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-suffix-zero-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-10b-multi-ec":
        FIXING + ": GET answers 200, Swift 206; content-type 'application/x-range' (Swift 'multipart/byteranges;boundary=<boundary>'); GET body differs",
    "range-10b-multi-overlapping-ec":
        FIXING + ": GET answers 200, Swift 206; content-type 'application/x-range' (Swift 'multipart/byteranges;boundary=<boundary>'); GET body differs",
    "range-10b-multi-one-unsatisfiable-ec":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "range-10b-multi-all-unsatisfiable-ec":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-10b-multi-with-suffix-ec":
        FIXING + ": GET answers 200, Swift 206; content-type 'application/x-range' (Swift 'multipart/byteranges;boundary=<boundary>'); GET body differs",
    "range-10b-lws-multi-ec":
        FIXING + ": GET answers 200, Swift 206; content-type 'application/x-range' (Swift 'multipart/byteranges;boundary=<boundary>'); GET body differs",
    "range-10b-unit-uppercase-ec":
        FIXING + ": GET answers 200, Swift 206; no content-range; GET body differs",
    "range-10b-many-ranges-ec":
        FIXING + ": GET answers 200, Swift 206; content-type 'application/x-range' (Swift 'multipart/byteranges;boundary=<boundary>'); GET body differs",
    "range-5b-start-at-size-ec":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-0b-first-byte-ec":
        FIXING + ": no accept-ranges; content-type 'text/plain; charset=utf-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-0b-suffix-ec":
        FIXING + ": GET answers 416, Swift 200; no accept-ranges; extra content-range; content-type 'text/plain; charset=utf-8' (Swift 'application/x-range'); no etag; no last-modified; no x-timestamp; GET body differs",
    "range-0b-open-ended-ec":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    "range-0b-multi-ec":
        FIXING + ": GET answers 200, Swift 416; no content-range; GET body differs",
    # --- Listings
    "listing-container-plain":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-json":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-xml":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-format-plain":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-format-txt":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-format-bad":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-format-upper":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-prefix":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-prefix-none":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-prefix-utf8":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-delimiter":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-delimiter-plain":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-delimiter-xml":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-delimiter-prefix":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-delimiter-multichar":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; content-type 'text/html; charset=UTF-8' (Swift 'application/json; charset=utf-8'); no last-modified; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestam...",
    "listing-container-delimiter-multichar-prefix":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; content-type 'text/html; charset=UTF-8' (Swift 'application/json; charset=utf-8'); no last-modified; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestam...",
    "listing-container-delimiter-empty":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-marker":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-marker-past-end":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-end-marker":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-marker-and-end-marker":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-reverse-plain":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse-false":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse-marker":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse-end-marker":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse-delimiter":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-reverse-prefix":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-limit":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-limit-zero":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-limit-float":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body differs",
    "listing-container-limit-float-small":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body differs",
    "listing-container-limit-negative":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body differs",
    "listing-container-limit-text":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no last-modified; no vary; no x-container-bytes-used; no x-container-object-count; no x-storage-policy; no x-timestamp; GET body differs",
    "listing-container-limit-over-max":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "listing-container-limit-at-max":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-limit-marker":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-path":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-path-root":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-path-with-prefix":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-prefix-delimiter-utf8":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-unknown-param":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-json":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-xml":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-text-xml":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-plain":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-any":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-accept-unknown":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "listing-container-accept-json-q":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-format-overrides-accept":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-head-json":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-head-xml":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "listing-container-empty-accept-json":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-container-content-types":
        FIXING + ": setup PUT answers 201, Swift 400; no accept-ranges; x-container-bytes-used '2' (Swift '1'); x-container-object-count '2' (Swift '1'); extra x-put-timestamp; GET body differs",
    "listing-container-after-post":
        FIXING + ": no accept-ranges; extra x-put-timestamp; GET body differs",
    "listing-container-after-delete":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "listing-account-json":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "listing-account-xml":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "listing-account-plain":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "listing-account-delimiter":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp",
    "listing-account-marker":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp; GET body differs",
    "listing-account-end-marker":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "listing-account-reverse":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "listing-account-limit":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "listing-account-limit-float":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no vary; no x-account-bytes-used; no x-account-container-count; no x-account-object-count; no x-account-storage-policy-<policy>-bytes-used; no x-account-storage-policy-<policy>-container-coun...",
    "listing-account-limit-over-max":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "listing-account-limit-text":
        FIXING + ": GET answers 412, Swift 200; no accept-ranges; no vary; no x-account-bytes-used; no x-account-container-count; no x-account-object-count; no x-account-storage-policy-<policy>-bytes-used; no x-account-storage-policy-<policy>-container-coun...",
    "listing-account-format-bad":
        FIXING + ": no accept-ranges; extra last-modified; extra x-put-timestamp",
    "listing-account-accept-json":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp; GET body differs",
    "listing-account-accept-xml":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp; GET body differs",
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
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift 'a53042a1e5d6169a8ab576c81f659c29'); no x-object-meta-color; GET answers 200, Swift 500; extra accept-ranges; content-type 'text/x-src' (Swift 'text/plain'); extra etag; extra last-modified;...",
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
    "copy-destination-account-other-forbidden":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "copy-x-copy-from-account-other-forbidden":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "copy-cross-account-with-acl":
        FIXING + ": no x-object-meta-color",
    "copy-missing-source":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "copy-missing-destination-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "copy-destination-without-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "copy-no-destination":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
    "copy-x-copy-from-without-object":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "copy-x-copy-from-with-body":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "copy-onto-itself":
        FIXING + ": no x-object-meta-added; no x-object-meta-color",
    "copy-utf8-names":
        FIXING + ": PUT answers 404, Swift 201; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; no x-copied-from; no x-copied-from-account; no x-copied-from-last-modified; PUT body differs; no accept-r...",
    "copy-ec-source":
        FIXING + ": etag '781e5e245d69b566979b86e28d23f2c7' (Swift '099ebea48ea9666a7da2177267983138'); GET body differs",
    "copy-nonadmin-without-acl":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); COPY body differs",
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
        FIXING + ": etag '4200029c21e8b2627ee7abea634a4f27' (Swift '6c2844c23d4091232b5be7f10dd0c84c')",
    "slo-get-manifest-raw":
        FIXING + ": content-type 'application/json; charset=utf-8' (Swift 'text/x-slo'); etag 'c063516454e35926a52137d2f575de0c' (Swift '710b12a1b02ba8ed3b8a68c2f2bd3005'); GET body differs",
    "slo-head-manifest":
        FIXING + ": content-type 'text/x-slo;swift_bytes=15' (Swift 'application/json; charset=utf-8'); etag 'df055df6294d188b1818d8e2454b70e1' (Swift 'b8095afb4f56a5b6e76e12a15fa64532')",
    "slo-post-meta":
        FIXING + ": POST body differs; no x-manifest-etag",
    "slo-listing-slo-etag":
        FIXING + ": no accept-ranges; extra x-put-timestamp; GET body differs",
    "slo-container-totals":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "slo-part-number-1":
        FIXING + ": GET answers 200, Swift 206; no content-range; no x-manifest-etag; no x-parts-count; GET body differs",
    "slo-part-number-3-head":
        FIXING + ": HEAD answers 200, Swift 206; no content-range; no x-manifest-etag; no x-parts-count",
    "slo-part-number-out-of-range":
        FIXING + ": GET answers 200, Swift 416; no content-range; no x-manifest-etag; no x-parts-count; GET body differs",
    "slo-part-number-bad":
        FIXING + ": GET answers 200, Swift 400; extra accept-ranges; content-type 'text/x-slo' (Swift 'text/html; charset=UTF-8'); extra etag; extra last-modified; extra x-object-meta-kind; extra x-static-large-object; extra x-timestamp; GET body differs",
    "slo-delete-manifest-only":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no accept-ranges; extra x-put-timestamp",
    "slo-delete-with-segments":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); no accept-ranges; extra x-put-timestamp; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8')",
    "slo-delete-with-segments-json":
        FIXING + ": differs only in Content-Length/Transfer-Encoding",
    "slo-missing-segment-on-get":
        FIXING + ": GET body differs",
    "slo-overwrite-segment-with-referencing-manifest":
        FIXING + ": PUT answers 201, Swift 400; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-copy-assembled":
        FIXING + ": etag '4941c8ce48a6116dc19138d2269d20a2' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift 'c87e2cea2210bdead6d...",
    "slo-copy-manifest":
        FIXING + ": etag 'ce138ca2806a9f840d24700a479340fa' (Swift '\"d368588c8bd2d46dc829514586b41f25\"'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift '\"d368588c8bd2d46d...",
    "slo-x-copy-from-assembled":
        FIXING + ": etag 'e21eb5ac2acb6bfcf820e5aa17737287' (Swift 'c87e2cea2210bdead6dd932afe40a66c'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift 'c87e2cea2210bdead6d...",
    "slo-x-copy-from-range":
        FIXING + ": etag 'c421acc4086ad667c62415572baeec0f' (Swift '0f2a253fe246561ec34311d0a9e68512'); no x-object-meta-kind; content-type 'text/x-slo;swift_bytes=15' (Swift 'text/x-slo'); etag 'd368588c8bd2d46dc829514586b41f25' (Swift '0f2a253fe246561ec34...",
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
        FIXING + ": no x-manifest-etag; etag 'a4351ff976c161133f1bffb1abc32c04' (Swift 'c64c242bfda67cd7a3b35d86d563127e')",
    "slo-put-segment-bad-range":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/plain'); PUT body differs",
    "slo-put-manifest-etag-header-wrong":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "slo-put-heartbeat":
        FIXING + ": PUT answers 201, Swift 202; content-type 'text/html; charset=UTF-8' (Swift 'text/plain'); extra etag; extra last-modified; PUT body differs",
    "slo-put-data-segment":
        FIXING + ": no x-manifest-etag",
    "slo-nested":
        FIXING + ": no x-manifest-etag; etag 'ae9bfc61051725491080114a5072cfa9' (Swift '0ca7df250b6a4778f90224b05801b494')",
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
    "dlo-listing":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
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
        FIXING + ": GET answers 200, Swift 416; no content-range; content-type 'application/octet-stream' (Swift 'text/html; charset=UTF-8'); extra etag; extra last-modified; extra x-object-manifest; extra x-timestamp; GET body differs",
    "dlo-manifest-bad-header":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "dlo-manifest-missing-container":
        FIXING + ": GET answers 409, Swift 404; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "dlo-utf8-manifest-raw-header":
        FIXING + ": etag '\"d41d8cd98f00b204e9800998ecf8427e\"' (Swift '\"a93ef3a7b083e2d631f6f4d1c9053549\"'); GET body differs",
    # --- versioned_writes
    "versions-head-container":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "versions-first-put-archives-nothing":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "versions-overwrites-archive":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "versions-delete-restores-previous":
        FIXING + ": no content-type; no accept-ranges; extra x-put-timestamp",
    "versions-delete-all":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs; DELETE body differs; no accept-ranges; extra x-put-timestamp",
    "versions-post-does-not-archive":
        FIXING + ": POST body differs; no accept-ranges; extra x-put-timestamp",
    "versions-copy-archives":
        FIXING + ": no accept-ranges; x-container-bytes-used '0' (Swift '2'); x-container-object-count '0' (Swift '1'); extra x-put-timestamp; GET body differs",
    "versions-location-missing-container":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "versions-location-utf8":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "versions-location-bad-value":
        FIXING + ": PUT answers 400, Swift 412; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "versions-remove-location":
        FIXING + ": no content-type; no accept-ranges; no vary; extra x-put-timestamp",
    "versions-history-both-on-post":
        FIXING + ": no content-type",
    "versions-history-overwrites":
        FIXING + ": no accept-ranges; extra x-put-timestamp",
    "versions-history-delete":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); GET body differs; no accept-ranges; extra x-put-timestamp; no vary",
    "versions-history-head-container":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "versions-archive-forbidden-to-nonadmin":
        FIXING + ": PUT answers 403, Swift 201; content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); no etag; no last-modified; PUT body differs; GET answers 404, Swift 200; no accept-ranges; content-type 'text/plain; charset=utf-8' ...",
    "versions-slo-archived":
        FIXING + ": no accept-ranges; extra x-put-timestamp; GET body differs; no content-type; content-type 'application/octet-stream;swift_bytes=4' (Swift 'application/octet-stream'); etag '12949e83a49a0989aa46ab7e249ca34d' (Swift '\"12949e83a49a0989aa46ab...",
    "versions-dlo-archived":
        FIXING + ": no accept-ranges; extra x-put-timestamp; no content-type; etag 'd41d8cd98f00b204e9800998ecf8427e' (Swift '\"d021d15b7db485eab1ef997681e52a36\"'); no x-object-manifest; GET body differs",
    # --- Accounts, containers and ACLs
    "acl-none-nonadmin-get":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-none-nonadmin-list":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-none-nonadmin-head-container":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8')",
    "acl-none-other-account-get":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-none-anonymous-get":
        FIXING + ": no content-type; GET body differs",
    "acl-read-user-get":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "acl-read-user-cannot-write":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs; POST body differs",
    "acl-read-other-account":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "acl-read-other-account-wildcard-user":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-referrer-any":
        FIXING + ": no content-type; GET body differs",
    "acl-referrer-any-with-listings":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "acl-referrer-host":
        FIXING + ": no content-type; GET body differs",
    "acl-referrer-denied":
        FIXING + ": no content-type; GET body differs",
    "acl-write-user":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-write-other-account":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); GET body differs",
    "acl-visible-to-owner":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "acl-hidden-from-reader":
        FIXING + ": setup PUT answers 201, Swift 400; setup PUT answers 201, Swift 404; HEAD answers 204, Swift 403; content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); extra last-modified; extra x-container-bytes-used; extra x-cont...",
    "acl-hidden-from-other-account":
        FIXING + ": no accept-ranges; no vary; extra x-put-timestamp",
    "acl-nonadmin-cannot-set":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "acl-other-cannot-set":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "acl-writer-cannot-create-container":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-bad-referrer-syntax":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-bad-referrer-unknown-dot":
        FIXING + ": content-type 'text/plain; charset=utf-8' (Swift 'text/html; charset=UTF-8'); PUT body differs",
    "acl-remove-read":
        FIXING + ": no content-type; GET body differs",
    "acl-account-read-only":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); PUT body differs; no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "acl-account-read-write":
        FIXING + ": content-type 'text/plain; charset=UTF-8' (Swift 'text/html; charset=UTF-8'); POST body differs",
    "acl-account-admin":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp; no content-type",
    "acl-account-visible-to-reseller":
        FIXING + ": no accept-ranges; extra last-modified; no vary; extra x-put-timestamp",
    "acl-account-invalid-json":
        FIXING + ": POST body differs",
    "acl-account-unknown-key":
        FIXING + ": POST body differs",
    "acl-account-not-a-list":
        FIXING + ": POST body differs",
}
