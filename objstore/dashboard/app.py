"""``objstore-dashboard [CONFIG]``: the study dashboard's web server.

Serves the single page (``static/``) and its JSON API. Every ``/api/``
endpoint but login answers 401 without a live session cookie. It runs as
one process with threads (stdlib ``wsgiref``): it serves a few students,
not clients' traffic, and keeps its sessions in memory.
"""

from __future__ import annotations

import json
import os
import sys
from socketserver import ThreadingMixIn
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs, quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from objstore.common.config import ConfigError, config_float, config_int, read_conf
from objstore.dashboard import health, lookup, rings, traffic
from objstore.faultlab.lab import FaultLab, LabConfig, LabError
from objstore.dashboard.sessions import (LoginRefused, SessionStore, check_admin_login,
                                         cookie_session_id, session_cookie)

DEFAULT_CONF = "/etc/objstore/dashboard.conf"
DEFAULT_PORT = 8090
STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
#: file name -> content type; nothing else under static/ is served.
_JS = "application/javascript; charset=utf-8"
STATIC_FILES = {"index.html": "text/html; charset=utf-8",
                "dashboard.css": "text/css; charset=utf-8",
                "dashboard.js": _JS, "traffic.js": _JS, "faultlab.js": _JS, "panels.js": _JS}
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store")]
MAX_FORM = 8192
StartResponse = Callable[..., Any]


class DashboardApp:
    """The WSGI app; ``conf`` is the ``[dashboard]`` section."""

    def __init__(self, conf: Dict[str, str]) -> None:
        self.swift_dir = conf.get("swift_dir", "/etc/objstore")
        self.auth_url = conf.get("auth_url", "http://127.0.0.1:8080/auth/v1.0")
        self.proxy_url = self.auth_url.split("/auth/")[0]
        self.timeout = config_float(conf, "node_timeout", 2.0)
        self.ttl = config_int(conf, "session_ttl", 8 * 3600, 60)
        self.sessions = SessionStore(self.ttl)
        self.statsd_port = config_int(conf, "statsd_port", 0, 0)
        self.statsd_ip = conf.get("statsd_ip", conf.get("bind_ip", "127.0.0.1"))
        self.traffic = traffic.TrafficRecorder(
            config_int(conf, "traffic_window", traffic.DEFAULT_WINDOW, 10))
        self.statsd_listener: Optional[traffic.StatsdListener] = None
        self.lab = FaultLab(LabConfig.from_conf(conf))

    def listen_for_statsd(self) -> None:
        """Start receiving the proxies' StatsD metrics (``statsd_port``;
        0 leaves the traffic view empty with a note that says why)."""
        if self.statsd_port:
            self.statsd_listener = traffic.StatsdListener(
                self.traffic, self.statsd_ip, self.statsd_port).start()

    # ------------------------------------------------------------ plumbing
    def _reply(self, start_response: StartResponse, status: str, body: bytes,
               content_type: str, extra: Optional[List[Tuple[str, str]]] = None
               ) -> List[bytes]:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers + SECURITY_HEADERS + (extra or []))
        return [body]

    def _json(self, start_response: StartResponse, status: str, doc: Any,
              extra: Optional[List[Tuple[str, str]]] = None) -> List[bytes]:
        return self._reply(start_response, status, json.dumps(doc).encode("utf-8"),
                           "application/json", extra)

    def _static(self, start_response: StartResponse, name: str) -> List[bytes]:
        with open(os.path.join(STATIC_DIR, name), "rb") as fp:
            return self._reply(start_response, "200 OK", fp.read(), STATIC_FILES[name])

    def __call__(self, env: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = env.get("REQUEST_METHOD", "GET"), env.get("PATH_INFO", "/")
        try:
            if path in ("/", "/index.html") and method in ("GET", "HEAD"):
                return self._static(start_response, "index.html")
            if path.startswith("/static/") and path[8:] in STATIC_FILES and method == "GET":
                return self._static(start_response, path[8:])
            if path == "/login" and method == "POST":
                return self.login(env, start_response)
            if path == "/logout" and method == "POST":
                self.sessions.drop(cookie_session_id(env.get("HTTP_COOKIE", "")))
                return self._json(start_response, "200 OK", {"ok": True},
                                  [("Set-Cookie", session_cookie("", 0))])
            if path.startswith("/api/"):
                return self.api(env, start_response, method, path[5:])
            return self._json(start_response, "404 Not Found",
                              {"error": "no such page: %s %s" % (method, path)})
        except Exception as err:  # the page shows a message, never a traceback
            sys.stderr.write("dashboard: %s %s failed: %r\n" % (method, path, err))
            return self._json(start_response, "500 Internal Server Error",
                              {"error": "the dashboard failed: %s" % type(err).__name__})

    # --------------------------------------------------------------- login
    def login(self, env: Dict[str, Any], start_response: StartResponse) -> List[bytes]:
        """Form fields ``user`` and ``key``. A script (``Accept: application/
        json``) gets JSON; a plain form gets a redirect to the page."""
        try:
            length = min(int(env.get("CONTENT_LENGTH") or 0), MAX_FORM)
        except ValueError:
            length = 0
        form = parse_qs(env["wsgi.input"].read(length).decode("utf-8", "replace"))
        user, key = form.get("user", [""])[0], form.get("key", [""])[0]
        after = fragment_after_login(form.get("next", [""])[0])
        wants_json = "application/json" in env.get("HTTP_ACCEPT", "")
        try:
            storage_url = check_admin_login(self.auth_url, user, key, self.timeout + 3)
        except LoginRefused as err:
            if wants_json:
                return self._json(start_response, "401 Unauthorized", {"error": str(err)})
            return self._reply(start_response, "303 See Other", b"", "text/plain",
                               [("Location", "/#login-failed")])
        cookie = ("Set-Cookie", session_cookie(self.sessions.create(user, storage_url), self.ttl))
        if wants_json:
            return self._json(start_response, "200 OK", {"user": user}, [cookie])
        return self._reply(start_response, "303 See Other", b"", "text/plain",
                           [("Location", "/" + after), cookie])

    # ----------------------------------------------------------------- API
    def api(self, env: Dict[str, Any], start_response: StartResponse, method: str,
            what: str) -> List[bytes]:
        session = self.sessions.get(cookie_session_id(env.get("HTTP_COOKIE", "")))
        if session is None:
            return self._json(start_response, "401 Unauthorized",
                              {"error": "log in first (no valid dashboard session)"})
        if method == "POST" and what.startswith("lab/"):
            return self.lab_action(env, start_response, what[4:])
        if method != "GET":
            return self._json(start_response, "405 Method Not Allowed",
                              {"error": "the API only answers GET (and POST for lab actions)"})
        query = parse_qs(env.get("QUERY_STRING", ""))
        if what == "session":
            return self._json(start_response, "200 OK", {"user": session.user})
        if what == "rings":
            return self._json(start_response, "200 OK", rings.all_ring_summaries(self.swift_dir))
        if what == "partition":
            return self.partition(start_response, query)
        if what == "rebalance":
            return self.rebalance(start_response, query)
        if what == "health":
            return self._json(start_response, "200 OK", health.cluster_health(
                self.swift_dir, self.proxy_url, self.timeout))
        if what == "lab":
            return self._json(start_response, "200 OK", self.lab.describe())
        if what == "traffic":
            return self.traffic_view(start_response, query)
        if what == "lookup":
            try:
                doc = lookup.lookup_object(self.swift_dir, query.get("path", [""])[0],
                                           self.timeout)
            except lookup.LookupFailed as err:
                return self._json(start_response, "404 Not Found", {"error": str(err)})
            return self._json(start_response, "200 OK", doc)
        return self._json(start_response, "404 Not Found", {"error": "no API %r" % what})

    def lab_action(self, env: Dict[str, Any], start_response: StartResponse, action: str
                   ) -> List[bytes]:
        """``POST /api/lab/<action>`` with a JSON object of its arguments.
        Only a JSON body is taken: a form on another site cannot send one."""
        if not env.get("CONTENT_TYPE", "").startswith("application/json"):
            return self._json(start_response, "415 Unsupported Media Type",
                              {"error": "send the action's arguments as application/json"})
        try:
            length = min(int(env.get("CONTENT_LENGTH") or 0), MAX_FORM)
            args = json.loads(env["wsgi.input"].read(length) or b"{}")
        except ValueError:
            return self._json(start_response, "400 Bad Request",
                              {"error": "the body is not a JSON object"})
        if not isinstance(args, dict):
            return self._json(start_response, "400 Bad Request",
                              {"error": "the body is not a JSON object"})
        try:
            doc = self.lab.apply(action, {k: None if v is None else str(v)
                                          for k, v in args.items()})
        except LabError as err:
            reason = {403: "Forbidden", 404: "Not Found"}.get(err.status, "Bad Request")
            return self._json(start_response, "%d %s" % (err.status, reason),
                              {"error": str(err)})
        return self._json(start_response, "200 OK", doc)

    def traffic_view(self, start_response: StartResponse, query: Dict[str, List[str]]
                     ) -> List[bytes]:
        """``?seconds=300``: per-second requests and bytes by verb and status."""
        try:
            seconds = int(query.get("seconds", ["300"])[0])
        except ValueError:
            return self._json(start_response, "400 Bad Request",
                              {"error": "seconds must be a whole number"})
        doc = self.traffic.series(seconds)
        doc["listening"] = self.statsd_listener is not None
        doc["statsd_port"] = self.statsd_port or None
        return self._json(start_response, "200 OK", doc)

    def partition(self, start_response: StartResponse, query: Dict[str, List[str]]
                  ) -> List[bytes]:
        """``?ring=object&part=12`` -> that partition's primaries and handoffs."""
        try:
            part = int(query.get("part", [""])[0])
            ring = rings.open_ring(self.swift_dir, query.get("ring", ["object"])[0])
            nodes = rings.partition_nodes(ring, part)
        except ValueError as err:
            msg = str(err) if "ring" in str(err) or "partition" in str(err) \
                else "part must be a whole number"
            return self._json(start_response, "400 Bad Request", {"error": msg})
        return self._json(start_response, "200 OK", {"partition": part, "nodes": nodes})


    def rebalance(self, start_response: StartResponse, query: Dict[str, List[str]]
                  ) -> List[bytes]:
        """``?ring=object&dev=3&weight=2``: a rebalance dry run."""
        try:
            dev, weight = int(query.get("dev", [""])[0]), float(query.get("weight", [""])[0])
        except ValueError:
            return self._json(start_response, "400 Bad Request",
                              {"error": "give dev (a device id) and weight (a number)"})
        try:
            doc = rings.rebalance_dry_run(self.swift_dir, query.get("ring", ["object"])[0],
                                          dev, weight)
        except ValueError as err:
            return self._json(start_response, "400 Bad Request", {"error": str(err)})
        return self._json(start_response, "200 OK", doc)


def fragment_after_login(next_value: str) -> str:
    """The ``#...`` part of the page a login form came from (a link such as
    ``/#lookup=/a/c/o`` survives the login), quoted; ``""`` for anything
    that is not a fragment, so a login never redirects off the dashboard."""
    if not next_value.startswith("#"):
        return ""
    return "#" + quote(next_value[1:MAX_FORM], safe="=/:@-._~")


def load_conf(path: str) -> Dict[str, str]:
    """The ``[dashboard]`` section (all defaults when the file is absent)."""
    if not os.path.exists(path):
        return {}
    sections = read_conf(path)
    return dict(sections.get("dashboard", {}))


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: Any) -> None:
        pass


def main(argv: Optional[List[str]] = None) -> int:
    """Run the dashboard until killed."""
    args = sys.argv[1:] if argv is None else argv
    try:
        conf = load_conf(args[0] if args else DEFAULT_CONF)
    except ConfigError as err:
        sys.stderr.write("objstore-dashboard: %s\n" % err)
        return 2
    ip, port = conf.get("bind_ip", "127.0.0.1"), config_int(conf, "bind_port", DEFAULT_PORT)
    app = DashboardApp(conf)
    try:
        app.listen_for_statsd()
    except OSError as err:
        sys.stderr.write("objstore-dashboard: cannot receive StatsD on UDP %s:%d (%s); "
                         "the traffic view stays empty\n" % (app.statsd_ip, app.statsd_port, err))
    server = make_server(ip, port, app, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    sys.stderr.write("objstore-dashboard: serving http://%s:%d/\n" % (ip, port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
