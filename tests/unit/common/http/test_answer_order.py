"""The order of an object GET/HEAD answer's headers: each expected list is
what Swift 2.38.3's proxy sent for that answer (curl -i, session 14), less
the transaction ids and Date its outer layers add after these."""
import random

import pytest

from objstore.common.http.answer_order import object_answer_order

CT, CL, ETAG, LM, XTS, AR, CR = ("Content-Type", "Content-Length", "Etag", "Last-Modified",
                                 "X-Timestamp", "Accept-Ranges", "Content-Range")
META = ["X-Object-Meta-Zed", "X-Object-Meta-Color", "X-Object-Meta-Alpha"]


def _ordered(names, method, status, manifest_get=False, seed=0):
    """``names`` shuffled (user metadata kept in its order), then put in order."""
    shuffled = list(names)
    random.Random(seed).shuffle(shuffled)
    metas = iter([n for n in names if n.startswith("X-Object-Meta-")])
    shuffled = [next(metas) if n.startswith("X-Object-Meta-") else n for n in shuffled]
    headers = [(n, "v-" + n) for n in shuffled]
    query = "multipart-manifest=get" if manifest_get else ""
    return [n for n, _v in object_answer_order(headers, method, status, query)]


@pytest.mark.parametrize("method,status,manifest_get,expected", [
    ("GET", 200, False, [CT] + META + [ETAG, LM, XTS, AR, CL]),
    ("HEAD", 200, False, [CT, CL] + META + [ETAG, LM, XTS, AR]),
    ("GET", 206, False, [CT] + META + [ETAG, LM, XTS, CR, AR, CL]),
    ("GET", 416, False, [CT, CL, ETAG, LM, XTS, CR, AR]),
    ("GET", 304, False, [CT, CL, ETAG, LM, XTS, AR]),
    ("HEAD", 304, False, [CT, CL, ETAG, LM, XTS, AR]),
    ("GET", 412, False, [CT, CL] + META + [ETAG, LM, XTS]),
    # SLO: its middleware sets the length after the object's headers, even on a HEAD
    ("GET", 200, False, [CT, "X-Object-Meta-S", "X-Static-Large-Object", ETAG, LM, XTS, AR, CL,
                         "X-Manifest-Etag"]),
    ("HEAD", 200, False, [CT, "X-Object-Meta-S", "X-Static-Large-Object", ETAG, LM, XTS, AR, CL,
                          "X-Manifest-Etag"]),
    ("GET", 206, False, [CT, "X-Object-Meta-S", "X-Static-Large-Object", ETAG, LM, XTS, AR, CL,
                         "X-Manifest-Etag", CR]),
    ("HEAD", 200, True, [CT, "X-Object-Meta-S", "X-Static-Large-Object", ETAG, LM, XTS, AR, CL]),
    # DLO: its ETag (of the segments) comes after the length; the manifest itself is plain
    ("GET", 200, False, [CT, "X-Object-Meta-D", "X-Object-Manifest", LM, XTS, AR, CL, ETAG]),
    ("HEAD", 200, False, [CT, CL, "X-Object-Meta-D", "X-Object-Manifest", LM, XTS, AR, ETAG]),
    ("GET", 206, False, [CT, "X-Object-Meta-D", "X-Object-Manifest", LM, XTS, AR, CL, ETAG, CR]),
    ("GET", 200, True, [CT, "X-Object-Meta-D", "X-Object-Manifest", ETAG, LM, XTS, AR, CL]),
    ("HEAD", 200, True, [CT, CL, "X-Object-Meta-D", "X-Object-Manifest", ETAG, LM, XTS, AR]),
    # a symlink followed, read as a link, a versioned object
    ("HEAD", 200, False, [CT, ETAG, LM, XTS, AR, CL, "Content-Location"]),
    ("GET", 206, False, [CT, ETAG, LM, XTS, CR, AR, CL, "Content-Location"]),
    ("HEAD", 200, False, [CT, CL, ETAG, LM, XTS, AR, "X-Symlink-Target"]),
    ("HEAD", 200, False, [CT, CL, "X-Object-Meta-V", ETAG, LM, XTS, AR, "Content-Location",
                          "X-Object-Version-Id"]),
    ("GET", 206, False, [CT, "X-Object-Meta-V", ETAG, LM, XTS, CR, AR, CL, "Content-Location",
                         "X-Object-Version-Id"]),
])
def test_object_answers_come_in_swifts_order(method, status, manifest_get, expected):
    for seed in range(5):
        assert _ordered(expected, method, status, manifest_get, seed) == expected


@pytest.mark.parametrize("method,expected", [
    ("GET", [CT, ETAG, LM, XTS, AR, CL, "Content-Disposition", "Expires"]),
    ("HEAD", [CT, CL, ETAG, LM, XTS, AR, "Content-Disposition", "Expires"])])
def test_a_tempurls_headers_come_last(method, expected):
    headers = [(n, "v") for n in [CT, "Content-Disposition", "Expires", ETAG, LM, XTS, AR, CL]]
    query = "temp_url_sig=abc&temp_url_expires=1&filename=x.txt"
    assert [n for n, _v in object_answer_order(headers, method, 200, query)] == expected
    # without a TempURL they are what the object stores
    assert [n for n, _v in object_answer_order(headers, method, 200, "")][1:3] == \
        (["Content-Disposition", "Expires"] if method == "GET" else [CL, "Content-Disposition"])


def test_user_metadata_comes_before_the_stored_headers_each_in_the_order_given():
    names = [CT, "X-Delete-At", "X-Object-Meta-B", "Content-Disposition", "X-Object-Meta-A",
             ETAG, LM, XTS, AR, CL]
    headers = [(n, "v") for n in names]
    assert [n for n, _v in object_answer_order(headers, "GET", 200)] == [
        CT, "X-Object-Meta-B", "X-Object-Meta-A", "X-Delete-At", "Content-Disposition",
        ETAG, LM, XTS, AR, CL]


def test_the_etag_is_named_as_swift_names_it_and_values_are_untouched():
    headers = [("ETag", '"abc"'), ("Content-Type", "text/plain"), ("X-Object-Meta-K", "ü")]
    assert object_answer_order(headers, "GET", 200) == [
        ("Content-Type", "text/plain"), ("X-Object-Meta-K", "ü"), ("Etag", '"abc"')]


@pytest.mark.parametrize("status", [201, 204, 401, 404, 503])
def test_other_answers_keep_their_order(status):
    headers = [("Www-Authenticate", "x"), ("Content-Length", "0"), ("Content-Type", "text/html")]
    assert object_answer_order(headers, "GET", status) == headers
