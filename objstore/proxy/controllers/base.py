"""What every controller shares: backend headers, one-request-to-some-node,
parallel writes decided by quorum, and account/container reads.

Timeouts are applied to every step that waits on a node, so a hung node
costs at most ``node_timeout`` and then the next node is asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common import concurrency, logs, process
from objstore.common.http import errors
from objstore.common.http_client import http_connect
from objstore.common import info as info_mod
from objstore.proxy import fanout
from objstore.proxy.nodes import Node, node_desc
from objstore.proxy.quorum import (best_status, is_node_fault, is_server_error, is_success,
                                   quorum_size)

HandlerResult = Response
#: Environ key: (method, path) the proxy has already authorized for this request.
PREAUTHORIZED = "objstore.preauthorized"
INSUFFICIENT_STORAGE = 507
#: The order Swift lists verbs in ``Allow`` (OPTIONS and 405 answers).
METHOD_ORDER = ("HEAD", "PUT", "POST", "DELETE", "OPTIONS", "GET", "COPY")
# Client headers never forwarded to storage servers: they belong to this
# hop, or carry credentials the storage servers have no use for.
_NOT_FORWARDED = frozenset(h.lower() for h in (
    "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE",
    "Trailer", "Upgrade", "Expect", "Proxy-Authorization", "Proxy-Connection",
    "X-Auth-Token", "X-Storage-Token", "Authorization", "Cookie", "X-Newest",
    "X-Copy-From", "X-Copy-From-Account", "Destination", "Destination-Account",
    "X-Fresh-Metadata", "X-Delete-After", "X-Storage-Policy", "Accept-Encoding",
    "X-Timestamp", "X-Trans-Id", "User-Agent", "Referer"))
# Backend answer headers a client must not see (gatekeeper strips the rest).
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "transfer-encoding", "te",
                         "trailer", "upgrade", "content-length", "date", "server"))


def delay_denial(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a handler that decides authorization itself once it knows the
    container's ACLs (so a first "denied" may still become "allowed")."""
    func.delay_denial = True  # type: ignore[attr-defined]
    return func


def error_response(status: int, message: str = "", headers: Optional[Dict[str, str]] = None) -> Response:
    """Swift's answer for ``status`` (see ``common.http.errors``).

    Where Swift sends its default page (404, 409, 503...), so does this, and
    ``message`` -- the cause, for the operator -- goes to the proxy log with
    the transaction id (a warning for a 5xx, else debug). Where Swift sends a one-line reason (400, 411,
    413), ``message`` is that line, as ``text/plain``.
    """
    if status in errors.STATUSES and status not in _TEXT_STATUSES:
        if message:
            logger = logs.get_logger({}, "proxy-server")
            (logger.warning if status >= 500 else logger.debug)("%d: %s", status, message)
        return errors.swift_error(status, headers=headers)
    return errors.plain_error(status, message or errors.reason(status), headers)


#: Statuses whose answers name the problem in one line, as Swift's do.
_TEXT_STATUSES = frozenset((400, 411, 413))


@dataclass
class BackendAnswer:
    """The final answer of one node, body read (account/container sizes)."""

    status: int
    reason: str
    headers: Dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    node: Optional[Node] = None


def filtered_headers(headers: Dict[str, str]) -> List[Tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if k.lower() not in _HOP_BY_HOP]


class Controller:
    """Base of the account, container and object controllers."""

    server_type = "Base"

    def __init__(self, app: Any, account: str, container: Optional[str] = None,
                 obj: Optional[str] = None) -> None:
        self.app = app
        self.account_name = account
        self.container_name = container
        self.object_name = obj

    @property
    def logger(self) -> Any:
        return self.app.logger

    # --------------------------------------------------------------- helpers
    def allowed_methods(self) -> List[str]:
        return [m for m in METHOD_ORDER if callable(getattr(self, m, None))]

    def OPTIONS(self, req: Request) -> Response:
        """The verbs of this resource (CORS preflights are the cors
        middleware's)."""
        return Response(status=200, headerlist=[
            ("Content-Type", errors.HTML), ("Allow", ", ".join(self.allowed_methods())),
            ("Content-Length", "0")])

    def authorize(self, req: Request, acl: Optional[str] = None) -> Optional[Response]:
        """Ask the auth middleware, with the container ACL in ``req.acl``."""
        authorize = req.environ.get("swift.authorize")
        if authorize is None:
            return None
        if req.environ.get(PREAUTHORIZED) == (req.method, req.environ.get("PATH_INFO")):
            return None  # the proxy already allowed exactly this request
        req.acl = acl
        return authorize(req)

    def backend_headers(self, req: Request, extra: Optional[Dict[str, str]] = None,
                        forward: bool = True) -> Dict[str, str]:
        """Headers for a storage-server request made on behalf of ``req``."""
        headers: Dict[str, str] = {}
        if forward:
            for key, value in req.headers.items():
                if key.lower() not in _NOT_FORWARDED:
                    headers[key] = value
        headers["X-Trans-Id"] = self.app.trans_id(req.environ)
        headers["User-Agent"] = "proxy-server %d" % process.pid()
        headers["Referer"] = "%s %s" % (req.method, req.path_url)
        if extra:
            headers.update(extra)
        return headers

    def account_info(self, req: Request) -> Dict[str, Any]:
        return info_mod.get_account_info(req.environ, self.app, self.account_name)

    def container_info(self, req: Request) -> Dict[str, Any]:
        return info_mod.get_container_info(req.environ, self.app, self.account_name,
                                           self.container_name or "")

    # ---------------------------------------------------------- one request
    def request_one_node(self, node: Node, part: int, method: str, path: str,
                         headers: Dict[str, str], query_string: str = "") -> Optional[BackendAnswer]:
        """One request to one node; ``None`` (and an error counted against
        the node) if it could not answer in time."""
        app = self.app
        started = time.monotonic()
        try:
            with concurrency.ConnectionTimeout(app.conn_timeout):
                conn = http_connect(node["ip"], node["port"], node["device"], part, method,
                                    path, headers=headers, query_string=query_string,
                                    timeout=app.node_timeout, pooled=True)
        except (Exception, concurrency.Timeout) as err:
            app.error_occurred(node, "%s %s: %s" % (method, path, _describe(err)), err)
            return None
        return self.answer_of(conn, node, method, path, started)

    def answer_of(self, conn: Any, node: Node, method: str, path: str,
                  started: float) -> Optional[BackendAnswer]:
        """The answer to a request sent on ``conn`` (``request_one_node``'s
        second half: the node's answer, or ``None`` and an error counted)."""
        app = self.app
        try:
            with concurrency.Timeout(app.node_timeout):
                resp = conn.getresponse()
                app.node_answered(node, time.monotonic() - started)
                body = resp.read()
            conn.close()
        except (Exception, concurrency.Timeout) as err:
            conn.close()
            app.error_occurred(node, "%s %s: %s" % (method, path, _describe(err)), err)
            return None
        answer = BackendAnswer(resp.status, resp.reason, dict(resp.getheaders()), body, node)
        if resp.status == INSUFFICIENT_STORAGE:
            app.error_limit(node, "507 Insufficient Storage")
        elif is_node_fault(resp.status):
            app.error_occurred(node, "%s %s answered %d" % (method, path, resp.status))
        return answer

    def request_some_node(self, nodes: Iterator[Node], part: int, method: str, path: str,
                          headers: Dict[str, str], query_string: str = "") -> Optional[BackendAnswer]:
        """Ask nodes from ``nodes`` until one gives a non-5xx answer."""
        last: Optional[BackendAnswer] = None
        for node in nodes:
            answer = self.request_one_node(node, part, method, path, dict(headers), query_string)
            if answer is None:
                continue
            if not is_server_error(answer.status):
                return answer
            last = answer
        return last

    def make_requests(self, req: Request, ring: Any, part: int, method: str, path: str,
                      headers_list: List[Dict[str, str]], query_string: str = "",
                      nodes: Optional[Iterator[Node]] = None) -> Response:
        """Send one write to ``len(headers_list)`` nodes in parallel and
        answer with what a quorum agreed on (503 if none).

        Nodes come from one shared iterator (``nodes``, else the proxy's
        order), so a dead primary is replaced by a handoff.
        """
        if nodes is None:
            nodes = self.app.iter_nodes(ring, part)
        replicas = len(headers_list)

        def enough(got: List[BackendAnswer]) -> bool:
            return best_status([a.status for a in got], replicas) != 503

        # Answered once a quorum agrees and the others had post_quorum_timeout
        # more (as Swift): one slow node no longer holds every write up.
        answers = fanout.gather(self, nodes, part, method, path, headers_list, query_string,
                                enough)
        status = best_status([a.status for a in answers], replicas)
        for answer in answers:
            if answer.status == status:
                return self.answer_to_response(answer)
        return error_response(503, "Service Unavailable: no quorum of %d of %d %s servers "
                                   "answered %s %s" % (quorum_size(replicas), replicas,
                                                       self.server_type.lower(), method,
                                                       req.path))

    def read_listing_or_head(self, req: Request, ring: Any, part: int, path: str,
                             headers: Dict[str, str], query_string: str = "") -> Response:
        """GET/HEAD an account or container: ask nodes one by one until one
        has it; stop after a replica count of "not found" answers."""
        nodes = self.app.iter_nodes(ring, part)
        replicas = len(nodes.primaries)
        not_found: List[BackendAnswer] = []
        others: List[BackendAnswer] = []
        for node in nodes:
            answer = self.request_one_node(node, part, req.method, path, dict(headers), query_string)
            if answer is None:
                continue
            if is_success(answer.status) or answer.status in (304, 412, 416):
                return self.answer_to_response(answer)
            if answer.status == 404:
                not_found.append(answer)
                if len(not_found) >= replicas:
                    break
            elif not is_server_error(answer.status):
                others.append(answer)
                break
            else:
                others.append(answer)
        for answer in others + not_found:
            if not is_server_error(answer.status):
                return self.answer_to_response(answer)
        return error_response(503, "Service Unavailable: no %s server answered %s %s"
                                   % (self.server_type.lower(), req.method, req.path))

    @staticmethod
    def answer_to_response(answer: BackendAnswer) -> Response:
        """The client's answer from a storage server's: its headers and body,
        with Swift's page where the server sent none (a 202 or an error)."""
        headers = filtered_headers(answer.headers)
        if not answer.body and (answer.status >= 400 or answer.status == 202) \
                and errors.default_body(answer.status):
            return errors.swift_error(answer.status, headers=dict(
                (k, v) for k, v in headers if k.lower() != "content-type"))
        resp = Response(status="%d %s" % (answer.status, answer.reason), headerlist=headers,
                        body=answer.body)
        if answer.status == 204:
            # Swift says so even with nothing to send; webob would drop both.
            resp.headers["Content-Length"] = "0"
            resp.headers.setdefault("Content-Type", errors.HTML)
        return resp


def _describe(err: BaseException) -> str:
    if isinstance(err, concurrency.ConnectionTimeout):
        return "connect timeout"
    if isinstance(err, concurrency.Timeout):
        return "timeout"
    return "%s: %s" % (type(err).__name__, err)


def pair_nodes(count: int, nodes: List[Node]) -> List[List[Node]]:
    """Spread ``nodes`` over ``count`` requests so each node is named by at
    least one request (several per request when there are more nodes).

    Used to tell each object (container) server which container (account)
    server to update: every replica of the listing hears about the write.
    """
    if count <= 0:
        return []
    groups: List[List[Node]] = [[] for _ in range(count)]
    if not nodes:
        return groups
    for i in range(max(count, len(nodes))):
        node = nodes[i % len(nodes)]
        if node not in groups[i % count]:
            groups[i % count].append(node)
    return groups


def update_headers(prefix: str, part: int, group: List[Node]) -> Dict[str, str]:
    """``X-<prefix>-Host/Partition/Device`` naming the nodes in ``group``."""
    if not group:
        return {}
    return {
        "X-%s-Host" % prefix: ",".join("%s:%s" % (n["ip"], n["port"]) for n in group),
        "X-%s-Partition" % prefix: str(part),
        "X-%s-Device" % prefix: ",".join(n["device"] for n in group),
    }


__all__ = ["Controller", "BackendAnswer", "delay_denial", "error_response", "pair_nodes",
           "update_headers", "node_desc", "PREAUTHORIZED"]


def convert_remove_headers(headers: Dict[str, str], target: str) -> Dict[str, str]:
    """``X-Remove-<Target>-Meta-Foo`` becomes ``X-<Target>-Meta-Foo: ''``
    (an empty value is how storage servers delete a key)."""
    prefix = "x-remove-%s-" % target
    out: Dict[str, str] = {}
    for key, value in headers.items():
        if key.lower().startswith(prefix):
            out["X-%s-%s" % (target.capitalize(), key[len(prefix):])] = ""
        elif key.lower() in ("x-remove-versions-location", "x-remove-history-location"):
            out["X-" + key[len("x-remove-"):]] = ""
        else:
            out[key] = value
    return out


def check_name_length(kind: str, name: Optional[str]) -> Optional[Response]:
    """400 for an account/container name over its limit, counted in
    characters as Swift 2.38.3 counts them."""
    from objstore.common import constraints

    if name is None:
        return None
    limit = constraints.LIMITS["max_%s_name_length" % kind]
    length = len(name)
    if length > limit:
        # Swift sends this one as HTML (the object name's as plain text).
        return errors.swift_error(400, "%s name length of %d longer than %d"
                                  % (kind.capitalize(), length, limit))
    return None
