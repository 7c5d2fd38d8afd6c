"""Object requests: reads with failover, quorum writes, fast-POST and
delete. Server-side copy is the ``copy`` middleware's (a GET and a PUT
sent through the pipeline), so nothing here knows about it."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from objstore.common import constraints
from objstore.common.config import config_true_value
from objstore.common.http import conditional, errors
from objstore.common.part_power import NEXT_PART_POWER
from objstore.common.timestamp import Timestamp
from objstore.proxy import lock_guard, obj_headers
from objstore.proxy.controllers.base import (Controller, delay_denial,
                                             error_response, filtered_headers, pair_nodes,
                                             update_headers)
from objstore.proxy.controllers.obj_put import stream_put
from objstore.proxy.getter import ObjectGetter
from objstore.proxy.nodes import Node
from objstore.proxy.obj_headers import HeaderError

POLICY_INDEX = "X-Backend-Storage-Policy-Index"
#: The container update a primary's write carries; a handoff's carries none.
CONTAINER_UPDATE = ("X-Container-Host", "X-Container-Partition", "X-Container-Device")


class ObjectController(Controller):
    server_type = "Object"

    def _path(self) -> str:
        return "/%s/%s/%s" % (self.account_name, self.container_name, self.object_name)

    def _ring_and_part(self, info: Dict[str, Any]) -> Tuple[Any, int, str]:
        policy_index = info.get("storage_policy") or "0"
        ring = self.app.get_object_ring(policy_index)
        part = ring.get_part(self.account_name, self.container_name, self.object_name)
        return ring, part, str(policy_index)

    # ------------------------------------------------------------------ reads
    @delay_denial
    def GETorHEAD(self, req: Request) -> Response:
        info = self.container_info(req)
        denied = self.authorize(req, info["read_acl"])
        if denied is not None:
            return denied
        if info["status"] == 404:
            return error_response(404, "Not Found: container %s does not exist"
                                  % self.container_name)
        ring, part, policy_index = self._ring_and_part(info)
        headers = self.backend_headers(req, {POLICY_INDEX: policy_index})
        policy = self.app.policies.get_by_index(policy_index)
        if policy is not None and policy.is_ec:
            from objstore.proxy.ec_get import ECGetter
            return ECGetter(self.app, ring, part, self._path(), headers, policy).respond(req)
        getter = ObjectGetter(self.app, ring, part, self._path(), req.method, headers,
                              newest=config_true_value(req.headers.get("X-Newest", "")))
        source = getter.first_source()
        if source is None:
            return self._best_failure(req, getter.answers, len(getter.nodes.primaries))
        headerlist = filtered_headers(source.headers)
        if "Content-Length" in source.headers:
            headerlist.append(("Content-Length", source.headers["Content-Length"]))
        if req.method == "HEAD" or source.status in (304, 412, 416) and \
                "Content-Length" not in source.headers:
            body_iter: Any = []
            if req.method != "HEAD":
                body_iter = [source.resp.read()]
            source.close()
        else:
            body_iter = getter.iter_body(source)
        status = "%d %s" % (source.status, source.resp.reason)
        resp = Response(status=status, headerlist=headerlist, app_iter=body_iter)
        resp.conditional_response = False
        return resp

    GET = GETorHEAD
    HEAD = GETorHEAD

    def _best_failure(self, req: Request, answers: List[Tuple[int, Dict[str, str], bytes]],
                      replicas: int) -> Response:
        """The answer to give when no node had the object."""
        for status, headers, body in answers:
            if status < 500:
                if status == 404 and conditional.missing_verdict(req.headers):
                    return errors.swift_error(412, "")  # If-Match: * and there is nothing
                if status == 404:
                    return error_response(404, "Not Found", {k: v for k, v in headers.items()
                                                             if k.startswith("X-Backend-")})
                return Response(status=status, headerlist=filtered_headers(headers), body=body)
        return error_response(503, "Service Unavailable: no object server answered %s %s"
                              % (req.method, req.path))

    # ----------------------------------------------------------------- writes
    def _writable_container(self, req: Request) -> Tuple[Optional[Dict[str, Any]],
                                                          Optional[Response]]:
        info = self.container_info(req)
        denied = self.authorize(req, info["write_acl"])
        if denied is not None:
            return None, denied
        if info["status"] == 404:
            return None, error_response(404, "Not Found: container %s does not exist; "
                                             "create it first" % self.container_name)
        if not 200 <= info["status"] < 300:
            return None, error_response(503, "Service Unavailable: cannot reach the "
                                             "container servers for %s" % self.container_name)
        return info, None

    def _timestamp(self, req: Request) -> Timestamp:
        given = req.headers.get("X-Timestamp")
        if given:
            return Timestamp(given)
        return Timestamp.now()

    def _update_headers(self, replicas: int, delete_at: Optional[int]) -> List[Dict[str, str]]:
        """Per object replica: which container (and expirer queue) servers
        it must tell about the write."""
        cring = self.app.container_ring
        cpart = cring.get_part(self.account_name, self.container_name)
        groups = pair_nodes(replicas, cring.get_part_nodes(cpart))
        out = [update_headers("Container", cpart, group) for group in groups]
        if delete_at is not None:
            queue = obj_headers.expirer_container(delete_at)
            qpart = cring.get_part(obj_headers.EXPIRING_OBJECTS_ACCOUNT, queue)
            qgroups = pair_nodes(replicas, cring.get_part_nodes(qpart))
            for headers, group in zip(out, qgroups):
                headers.update(update_headers("Delete-At", qpart, group))
                headers["X-Delete-At-Container"] = queue
        return out

    def _base_write_headers(self, req: Request, timestamp: Timestamp,
                            policy_index: str, when: Optional[int]) -> Dict[str, str]:
        """The backend headers of a write; ``when`` is its X-Delete-At,
        judged once when the request came in (judged again here, a moment
        that passed meanwhile would be an uncaught refusal)."""
        headers = self.backend_headers(req, {POLICY_INDEX: policy_index,
                                             "X-Timestamp": timestamp.internal})
        for name in list(headers):
            if name.lower() in ("x-delete-at", "x-delete-after"):
                del headers[name]
        if when is not None:
            headers["X-Delete-At"] = str(when)
        return headers

    @delay_denial
    def PUT(self, req: Request) -> Response:
        # As Swift: a missing container (404) or a denial comes before the
        # checks of the name and headers.
        info, bad = self._writable_container(req)
        if bad:
            return bad
        try:
            obj_headers.check_put_headers(req.headers, self.object_name or "")
            timestamp = self._timestamp(req)
            when = obj_headers.delete_at(req.headers)
        except HeaderError as err:
            return err.response()
        except ValueError as err:
            return error_response(400, "Bad X-Timestamp: %s" % err)
        if not req.environ.get(constraints.CONTENT_TYPE_PARAMS_ENV):
            refused = constraints.check_content_type_params(req.headers.get("Content-Type"))
            if refused:
                return errors.swift_error(400, refused)  # text/html, as Swift's
        return self.put_body(req, info, timestamp, when)

    def put_body(self, req: Request, info: Dict[str, Any], timestamp: Timestamp,
                 when: Optional[int]) -> Response:
        """Store ``req``'s body (headers already checked; ``when`` is its
        X-Delete-At)."""
        ring, part, policy_index = self._ring_and_part(info)
        headers = self._base_write_headers(req, timestamp, policy_index, when)
        headers["Content-Type"] = obj_headers.content_type_for(req.headers,
                                                               self.object_name or "")
        headers.pop("X-Detect-Content-Type", None)
        length: Optional[int] = None
        if req.headers.get("Content-Length") is not None and \
                req.headers.get("Transfer-Encoding", "").lower() != "chunked":
            length = int(req.headers["Content-Length"])
            headers["Content-Length"] = str(length)
        else:
            headers["Transfer-Encoding"] = "chunked"
        delete_at = int(headers["X-Delete-At"]) if "X-Delete-At" in headers else None
        headers_list = self._headers_per_replica(ring, part, headers, delete_at)
        lock_guard.mark_put(req.environ, info, headers)
        policy = self.app.policies.get_by_index(policy_index)
        if policy is not None and policy.is_ec:
            from objstore.proxy.ec_put import ec_stream_put
            return ec_stream_put(self.app, req.environ, ring, part, self._path(), headers_list,
                                 length, timestamp, req.headers.get("ETag"), policy)
        return stream_put(self.app, req.environ, ring, part, self._path(), headers_list,
                          length, timestamp)

    @delay_denial
    def POST(self, req: Request) -> Response:
        message = constraints.check_metadata(req.headers, "object")
        if message:
            return error_response(400, message)
        try:
            timestamp = self._timestamp(req)
            when = obj_headers.delete_at(req.headers)
        except HeaderError as err:
            return err.response()
        except ValueError as err:
            return error_response(400, "Bad X-Timestamp: %s" % err)
        info, bad = self._writable_container(req)
        if bad:
            return bad
        ring, part, policy_index = self._ring_and_part(info)
        headers = self._base_write_headers(req, timestamp, policy_index, when)
        if "Content-Type" in req.headers:
            headers["Content-Type"] = obj_headers.content_type_for(req.headers,
                                                                   self.object_name or "")
        return self._write_all(req, ring, part, "POST", headers, when)

    @delay_denial
    def DELETE(self, req: Request) -> Response:
        try:
            timestamp = self._timestamp(req)
        except ValueError as err:
            return error_response(400, "Bad X-Timestamp: %s" % err)
        info, bad = self._writable_container(req)
        if bad:
            return bad
        ring, part, policy_index = self._ring_and_part(info)
        headers = self.backend_headers(req, {POLICY_INDEX: policy_index,
                                             "X-Timestamp": timestamp.internal})
        policy = self.app.policies.get_by_index(policy_index)
        if policy is not None and policy.is_ec:
            from objstore.proxy.ec_put import judge_if_match_by_object_etag
            judge_if_match_by_object_etag(headers)
        if lock_guard.guarded(info):
            refusal = lock_guard.delete_refusal(self.app, ring, part, self._path(), headers)
            if refusal is not None:
                return error_response(*refusal)
        return self._write_all(req, ring, part, "DELETE", headers, None)

    def _delete_handoffs(self, ring: Any, part: int, headers_list: List[Dict[str, str]]
                         ) -> Optional[Iterator[Node]]:
        """Under write affinity, a DELETE also goes to local handoffs
        (``write_affinity_handoff_delete_count``): they may hold the object
        until the replicators moved it. Extends ``headers_list`` (without
        container updates: the primaries send those) and gives the nodes."""
        plan = self.app.affinity_for(ring).delete_order(ring.get_part_nodes(part), ring, part)
        if plan is None or not plan[0]:
            return None
        extra, order = plan
        plain = {k: v for k, v in headers_list[0].items()
                 if k not in CONTAINER_UPDATE}
        headers_list.extend(dict(plain) for _ in range(extra))
        return self.app.iter_nodes(ring, part, order=order)

    def _headers_per_replica(self, ring: Any, part: int, headers: Dict[str, str],
                             delete_at: Optional[int]) -> List[Dict[str, str]]:
        """``headers`` for each replica's write, with the container updates
        it owes and, while the ring's partition power is being increased,
        the power every object server must link the write into."""
        next_part_power = getattr(ring, "next_part_power", None)
        headers_list = []
        for extra in self._update_headers(len(ring.get_part_nodes(part)), delete_at):
            one = dict(headers)
            one.update(extra)
            if next_part_power:
                one[NEXT_PART_POWER] = str(next_part_power)
            headers_list.append(one)
        return headers_list

    def _write_all(self, req: Request, ring: Any, part: int, method: str,
                   headers: Dict[str, str], delete_at: Optional[int]) -> Response:
        headers_list = self._headers_per_replica(ring, part, headers, delete_at)
        nodes = (self._delete_handoffs(ring, part, headers_list)
                 if method == "DELETE" else None)
        resp = self.make_requests(req, ring, part, method, self._path(), headers_list,
                                  nodes=nodes)
        if method == "DELETE" and resp.status_int == 404:
            return error_response(404, "Not Found")
        if method == "POST" and 200 <= resp.status_int < 300:
            return errors.swift_error(202)
        return resp

