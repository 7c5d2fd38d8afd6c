"""Account requests: listings, metadata, and (for operators) create/delete."""

from __future__ import annotations

from typing import List

from webob import Request, Response

from objstore.common import constraints
from objstore.common.http import errors
from objstore.common.timestamp import Timestamp
from objstore.common import info as info_mod, owner_headers
from objstore.proxy.controllers.base import (METHOD_ORDER, Controller, check_name_length,
                                             convert_remove_headers, error_response)
from objstore.proxy.controllers.listings import finish_listing, listing_query


class AccountController(Controller):
    server_type = "Account"

    def allowed_methods(self) -> List[str]:
        methods = {"GET", "HEAD", "POST", "OPTIONS"}
        if self.app.allow_account_management:
            methods |= {"PUT", "DELETE"}
        return [m for m in METHOD_ORDER if m in methods]

    def _path(self) -> str:
        return "/%s" % self.account_name

    def GETorHEAD(self, req: Request) -> Response:
        bad = check_name_length("account", self.account_name)
        if bad:
            return bad
        query, bad = listing_query(req, "account")
        if bad:
            return bad
        ring = self.app.account_ring
        part = ring.get_part(self.account_name)
        resp = self.read_listing_or_head(req, ring, part, self._path(),
                                         self.backend_headers(req), query or "")
        info = info_mod.headers_to_account_info(resp.headers, resp.status_int)
        info_mod.set_info_cache(req.environ, self.account_name, None, info,
                                self.app.recheck_account_existence)
        if resp.status_int == 404:
            if resp.headers.get("X-Account-Status", "").lower() == "deleted":
                return errors.swift_error(410, "", {"X-Account-Status": "Deleted"})
            if self.app.account_autocreate:
                return self._fake_empty_account(req)
        owner_headers.show_account_headers(req.environ, resp.headers)
        return finish_listing(req, resp, "account", self.account_name)

    GET = GETorHEAD
    HEAD = GETorHEAD

    def _fake_empty_account(self, req: Request) -> Response:
        """An account that will be created on its first write looks empty
        (not missing) to its owner, as with Swift's account_autocreate --
        with Swift's headers: a HEAD is a 200, X-Put-Timestamp is shown."""
        now = Timestamp.now().normal
        headers = [("X-Account-Container-Count", "0"), ("X-Account-Object-Count", "0"),
                   ("X-Account-Bytes-Used", "0"), ("X-Timestamp", now),
                   (info_mod.FAKE_LISTING_HEADER, "yes")]
        resp = finish_listing(req, Response(status=200, headerlist=headers, body=b"[]"),
                              "account", self.account_name)
        if req.method == "HEAD":
            resp.status = 200
        del resp.headers["Accept-Ranges"]
        resp.headers["X-Put-Timestamp"] = now
        return resp

    def _write(self, req: Request) -> Response:
        headers = convert_remove_headers(self.backend_headers(req), "account")
        headers["X-Timestamp"] = Timestamp.now().normal
        ring = self.app.account_ring
        part = ring.get_part(self.account_name)
        replicas = len(ring.get_part_nodes(part))
        resp = self.make_requests(req, ring, part, req.method, self._path(),
                                  [dict(headers) for _ in range(replicas)])
        info_mod.clear_info_cache(req.environ, self.account_name)
        return resp

    def _check(self, req: Request) -> Response | None:
        bad = check_name_length("account", self.account_name)
        if bad:
            return bad
        message = constraints.check_metadata(req.headers, "account")
        if message:
            return error_response(400, message)
        return None

    def PUT(self, req: Request) -> Response:
        if not self.app.allow_account_management:
            return error_response(405, "Account PUT needs allow_account_management",
                                  {"Allow": ", ".join(self.allowed_methods())})
        bad = self._check(req)
        return bad or self._write(req)

    def POST(self, req: Request) -> Response:
        bad = self._check(req)
        if bad:
            return bad
        resp = self._write(req)
        if resp.status_int == 404 and self.app.account_autocreate:
            created = self.autocreate(req)
            if created is not None:
                return created
            resp = self._write(req)
        return resp

    def DELETE(self, req: Request) -> Response:
        if not self.app.allow_account_management:
            return error_response(405, "Account DELETE needs allow_account_management",
                                  {"Allow": ", ".join(self.allowed_methods())})
        if req.query_string:
            return error_response(400, "Account DELETE takes no query string")
        resp = self._write(req)
        if 200 <= resp.status_int < 300:
            resp.headers["X-Account-Status"] = "Deleted"
        return resp

    def autocreate(self, req: Request) -> Response | None:
        """Create the account; ``None`` on success, else the failure."""
        return create_account(self, req)


def create_account(controller: Controller, req: Request) -> Response | None:
    """PUT the account on its servers (account autocreate).

    ``None`` when the account now exists; otherwise the failure to report.
    """
    app = controller.app
    ring = app.account_ring
    account = controller.account_name
    part = ring.get_part(account)
    replicas = len(ring.get_part_nodes(part))
    headers = controller.backend_headers(req, forward=False)
    headers["X-Timestamp"] = Timestamp.now().normal
    sub = Request.blank("/", environ={"REQUEST_METHOD": "PUT"})
    resp = controller.make_requests(sub, ring, part, "PUT", "/%s" % account,
                                    [dict(headers) for _ in range(replicas)])
    info_mod.clear_info_cache(req.environ, account)
    if 200 <= resp.status_int < 300:
        return None
    controller.logger.error("could not autocreate account %s: %s", account, resp.status)
    return error_response(503, "could not create account %s: %s" % (account, resp.status))
