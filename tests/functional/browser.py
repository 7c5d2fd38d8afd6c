"""Headless Chromium for the tests where a browser is the user (FormPost
forms, StaticWeb pages, CORS from another origin), and a tiny web server
that serves test pages from a second origin.

Chromium is installed by ``saio/install-browser`` (called by saio/start).
``dump_dom`` loads a URL, lets its scripts and navigations run for a
virtual-time budget, and returns the final document's HTML.
"""

import http.server
import os
import shutil
import subprocess
import tempfile
import threading

import pytest


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium is not installed (saio/install-browser installs it)")
    return exe


def dump_dom(url: str, budget_ms: int = 8000) -> str:
    """The DOM of the page ``url`` leads to, after its scripts ran."""
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        result = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
             "--virtual-time-budget=%d" % budget_ms, "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class PageServer:
    """Serves ``pages`` (path -> HTML) on 127.0.0.1, a second origin."""

    def __init__(self, pages: dict) -> None:
        pages = dict(pages)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                page = pages.get(self.path.split("?")[0])
                data = (page or "not found").encode()
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PageServer":
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def page_server():
    """``with page_server({"/p.html": html}) as site: site.origin``."""
    return PageServer


__all__ = ["dump_dom", "PageServer", "page_server", "chromium", "os"]
