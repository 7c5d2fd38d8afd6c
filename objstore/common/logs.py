"""Logging with the transaction id of the current request in every line.

The id lives in a context variable, which eventlet's monkey-patched
threading keeps per green thread, so concurrent requests never mix ids.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from typing import Any, Dict, Optional, Tuple

_TXN_ID: contextvars.ContextVar = contextvars.ContextVar("objstore_txn_id", default="-")
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
           "ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}


def set_txn_id(txn_id: Optional[str]) -> None:
    _TXN_ID.set(txn_id or "-")


def get_txn_id() -> str:
    return _TXN_ID.get()


class _TxnFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.txn_id = get_txn_id()
        return True


def lean_records() -> None:
    """Stop the logging module looking up, for every record, what no line
    of ours shows: the caller's file and line (a walk up the stack), the
    thread's name (eventlet's green ``current_thread``), the process id and
    name (the Logging HOWTO's "Optimization"). A server logs a line per
    request; this halves that line's CPU (about 13 -> 7 us). Process-wide:
    called by servers at start, not on import."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def get_logger(conf: Dict[str, str], name: str) -> logging.Logger:
    """A logger for one server or daemon, configured from its config.

    Options: ``log_name`` (default ``name``), ``log_level`` (INFO),
    ``log_file`` (default: stderr). Each line: time, name, level, txn id,
    message.
    """
    log_name = conf.get("log_name", name)
    logger = logging.getLogger("objstore." + log_name)
    if getattr(logger, "_objstore_configured", False):
        return logger
    level = _LEVELS.get(str(conf.get("log_level", "INFO")).upper(), logging.INFO)
    logger.setLevel(level)
    log_file = conf.get("log_file")
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(log_file)
    else:
        handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        "%(asctime)s " + log_name + " %(levelname)s [%(txn_id)s] %(message)s")
    handler.setFormatter(formatter)
    handler.addFilter(_TxnFilter())
    logger.addHandler(handler)
    logger.propagate = False
    logger._objstore_configured = True  # type: ignore[attr-defined]
    logger._objstore_lean = _LeanInfo(handler, formatter, log_name)  # type: ignore[attr-defined]
    return logger


class _LeanInfo:
    """What ``info`` needs to write a configured logger's INFO line itself."""

    def __init__(self, handler: logging.Handler, formatter: logging.Formatter,
                 log_name: str) -> None:
        self.handler = handler
        self.formatter = formatter
        self.middle = " %s INFO [" % log_name
        #: the whole second last formatted, and its date and time
        self.last: Tuple[int, str] = (-1, "")

    def usable(self, logger: logging.Logger) -> bool:
        """Nothing about the logger changed since ``get_logger`` made it
        (a test or an operator may add handlers, filters, levels)."""
        handler = self.handler
        return len(logger.handlers) == 1 and logger.handlers[0] is handler and \
            handler.formatter is self.formatter and len(handler.filters) == 1 and \
            isinstance(handler.filters[0], _TxnFilter) and \
            not logger.filters and handler.level <= logging.INFO and \
            type(handler) in (logging.StreamHandler, logging.FileHandler) and \
            self.formatter.converter is time.localtime

    def asctime(self, now: float) -> str:
        """``Formatter.formatTime``'s default: local time, then milliseconds."""
        second = int(now)
        last, date = self.last
        if second != last:
            date = time.strftime(self.formatter.default_time_format, time.localtime(now))
            self.last = (second, date)
        return self.formatter.default_msec_format % (date, int((now - second) * 1000))


def info(logger: logging.Logger, fmt: str, *args: Any) -> None:
    """``logger.info(fmt, *args)``: the same line, written without a
    ``LogRecord``, a filter pass and a ``Formatter`` call when ``logger``
    is one ``get_logger`` made and nothing about it changed since (about
    20 us a line down to 4: a server writes one per request). Any other
    logger, or one changed, gets the call itself."""
    lean: Optional[_LeanInfo] = getattr(logger, "_objstore_lean", None)
    if lean is None or logger.disabled or not logger.isEnabledFor(logging.INFO) or \
            not lean.usable(logger):
        logger.info(fmt, *args)
        return
    line = "%s%s%s] %s" % (lean.asctime(time.time()), lean.middle, get_txn_id(),
                           fmt % args if args else fmt)
    handler: Any = lean.handler
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.flush()
    except Exception:  # as Handler.emit: a failed write must not fail the request
        handler.handleError(logging.makeLogRecord({"msg": line}))
    finally:
        handler.release()
