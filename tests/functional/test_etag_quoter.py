"""etag_quoter: owners opt their containers (or account) into quoted ETags."""
import uuid


def test_container_and_account_switches(http_api, conn):
    quoted_c, plain_c = ("eq-" + uuid.uuid4().hex[:10] for _ in range(2))
    conn.put_container(quoted_c, headers={"X-Container-Rfc-Compliant-Etags": "true"})
    conn.put_container(plain_c)
    try:
        for name in (quoted_c, plain_c):
            conn.put_object(name, "o", b"data")
        etag = conn.head_object(plain_c, "o")["etag"]
        assert http_api.request("HEAD", http_api.path(plain_c, "o")).headers["ETag"] == etag
        resp = http_api.request("GET", http_api.path(quoted_c, "o"))
        assert resp.headers["ETag"] == '"%s"' % etag and resp.body == b"data"
        resp = http_api.request("PUT", http_api.path(quoted_c, "p"), body=b"data")
        assert resp.headers["ETag"] == '"%s"' % etag
        # The account's switch applies where a container says nothing...
        conn.post_account({"X-Account-Rfc-Compliant-Etags": "true"})
        assert http_api.request("HEAD", http_api.path(plain_c, "o")).headers["ETag"] == \
            '"%s"' % etag
        # ...and a container's "false" wins over it.
        conn.post_container(quoted_c, {"X-Container-Rfc-Compliant-Etags": "false"})
        assert http_api.request("HEAD", http_api.path(quoted_c, "o")).headers["ETag"] == etag
    finally:
        conn.post_account({"X-Account-Rfc-Compliant-Etags": ""})
        for name in (quoted_c, plain_c):
            for obj in conn.get_container(name)[1]:
                conn.delete_object(name, obj["name"])
            conn.delete_container(name)
