"""WSGI middlewares for the proxy pipeline, one small app per module.

Each module exposes ``filter_factory(global_conf, **local_conf)`` returning
``callable(app) -> app``; ``objstore.common.pipeline`` wires them up from
``etc/proxy-server.conf``.
"""
