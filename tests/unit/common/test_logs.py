import logging
import re

from objstore.common import logs


def test_lean_records_still_write_every_field_of_the_line(monkeypatch, tmp_path):
    for flag in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, flag, getattr(logging, flag))
    logs.lean_records()
    path = tmp_path / "server.log"
    logger = logs.get_logger({"log_name": "lean-test", "log_file": str(path)}, "lean-test")
    try:
        logs.set_txn_id("tx123")
        logger.info("GET %s", "/a/c/o")
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
        assert record.threadName is None and record.process is None  # not looked up
    finally:
        logs.set_txn_id(None)
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        logger._objstore_configured = False
    line = path.read_text()
    date, clock, rest = line.split(" ", 2)
    assert len(date) == 10 and clock.count(":") == 2
    assert rest == "lean-test INFO [tx123] GET /a/c/o\n"


def _fresh_logger(tmp_path, name):
    path = tmp_path / (name + ".log")
    return logs.get_logger({"log_name": name, "log_file": str(path)}, name), path


def _drop(logger):
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
    logger._objstore_configured = False


def test_the_lean_access_line_is_the_line_logger_info_writes(monkeypatch, tmp_path):
    logger, path = _fresh_logger(tmp_path, "lean-line")
    fmt = '%s "%s %s" %d %d "%s" %.4f %s'
    args = ("127.0.0.1", "PUT", "/sdb1/3/a/c/%C3%A9", 201, 0, "proxy-server 1", 0.0123, "tx9")
    try:
        logs.set_txn_id("tx9")
        for now in (1796584130.041, 1796584130.999, 1796584131.5, 1796584131.0004):
            monkeypatch.setattr(logging.time, "time", lambda: now)
            logger.info(fmt, *args)
            logs.info(logger, fmt, *args)
            logger.info("plain % line")
            logs.info(logger, "plain % line")
    finally:
        logs.set_txn_id(None)
        _drop(logger)
    lines = path.read_text().splitlines()
    assert len(lines) == 16
    assert lines[0::2] == lines[1::2]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", lines[0])
    assert lines[0].endswith(' lean-line INFO [tx9] 127.0.0.1 "PUT /sdb1/3/a/c/%C3%A9" 201 0 '
                             '"proxy-server 1" 0.0123 tx9')


def test_a_logger_changed_since_it_was_made_gets_its_records_as_before(tmp_path):
    logger, path = _fresh_logger(tmp_path, "lean-changed")
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    extra = Keep()
    logger.addHandler(extra)
    try:
        logs.info(logger, "GET %s", "/a/c/o")
        logger.removeHandler(extra)
        logger.setLevel(logging.WARNING)
        logs.info(logger, "not %s", "written")
        logger.setLevel(logging.INFO)
        logs.info(logger, "HEAD %s", "/a/c/o")
    finally:
        _drop(logger)
    assert seen == ["GET /a/c/o"]
    assert [line.split("] ", 1)[1] for line in path.read_text().splitlines()] == [
        "GET /a/c/o", "HEAD /a/c/o"]
