"""The copy middleware: header parsing as pure functions, then real copies
through ``copy slo dlo`` in front of a real proxy and storage servers
(the ``cluster`` and ``base`` fixtures of conftest.py)."""

import hashlib
import json

import pytest

from objstore.middleware.copy import (CopyError, _sink_query, carried_headers,
                                      parse_account, parse_object_ref)

ACCOUNT = "AUTH_test"


# -- pure functions -----------------------------------------------------------

def test_an_object_ref_names_container_and_object_with_slashes_in_the_object():
    assert parse_object_ref("/c/a/b%20c", "X-Copy-From") == ("c", "a/b c")
    assert parse_object_ref("c/o", "Destination") == ("c", "o")
    assert parse_object_ref("/c/%E2%98%83", "X-Copy-From") == ("c", "\u2603")


def test_raw_or_quoted_utf8_in_copy_headers_names_the_same_object():
    assert parse_object_ref("c\xc3\xa9/caf\xc3\xa9", "X-Copy-From") == \
        parse_object_ref("c%C3%A9/caf%C3%A9", "X-Copy-From") == ("c\u00e9", "caf\u00e9")
    assert parse_account("AUTH_\xc3\xa9", "AUTH_t", "X-Copy-From-Account") == \
        parse_account("AUTH_%C3%A9", "AUTH_t", "X-Copy-From-Account") == "AUTH_\u00e9"
    assert parse_object_ref("c/\xe2\x98\x83", "Destination") == ("c", "\u2603")
    for bad in ("c/%FF", "c/\xff", "c/a%00"):
        with pytest.raises(CopyError) as err:
            parse_object_ref(bad, "X-Copy-From")
        assert err.value.response.status_int == 412


@pytest.mark.parametrize("value", ["c", "/c/", "", "/", "c/"])
def test_an_object_ref_without_an_object_is_412_with_swifts_text(value):
    with pytest.raises(CopyError) as err:
        parse_object_ref(value, "Destination")
    assert err.value.response.status_int == 412
    assert err.value.response.body == (b"Destination header must be of the form "
                                       b"<container name>/<object name>")


def test_an_account_header_may_not_contain_a_slash():
    assert parse_account(None, "AUTH_a", "X-Copy-From-Account") == "AUTH_a"
    assert parse_account("AUTH_b", "AUTH_a", "X-Copy-From-Account") == "AUTH_b"
    with pytest.raises(CopyError) as err:
        parse_account("a/b", "AUTH_a", "X-Copy-From-Account")
    assert err.value.response.status_int == 412
    assert err.value.response.body == b"Account name cannot contain slashes"


SOURCE = {"Content-Type": "text/x", "X-Object-Meta-Color": "red", "Content-Disposition": "inline",
          "X-Delete-At": "9999999999", "X-Object-Sysmeta-Foo": "1",
          "X-Object-Sysmeta-Slo-Etag": "abc", "X-Static-Large-Object": "True",
          "X-Object-Manifest": "c/p", "ETag": "x", "Last-Modified": "then",
          "X-Timestamp": "1.0", "X-Backend-Timestamp": "1.0"}


def test_a_copy_of_the_assembled_bytes_carries_metadata_but_no_manifest():
    assert carried_headers(SOURCE, fresh=False, manifest_copy=False) == {
        "Content-Type": "text/x", "X-Object-Meta-Color": "red",
        "Content-Disposition": "inline", "X-Delete-At": "9999999999",
        "X-Object-Sysmeta-Foo": "1"}


def test_a_manifest_copy_keeps_the_dlo_manifest_but_never_the_slo_flag():
    carried = carried_headers(SOURCE, fresh=False, manifest_copy=True)
    assert carried["X-Object-Manifest"] == "c/p"
    assert carried["X-Object-Sysmeta-Slo-Etag"] == "abc"
    assert "X-Static-Large-Object" not in carried


def test_fresh_metadata_keeps_only_content_type_and_sysmeta():
    assert carried_headers(SOURCE, fresh=True, manifest_copy=False) == {
        "Content-Type": "text/x", "X-Object-Sysmeta-Foo": "1"}


def test_the_destination_query_turns_manifest_get_into_put_for_an_slo_only():
    assert _sink_query("multipart-manifest=get", slo_manifest=True) == "multipart-manifest=put"
    assert _sink_query("multipart-manifest=get", slo_manifest=False) == ""
    assert _sink_query("multipart-manifest=put", slo_manifest=False) == \
        "multipart-manifest=put"


# -- real copies ----------------------------------------------------------------

def _container(base):
    return base.rsplit("/", 1)[1]


def test_x_copy_from_keeps_metadata_lets_the_request_override_and_reports_the_source(
        cluster, base):
    c = _container(base)
    body = b"source!" * 10000
    cluster.request("PUT", base + "/src", {"X-Object-Meta-Color": "red", "X-Object-Meta-Shape": "box",
                                           "Content-Type": "text/x-src",
                                           "Content-Disposition": "inline"}, body)
    status, headers, _ = cluster.request("PUT", base + "/dst", {
        "X-Copy-From": "/%s/src" % c, "Content-Length": "0", "X-Object-Meta-Shape": "ball"})
    assert status == 201
    assert headers["X-Copied-From"] == "%s/src" % c
    assert headers["X-Copied-From-Account"] == ACCOUNT
    assert headers["ETag"] == hashlib.md5(body).hexdigest()
    assert headers["X-Object-Meta-Color"] == "red" and headers["X-Object-Meta-Shape"] == "ball"
    src_modified = cluster.request("HEAD", base + "/src")[1]["Last-Modified"]
    assert headers["X-Copied-From-Last-Modified"] == src_modified
    status, headers, got = cluster.request("GET", base + "/dst")
    assert got == body
    assert headers["X-Object-Meta-Color"] == "red" and headers["X-Object-Meta-Shape"] == "ball"
    assert headers["Content-Type"] == "text/x-src"
    assert headers["Content-Disposition"] == "inline"


def test_copy_method_with_fresh_metadata_drops_old_metadata_but_keeps_the_type(cluster, base):
    c = _container(base)
    cluster.request("PUT", base + "/src", {"X-Object-Meta-Color": "red",
                                           "Content-Type": "text/x-src"}, b"abc")
    status, _h, _b = cluster.request("COPY", base + "/src", {
        "Destination": "%s/dst" % c, "X-Fresh-Metadata": "true", "X-Object-Meta-New": "1"})
    assert status == 201
    headers = cluster.request("HEAD", base + "/dst")[1]
    assert "X-Object-Meta-Color" not in headers
    assert headers["X-Object-Meta-New"] == "1"
    assert headers["Content-Type"] == "text/x-src"


def test_a_range_on_the_copy_copies_only_those_bytes(cluster, base):
    c = _container(base)
    cluster.request("PUT", base + "/src", {}, b"0123456789")
    status, headers, _ = cluster.request("PUT", base + "/dst", {
        "X-Copy-From": "%s/src" % c, "Range": "bytes=2-4", "Content-Length": "0"})
    assert status == 201
    assert cluster.request("GET", base + "/dst")[2] == b"234"
    status, headers, _ = cluster.request("PUT", base + "/dst2", {
        "X-Copy-From": "%s/src" % c, "Range": "bytes=20-30", "Content-Length": "0"})
    assert status == 416
    assert cluster.request("HEAD", base + "/dst2")[0] == 404


def test_conditions_on_a_copy_are_judged_against_the_source(cluster, base):
    c = _container(base)
    cluster.request("PUT", base + "/src", {}, b"abc")
    status, _h, _b = cluster.request("COPY", base + "/src", {"Destination": "%s/dst" % c,
                                                             "If-Match": "nope"})
    assert status == 412
    assert cluster.request("HEAD", base + "/dst")[0] == 404
    etag = hashlib.md5(b"abc").hexdigest()
    status, _h, _b = cluster.request("COPY", base + "/src", {"Destination": "%s/dst" % c,
                                                             "If-Match": etag})
    assert status == 201


def test_copy_errors_answer_as_swift(cluster, base):
    c = _container(base)
    cluster.request("PUT", base + "/src", {}, b"abc")
    assert cluster.request("COPY", base + "/nope", {"Destination": "%s/x" % c})[0] == 404
    status, _h, body = cluster.request("COPY", base + "/src")
    assert (status, body) == (412, b"Destination header required")
    assert cluster.request("COPY", base + "/src", {"Destination": "nodelimiter"})[0] == 412
    status, headers, body = cluster.request("PUT", base + "/dst", {"X-Copy-From": "%s/src" % c},
                                            b"body")
    assert (status, body) == (400, b"Copy requests require a zero byte body")
    assert cluster.request("COPY", base + "/src", {"Destination": "nocontainer-%s/x" % c}
                           )[0] == 404


def test_options_on_an_object_allows_copy(cluster, base):
    headers = cluster.request("OPTIONS", base + "/o")[1]
    assert "COPY" in headers["Allow"].split(", ")
    headers = cluster.request("OPTIONS", base)[1]
    assert "COPY" not in headers["Allow"]


def _segments(cluster, base, count=3, size=5):
    for i in range(count):
        assert cluster.request("PUT", base + "/seg/%02d" % i, {}, (b"%d" % i) * size)[0] == 201
    return b"".join((b"%d" % i) * size for i in range(count))


def test_copying_a_dlo_copies_its_assembled_bytes(cluster, base):
    c = _container(base)
    whole = _segments(cluster, base)
    cluster.request("PUT", base + "/dlo", {"X-Object-Manifest": "%s/seg/" % c,
                                           "X-Object-Meta-M": "dlo"}, b"")
    status, headers, _ = cluster.request("COPY", base + "/dlo", {"Destination": "%s/copy" % c})
    assert status == 201
    assert headers["ETag"] == hashlib.md5(whole).hexdigest()
    status, headers, body = cluster.request("GET", base + "/copy")
    assert body == whole
    assert "X-Object-Manifest" not in headers and headers["X-Object-Meta-M"] == "dlo"


def test_copying_a_dlo_with_manifest_get_copies_the_manifest(cluster, base):
    c = _container(base)
    whole = _segments(cluster, base)
    cluster.request("PUT", base + "/dlo", {"X-Object-Manifest": "%s/seg/" % c}, b"")
    status, _h, _b = cluster.request("COPY", base + "/dlo?multipart-manifest=get",
                                     {"Destination": "%s/copy" % c})
    assert status == 201
    headers = cluster.request("GET", base + "/copy?multipart-manifest=get")[1]
    assert headers["X-Object-Manifest"] == "%s/seg/" % c
    assert headers["Content-Length"] == "0"
    assert cluster.request("GET", base + "/copy")[2] == whole


def _slo(cluster, base):
    c = _container(base)
    whole = _segments(cluster, base)
    manifest = [{"path": "/%s/seg/%02d" % (c, i), "etag": None, "size_bytes": None}
                for i in range(3)]
    status, headers, _ = cluster.request("PUT", base + "/slo?multipart-manifest=put", {
        "Content-Type": "text/slo", "X-Object-Meta-S": "slo"}, json.dumps(manifest).encode())
    assert status == 201
    return whole, headers["ETag"]


def test_copying_an_slo_copies_its_assembled_bytes_into_a_plain_object(cluster, base):
    c = _container(base)
    whole, _etag = _slo(cluster, base)
    status, headers, _ = cluster.request("PUT", base + "/copy", {
        "X-Copy-From": "%s/slo" % c, "Content-Length": "0"})
    assert status == 201
    assert headers["ETag"] == hashlib.md5(whole).hexdigest()
    status, headers, body = cluster.request("GET", base + "/copy")
    assert body == whole
    assert "X-Static-Large-Object" not in headers
    assert headers["Content-Type"] == "text/slo" and headers["X-Object-Meta-S"] == "slo"
    status, _h, body = cluster.request("GET", base + "/copy?multipart-manifest=get")
    assert body == whole  # a plain object: no manifest behind it


def test_copying_an_slo_with_manifest_get_makes_another_slo(cluster, base):
    c = _container(base)
    whole, etag = _slo(cluster, base)
    status, headers, _ = cluster.request("COPY", base + "/slo?multipart-manifest=get",
                                         {"Destination": "%s/copy" % c})
    assert status == 201
    assert headers["ETag"] == etag
    status, headers, body = cluster.request("GET", base + "/copy")
    assert body == whole
    assert headers["X-Static-Large-Object"] == "True"
    assert headers["Content-Type"] == "text/slo"
    assert headers["ETag"] == etag


def test_a_ranged_copy_of_an_slo_copies_bytes_across_segments(cluster, base):
    c = _container(base)
    whole, _etag = _slo(cluster, base)
    status, _h, _b = cluster.request("PUT", base + "/copy", {
        "X-Copy-From": "%s/slo" % c, "Range": "bytes=3-11", "Content-Length": "0"})
    assert status == 201
    assert cluster.request("GET", base + "/copy")[2] == whole[3:12]


# -- hostile copies --------------------------------------------------------------

def test_copy_cannot_forge_an_slo_from_a_json_object(cluster, base):
    """A plain object holding manifest-shaped JSON stays plain whatever a
    copy of it asks: the SLO flag is refused on COPY and X-Copy-From."""
    c = _container(base)
    _segments(cluster, base)
    forged = json.dumps([{"name": "/%s/seg/00" % c, "hash": "x", "bytes": 5 * 2 ** 30}]).encode()
    cluster.request("PUT", base + "/json", {}, forged)
    status, _h, body = cluster.request("COPY", base + "/json", {
        "Destination": "%s/forged" % c, "X-Static-Large-Object": "True"})
    assert status == 400
    assert body.startswith(b"X-Static-Large-Object is a reserved header")
    status, _h, _b = cluster.request("PUT", base + "/forged", {
        "X-Copy-From": "%s/json" % c, "X-Static-Large-Object": "True", "Content-Length": "0"})
    assert status == 400
    assert cluster.request("HEAD", base + "/forged")[0] == 404
    status, headers, body = cluster.request("GET", base + "/json")
    assert body == forged and "X-Static-Large-Object" not in headers


def test_a_copy_that_sets_a_malformed_dlo_manifest_is_refused(cluster, base):
    c = _container(base)
    cluster.request("PUT", base + "/src", {}, b"abc")
    status, _h, _b = cluster.request("PUT", base + "/dst", {
        "X-Copy-From": "%s/src" % c, "Content-Length": "0",
        "X-Object-Manifest": "%s" % c})
    assert status == 400  # a DLO manifest must be <container>/<prefix>
    assert cluster.request("HEAD", base + "/dst")[0] == 404
