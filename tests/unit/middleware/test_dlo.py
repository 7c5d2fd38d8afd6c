"""Dynamic large objects: manifest validation as Swift words it, reads
through ``dlo`` in front of a real proxy (conftest.py's ``cluster``), and
the segment listing read a page at a time."""

import hashlib
import json
from urllib.parse import parse_qs

import pytest
from webob import Request, Response

from objstore.middleware import dlo


@pytest.mark.parametrize("value", ["c/p", "c/p/", " c/p ", "c/%2F", "c%2Dx/p"])
def test_manifest_headers_swift_accepts(value):
    dlo.check_manifest_header(value)


@pytest.mark.parametrize("value", ["c", "c/", "/c/p", "c//p", "c/p?x", "c/ "])
def test_manifest_headers_swift_refuses(value):
    with pytest.raises(ValueError):
        dlo.check_manifest_header(value)


def _dlo(cluster, base, count=3, name="dlo", prefix="seg/"):
    c = base.rsplit("/", 1)[1]
    whole, etags = b"", []
    for i in range(count):
        data = (b"%d" % i) * 5
        assert cluster.request("PUT", "%s/%s%02d" % (base, prefix, i), {}, data)[0] == 201
        whole += data
        etags.append(hashlib.md5(data).hexdigest())
    # Raw UTF-8, as clients send it (http.client sends header text as latin-1).
    raw = ("%s/%s" % (c, prefix)).encode("utf-8").decode("latin-1")
    assert cluster.request("PUT", "%s/%s" % (base, name),
                           {"X-Object-Manifest": raw}, b"")[0] == 201
    return whole, '"%s"' % hashlib.md5("".join(etags).encode()).hexdigest()


def test_a_dlo_reads_as_its_segments_with_one_range(cluster, base):
    whole, etag = _dlo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/dlo")
    assert (status, body, headers["ETag"]) == (200, whole, etag)
    status, headers, body = cluster.request("GET", base + "/dlo", {"Range": "bytes=3-7"})
    assert (status, body, headers["Content-Range"]) == (206, whole[3:8], "bytes 3-7/15")


def test_several_ranges_get_the_whole_dlo_as_swift(cluster, base):
    whole, _etag = _dlo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/dlo", {"Range": "bytes=1-2,6-7"})
    assert (status, body) == (200, whole)
    assert "Content-Range" not in headers


def test_an_unsatisfiable_range_reports_the_dlos_size_not_the_manifests(cluster, base):
    _dlo(cluster, base)
    for method in ("GET", "HEAD"):
        status, headers, _body = cluster.request(method, base + "/dlo",
                                                 {"Range": "bytes=100-200"})
        assert status == 416
        assert headers["Content-Range"] == "bytes */15"
        assert "X-Object-Manifest" not in headers


def test_conditions_are_judged_against_the_dlo_etag(cluster, base):
    _whole, etag = _dlo(cluster, base)
    status, headers, body = cluster.request("GET", base + "/dlo", {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    status, headers, _b = cluster.request("GET", base + "/dlo", {"If-Match": '"nope"'})
    assert status == 412 and headers["ETag"] == etag
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert cluster.request("GET", base + "/dlo", {"If-Match": etag})[0] == 200


def test_utf8_names_in_the_dlo_and_its_segments(cluster, base):
    whole, etag = _dlo(cluster, base, name="d\u00e9lo", prefix="s\u00e9g/")
    for method in ("GET", "HEAD"):
        status, headers, body = cluster.request(method, base + "/d\u00e9lo")
        assert status == 200 and headers["ETag"] == etag
        assert headers["Content-Length"] == str(len(whole))
    assert cluster.request("GET", base + "/d\u00e9lo")[2] == whole


def test_putting_a_malformed_manifest_is_400_with_swifts_text(cluster, base):
    status, _h, body = cluster.request("PUT", base + "/bad", {"X-Object-Manifest": "c/"}, b"")
    assert (status, body) == (400, b"X-Object-Manifest must be in the format container/prefix")
    assert cluster.request("HEAD", base + "/bad")[0] == 404


class _Listings:
    """Objects in a dict and container listings that honour ``limit`` and
    ``marker``, counting the listing pages read."""

    def __init__(self, segments):
        self.segments = segments  # name -> bytes, in container "s"
        self.pages = 0

    def __call__(self, env, start_response):
        req = Request(env)
        if req.path_info == "/v1/a/c/d":
            resp = Response(body=b"", headers={"X-Object-Manifest": "s/p"})
        elif req.path_info == "/v1/a/s":
            self.pages += 1
            query = parse_qs(env["QUERY_STRING"])
            limit = int(query["limit"][0])
            marker = query.get("marker", [""])[0]
            names = [n for n in sorted(self.segments) if n > marker][:limit]
            resp = Response(json_body=[{"name": n, "bytes": len(self.segments[n]),
                                        "hash": hashlib.md5(self.segments[n]).hexdigest()}
                                       for n in names])
        else:
            data = self.segments[req.path_info[len("/v1/a/s/"):]]
            resp = Response(body=data)
            resp.headers["ETag"] = hashlib.md5(data).hexdigest()
        return resp(env, start_response)


def test_a_dlo_of_many_pages_is_listed_page_by_page(monkeypatch):
    monkeypatch.setattr(dlo, "LISTING_PAGE", 2)
    segments = {"p%d" % i: bytes([65 + i]) * 3 for i in range(5)}
    store = _Listings(segments)
    app = dlo.DynamicLargeObject(store, {})
    resp = Request.blank("/v1/a/c/d").get_response(app)
    body = resp.body
    assert body == b"".join(segments[n] for n in sorted(segments))
    assert resp.headers["Content-Length"] == "15"
    etags = "".join(hashlib.md5(segments[n]).hexdigest() for n in sorted(segments))
    assert resp.headers["ETag"] == '"%s"' % hashlib.md5(etags.encode()).hexdigest()
    # three pages to add up size and ETag, three more to send the bytes
    assert store.pages == 6
    store.pages = 0
    resp = Request.blank("/v1/a/c/d", headers={"Range": "bytes=4-6"}).get_response(app)
    assert resp.body == b"BBC" and store.pages == 5  # the second pass stops after the range
    assert json.loads(json.dumps(resp.headers["Content-Range"])) == "bytes 4-6/15"


def test_if_range_is_judged_against_the_dlo_etag(cluster, base):
    whole, etag = _dlo(cluster, base)
    status, _h, body = cluster.request("GET", base + "/dlo", {"Range": "bytes=0-3",
                                                              "If-Range": etag})
    assert (status, body) == (206, whole[:4])
    status, _h, body = cluster.request("GET", base + "/dlo", {"Range": "bytes=0-3",
                                                              "If-Range": '"other"'})
    assert (status, body) == (200, whole)
