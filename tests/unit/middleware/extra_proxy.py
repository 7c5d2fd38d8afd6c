"""Another proxy process on a test ``Cluster``'s storage servers, with its
own pipeline (tests that compare pipelines over the same data)."""

import http.client
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "proxy"))
from cluster import HeaderDict, _server_cmd  # noqa: E402


class Proxy:
    """Another proxy process on the cluster's storage servers."""

    def __init__(self, cluster, name, pipeline, filters):
        self.port = cluster.listen()
        conf = os.path.join(cluster.root, "%s.conf" % name)
        with open(conf, "w") as fp:
            fp.write("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\nworkers = 0\n"
                     "swift_dir = %s\nlog_level = INFO\n[pipeline:main]\npipeline = %s\n"
                     "[filter:catch_errors]\nuse = egg:objstore#catch_errors\n%s"
                     "[app:proxy-server]\nuse = egg:objstore#proxy\nnode_timeout = 10\n"
                     "recoverable_node_timeout = 3\npost_quorum_timeout = 10\n"
                     "recheck_container_existence = 1\nrecheck_account_existence = 1\n"
                     % (self.port, cluster.swift_dir, pipeline, filters))
        cluster._spawn(name, _server_cmd("objstore.proxy.server", conf), self.port)
        self.cluster, self.name = cluster, name

    def request(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, HeaderDict(resp.getheaders()), data

    def log(self):
        return self.cluster.log(self.name)
