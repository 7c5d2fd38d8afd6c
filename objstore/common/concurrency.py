"""Every use of the green-thread engine (eventlet today) goes through here.

eventlet is in maintenance mode; keeping it behind this module means the
engine can be replaced in one place. The rest of objstore imports these
names and never ``eventlet`` itself.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Sequence

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import eventlet
import eventlet.debug
import eventlet.event
import eventlet.greenpool
import eventlet.hubs
import eventlet.patcher
import eventlet.queue
import eventlet.semaphore
import eventlet.timeout
import eventlet.tpool

GreenPool = eventlet.greenpool.GreenPool
GreenPile = eventlet.greenpool.GreenPile
Queue = eventlet.queue.Queue
LightQueue = eventlet.queue.LightQueue
QueueEmpty = eventlet.queue.Empty
Event = eventlet.event.Event
Semaphore = eventlet.semaphore.Semaphore
Timeout = eventlet.timeout.Timeout
spawn = eventlet.spawn
spawn_n = eventlet.spawn_n
sleep = eventlet.sleep
GreenletExit = eventlet.greenlet.GreenletExit if hasattr(eventlet, "greenlet") else BaseException


class ConnectionTimeout(Timeout):
    """Connecting to a backend node took longer than ``conn_timeout``."""


class ChunkReadTimeout(Timeout):
    """A client or node sent nothing for ``client_timeout``/``node_timeout``."""


class ChunkWriteTimeout(Timeout):
    """A peer did not accept a chunk within the timeout."""


def monkey_patch() -> None:
    """Make stdlib sockets, time and threads cooperative.

    Called once at server start, before anything opens a socket.
    """
    eventlet.monkey_patch(all=False, socket=True, select=True, time=True, thread=True)
    eventlet.debug.hub_exceptions(False)


def own_hub_after_fork() -> None:
    """Give a forked worker an epoll instance of its own.

    The hub, and its epoll descriptor, exists before a server forks its
    workers (``monkey_patch`` makes it), and an epoll instance is shared
    across fork: every worker would be woken by every other worker's ready
    sockets (level-triggered, on each poll until their owner reads them),
    under descriptor numbers that may name sockets of its own. Whatever the
    hub already watches is registered with the new instance.
    """
    hub = eventlet.hubs.get_hub()
    old = getattr(hub, "poll", None)
    if not hasattr(old, "fileno"):  # select.poll() keeps no kernel object to share
        return
    hub.poll = type(old)()
    for fd in set(hub.listeners[hub.READ]) | set(hub.listeners[hub.WRITE]):
        hub.register(fd, new=True)
    old.close()


def current() -> Any:
    """The running green thread (the main one outside any spawned)."""
    import greenlet

    return greenlet.getcurrent()


def wait_readable(fd: int) -> None:
    """Block this green thread until ``fd`` can be read."""
    eventlet.hubs.trampoline(fd, read=True)


def readable(sources: Sequence[Any], timeout: float) -> List[Any]:
    """Those of ``sources`` (objects with a ``fileno()``) that can be read,
    waiting up to ``timeout`` seconds for one (none: the time ran out), in
    one wait of this green thread for all of them. Those readable already
    are found by one system call, without the hub.

    The wait is an event set by the hub's read listeners, not eventlet's
    green ``select``: that one switches into the waiting green thread from
    its listener, so a listener the hub calls after the select returned (a
    second descriptor ready in the same poll) resumed the caller wherever it
    was waiting next, with select's answer as the value. A late call here
    only sets an event nobody waits on. A wake-up may find nothing ready
    (an empty list before the time ran out): callers judge time themselves.
    """
    sources = list(sources)
    ready, _w, _x = _os_select.select(sources, [], [], 0)
    if ready or timeout <= 0:
        return ready
    hub = eventlet.hubs.get_hub()
    woken = eventlet.event.Event()

    def wake(*_args: Any) -> None:
        if not woken.ready():
            woken.send(True)

    listeners = []
    try:
        for source in sources:
            listeners.append(hub.add(hub.READ, source.fileno(), wake, wake, lambda: None))
        with Timeout(timeout, False):
            woken.wait()
    finally:
        for listener in listeners:
            hub.remove(listener)
    ready, _w, _x = _os_select.select(sources, [], [], 0)
    return ready


def throw_soon(thread: Any, exc: BaseException) -> None:
    """Raise ``exc`` in a suspended green thread (the main one included)
    once the running one yields."""
    eventlet.hubs.get_hub().schedule_call_global(0, thread.throw, exc)


def green_threads() -> bool:
    """Whether this process runs green threads on one hub (a server after
    ``monkey_patch``), rather than plain OS threads."""
    return bool(eventlet.patcher.is_monkey_patched("thread"))


def run_in_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run blocking disk work (fsync, big reads) in a real OS thread so one
    slow disk does not stall every green thread of the server.

    Outside a monkey-patched server (a daemon running plain OS threads,
    e.g. the replicator sending over ssync) the call is made directly:
    there are no green threads to protect, and tpool's hub cannot be
    shared between OS threads."""
    if not eventlet.patcher.is_monkey_patched("thread"):
        return func(*args, **kwargs)
    return eventlet.tpool.execute(func, *args, **kwargs)


def start_in_thread(func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start ``run_in_thread(func, *args)`` now; returns a function that
    waits for its result (or raises its error).

    For blocking work that can overlap with what the caller does next: a
    GET reads the next chunk from disk while the current one is sent.
    Outside a monkey-patched server the call is made at once."""
    if not eventlet.patcher.is_monkey_patched("thread"):
        try:
            result = func(*args)
        except BaseException as err:  # raised when waited for, as in a server
            failure = err

            def fail() -> Any:
                raise failure
            return fail
        return lambda: result
    return eventlet.spawn(eventlet.tpool.execute, func, *args).wait


def green_socket_module() -> Any:
    """The cooperative ``socket`` module (for servers that bind early)."""
    from eventlet.green import socket

    return socket


def listen(addr: tuple, backlog: int = 4096) -> Any:
    """A listening green socket with SO_REUSEADDR (not SO_REUSEPORT: two
    servers must never silently share a port and split its requests)."""
    return eventlet.listen(addr, backlog=backlog, reuse_port=False)


def listener_from_fd(fd: int) -> Any:
    """The listening socket a reloading server handed to its new program
    image (exec keeps the descriptor), as a green socket again."""
    import socket as _socket

    return eventlet.greenio.GreenSocket(_socket.socket(fileno=fd))


def gather_enough(calls: Sequence[Callable[[], Any]], enough: Callable[[List[Any]], bool],
                  grace: float) -> List[Any]:
    """Run each of ``calls`` in a green thread of its own; their results
    (``None`` ones and calls that raised left out) in the order they come.

    Returns once ``enough(results)`` holds and the calls still running had
    ``grace`` seconds more to finish, or once all are done. The ones that
    had not finished by then keep running (a write goes on landing on the
    nodes it reached); their results are dropped."""
    done: Any = LightQueue()

    def run(call: Callable[[], Any]) -> None:
        result = None
        try:
            result = call()
        finally:
            done.put(result)

    for call in calls:
        spawn_n(run, call)
    results: List[Any] = []
    pending = len(calls)
    while pending and not enough(results):
        result = done.get()
        pending -= 1
        if result is not None:
            results.append(result)
    if pending and grace > 0:
        with Timeout(grace, False):
            while pending:
                result = done.get()
                pending -= 1
                if result is not None:
                    results.append(result)
    return results


_os_threading = eventlet.patcher.original("threading")
_os_select = eventlet.patcher.original("select")
_os_queue = eventlet.patcher.original("queue")
_END = object()


class ThreadFeed:
    """Items handed, in order, to ``consume`` running in an OS thread of its
    own while the green thread that feeds them goes on.

    For CPU work on large buffers that lets go of the interpreter lock
    (``hashlib`` does above 2 KiB): the work overlaps the feeder's sends
    and reads, so it leaves the server's one busy thread. Unlike
    ``run_in_thread`` there is no hand-off through the hub per item (a
    pipe, a wake-up, a green switch): ``put`` queues the item and returns
    at once, the thread sleeps on its queue between items. The feeder is
    held back only when ``backlog`` items are waiting (memory stays
    bounded), and ``finish`` waits for the last one; both wait by sleeping
    in short, growing steps (the hub is never blocked, and no thread-pool
    thread is tied up waiting, so any number of feeds can wait at once).

    ``consume`` raising stops the feed: later items are dropped, and the
    next ``put`` or ``finish`` raises the error. ``cancel`` ends the thread
    (what it was consuming it finishes; the rest is dropped).
    """

    #: seconds between the feeder's first looks while it waits; each next
    #: wait is twice as long, up to ``POLL_MAX`` (a feeder held back for
    #: long, e.g. by a busy box's many hashing threads, wakes 250 times a
    #: second, not 2,000; by then the thread still has items queued)
    POLL = 0.0005
    POLL_MAX = 0.004

    def __init__(self, consume: Callable[[Any], None], backlog: int) -> None:
        self._consume = consume
        self._backlog = max(1, backlog)
        self._items: Any = _os_queue.SimpleQueue()
        # One writer each (the feeder counts what it put, the thread what it
        # consumed), so neither count needs a lock.
        self._put = 0
        self._done = 0
        self._error: Any = None
        self._cancelled = False
        self._thread = _os_threading.Thread(target=self._run, name="objstore-feed",
                                            daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._items.get()
            if item is _END:
                return
            if self._error is None and not self._cancelled:
                try:
                    self._consume(item)
                except BaseException as err:  # given to the feeder by finish()
                    self._error = err
            item = None
            self._done += 1

    def put(self, item: Any) -> None:
        """Queue ``item``; waits first while ``backlog`` items are queued.
        Raises ``consume``'s error once it failed (nothing is queued then)."""
        self._wait_until(lambda: self._put - self._done < self._backlog or
                         self._error is not None)
        if self._error is not None:
            raise self._error
        self._items.put(item)
        self._put += 1

    def finish(self) -> None:
        """Wait until every item is consumed; raises ``consume``'s error."""
        self._items.put(_END)
        self._wait_until(lambda: not self._thread.is_alive())
        if self._error is not None:
            raise self._error

    def cancel(self, wait: bool = False) -> None:
        """Drop what is queued and let the thread end (what it is consuming
        it finishes); with ``wait``, return once it has."""
        if not self._cancelled and self._thread.is_alive():
            self._cancelled = True
            self._items.put(_END)
        if wait:
            self._wait_until(lambda: not self._thread.is_alive())

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        wait_until(ready, self.POLL, self.POLL_MAX)


def wait_until(ready: Callable[[], bool], first: float = ThreadFeed.POLL,
               longest: float = ThreadFeed.POLL_MAX) -> None:
    """Sleep (green) until ``ready()`` holds, looking after ``first``
    seconds, then after twice as long each time, up to ``longest``: how a
    green thread waits for an OS thread's work (``ThreadFeed``) without a
    hand-off through the hub."""
    pause = first
    while not ready():
        sleep(pause)
        pause = min(pause * 2, longest)
