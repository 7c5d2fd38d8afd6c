"""Real container/account server processes on free loopback ports, shared by
the container and account server tests."""

import http.client
import os
import subprocess
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "support"))
import listeners  # noqa: E402


HASH_CONF = """[objstore-hash]
swift_hash_path_prefix = pre
swift_hash_path_suffix = suf
[storage-policy:0]
name = gold
default = yes
[storage-policy:1]
name = silver
"""


class Server:
    """One server process on a loopback port bound here (tests/support/
    listeners.py), and a tiny client."""

    def __init__(self, kind: str, root, extra: str = "") -> None:
        self.kind = kind
        sock = listeners.listener()
        self.port = sock.getsockname()[1]
        self.root = root
        self.devices = root / "devices"
        self.log = root / ("%s.log" % kind)
        conf = root / ("%s.conf" % kind)
        conf.write_text(
            "[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 1\n"
            "devices = %s\nmount_check = false\nswift_dir = %s\nlog_file = %s\n%s\n"
            "[app:%s-server]\n" % (self.port, self.devices, root, self.log, extra, kind))
        self.proc = listeners.spawn(
            [sys.executable, "-c", "import sys; from objstore.%s.server import main; "
             "sys.exit(main(sys.argv[1:]))" % kind, str(conf)], sock)
        deadline = time.time() + 60
        while True:
            try:
                if self.request("GET", "/healthcheck")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise AssertionError("%s server did not start" % kind)
            time.sleep(0.05)

    def request(self, method, path, headers=None, body=b"", quoted=False):
        """``(status, headers dict, body)``; ``path`` is quoted unless told."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path if quoted else quote(path, safe="/?=&%"), body=body,
                         headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def make_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv")
    (root / "devices" / "sda").mkdir(parents=True)
    (root / "devices" / "sdb").mkdir(parents=True)
    (root / "objstore.conf").write_text(HASH_CONF)
    return root
