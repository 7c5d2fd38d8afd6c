import logging

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
