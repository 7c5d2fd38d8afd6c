"""One write (a DELETE, a POST, a container or account update) sent to a
node per replica, answered once a quorum agrees (``Controller.make_requests``).

Usually the worker holds an idle kept-alive connection to every node of the
write. Then no green thread is spawned: each node's request is sent at once
over its connection, and the answers are read as they come, in one wait for
all of them (``concurrency.readable``); once a quorum agrees, the others get
``post_quorum_timeout`` more, and any still out are read in the background
(their nodes' errors counted, their connections kept). A node that fails or
answers 5xx is replaced by the next nodes in turn, as ``request_some_node``
does. When some node needs a new connection (or the process has no green
threads), every replica goes its own green thread as before
(``concurrency.gather_enough``), those with an idle connection starting on it.
"""

from __future__ import annotations

import functools
import itertools
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from objstore.common import concurrency
from objstore.common.http_client import http_connect
from objstore.proxy.nodes import Node
from objstore.proxy.quorum import is_server_error

Enough = Callable[[List[Any]], bool]


def gather(controller: Any, nodes: Iterator[Node], part: int, method: str, path: str,
           headers_list: List[Dict[str, str]], query_string: str, enough: Enough) -> List[Any]:
    """The answers of the write's nodes (``BackendAnswer``; a replica no
    node answered has none), once ``enough(answers)`` holds and the others
    had ``post_quorum_timeout`` more, or all answered."""
    app = controller.app
    if not concurrency.green_threads():
        return concurrency.gather_enough(
            [functools.partial(controller.request_some_node, nodes, part, method, path, headers,
                               query_string) for headers in headers_list],
            enough, app.post_quorum_timeout)
    firsts: List[Tuple[Dict[str, str], Node, Any]] = []
    for headers in headers_list:
        node = next(nodes, None)
        if node is None:
            break  # fewer nodes than replicas: those replicas get no answer
        firsts.append((headers, node, _idle_connection(app, node, part, method, path, headers,
                                                       query_string)))
    if all(conn is not None for _h, _n, conn in firsts):
        return _over_idle(controller, nodes, part, method, path, query_string, firsts, enough)
    calls = []
    for headers, node, conn in firsts:
        if conn is None:
            calls.append(functools.partial(controller.request_some_node,
                                           itertools.chain([node], nodes), part, method, path,
                                           headers, query_string))
        else:
            calls.append(functools.partial(_send_then_answer, controller, nodes, part, method,
                                           path, query_string, headers, node, conn))
    return concurrency.gather_enough(calls, enough, app.post_quorum_timeout)


def _idle_connection(app: Any, node: Node, part: int, method: str, path: str,
                     headers: Dict[str, str], query_string: str) -> Optional[Any]:
    """The request to ``node`` on an idle kept-alive connection, nothing
    sent yet; ``None`` when there is none (no I/O either way)."""
    try:
        conn = http_connect(node["ip"], node["port"], node["device"], part, method, path,
                            headers=dict(headers), query_string=query_string,
                            timeout=app.node_timeout, pooled=True, defer=True, connect=False)
    except Exception:
        return None  # the usual path makes the request again and counts what fails
    if not conn.connected:
        conn.close()
        return None
    return conn


def _send(conn: Any) -> bool:
    """Send the request on its idle connection; ``False`` (closed) when
    the connection died while idle: its node is then asked again on a new
    one (``_then_others``' ``again``), as ``http_connect`` does, and only
    what fails there counts against the node."""
    try:
        conn.send_request()
    except Exception:
        conn.close()
        return False
    return True


def _then_others(controller: Any, answer: Optional[Any], nodes: Iterator[Node], part: int,
                 method: str, path: str, query_string: str, headers: Dict[str, str],
                 again: Optional[Node] = None) -> Optional[Any]:
    """``answer`` if it is one (not 5xx), else what the next nodes say (from
    ``again`` on, when given), as ``request_some_node`` would have gone on:
    the first answer that is not 5xx, else the last 5xx."""
    if answer is not None and not is_server_error(answer.status):
        return answer
    more = controller.request_some_node(
        itertools.chain([again], nodes) if again is not None else nodes, part, method, path,
        headers, query_string)
    return more if more is not None else answer


def _send_then_answer(controller: Any, nodes: Iterator[Node], part: int, method: str, path: str,
                      query_string: str, headers: Dict[str, str], node: Node, conn: Any
                      ) -> Optional[Any]:
    started = time.monotonic()
    if not _send(conn):
        return _then_others(controller, None, nodes, part, method, path, query_string, headers,
                            again=node)
    answer = controller.answer_of(conn, node, method, path, started)
    return _then_others(controller, answer, nodes, part, method, path, query_string, headers)


def _over_idle(controller: Any, nodes: Iterator[Node], part: int, method: str, path: str,
               query_string: str, firsts: List[Tuple[Dict[str, str], Node, Any]],
               enough: Enough) -> List[Any]:
    app = controller.app
    answers: List[Any] = []
    waiting: Dict[Any, Tuple[Dict[str, str], Node, float]] = {}
    # (headers, the answer so far, a node to ask again on a new connection)
    retry: List[Tuple[Dict[str, str], Optional[Any], Optional[Node]]] = []
    for headers, node, conn in firsts:
        started = time.monotonic()
        if _send(conn):
            waiting[conn] = (headers, node, started)
        else:
            retry.append((headers, None, node))
    grace_ends: Optional[float] = None
    while True:
        # the answers in; a failed or 5xx one goes on to the next nodes, one
        # replica after the other (rare: the others' answers wait meanwhile)
        for headers, answer, again in retry:
            final = _then_others(controller, answer, nodes, part, method, path, query_string,
                                 headers, again)
            if final is not None:
                answers.append(final)
        retry = []
        if not waiting:
            break
        now = time.monotonic()
        if enough(answers):
            grace_ends = grace_ends if grace_ends is not None else now + app.post_quorum_timeout
            if now >= grace_ends:
                break
            wait = grace_ends - now
        else:
            wait = min(started + app.node_timeout for _h, _n, started in waiting.values()) - now
        ready = concurrency.readable(list(waiting), wait) if wait > 0 else []
        for conn in ready:
            if conn not in waiting:
                continue
            headers, node, started = waiting.pop(conn)
            retry.append((headers, controller.answer_of(conn, node, method, path, started),
                          None))
        if not ready and grace_ends is None:
            now = time.monotonic()
            for conn, (headers, node, started) in list(waiting.items()):
                if now >= started + app.node_timeout:  # as the answer's Timeout would
                    del waiting[conn]
                    conn.close()
                    app.error_occurred(node, "%s %s: timeout" % (method, path))
                    retry.append((headers, None, None))
    for conn, (_headers, node, started) in waiting.items():
        # past the grace: their nodes still do the write; their answers are
        # read (errors counted, connections kept) but no longer wanted
        concurrency.spawn_n(controller.answer_of, conn, node, method, path, started)
    return answers
