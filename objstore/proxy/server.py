"""The proxy WSGI app: routes ``/v1/<account>[/<container>[/<object>]]``
to a controller and answers ``/info``.

It owns what every controller shares for the life of a worker: the rings,
the storage policies, the timeouts and the error-limiting table. Built by
``app_factory`` at the end of the ``[pipeline:main]`` of
``proxy-server.conf``; ``main()`` runs the whole pipeline as
``objstore-proxy-server <conf>``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Iterable, List, Optional

from webob import Request, Response

from objstore.common import constraints, logs, registry, reserved
from objstore.common.http import errors
from objstore.common.http.wsgi_str import InvalidName, decode_name
from objstore.common.config import (config_float, config_int, config_true_value, swift_dir)
from objstore.common.memcached import LocalCache
from objstore.common.storage_policy import StoragePolicies, load_policies
from objstore.common.utils import generate_trans_id, split_path
from objstore.proxy import admin_info
from objstore.proxy.affinity import Affinity, NodeTimings, policy_affinities
from objstore.proxy.controllers.base import PREAUTHORIZED
from objstore.proxy.nodes import (ErrorLimiter, Node, NodeIter, node_desc, node_to_blame,
                                  parse_request_node_count)

DEFAULT_PORT = 8080
INFO_PATH = "/info"


class Application:
    """The proxy app at the end of the pipeline."""

    def __init__(self, conf: Dict[str, str], logger: Any = None,
                 account_ring: Any = None, container_ring: Any = None,
                 object_rings: Optional[Dict[int, Any]] = None,
                 policies: Optional[StoragePolicies] = None) -> None:
        self.conf = conf
        self.logger = logger or logs.get_logger(conf, "proxy-server")
        self.swift_dir = swift_dir(conf)
        self.conn_timeout = config_float(conf, "conn_timeout", 0.5)
        self.node_timeout = config_float(conf, "node_timeout", 10)
        # an object GET/HEAD (without X-Newest) can go on from another node:
        # it waits this long for a node's answer or next chunk (as Swift)
        self.recoverable_node_timeout = config_float(conf, "recoverable_node_timeout",
                                                     self.node_timeout)
        # how long a write answered by a quorum waits for the other nodes
        self.post_quorum_timeout = config_float(conf, "post_quorum_timeout", 0.5)
        self.client_timeout = config_float(conf, "client_timeout", 60)
        self.recheck_account_existence = config_float(conf, "recheck_account_existence", 60)
        self.recheck_container_existence = config_float(conf, "recheck_container_existence", 60)
        self.error_limiter = ErrorLimiter(config_float(conf, "error_suppression_interval", 60),
                                          config_int(conf, "error_suppression_limit", 10))
        self.account_autocreate = config_true_value(conf.get("account_autocreate", "true"))
        self.allow_account_management = config_true_value(
            conf.get("allow_account_management", "false"))
        self.client_chunk_size = config_int(conf, "client_chunk_size", 1048576, 1)
        self.object_chunk_size = config_int(conf, "object_chunk_size", 1048576, 1)
        self.request_node_count_value = conf.get("request_node_count", "2 * replicas")
        self.expose_info = config_true_value(conf.get("expose_info", "true"))
        self.admin_key = conf.get("admin_key", "").strip()
        self.disallowed_sections = [s.strip() for s in
                                    conf.get("disallowed_sections", "").split(",") if s.strip()]
        self.local_cache = LocalCache()
        self.affinity = Affinity.from_conf(conf)
        self.node_timings = NodeTimings(config_float(conf, "timing_expiry", 300))
        self.policies = policies or load_policies(self.swift_dir)
        self.policy_affinity = policy_affinities(conf, [p.index for p in self.policies])
        constraints.load_constraints(self.swift_dir)
        self._account_ring = account_ring
        self._container_ring = container_ring
        self._object_rings: Dict[int, Any] = dict(object_rings or {})
        self.register_info()

    # ----------------------------------------------------------------- rings
    @property
    def account_ring(self) -> Any:
        if self._account_ring is None:
            from ring import Ring
            self._account_ring = Ring(self.swift_dir, ring_name="account")
        return self._account_ring

    @property
    def container_ring(self) -> Any:
        if self._container_ring is None:
            from ring import Ring
            self._container_ring = Ring(self.swift_dir, ring_name="container")
        return self._container_ring

    def get_object_ring(self, policy_index: Any) -> Any:
        """The object ring of a policy (``object.ring.gz`` for 0, else
        ``object-N.ring.gz``), loaded on first use."""
        policy = self.policies.get_by_index(policy_index)
        if policy is None:
            raise ValueError("no storage policy with index %r" % (policy_index,))
        ring = self._object_rings.get(policy.index)
        if ring is None:
            from ring import Ring
            ring = Ring(self.swift_dir, ring_name=policy.ring_name)
            self._object_rings[policy.index] = ring
        return ring

    def affinity_for(self, ring: Any) -> Affinity:
        """The affinity of ``ring``'s nodes: its policy's
        ``[proxy-server:policy:N]`` options for an object ring, else the
        proxy's own."""
        for index, object_ring in self._object_rings.items():
            if object_ring is ring:
                return self.policy_affinity.get(index, self.affinity)
        return self.affinity

    def iter_nodes(self, ring: Any, part: int, write: bool = False,
                   order: Optional[Iterable[Node]] = None) -> NodeIter:
        """The nodes to ask about ``part``, in this proxy's preferred order:
        read affinity for reads, write affinity for object PUTs
        (``write=True``), else primaries then handoffs; or ``order``
        (e.g. ``Affinity.delete_order``)."""
        primaries = ring.get_part_nodes(part)
        affinity = self.affinity_for(ring)
        if order is not None:
            order = iter(order)
        elif write:
            order = affinity.write_order(primaries, ring, part)
        else:
            order = affinity.read_order(primaries, ring.get_more_nodes(part),
                                        self.node_timings)
        return NodeIter(ring, part, self.error_limiter, self.request_node_count(ring),
                        primaries=primaries, order=order)

    def node_answered(self, node: Node, seconds: float) -> None:
        """A storage node answered a request in ``seconds`` (for
        ``sorting_method = timing``)."""
        self.node_timings.record(node, seconds)

    def request_node_count(self, ring: Any) -> int:
        return parse_request_node_count(self.request_node_count_value,
                                        int(round(ring.replica_count)))

    # ------------------------------------------------------- error limiting
    def error_occurred(self, node: Node, message: str,
                       err: Optional[BaseException] = None) -> None:
        """Count an error against ``node``; not when ``err`` (the exception
        met, if any) was this process's own doing (``node_to_blame``)."""
        if err is not None and not node_to_blame(err):
            self.logger.error("ERROR talking to node %s, not counted against it: %s",
                              node_desc(node), message,
                              exc_info=(type(err), err, err.__traceback__))
            return
        self.error_limiter.increment(node)
        self.logger.error("ERROR with node %s: %s (errors: %d)", node_desc(node), message,
                          self.error_limiter.errors(node))

    def error_limit(self, node: Node, message: str) -> None:
        self.error_limiter.limit_now(node)
        self.logger.error("ERROR limiting node %s for %ds: %s", node_desc(node),
                          self.error_limiter.interval, message)

    # ------------------------------------------------------------------ info
    def register_info(self) -> None:
        """Say in ``/info`` what this proxy enforces."""
        swift = constraints.info()
        swift["policies"] = self.policies.info()
        swift["account_autocreate"] = self.account_autocreate
        swift["allow_account_management"] = self.allow_account_management
        swift["allow_open_expired"] = False  # X-Open-Expired is not supported
        swift["version"] = "objstore-0.1.0"
        registry.register_info("swift", **swift)

    def trans_id(self, env: Dict[str, Any]) -> str:
        txn = env.get("swift.trans_id")
        if not txn:
            txn = generate_trans_id()
            env["swift.trans_id"] = txn
            logs.set_txn_id(txn)
        return txn

    # --------------------------------------------------------------- routing
    def __call__(self, env: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        req = Request(env)
        try:
            resp = self.handle_request(req)
        except Exception:
            self.logger.exception("ERROR unhandled exception in request %s %s",
                                  req.method, req.path)
            resp = errors.swift_error(500)
        return resp(env, start_response)

    def handle_request(self, req: Request) -> Response:
        """Find the controller for ``req`` and let it answer."""
        env = req.environ
        env.setdefault("objstore.local_cache", self.local_cache)
        env.setdefault("objstore.proxy_app", self)
        self.trans_id(env)
        try:
            # reserved names only for a middleware's own subrequests (the
            # header is stripped from clients by gatekeeper)
            path = decode_name(req.environ.get("PATH_INFO", ""),
                               allow_reserved=reserved.allowed(req.headers))
        except InvalidName:
            return errors.invalid_utf8()
        if path == INFO_PATH:
            return admin_info.handle_info(self, req)
        try:
            version, account, container, obj = split_path(path, 1, 4, True)
        except ValueError:
            return errors.swift_error(404)  # an empty segment: /v1//c
        if not account:
            return errors.bad_url()  # /v1, /v1/, /foo: no account named
        if version not in constraints.VALID_API_VERSIONS:
            return errors.swift_error(400)
        controller = self.get_controller(account, container, obj)
        handler = getattr(controller, req.method, None)
        if req.method not in controller.allowed_methods() or not callable(handler):
            return errors.swift_error(405, headers={
                "Allow": ", ".join(controller.allowed_methods())})
        authorize = env.get("swift.authorize")
        if authorize is not None:
            # Copies authorize their source and destination afresh.
            env.setdefault("objstore.original_authorize", authorize)
            denied = authorize(req)
            if denied is None:
                # Allowed outright: the controller need not ask again for
                # this very request. A marker bound to method and path, never
                # a replaced swift.authorize: middlewares copy the identity
                # keys into later subrequests, which must be judged afresh.
                env[PREAUTHORIZED] = (req.method, env.get("PATH_INFO"))
            elif not getattr(handler, "delay_denial", False):
                return denied
        return handler(req)

    def get_controller(self, account: str, container: Optional[str],
                       obj: Optional[str]) -> Any:
        from objstore.proxy.controllers.account import AccountController
        from objstore.proxy.controllers.container import ContainerController
        from objstore.proxy.controllers.obj import ObjectController

        if obj:
            return ObjectController(self, account, container, obj)
        if container:
            return ContainerController(self, account, container)
        return AccountController(self, account)


def app_factory(global_conf: Dict[str, str], **local_conf: str) -> Application:
    """Paste-style factory named by ``use = egg:objstore#proxy``."""
    conf = dict(global_conf)
    conf.update(local_conf)
    return Application(conf)


def main(argv: Optional[List[str]] = None) -> int:
    """``objstore-proxy-server <proxy-server.conf>``: run the pipeline."""
    from objstore.common.pipeline import load_pipeline
    from objstore.common.wsgi import run_wsgi

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        sys.stderr.write("usage: objstore-proxy-server <proxy-server.conf>\n")
        return 2
    conf_path = args[0]

    def factory(_conf: Dict[str, str]) -> Any:
        return load_pipeline(conf_path)

    return run_wsgi(conf_path, "pipeline:main", factory, DEFAULT_PORT, header_slack=0)


if __name__ == "__main__":
    sys.exit(main())
