"""keymaster + encryption in front of real storage servers: what reaches
the disk, what clients read back, and the proxies that must refuse to
decrypt (wrong or forgotten root secret). Several proxies share one set
of storage servers: one encrypting, one plain (objects from before
encryption), one with another secret, one after a key rotation."""

import base64
import glob
import hashlib
import http.client
import json
import os
import sys
import uuid
from urllib.parse import quote

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster  # noqa: E402
from extra_proxy import Proxy  # noqa: E402

SECRET = base64.b64encode(b"s" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 48).decode()
PIPELINE = "catch_errors gatekeeper copy slo dlo keymaster encryption proxy-server"
FILTERS = ("[filter:gatekeeper]\nuse = egg:objstore#gatekeeper\n"
           "[filter:copy]\nuse = egg:objstore#copy\n"
           "[filter:slo]\nuse = egg:objstore#slo\n"
           "[filter:dlo]\nuse = egg:objstore#dlo\n"
           "[filter:encryption]\nuse = egg:objstore#encryption\n")
KEYMASTER = "[filter:keymaster]\nuse = egg:objstore#keymaster\n%s\n"
BODY = b"attack at dawn; " * 4096  # 64 KiB
EC_POLICY = ("[storage-policy:2]\nname = ec\npolicy_type = erasure_coding\n"
             "ec_type = liberasurecode_rs_vand\nec_num_data_fragments = 2\n"
             "ec_num_parity_fragments = 1\nec_object_segment_size = 16384\n")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("crypto")), extra_policies=EC_POLICY,
                extra_rings={"object-2": 3})
    try:
        c.enc = Proxy(c, "enc", PIPELINE, FILTERS + KEYMASTER % (
            "encryption_root_secret = " + SECRET))
        c.plain = Proxy(c, "plain", "catch_errors gatekeeper copy slo dlo proxy-server", FILTERS)
        c.wrong = Proxy(c, "wrong", PIPELINE, FILTERS + KEYMASTER % (
            "encryption_root_secret = " + OTHER))
        c.rotated = Proxy(c, "rotated", PIPELINE, FILTERS + KEYMASTER % (
            "encryption_root_secret = %s\nencryption_root_secret_2 = %s\n"
            "active_root_secret_id = 2" % (SECRET, NEW)))
        c.nokeys = Proxy(c, "nokeys", "catch_errors gatekeeper encryption proxy-server", FILTERS)
        # What s3api's subrequests meet: the pipeline behind the gatekeeper.
        c.inner = Proxy(c, "inner", PIPELINE.replace("gatekeeper ", ""), FILTERS + KEYMASTER % (
            "encryption_root_secret = " + SECRET))
        yield c
    finally:
        c.stop()


@pytest.fixture
def container(cluster):
    path = "/v1/AUTH_test/enc-%s" % uuid.uuid4().hex[:8]
    assert cluster.enc.request("PUT", path)[0] == 201
    yield path
    _s, _h, body = cluster.plain.request("GET", path + "?format=json")
    for row in json.loads(body or b"[]"):
        cluster.plain.request("DELETE", "%s/%s" % (path, row["name"]))
    cluster.plain.request("DELETE", path)


def _stored_bytes(cluster, name):
    """Everything on the object servers' disks for files in hash dirs
    holding ``name``'s data: file contents and xattrs."""
    found = []
    for path in glob.glob(os.path.join(cluster.root, "obj*", "**", "*"), recursive=True):
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as fp:
            data = fp.read()
        attrs = b"".join(os.getxattr(path, a) for a in os.listxattr(path))
        if name.encode() in data + attrs or name in path:
            found.append(data + attrs)
    return found


def test_no_plaintext_body_or_metadata_reaches_the_disk(cluster, container):
    name = "secret-" + uuid.uuid4().hex[:6]
    status, headers, _ = cluster.enc.request("PUT", "%s/%s" % (container, name), {
        "X-Object-Meta-Plan": "invade at noon", "Content-Type": "text/x-plan"}, BODY)
    assert status == 201
    assert headers["Etag"] == hashlib.md5(BODY).hexdigest()
    stored = _stored_bytes(cluster, name)
    assert len(stored) >= 3  # one .data per replica
    for blob in stored:
        assert b"attack at dawn" not in blob
        assert b"invade at noon" not in blob
    status, headers, body = cluster.enc.request("GET", "%s/%s" % (container, name))
    assert (status, body) == (200, BODY)
    assert headers["Etag"] == hashlib.md5(BODY).hexdigest()
    assert headers["X-Object-Meta-Plan"] == "invade at noon"
    assert headers["Content-Type"] == "text/x-plan"
    assert not any(k.lower().startswith(("x-object-sysmeta", "x-object-transient"))
                   for k in headers)
    # The same object through a proxy without the keys is ciphertext.
    assert cluster.plain.request("GET", "%s/%s" % (container, name))[2] != BODY


def test_ranged_gets_decrypt_from_the_first_byte_asked(cluster, container):
    path = container + "/ranged"
    cluster.enc.request("PUT", path, {}, BODY)
    for first, last in ((0, 0), (5, 20), (17, 4111), (65535, 65535), (1000, 65535)):
        status, _h, body = cluster.enc.request("GET", path, {"Range": "bytes=%d-%d" % (first, last)})
        assert (status, body) == (206, BODY[first:last + 1])
    status, headers, body = cluster.enc.request("GET", path, {"Range": "bytes=3-9,40000-40100"})
    assert status == 206
    assert BODY[3:10] in body and BODY[40000:40101] in body
    assert b"Content-Range: bytes 40000-40100/65536" in body
    status, _h, body = cluster.enc.request("GET", path, {"Range": "bytes=-10"})
    assert (status, body) == (206, BODY[-10:])


def test_a_ranged_get_reads_only_the_range_from_the_object_server(cluster, container):
    path = container + "/few-bytes"
    cluster.enc.request("PUT", path, {}, BODY)

    def answered():
        return sum(relay.answered for relay in cluster.relays)
    before = answered()
    status, _h, body = cluster.enc.request("GET", path, {"Range": "bytes=40000-40009"})
    assert (status, body) == (206, BODY[40000:40010])
    # The headers and at most a cipher block around the range, not the 64 KiB body.
    assert answered() - before < 8192
    before = answered()
    assert cluster.enc.request("GET", path)[2] == BODY
    assert answered() - before > len(BODY)  # the counter does see a whole body


def test_conditions_are_judged_on_the_plaintext_etag(cluster, container):
    path = container + "/cond"
    etag = hashlib.md5(BODY).hexdigest()
    cluster.enc.request("PUT", path, {}, BODY)
    assert cluster.enc.request("GET", path, {"If-Match": etag})[0] == 200
    assert cluster.enc.request("GET", path, {"If-Match": '"%s"' % ("0" * 32)})[0] == 412
    assert cluster.enc.request("GET", path, {"If-None-Match": etag})[0] == 304
    assert cluster.enc.request("HEAD", path, {"If-None-Match": "*"})[0] == 304


def test_a_conditional_delete_is_judged_on_the_plaintext_etag(cluster, container):
    """s3api's conditional delete (X-Backend-If-Match on DELETE) matches the
    plaintext ETag the client knows, not the stored ciphertext's."""
    path = container + "/conddel"
    cluster.enc.request("PUT", path, {}, BODY)
    wrong = {"X-Backend-If-Match": '"%s"' % ("0" * 32)}
    assert cluster.inner.request("DELETE", path, wrong)[0] == 412
    assert cluster.enc.request("GET", path)[2] == BODY
    right = {"X-Backend-If-Match": '"%s"' % hashlib.md5(BODY).hexdigest()}
    assert cluster.inner.request("DELETE", path, right)[0] == 204
    assert cluster.enc.request("GET", path)[0] == 404


def test_a_wrong_etag_is_422_and_stores_nothing(cluster, container):
    path = container + "/checked"
    status, _h, body = cluster.enc.request("PUT", path, {"ETag": "0" * 32}, b"abc")
    assert status == 422
    assert body == (b"<html><h1>Unprocessable Entity</h1><p>Unable to process the "
                    b"contained instructions</p></html>")
    assert cluster.enc.request("HEAD", path)[0] == 404
    good = hashlib.md5(b"abc").hexdigest()
    assert cluster.enc.request("PUT", path, {"ETag": good}, b"abc")[0] == 201
    assert cluster.enc.request("HEAD", path)[1]["Etag"] == good


def test_a_post_replaces_metadata_and_keeps_the_etag(cluster, container):
    path = container + "/posted"
    cluster.enc.request("PUT", path, {"X-Object-Meta-A": "1"}, b"body")
    assert cluster.enc.request("POST", path, {"X-Object-Meta-B": "two words"})[0] == 202
    headers = cluster.enc.request("HEAD", path)[1]
    assert headers["Etag"] == hashlib.md5(b"body").hexdigest()
    assert headers["X-Object-Meta-B"] == "two words" and "X-Object-Meta-A" not in headers


def test_objects_from_before_encryption_stay_readable(cluster, container):
    path = container + "/old"
    cluster.plain.request("PUT", path, {"X-Object-Meta-Age": "old"}, b"written in clear")
    status, headers, body = cluster.enc.request("GET", path)
    assert (status, body) == (200, b"written in clear")
    assert headers["X-Object-Meta-Age"] == "old"


def test_a_wrong_or_missing_root_secret_is_a_500_and_a_log_line_never_bytes(cluster, container):
    path = container + "/locked"
    cluster.enc.request("PUT", path, {}, BODY)
    for proxy in (cluster.wrong, cluster.nokeys):
        for method in ("GET", "HEAD"):
            status, _h, body = proxy.request(method, path)
            assert status == 500, proxy.name
            assert b"attack" not in body
        assert "cannot decrypt GET %s" % path in proxy.log()
    assert "is not the one the object was written with" in cluster.wrong.log()
    assert "no keymaster is in the pipeline" in cluster.nokeys.log()
    assert cluster.nokeys.request("PUT", container + "/x", {}, b"x")[0] == 500


def test_after_a_rotation_old_and_new_objects_read_and_new_ones_use_the_new_secret(
        cluster, container):
    old, new = container + "/before", container + "/after"
    cluster.enc.request("PUT", old, {}, b"old secret")
    cluster.rotated.request("PUT", new, {}, b"new secret")
    assert cluster.rotated.request("GET", old)[2] == b"old secret"
    assert cluster.rotated.request("GET", new)[2] == b"new secret"
    assert cluster.rotated.request("GET", old, {"If-Match": hashlib.md5(b"old secret")
                                                .hexdigest()})[0] == 200
    assert cluster.enc.request("GET", new)[0] == 500  # it does not know secret 2


def test_slo_segments_and_copies_are_encrypted_each_and_read_as_plaintext(cluster, container):
    c = container.rsplit("/", 1)[1]
    segs = [b"a" * 1000, b"b" * 1000]
    manifest = []
    for i, seg in enumerate(segs):
        cluster.enc.request("PUT", "%s/seg%d" % (container, i), {}, seg)
        manifest.append({"path": "%s/seg%d" % (c, i), "etag": hashlib.md5(seg).hexdigest()})
    status = cluster.enc.request("PUT", container + "/big?multipart-manifest=put", {},
                                 json.dumps(manifest).encode())[0]
    assert status == 201
    status, _h, body = cluster.enc.request("GET", container + "/big")
    assert (status, body) == (200, b"".join(segs))
    assert cluster.enc.request("GET", container + "/big", {"Range": "bytes=990-1009"})[2] == \
        b"a" * 10 + b"b" * 10
    assert cluster.enc.request("COPY", container + "/seg0",
                               {"Destination": "%s/copy" % c})[0] == 201
    assert cluster.enc.request("GET", container + "/copy")[2] == segs[0]
    assert cluster.plain.request("GET", container + "/copy")[2] != segs[0]


def test_listings_show_plaintext_etags_stored_encrypted(cluster, container):
    cluster.enc.request("PUT", container + "/a", {}, b"alpha")
    cluster.enc.request("PUT", container + "/b", {"ETag": hashlib.md5(b"beta").hexdigest()},
                        b"beta")
    cluster.plain.request("PUT", container + "/c", {}, b"clear")
    status, headers, body = cluster.enc.request("GET", container + "?format=json")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert {row["name"]: row["hash"] for row in json.loads(body)} == {
        name: hashlib.md5(data).hexdigest()
        for name, data in (("a", b"alpha"), ("b", b"beta"), ("c", b"clear"))}
    status, headers, body = cluster.enc.request("GET", container, {"Accept": "application/xml"})
    assert headers["Content-Type"] == "application/xml; charset=utf-8"
    assert ("<hash>%s</hash>" % hashlib.md5(b"alpha").hexdigest()).encode() in body
    assert cluster.enc.request("GET", container)[2] == b"a\nb\nc\n"
    raw = {row["name"]: row["hash"] for row in json.loads(
        cluster.plain.request("GET", container + "?format=json")[2])}
    assert hashlib.md5(b"alpha").hexdigest() not in raw["a"]
    assert "swift_meta=" in raw["a"]


def test_a_listing_under_two_secrets_decrypts_every_row(cluster, container):
    """The container key is derived once per secret and container in a
    listing: rows written under the old and the new secret both decrypt."""
    bodies = {"o%d" % i: b"body %d" % i for i in range(6)}
    for i, (name, data) in enumerate(sorted(bodies.items())):
        proxy = cluster.enc if i % 2 else cluster.rotated
        assert proxy.request("PUT", "%s/%s" % (container, name), {}, data)[0] == 201
    body = cluster.rotated.request("GET", container + "?format=json")[2]
    assert {row["name"]: row["hash"] for row in json.loads(body)} == {
        name: hashlib.md5(data).hexdigest() for name, data in bodies.items()}


def test_a_listing_with_nothing_encrypted_is_the_plain_listing_byte_for_byte(cluster,
                                                                             container):
    for name in ("plain", 'q"uote', "d/x"):  # (names the fixture's cleanup can send)
        cluster.plain.request("PUT", "%s/%s" % (container, quote(name)), {}, b"clear")
    for query in ("?format=json", "?format=json&delimiter=/", "?format=xml", ""):
        assert cluster.enc.request("GET", container + query)[2] == \
            cluster.plain.request("GET", container + query)[2]


def _hash_dirs(cluster, name):
    """The object servers' hash dirs holding ``name`` (file names)."""
    dirs = []
    for path in glob.glob(os.path.join(cluster.root, "obj*", "**", "*.data"), recursive=True):
        attrs = b"".join(os.getxattr(path, a) for a in os.listxattr(path))
        if name.encode() in attrs:
            dirs.append(sorted(os.listdir(os.path.dirname(path))))
    return dirs


@pytest.mark.parametrize("policy", ["gold", "ec"])
def test_the_etag_is_stored_with_the_data_in_one_write_no_post(cluster, policy):
    container = "/v1/AUTH_test/foot-%s" % uuid.uuid4().hex[:8]
    assert cluster.enc.request("PUT", container, {"X-Storage-Policy": policy})[0] == 201
    name = "footed-" + uuid.uuid4().hex[:6]
    path = "%s/%s" % (container, name)
    try:
        assert cluster.enc.request("PUT", path, {}, BODY)[0] == 201
        dirs = _hash_dirs(cluster, name)
        assert len(dirs) == 3
        for names in dirs:  # one durable .data each, no .meta from a second request
            assert len(names) == 1 and names[0].endswith(".data"), names
        headers = cluster.plain.request("HEAD", path)[1]
        assert "X-Object-Transient-Sysmeta-Crypto-Etag" not in headers  # gatekeeper
        assert cluster.enc.request("HEAD", path)[1]["Etag"] == hashlib.md5(BODY).hexdigest()
        rows = json.loads(cluster.enc.request("GET", container + "?format=json")[2])
        assert [(r["name"], r["hash"]) for r in rows] == [(name, hashlib.md5(BODY).hexdigest())]
        raw = json.loads(cluster.plain.request("GET", container + "?format=json")[2])
        assert "swift_meta=" in raw[0]["hash"]  # the listing keeps it encrypted
    finally:
        cluster.plain.request("DELETE", path)
        cluster.plain.request("DELETE", container)


def test_footers_are_not_stored_by_a_put_that_fails_its_etag(cluster, container):
    name = "failing-" + uuid.uuid4().hex[:6]
    path = "%s/%s" % (container, name)
    assert cluster.enc.request("PUT", path, {"ETag": "0" * 32}, BODY)[0] == 422
    assert _hash_dirs(cluster, name) == []
    assert cluster.enc.request("HEAD", path)[0] == 404


def test_a_post_changing_the_type_keeps_the_plaintext_listing_etag(cluster, container):
    path = container + "/retyped"
    cluster.enc.request("PUT", path, {"Content-Type": "text/plain"}, b"typed")
    assert cluster.enc.request("POST", path, {"Content-Type": "text/x-other"})[0] == 202
    rows = json.loads(cluster.enc.request("GET", container + "?format=json")[2])
    assert (rows[0]["hash"], rows[0]["content_type"]) == (hashlib.md5(b"typed").hexdigest(),
                                                          "text/x-other")
    assert cluster.enc.request("HEAD", path)[1]["Etag"] == hashlib.md5(b"typed").hexdigest()


def test_if_range_is_judged_on_the_plaintext_etag(cluster, container):
    path = container + "/ifrange"
    cluster.enc.request("PUT", path, {}, b"abcde")
    etag = hashlib.md5(b"abcde").hexdigest()
    assert cluster.enc.request("GET", path, {"Range": "bytes=0-1", "If-Range": '"%s"' % etag}
                               )[::2] == (206, b"ab")
    assert cluster.enc.request("GET", path, {"Range": "bytes=0-1", "If-Range": '"%s"' % ("0" * 32)}
                               )[::2] == (200, b"abcde")
    cluster.plain.request("PUT", container + "/plainrange", {}, b"vwxyz")
    assert cluster.enc.request("GET", container + "/plainrange", {
        "Range": "bytes=0-1", "If-Range": '"%s"' % hashlib.md5(b"vwxyz").hexdigest()}
    )[::2] == (206, b"vw")


def test_an_expiring_object_keeps_its_expiry_and_etag(cluster, container):
    path = container + "/expiring"
    assert cluster.enc.request("PUT", path, {"X-Delete-After": "3600"}, b"soon")[0] == 201
    headers = cluster.enc.request("HEAD", path)[1]
    stored = int(headers["X-Delete-At"])
    put_at = int(float(headers["X-Timestamp"]))
    assert put_at + 3595 <= stored <= put_at + 3601
    assert headers["Etag"] == hashlib.md5(b"soon").hexdigest()
    assert cluster.enc.request("PUT", path, {"X-Delete-After": "soon"}, b"x")[0] == 400


@pytest.mark.parametrize("disable, enabled", [("false", True), ("true", False)])
def test_info_shows_encryption_only_to_the_admin_as_swift(disable, enabled):
    from objstore.common import registry
    from objstore.middleware import encryption
    registry.reset_info()
    try:
        encryption.filter_factory({}, disable_encryption=disable)(lambda env, sr: [])
        assert "encryption" not in registry.get_info()
        assert registry.get_info(admin=True)["admin"]["encryption"] == {"enabled": enabled}
    finally:
        registry.reset_info()


def test_a_post_asks_the_object_servers_nothing_but_the_post(cluster, container):
    """The ETag's footers stay with the data (footers.KEPT_BY_POST): an
    encrypted POST no longer HEADs the object to repeat them."""
    path = container + "/onepost"
    cluster.enc.request("PUT", path, {}, b"one post")
    before = sum(r.requests for r in cluster.relays)
    assert cluster.enc.request("POST", path, {"X-Object-Meta-C": "3"})[0] == 202
    assert sum(r.requests for r in cluster.relays) - before == 3  # one POST per replica
    headers = cluster.enc.request("HEAD", path)[1]
    assert headers["Etag"] == hashlib.md5(b"one post").hexdigest()
    assert headers["X-Object-Meta-C"] == "3"


def test_a_small_put_whose_primary_is_down_stores_its_footers_on_a_handoff(cluster, container):
    """A small encrypted body goes whole with its footer document, unasked
    (no ``100 Continue``); the dead primary's copy goes to a handoff, which
    is asked first, and every copy holds the footers: the plaintext ETag
    is served whichever node answers."""
    name = "handoff-" + uuid.uuid4().hex[:6]
    path = "%s/%s" % (container, name)
    primaries = cluster.object_relays("AUTH_test", container.rsplit("/", 1)[1], name)
    primaries[0].mode = "down"
    try:
        status, headers, _ = cluster.enc.request("PUT", path, {}, b"small secret")
        assert (status, headers["Etag"]) == (201, hashlib.md5(b"small secret").hexdigest())
    finally:
        primaries[0].reset()
    dirs = _hash_dirs(cluster, name)
    assert len(dirs) == 3 and all(len(d) == 1 and d[0].endswith(".data") for d in dirs)
    for relay in primaries[1:]:
        relay.mode = "down"  # only the handoff's copy (and the empty primary) left
    try:
        status, headers, body = cluster.enc.request("GET", path)
    finally:
        for relay in primaries[1:]:
            relay.reset()
    assert (status, body) == (200, b"small secret")
    assert headers["Etag"] == hashlib.md5(b"small secret").hexdigest()
