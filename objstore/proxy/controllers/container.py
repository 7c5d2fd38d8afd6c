"""Container requests: listings, create (with a storage policy), metadata
and ACLs, delete-when-empty."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from webob import Request, Response

from objstore.common import constraints
from objstore.common.http import errors
from objstore.common.timestamp import Timestamp
from objstore.common import info as info_mod, owner_headers
from objstore.proxy.controllers.account import create_account
from objstore.proxy.controllers.base import (Controller, check_name_length,
                                             convert_remove_headers, delay_denial,
                                             error_response, pair_nodes, update_headers)
from objstore.proxy.controllers.listings import finish_listing, listing_query

POLICY_INDEX = "X-Backend-Storage-Policy-Index"
POLICY_DEFAULT = "X-Backend-Storage-Policy-Default"
ACL_HEADERS = ("X-Container-Read", "X-Container-Write")
VERSION_HEADERS = ("X-Versions-Location", "X-History-Location")


class ContainerController(Controller):
    server_type = "Container"

    def _path(self) -> str:
        return "/%s/%s" % (self.account_name, self.container_name)

    def _check_names(self) -> Optional[Response]:
        """400 for a name over its limit, on PUT only: a longer name cannot
        exist, so every other verb finds nothing (404), as in Swift."""
        return (check_name_length("account", self.account_name)
                or check_name_length("container", self.container_name))

    @delay_denial
    def GETorHEAD(self, req: Request) -> Response:
        query, bad = listing_query(req, "container")
        if bad:
            return bad
        ring = self.app.container_ring
        part = ring.get_part(self.account_name, self.container_name)
        resp = self.read_listing_or_head(req, ring, part, self._path(),
                                         self.backend_headers(req), query or "")
        info = info_mod.headers_to_container_info(resp.headers, resp.status_int)
        info_mod.set_info_cache(req.environ, self.account_name, self.container_name, info,
                                self.app.recheck_container_existence)
        denied = self.authorize(req, info["read_acl"])
        if denied is not None:
            return denied
        policy = self.app.policies.get_by_index(resp.headers.get(POLICY_INDEX, 0))
        if policy is not None and 200 <= resp.status_int < 300:
            resp.headers["X-Storage-Policy"] = policy.name
        owner_headers.show_container_headers(req.environ, resp.headers)
        return finish_listing(req, resp, "container", self.container_name or "")

    GET = GETorHEAD
    HEAD = GETorHEAD

    # ----------------------------------------------------------------- writes
    def _clean_headers(self, req: Request) -> Dict[str, str] | Response:
        """Backend headers for a PUT/POST, with ACLs cleaned by the auth
        middleware and removals turned into empty values."""
        headers = convert_remove_headers(self.backend_headers(req), "container")
        if not owner_headers.is_owner(req.environ):
            # Only the account's owner (or an admin) grants access or sees
            # the sync key: from anyone else these headers are ignored, as
            # Swift ignores them (the rest of the request still applies).
            owner_only = {h.lower() for h in owner_headers.CONTAINER_OWNER_HEADERS}
            headers = {k: v for k, v in headers.items() if k.lower() not in owner_only}
            return self._checked(req, headers, ())
        return self._checked(req, headers, ACL_HEADERS)

    def _checked(self, req: Request, headers: Dict[str, str],
                 acl_headers: Tuple[str, ...]) -> Dict[str, str] | Response:
        clean = req.environ.get("swift.clean_acl")
        for name in acl_headers:
            value = req.headers.get(name)
            if value is None or clean is None:
                continue
            try:
                headers[name] = clean(name, value)
            except ValueError as err:
                return errors.swift_error(400, str(err))  # Swift's text, as HTML
        for name in VERSION_HEADERS:
            value = req.headers.get(name)
            if value and "/" in value.split("?")[0]:
                return error_response(400, "%s: container name cannot contain '/'" % name)
        message = constraints.check_metadata(req.headers, "container")
        if message:
            return error_response(400, message)
        return headers

    def _write_headers(self, base: Dict[str, str], replicas: int) -> List[Dict[str, str]]:
        """One header set per container replica, each naming the account
        server(s) it must report to."""
        ring = self.app.account_ring
        part = ring.get_part(self.account_name)
        groups = pair_nodes(replicas, ring.get_part_nodes(part))
        timestamp = Timestamp.now().normal
        out = []
        for group in groups:
            headers = dict(base)
            headers["X-Timestamp"] = timestamp
            headers.update(update_headers("Account", part, group))
            out.append(headers)
        return out

    def _send(self, req: Request, headers: Dict[str, str], method: str) -> Response:
        ring = self.app.container_ring
        part = ring.get_part(self.account_name, self.container_name)
        replicas = len(ring.get_part_nodes(part))
        resp = self.make_requests(req, ring, part, method, self._path(),
                                  self._write_headers(headers, replicas))
        info_mod.clear_info_cache(req.environ, self.account_name, self.container_name)
        info_mod.clear_info_cache(req.environ, self.account_name)
        return resp

    def _policy_headers(self, req: Request) -> Dict[str, str] | Response:
        name = req.headers.get("X-Storage-Policy")
        if name is None or not name.strip():  # empty: the default, as Swift
            return {POLICY_DEFAULT: str(self.app.policies.default.index)}
        policy = self.app.policies.get_by_name(name.strip())
        if policy is None:
            return error_response(400, "Invalid X-Storage-Policy %r" % name)
        if policy.is_deprecated:
            return error_response(400, "Storage Policy %r is deprecated; pick another"
                                  % policy.name)
        return {POLICY_INDEX: str(policy.index)}

    def _account_ready(self, req: Request) -> Optional[Response]:
        """None if the account exists (creating it if allowed), else 404."""
        info = self.account_info(req)
        if info["status"] == 404 or (info["status"] >= 500 and self.app.account_autocreate):
            if not self.app.account_autocreate:
                return error_response(404, "Account %s does not exist" % self.account_name)
            failed = create_account(self, req)
            if failed is not None:
                return failed
        elif not 200 <= info["status"] < 300:
            return error_response(503 if info["status"] >= 500 else 404,
                                  "Account %s is not available" % self.account_name)
        return None

    def PUT(self, req: Request) -> Response:
        bad = self._check_names()
        if bad:
            return bad
        headers = self._clean_headers(req)
        if isinstance(headers, Response):
            return headers
        policy_headers = self._policy_headers(req)
        if isinstance(policy_headers, Response):
            return policy_headers
        if POLICY_INDEX in policy_headers:
            existing = self.container_info(req)
            if 200 <= existing["status"] < 300 and \
                    existing["storage_policy"] != policy_headers[POLICY_INDEX]:
                return error_response(409, "Conflict: container %s exists with another "
                                           "storage policy; a policy cannot change"
                                      % self.container_name)
        headers.update(policy_headers)
        bad = self._account_ready(req)
        if bad:
            return bad
        return self._send(req, headers, "PUT")

    def POST(self, req: Request) -> Response:
        headers = self._clean_headers(req)
        if isinstance(headers, Response):
            return headers
        info = self.account_info(req)
        if info["status"] == 404 and not self.app.account_autocreate:
            return error_response(404, "Account %s does not exist" % self.account_name)
        return self._send(req, headers, "POST")

    def DELETE(self, req: Request) -> Response:
        resp = self._send(req, self.backend_headers(req), "DELETE")
        if resp.status_int == 409:
            return error_response(409, "Conflict: container %s is not empty; delete its "
                                       "objects first" % self.container_name)
        return resp
