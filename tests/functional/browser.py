"""Headless Chromium for the tests where a browser is the user (FormPost
forms, StaticWeb pages, CORS from another origin), and a tiny web server
that serves test pages from a second origin.

Chromium is installed by ``saio/install-browser`` (called by saio/start).
``dump_dom`` loads a URL, lets its scripts and navigations run for a
virtual-time budget, and returns the final document's HTML.
"""

import base64
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

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


#: where DevToolsPage.screenshot saves (test artifacts, never committed)
ARTIFACTS = os.environ.get("OBJSTORE_TEST_ARTIFACTS", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    ".saio", "artifacts"))


class DevToolsPage:
    """A headless Chromium tab driven over the DevTools protocol (a pipe,
    no port, no extra package): for tests where the user clicks.

    ``with DevToolsPage() as page: page.open(url); page.click("#b");
    page.wait_for("document.title == 'x'")``.
    """

    def __init__(self, width: int = 1200, height: int = 1600) -> None:
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        to_chromium, self._w = os.pipe()
        self._r, from_chromium = os.pipe()

        def pipes_on_3_and_4() -> None:  # where --remote-debugging-pipe looks
            a, b = os.dup(to_chromium), os.dup(from_chromium)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + self.profile,
             "--window-size=%d,%d" % (width, height), "--remote-debugging-pipe",
             "about:blank"], pass_fds=(3, 4), preexec_fn=pipes_on_3_and_4,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium)
        os.close(from_chromium)
        self._ids = 0
        self._buf = b""
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self._send("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]

    def _send(self, method: str, params: dict = None, session: str = None) -> dict:
        self._ids += 1
        msg = {"id": self._ids, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self._buf:
                chunk = os.read(self._r, 1 << 16)
                assert chunk, "chromium exited"
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\0", 1)
            doc = json.loads(raw)
            if doc.get("id") == self._ids:
                assert "error" not in doc, doc["error"]
                return doc["result"]

    def open(self, url: str) -> None:
        self._send("Page.navigate", {"url": url}, self.session)

    def evaluate(self, expression: str):
        """The value of a JS expression (a promise is awaited)."""
        got = self._send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                              "awaitPromise": True}, self.session)
        assert "exceptionDetails" not in got, got["exceptionDetails"]
        return got["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0):
        """Poll until the expression is truthy; its value."""
        deadline = time.time() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except AssertionError:
                value = None  # the page is between documents
            if value:
                return value
            assert time.time() < deadline, "timed out waiting for: " + expression
            time.sleep(0.2)

    def click(self, selector: str) -> None:
        assert self.evaluate("(() => { const e = document.querySelector(%s); "
                             "if (!e) return false; e.click(); return true; })()"
                             % json.dumps(selector)), "nothing matches " + selector

    def fill(self, selector: str, value: str) -> None:
        assert self.evaluate(
            "(() => { const e = document.querySelector(%s); if (!e) return false;"
            " e.value = %s; e.dispatchEvent(new Event('change')); return true; })()"
            % (json.dumps(selector), json.dumps(value))), "nothing matches " + selector

    def text(self, selector: str) -> str:
        return self.evaluate("(document.querySelector(%s) || {}).textContent || ''"
                             % json.dumps(selector))

    def screenshot(self, name: str, selector: str = "") -> str:
        """Save a PNG of the whole page (or of the element ``selector``)
        under ARTIFACTS; its path. The viewport is first made as tall as the
        page, so nothing reflows between measuring and capturing."""
        width, height = self.evaluate("[document.documentElement.scrollWidth,"
                                      " document.documentElement.scrollHeight]")
        self._send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            self.session)
        try:
            params = {"format": "png"}
            if selector:
                params["clip"] = dict(self.evaluate(
                    "(() => { const r = document.querySelector(%s).getBoundingClientRect();"
                    " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width,"
                    " height: r.height}; })()" % json.dumps(selector)), scale=1)
            data = self._send("Page.captureScreenshot", params, self.session)["data"]
        finally:
            self._send("Emulation.clearDeviceMetricsOverride", {}, self.session)
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, name + ".png")
        with open(path, "wb") as fp:
            fp.write(base64.b64decode(data))
        return path

    def __enter__(self) -> "DevToolsPage":
        return self

    def __exit__(self, *_exc) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self.profile, ignore_errors=True)


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


__all__ = ["dump_dom", "DevToolsPage", "PageServer", "page_server", "chromium", "os"]
