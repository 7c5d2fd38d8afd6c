"""Erasure-coded objects through a real proxy and seven object servers
(policy ec42: 4 data + 2 parity fragments, 64 KiB segments)."""

import email.parser
import glob
import hashlib
import os
import uuid

import pytest

from cluster import Cluster
from objstore.obj.ondisk import parse_data_name

ACCOUNT = "AUTH_ec"
SEG = 65536
EC_POLICY = ("[storage-policy:2]\nname = ec42\npolicy_type = erasure_coding\n"
             "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 4\n"
             "ec_num_parity_fragments = 2\nec_object_segment_size = %d\n" % SEG)


@pytest.fixture(scope="module")
def ec_cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("ec")), object_servers=7,
                extra_policies=EC_POLICY, extra_rings={"object-2": 6})
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def _heal(ec_cluster):
    yield
    for relay in ec_cluster.relays:
        relay.reset()


def _container(c):
    name = "ec-" + uuid.uuid4().hex[:8]
    status = c.request("PUT", "/v1/%s/%s" % (ACCOUNT, name), {"X-Storage-Policy": "ec42"})[0]
    assert status == 201
    return name


def _object(c):
    cont = _container(c)
    name = "o-" + uuid.uuid4().hex[:8]
    return cont, name, "/v1/%s/%s/%s" % (ACCOUNT, cont, name)


def _archives(c, cont, name):
    """{frag index: [file paths]} of the object's fragment archives."""
    from ring.utils import hash_path
    object_hash = hash_path(ACCOUNT, cont, name, prefix=b"pre", suffix=b"suf")
    out = {}
    for path in glob.glob(os.path.join(c.root, "obj*", "*", "objects-2", "*", "*",
                                       object_hash, "*.data")):
        info = parse_data_name(os.path.basename(path))
        if info and info[1] is not None:
            out.setdefault(info[1], []).append(path)
    return out


def test_info_lists_the_ec_policy_with_its_type(ec_cluster):
    import json
    status, _h, body = ec_cluster.request("GET", "/info")
    policies = {p["name"]: p for p in json.loads(body)["swift"]["policies"]}
    assert policies["ec42"]["policy_type"] == "erasure_coding"
    assert policies["ec42"]["ec_num_data_fragments"] == 4


@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 5 * SEG + 123])
def test_put_then_get_returns_the_same_bytes_and_etag(ec_cluster, size):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(size)
    status, headers, _ = ec_cluster.request("PUT", path, {"Content-Type": "x/y"}, body)
    assert status == 201 and headers["Etag"] == hashlib.md5(body).hexdigest()
    status, headers, got = ec_cluster.request("GET", path)
    assert (status, got) == (200, body)
    assert headers["Etag"] == hashlib.md5(body).hexdigest()
    assert headers["Content-Type"] == "x/y"
    assert not any(k.lower().startswith("x-object-sysmeta-ec") for k in headers)
    status, headers, _ = ec_cluster.request("HEAD", path)
    assert status == 200 and headers["Content-Length"] == str(size)


def test_chunked_put_learns_the_length_and_the_listing_shows_client_size(ec_cluster):
    import json
    cont, name, path = _object(ec_cluster)
    body = os.urandom(3 * SEG + 5)
    status = ec_cluster.request("PUT", path, {"Transfer-Encoding": "chunked"},
                                iter([body[:1000], body[1000:]]), encode_chunked=True)[0]
    assert status == 201
    assert ec_cluster.request("GET", path)[2] == body
    listing = json.loads(ec_cluster.request("GET", "/v1/%s/%s?format=json" % (ACCOUNT, cont))[2])
    assert listing[0]["bytes"] == len(body)
    assert listing[0]["hash"] == hashlib.md5(body).hexdigest()


def test_each_primary_holds_one_durable_archive_of_its_own_index(ec_cluster):
    cont, name, path = _object(ec_cluster)
    assert ec_cluster.request("PUT", path, {}, os.urandom(2 * SEG))[0] == 201
    archives = _archives(ec_cluster, cont, name)
    assert sorted(archives) == list(range(6))
    assert all(len(v) == 1 and v[0].endswith("#d.data") for v in archives.values())


@pytest.mark.parametrize("rng, span", [
    ("bytes=0-0", (0, 0)), ("bytes=100-200", (100, 200)),
    ("bytes=%d-%d" % (SEG - 10, 2 * SEG + 10), (SEG - 10, 2 * SEG + 10)),
    ("bytes=-500", (4 * SEG + 100 - 500, 4 * SEG + 99)),
    ("bytes=%d-" % (3 * SEG), (3 * SEG, 4 * SEG + 99)),
    ("bytes=10-999999999", (10, 4 * SEG + 99)),
])
def test_ranged_get_returns_exactly_the_range(ec_cluster, rng, span):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(4 * SEG + 100)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    status, headers, got = ec_cluster.request("GET", path, {"Range": rng})
    assert status == 206 and got == body[span[0]:span[1] + 1]
    assert headers["Content-Range"] == "bytes %d-%d/%d" % (span[0], span[1], len(body))


def test_unsatisfiable_range_is_416_with_the_object_length(ec_cluster):
    cont, name, path = _object(ec_cluster)
    assert ec_cluster.request("PUT", path, {}, b"short")[0] == 201
    status, headers, _ = ec_cluster.request("GET", path, {"Range": "bytes=10-20"})
    assert status == 416 and headers["Content-Range"] == "bytes */5"


def test_conditionals_compare_against_the_client_etag(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = b"conditional" * 100
    etag = hashlib.md5(body).hexdigest()
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    assert ec_cluster.request("GET", path, {"If-None-Match": etag})[0] == 304
    assert ec_cluster.request("GET", path, {"If-Match": "nope"})[0] == 412
    assert ec_cluster.request("GET", path, {"If-Match": etag})[2] == body


def test_a_conditional_put_is_judged_on_the_client_etag_of_the_archives(ec_cluster):
    """s3api's If-Match reaches the fragment servers as X-Backend-If-Match and
    is matched against the object's ETag, not a fragment's; a refused
    conditional PUT is the nodes' 412 (nothing stored), not a 503."""
    cont, name, path = _object(ec_cluster)
    body = b"first" * 1000
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    assert ec_cluster.request("PUT", path, {"X-Backend-If-Match": '"%s"' % hashlib.md5(
        b"other").hexdigest()}, b"second")[0] == 412
    assert ec_cluster.request("PUT", path, {"If-None-Match": "*"}, b"second")[0] == 412
    assert ec_cluster.request("GET", path)[2] == body
    assert ec_cluster.request("PUT", path, {"X-Backend-If-Match": '"%s"' % hashlib.md5(
        body).hexdigest()}, b"second")[0] == 201
    assert ec_cluster.request("GET", path)[2] == b"second"


def _parts(headers, body):
    ctype = headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges;boundary=")
    assert int(headers["Content-Length"]) == len(body)
    msg = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    return [(p["Content-Range"], p.get_payload(decode=True)) for p in msg.get_payload()]


def test_multi_range_is_multipart_across_segments_with_a_node_down(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(4 * SEG + 100)
    assert ec_cluster.request("PUT", path, {"Content-Type": "app/x"}, body)[0] == 201
    ec_cluster.object_relays(ACCOUNT, cont, name, "object-2")[0].mode = "down"
    rng = "bytes=10-20, %d-%d,-7" % (SEG - 5, 2 * SEG + 5)
    status, headers, got = ec_cluster.request("GET", path, {"Range": rng})
    assert status == 206 and headers["ETag"] == hashlib.md5(body).hexdigest()
    total = len(body)
    assert _parts(headers, got) == [
        ("bytes 10-20/%d" % total, body[10:21]),
        ("bytes %d-%d/%d" % (SEG - 5, 2 * SEG + 5, total), body[SEG - 5:2 * SEG + 6]),
        ("bytes %d-%d/%d" % (total - 7, total - 1, total), body[-7:])]


def test_egregious_multi_range_is_416_and_the_object_is_intact(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(SEG + 1)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    status, headers, _ = ec_cluster.request("GET", path, {"Range": "bytes=" + ",".join(
        ["0-"] * 100)})
    assert status == 416 and headers["Content-Range"] == "bytes */%d" % len(body)
    assert ec_cluster.request("GET", path)[2] == body


def test_head_conditionals_answer_304_and_412_with_the_object_headers(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = b"head conditional"
    etag = hashlib.md5(body).hexdigest()
    assert ec_cluster.request("PUT", path, {"Content-Type": "text/x",
                                            "X-Object-Meta-Color": "red"}, body)[0] == 201
    status, headers, _ = ec_cluster.request("HEAD", path, {"If-None-Match": etag})
    assert (status, headers["ETag"], headers["Content-Type"],
            headers["X-Object-Meta-Color"]) == (304, etag, "text/x", "red")
    assert not any(k.lower().startswith("x-object-sysmeta-ec-") for k in headers)
    status, headers, _ = ec_cluster.request("HEAD", path, {"If-Match": "nope"})
    assert (status, headers["ETag"], headers["Content-Type"],
            headers["X-Object-Meta-Color"]) == (412, etag, "text/html; charset=UTF-8", "red")


def test_post_metadata_and_delete(ec_cluster):
    cont, name, path = _object(ec_cluster)
    assert ec_cluster.request("PUT", path, {}, b"data")[0] == 201
    assert ec_cluster.request("POST", path, {"X-Object-Meta-Color": "blue"})[0] == 202
    status, headers, got = ec_cluster.request("GET", path)
    assert headers["X-Object-Meta-Color"] == "blue" and got == b"data"
    assert ec_cluster.request("DELETE", path)[0] == 204
    assert ec_cluster.request("GET", path)[0] == 404


@pytest.mark.parametrize("size", [3 * SEG + 7, SEG - 1])  # streamed; one segment, whole
def test_with_two_primaries_dead_put_and_get_still_work(ec_cluster, size):
    cont, name, path = _object(ec_cluster)
    primaries = ec_cluster.object_relays(ACCOUNT, cont, name, "object-2")
    primaries[0].mode = primaries[3].mode = "down"
    body = os.urandom(size)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    assert ec_cluster.request("GET", path)[2] == body
    assert ec_cluster.request("GET", path, {"Range": "bytes=5-70000"})[2] == body[5:70001]
    archives = _archives(ec_cluster, cont, name)
    assert len(archives) == 5  # the one handoff stood in for one of the dead two
    assert all(f.endswith("#d.data") for files in archives.values() for f in files)


def test_with_two_primaries_dead_an_older_object_still_reads(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(2 * SEG + 7)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    primaries = ec_cluster.object_relays(ACCOUNT, cont, name, "object-2")
    primaries[1].mode = primaries[2].mode = "down"  # two data fragments gone
    assert ec_cluster.request("GET", path)[2] == body


def test_more_than_m_dead_is_503_and_nothing_half_written_shows(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(SEG + 1)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    primaries = ec_cluster.object_relays(ACCOUNT, cont, name, "object-2")
    # Three primaries down, and the one server that is not a primary too:
    # on a loaded box a primary slower than conn_timeout during the PUT has
    # its fragment written to that handoff, which would make a fourth.
    for relay in primaries[:3] + [r for r in ec_cluster.relays if r not in primaries]:
        relay.mode = "down"
    status, _h, msg = ec_cluster.request("GET", path)
    assert status == 503 and msg.startswith(b"<html><h1>Service Unavailable</h1>")
    status, _h, msg = ec_cluster.request("PUT", path, {}, b"new version")
    assert status == 503 and msg.startswith(b"<html><h1>Service Unavailable</h1>")
    assert ec_cluster.log("proxy").count("fragment archives") >= 2  # the cause, for operators
    for relay in primaries:
        relay.reset()
    assert ec_cluster.request("GET", path)[2] == body  # the old version, never the new


def test_a_corrupt_fragment_is_never_decoded_into_the_body(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(2 * SEG)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    archive = _archives(ec_cluster, cont, name)[1][0]
    with open(archive, "r+b") as fp:
        fp.seek(SEG // 8)
        byte = fp.read(1)
        fp.seek(SEG // 8)
        fp.write(bytes([byte[0] ^ 0xFF]))
    assert ec_cluster.request("GET", path)[2] == body
    assert ec_cluster.request("GET", path, {"Range": "bytes=0-99"})[2] == body[:100]


def test_a_fragment_node_stalling_mid_body_is_replaced(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(8 * SEG)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    first = ec_cluster.object_relays(ACCOUNT, cont, name, "object-2")[0]
    first.stall_after = 3 * SEG // 4
    first.mode = "stall"
    status, _h, got = ec_cluster.request("GET", path)
    assert status == 200 and got == body


def test_a_conditional_delete_is_judged_on_the_client_etag_of_the_archives(ec_cluster):
    """s3api's conditional delete: X-Backend-If-Match on a DELETE is matched
    against the object's ETag on every fragment server, not a fragment's."""
    cont, name, path = _object(ec_cluster)
    body = b"kept" * 1000
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    assert ec_cluster.request("DELETE", path, {"X-Backend-If-Match": '"%s"' % hashlib.md5(
        b"other").hexdigest()})[0] == 412
    assert ec_cluster.request("GET", path)[2] == body
    assert ec_cluster.request("DELETE", path, {"X-Backend-If-Match": '"%s"' % hashlib.md5(
        body).hexdigest()})[0] == 204
    assert ec_cluster.request("GET", path)[0] == 404


def _archive_puts_sent(c, cont, name):
    """The heads of the archive PUTs the object's primaries were sent."""
    return [h.decode("latin-1").lower()
            for relay in c.object_relays(ACCOUNT, cont, name, ring_name="object-2")
            for h in relay.heads if h.startswith(b"PUT ")]


def _archive_puts(c, cont, name):
    heads = _archive_puts_sent(c, cont, name)
    assert heads
    return heads


def test_a_one_segment_put_names_the_object_etag_in_each_archive_put(ec_cluster):
    # Written with the client ETag in its metadata, the archive needs no
    # metadata rewrite (and second fsync) at the commit; sent with its head.
    cont, name, path = _object(ec_cluster)
    body = os.urandom(SEG)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    for head in _archive_puts(ec_cluster, cont, name):
        assert "x-object-sysmeta-ec-etag: %s\r\n" % hashlib.md5(body).hexdigest() in head
        assert "expect:" not in head
    assert ec_cluster.request("GET", path)[2] == body
    for files in _archives(ec_cluster, cont, name).values():
        assert all(parse_data_name(os.path.basename(f))[2] for f in files)  # durable


def test_a_streamed_put_learns_the_etag_at_the_commit(ec_cluster):
    cont, name, path = _object(ec_cluster)
    body = os.urandom(SEG + 1)
    assert ec_cluster.request("PUT", path, {}, body)[0] == 201
    heads = _archive_puts(ec_cluster, cont, name)
    assert not any("x-object-sysmeta-ec-etag" in head for head in heads)
    assert all("expect: 100-continue" in head for head in heads)
    status, headers, got = ec_cluster.request("GET", path)
    assert (status, got, headers["Etag"]) == (200, body, hashlib.md5(body).hexdigest())


def test_a_one_segment_put_with_a_wrong_etag_writes_no_archive(ec_cluster):
    cont, name, path = _object(ec_cluster)
    status = ec_cluster.request("PUT", path, {"ETag": "0" * 32}, b"x" * 100)[0]
    assert status == 422
    assert _archives(ec_cluster, cont, name) == {}
    assert not _archive_puts_sent(ec_cluster, cont, name)
