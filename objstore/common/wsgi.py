"""The WSGI server every objstore server runs on (eventlet underneath).

Pre-forked workers share one listening socket. The parent restarts a
worker that dies, stops everything on SIGTERM/SIGINT, and on SIGHUP
reloads gracefully: the old workers finish their in-flight requests and
exit while the parent re-executes itself, so the new workers run the code
installed *now* (an upgrade) with the config re-read, on the same
listening socket (handed over across exec, so no client is refused) and
under the same pid (pid files and systemd stay right). A config the new
workers could not start with is refused and the old workers keep serving.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import socket
import sys
import time
from typing import Any, Callable, Dict, Optional

from objstore.common import concurrency, constraints, logs
from objstore.common.config import config_int, read_conf
from objstore.common.http import message
from objstore.common.http.request_line import (  # noqa: F401 (here too, for callers)
    origin_form, quote_high_bytes)
from objstore.common.http_server import CLIENT_SOCKET_ENV, protocol_class

AppFactory = Callable[[Dict[str, str]], Any]
#: The listening socket's descriptor, passed to the re-executed server on reload.
LISTEN_FD_ENV = "OBJSTORE_LISTEN_FD"


class _NullLog:
    def write(self, *_args: Any) -> None:
        pass


def load_server_conf(conf_path: str, section: str) -> Dict[str, str]:
    """The server's own section merged over DEFAULT (DEFAULT alone if absent)."""
    sections = read_conf(conf_path)
    conf = dict(sections.get(section, sections["DEFAULT"]))
    conf["__file__"] = conf_path
    return conf


#: How much longer than ``max_header_size`` a request's header line, and
#: than ``max_request_line`` its request line, may be at a storage server:
#: the proxy forwards a client's headers (each held to the limit itself)
#: with system metadata of its own making beside them, and a client's path
#: (held to the limit at the proxy) with the device and partition in front
#: of it. Without it a name the proxy accepted could be refused by the
#: object servers (as Swift 2.38.3 does: its proxy answers 503).
BACKEND_HEADER_SLACK = 1024

#: The cyclic GC's young-generation threshold in a serving process
#: (Python's default is 700 container objects allocated and not yet
#: freed). A young collection walks every object a request in flight
#: holds (environs, header lists, webob requests, timers, closures): with
#: 16 requests in flight a proxy's young generation holds 900-2,500 of
#: them whenever it is collected, so at 700 each of its ~35 collections
#: per 600 small PUTs took ~0.5 ms (30-37 us of CPU per PUT, 2% of the
#: proxy's); most of those objects are freed by their requests' ends
#: without any collection. At 7,000 the same 600 PUTs made 2 collections
#: and 3-8 ms of GC (docs/performance.md, session 14). The objects
#: waiting are bounded by the threshold (a few MB at most).
GC_YOUNG_THRESHOLD = 7000


def collect_less_often() -> None:
    """Set this serving process's young-generation GC threshold
    (``GC_YOUNG_THRESHOLD``); the older generations keep theirs."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _serve(sock: Any, app: Any, conf: Dict[str, str],
           header_slack: int = BACKEND_HEADER_SLACK) -> None:
    """Serve ``app`` on ``sock`` in this process until told to stop.

    A request header line (with its CRLF) of ``max_header_size`` +
    ``header_slack`` bytes or more is answered 400 before the app sees it,
    a request line of ``max_request_line`` + ``header_slack`` or more 414.

    SIGHUP (and SIGINT: Ctrl-C) stops accepting and returns once in-flight
    requests are done; SIGTERM (or a second SIGINT) exits at once.
    """
    import eventlet.wsgi

    no_delay(sock)
    eventlet.wsgi.MAX_HEADER_LINE = config_int(
        conf, "max_header_size", constraints.LIMITS["max_header_size"]) + header_slack
    # eventlet.wsgi.server reads its limit from an argument (its module
    # constant is only that argument's default, bound at import)
    request_line_limit = config_int(
        conf, "max_request_line", constraints.LIMITS["max_request_line"]) + header_slack
    # requests' and backend answers' headers without ``email``
    message.install(config_int(conf, "max_header_count", 256))
    collect_less_often()
    pool = _DrainingPool(size=config_int(conf, "max_clients", 1024, 1))

    # SIGHUP's handler may run inside any green thread, the hub's included,
    # so it only writes a byte; a green thread of its own then stops the
    # accept loop by raising SystemExit in the main one, where eventlet's
    # server reads it as "stop accepting, let the pool drain".
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    main = concurrency.current()

    interrupts = []

    def _graceful(signum: int, _frame: Any) -> None:
        if signum == signal.SIGINT:
            # Ctrl-C on a foreground server (saio/debug): a green thread
            # caught KeyboardInterrupt would end one request, not the
            # server; so drain, and a second Ctrl-C exits at once.
            interrupts.append(signum)
            if len(interrupts) > 1:
                os._exit(130)
        try:
            os.write(wake_w, b"\0")
        except OSError:  # pipe full: a stop is already on its way
            pass

    def _drain() -> None:
        concurrency.wait_readable(wake_r)
        pool.draining = True
        concurrency.throw_soon(main, SystemExit(0))

    def _stop(_signum: int, _frame: Any) -> None:
        os._exit(0)

    concurrency.spawn_n(_drain)
    signal.signal(signal.SIGHUP, _graceful)
    signal.signal(signal.SIGINT, _graceful)
    signal.signal(signal.SIGTERM, _stop)
    try:
        # a worker is forked with the supervisor's signals blocked: one that
        # arrived since then is delivered now, to the handlers just set
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SUPERVISOR_SIGNALS)
        eventlet.wsgi.server(
            sock, app, log=_NullLog(), log_output=False, custom_pool=pool,
            minimum_chunk_size=4096, protocol=protocol_class(pool),
            capitalize_response_headers=False,
            socket_timeout=float(conf.get("client_timeout", 60)),
            url_length_limit=request_line_limit, keepalive=True, debug=False)
    except SystemExit:
        pass
    pool.waitall()


class _DrainingPool(concurrency.GreenPool):
    """The server's pool of connections, which knows when the worker drains.

    Told to stop, eventlet's server shuts every connection it sees as idle
    between requests, and a connection accepted a moment ago looks idle
    too although its request may already wait in the socket: on a reload
    that client would be dropped unanswered. A connection handed to the
    pool is marked as busy instead, so its first request is answered
    (then the connection is closed, see ``http_server.protocol_class``)."""

    draining = False

    def spawn(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        conn = args[0] if args else None
        if isinstance(conn, list) and len(conn) == 3:  # [address, socket, state]
            conn[2] = _ACCEPTED
        return super().spawn(function, *args, **kwargs)


#: The state of a connection accepted but not yet read from (see _DrainingPool).
_ACCEPTED = "accepted"


def client_gone(env: Dict[str, Any]) -> bool:
    """Whether the client of this request has closed its connection (or
    reset it), without waiting: a long answer that writes little (bulk's
    heartbeats) can stop working at once instead of at its next write.
    Meant for after the request body was read: unread body bytes mean the
    client is still there. ``False`` when the server gave no socket."""
    conn = env.get(CLIENT_SOCKET_ENV)
    raw = getattr(conn, "fd", conn)  # eventlet's GreenSocket wraps the real one
    if raw is None:
        return False
    try:
        return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def continue_headers(env: Dict[str, Any], headers: Dict[str, str]) -> None:
    """Headers to send with this request's ``100 Continue`` (sent when the
    body is first read: call before that). A server without interim
    headers (an in-process call) sends none."""
    setter = getattr(env.get("wsgi.input"), "set_hundred_continue_response_headers", None)
    if setter is not None:
        setter(list(headers.items()))


def read_body_into(stream: Any, view: memoryview) -> Optional[int]:
    """Read up to ``len(view)`` bytes of a request body of known length
    straight into ``view``: the count (0 at the body's end), or ``None``
    when ``stream`` cannot (a chunked body, a footer document, an
    in-process request's stream: the caller reads it then).

    The bytes go from the socket to ``view`` with no ``bytes`` made and
    no copy after the kernel's; the ``100 Continue``, the length read so
    far and the limit of the body are eventlet's ``Input``'s, as for its
    ``read`` (its ``_do_read`` takes the reading function)."""
    do_read = getattr(stream, "_do_read", None)
    rfile = getattr(stream, "rfile", None)
    if do_read is None or getattr(stream, "chunked_input", True) or \
            not hasattr(rfile, "readinto"):
        return None
    return len(do_read(lambda size: view[:rfile.readinto(view[:size])], len(view)))


def no_delay(sock: Any) -> None:
    """TCP_NODELAY on a listening socket (the sockets it accepts inherit
    it). A response leaves through eventlet's 16 KiB write buffer, so a
    body over it goes out as a full buffer and then a short rest; Nagle
    holds that rest until the client acknowledges the first part, which a
    client on a kept-alive connection delays by up to 40 ms: every answer
    between 16 KiB and one large chunk, a listing page of 100 objects
    among them, took 40 ms more."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # not a TCP socket


def _bind(conf: Dict[str, str], default_port: int) -> Any:
    inherited = os.environ.pop(LISTEN_FD_ENV, None)
    if inherited is not None:
        try:
            return concurrency.listener_from_fd(int(inherited))
        except (ValueError, OSError) as err:
            sys.stderr.write("cannot take over listening socket %s (%s); binding anew\n"
                             % (inherited, err))
    ip = conf.get("bind_ip", "127.0.0.1")
    port = config_int(conf, "bind_port", default_port)
    deadline = time.time() + float(conf.get("bind_timeout", 30))
    while True:
        try:
            return concurrency.listen((ip, port), backlog=config_int(conf, "backlog", 4096))
        except OSError as err:
            if err.errno != errno.EADDRINUSE or time.time() > deadline:
                raise SystemExit("cannot bind %s:%d: %s" % (ip, port, err.strerror))
            time.sleep(0.1)


def run_wsgi(conf_path: str, section: str, app_factory: AppFactory,
             default_port: int, header_slack: int = BACKEND_HEADER_SLACK) -> int:
    """Run a server from its config until SIGTERM. Returns the exit code.

    ``header_slack``: see ``_serve``; the proxy, which clients talk to,
    gives none (as Swift's proxy: a longer line is a 400)."""
    concurrency.monkey_patch()
    logs.lean_records()
    conf = load_server_conf(conf_path, section)
    sock = _bind(conf, default_port)
    workers = config_int(conf, "workers", 1, 0)
    if workers == 0:
        _serve(sock, app_factory(conf), conf, header_slack)
        return 0
    return _Supervisor(conf_path, section, app_factory, sock, workers, header_slack).run()


#: The signals the supervisor takes synchronously (``sigwaitinfo``): held
#: blocked from its start, across a re-exec, and in a new worker until
#: the worker's own handlers are set, so none runs in the wrong place
#: (half-way through a fork) and none is lost.
_SUPERVISOR_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD}


class _Supervisor:
    """Parent process: keeps ``workers`` children alive on one socket."""

    def __init__(self, conf_path: str, section: str, app_factory: AppFactory,
                 sock: Any, workers: int, header_slack: int = BACKEND_HEADER_SLACK) -> None:
        self.conf_path = conf_path
        self.header_slack = header_slack
        self.section = section
        self.app_factory = app_factory
        self.sock = sock
        self.workers = workers
        self.children: Dict[int, int] = {}  # pid -> generation
        self.generation = 0

    def _fork_worker(self) -> None:
        conf = load_server_conf(self.conf_path, self.section)
        app = self.app_factory(conf)
        supervisor = os.getpid()
        pid = os.fork()
        if pid == 0:
            concurrency.own_hub_after_fork()
            _die_with_parent(supervisor)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            try:
                _serve(self.sock, app, conf, self.header_slack)  # unblocks once its handlers are set
            finally:
                os._exit(0)
        self.children[pid] = self.generation

    def run(self) -> int:
        signal.pthread_sigmask(signal.SIG_BLOCK, _SUPERVISOR_SIGNALS)
        for _ in range(self.workers):
            self._fork_worker()
        self._reap()  # workers of the image before a reload may have ended
        while True:
            signo = signal.sigwaitinfo(_SUPERVISOR_SIGNALS).si_signo
            if signo in (signal.SIGTERM, signal.SIGINT):
                break
            if signo == signal.SIGHUP:
                self._reload()
            else:
                self._reap()
        for pid in list(self.children):
            _kill(pid, signal.SIGTERM)
        return 0

    def _reap(self) -> None:
        """Collect every ended child (SIGCHLDs coalesce); replace a current
        worker that died. Old workers draining after a reload (and those of
        the image before a re-exec, unknown here) are only collected."""
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.children.pop(pid, None) == self.generation:
                self._fork_worker()

    def _reload(self) -> None:
        old = [pid for pid, gen in self.children.items() if gen == self.generation]
        argv = getattr(sys, "orig_argv", None)  # Python 3.10+
        if argv:
            try:
                self.app_factory(load_server_conf(self.conf_path, self.section))
            except Exception as err:  # bad new config: keep the old workers
                sys.stderr.write("reload failed, keeping old workers: %s\n" % err)
                return
            self._reexec(argv, old)
            # exec failed (logged): reload in this image, with the code it has
        self.generation += 1
        try:
            for _ in range(self.workers):
                self._fork_worker()
        except Exception as err:  # bad new config: keep the old workers
            sys.stderr.write("reload failed, keeping old workers: %s\n" % err)
            self.generation -= 1
            return
        for pid in old:
            _kill(pid, signal.SIGHUP)

    def _reexec(self, argv: list, old: list) -> None:
        """Become a fresh copy of this server (same pid, same socket): the
        old workers drain and are reaped by the new image as strangers.
        The signal mask and pending signals survive exec: a stop sent
        meanwhile is taken by the new image's loop."""
        for pid in old:
            _kill(pid, signal.SIGHUP)
        fd = self.sock.fileno()
        os.set_inheritable(fd, True)
        env = dict(os.environ)
        env[LISTEN_FD_ENV] = str(fd)
        try:
            os.execve(sys.executable, argv, env)
        except OSError as err:
            sys.stderr.write("reload could not re-execute %s (%s); new workers run the "
                             "loaded code\n" % (argv, err))


def _die_with_parent(parent: int) -> None:
    """A worker whose supervisor is killed (SIGKILL, OOM) must not go on
    serving the port alone: ask Linux for SIGTERM when the parent dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the supervisor's SIGTERM still stops workers
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(0)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass
