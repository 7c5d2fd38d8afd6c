from objstore.middleware.s3api import auth


def test_hoisted_amz_query_parameters_become_headers_but_not_the_signature_ones():
    pairs = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Signature", "ab"),
             ("X-Amz-Credential", "c"), ("x-amz-acl", "public-read"),
             ("x-amz-meta-name", "caf\u00e9"), ("partNumber", "1")]
    headers = auth.with_hoisted_headers({"x-amz-date": "d", "x-amz-acl": "private"}, pairs)
    assert headers == {"x-amz-date": "d", "x-amz-acl": "private",  # a sent header wins
                       "x-amz-meta-name": "caf\u00c3\u00a9"}  # WSGI form of the UTF-8


def test_signing_headers_are_the_utf8_text_of_the_wire_bytes():
    wire = "caf\u00e9 \u2603".encode("utf-8").decode("latin-1")
    assert auth.signing_headers({"x-amz-meta-a": wire, "x-amz-meta-b": "\xe9"}) == {
        "x-amz-meta-a": "caf\u00e9 \u2603", "x-amz-meta-b": "\xe9"}
