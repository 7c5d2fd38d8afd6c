"""A small stand-in object server speaking the backend protocol, used by
the proxy's cluster tests until/unless the real one is importable.

Data and metadata live in files under ``<devices>/<device>/fake-objects``.
Run as ``python fake_object_server.py <conf>`` (section ``app:object-server``).
"""

import hashlib
import json
import os
import sys
import time
from urllib.parse import unquote

from objstore.common.timestamp import Timestamp
from objstore.common.wsgi import run_wsgi


def _resp(start, status, headers=None, body=b""):
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    start(status, list(headers.items()))
    return [body]


def factory(conf):
    devices = conf["devices"]

    def paths(device, part, rest):
        key = hashlib.md5(rest.encode("utf-8")).hexdigest()
        base = os.path.join(devices, device, "fake-objects", key)
        return base + ".data", base + ".json"

    def app(env, start):
        path = unquote(env["PATH_INFO"].encode("latin-1").decode("utf-8"))
        _, device, part, rest = path.split("/", 3)
        if not os.path.isdir(os.path.join(devices, device)):
            return _resp(start, "507 Insufficient Storage")
        data_path, meta_path = paths(device, part, rest)
        os.makedirs(os.path.dirname(data_path), exist_ok=True)
        meta = None
        if os.path.exists(meta_path):
            with open(meta_path) as fp:
                meta = json.load(fp)
        method = env["REQUEST_METHOD"]
        ts = env.get("HTTP_X_TIMESTAMP")
        if method in ("PUT", "POST", "DELETE"):
            if meta and Timestamp(meta["X-Timestamp"]) >= Timestamp(ts):
                return _resp(start, "409 Conflict", {"X-Backend-Timestamp": meta["X-Timestamp"]})
        if method == "PUT":
            if env.get("HTTP_IF_NONE_MATCH") == "*" and meta and not meta.get("deleted"):
                return _resp(start, "412 Precondition Failed")
            md5 = hashlib.md5()
            tmp = data_path + ".tmp"
            with open(tmp, "wb") as fp:
                while True:
                    chunk = env["wsgi.input"].read(65536)
                    if not chunk:
                        break
                    md5.update(chunk)
                    fp.write(chunk)
                size = fp.tell()
            want = env.get("CONTENT_LENGTH")
            if want and int(want) != size:
                os.unlink(tmp)
                return _resp(start, "499 Client Disconnect")
            etag = md5.hexdigest()
            if env.get("HTTP_ETAG") and env["HTTP_ETAG"].strip('"') != etag:
                os.unlink(tmp)
                return _resp(start, "422 Unprocessable Entity")
            new = {k[5:].replace("_", "-").title(): v for k, v in env.items()
                   if k.startswith("HTTP_X_OBJECT_META_")}
            new.update({"Content-Type": env.get("CONTENT_TYPE", ""), "Etag": etag,
                        "X-Timestamp": ts, "Content-Length": str(size)})
            os.rename(tmp, data_path)
            with open(meta_path, "w") as fp:
                json.dump(new, fp)
            return _resp(start, "201 Created", {"Etag": etag})
        if meta is None or meta.get("deleted"):
            headers = {"X-Backend-Timestamp": meta["X-Timestamp"]} if meta else {}
            if method == "DELETE" and meta is None:
                with open(meta_path, "w") as fp:
                    json.dump({"deleted": True, "X-Timestamp": ts}, fp)
            return _resp(start, "404 Not Found", headers)
        if method == "DELETE":
            with open(meta_path, "w") as fp:
                json.dump({"deleted": True, "X-Timestamp": ts}, fp)
            os.unlink(data_path)
            return _resp(start, "204 No Content")
        if method == "POST":
            new = {k: v for k, v in meta.items() if not k.startswith("X-Object-Meta-")}
            new.update({k[5:].replace("_", "-").title(): v for k, v in env.items()
                        if k.startswith("HTTP_X_OBJECT_META_")})
            new["X-Timestamp"] = ts
            with open(meta_path, "w") as fp:
                json.dump(new, fp)
            return _resp(start, "202 Accepted")
        headers = dict(meta)
        headers["X-Backend-Timestamp"] = meta["X-Timestamp"]
        headers["Last-Modified"] = Timestamp(meta["X-Timestamp"]).http_date
        headers["Accept-Ranges"] = "bytes"
        if env.get("HTTP_IF_MATCH") and env["HTTP_IF_MATCH"].strip('"') not in (
                meta["Etag"], "*"):
            return _resp(start, "412 Precondition Failed")
        size = int(meta["Content-Length"])
        first, last, status = 0, size - 1, "200 OK"
        rng = env.get("HTTP_RANGE")
        if rng and rng.startswith("bytes=") and "," not in rng:
            a, b = rng[6:].split("-")
            if a:
                first, last = int(a), min(int(b), size - 1) if b else size - 1
            else:
                first, last = max(0, size - int(b)), size - 1
            if first >= size:
                return _resp(start, "416 Requested Range Not Satisfiable")
            status = "206 Partial Content"
            headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, size)
        headers["Content-Length"] = str(last - first + 1)
        start(status, list(headers.items()))
        if method == "HEAD":
            return [b""]

        def body():
            with open(data_path, "rb") as fp:
                fp.seek(first)
                left = last - first + 1
                while left > 0:
                    chunk = fp.read(min(65536, left))
                    if not chunk:
                        return
                    left -= len(chunk)
                    yield chunk
        return body()

    return app


if __name__ == "__main__":
    time.sleep(0)
    sys.exit(run_wsgi(sys.argv[1], "app:object-server", factory, 6200))
